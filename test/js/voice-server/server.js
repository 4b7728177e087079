'use strict';
// The loopback stand-in for Discord's voice server: a TLS WebSocket gateway and a UDP socket,
// both on 127.0.0.1, sharing one table of sessions keyed by SSRC.
const { EventEmitter } = require('node:events');
const https = require('node:https');
const { WebSocketServer } = require('ws');
const { createCertificate } = require('./certificate');
const { serveConnection } = require('./gateway');
const { bindUdp, serveUdp } = require('./udp');
const { VoiceSession } = require('./session');
const { MODES } = require('./transport-cipher');

/**
 * Events: 'session' (VoiceSession) on each Identify.
 */
class VoiceServer extends EventEmitter {
  #https;
  #wss;
  #udp;
  #certificate;
  #ownsCertificate;
  #mode;
  #nextSsrc;
  #bySsrc = new Map();
  #closed = false;

  /** @internal use startVoiceServer */
  constructor({ httpsServer, wss, udp, certificate, ownsCertificate, mode, heartbeatIntervalMs, firstSsrc }) {
    super();
    this.#https = httpsServer;
    this.#wss = wss;
    this.#udp = udp;
    this.#certificate = certificate;
    this.#ownsCertificate = ownsCertificate;
    this.#mode = mode;
    this.#nextSsrc = firstSsrc;
    this.heartbeatIntervalMs = heartbeatIntervalMs;
    this.port = httpsServer.address().port;
    this.udpPort = udp.address().port;
    /** What a VOICE_SERVER_UPDATE carries as `endpoint`. */
    this.endpoint = `127.0.0.1:${this.port}`;
    /** The PEM file the client must trust (NODE_EXTRA_CA_CERTS). */
    this.certPath = certificate.certPath;
    /** @type {VoiceSession[]} in Identify order */
    this.sessions = [];
    /** Anything a well-behaved client should never cause. @type {{ at: number, reason: string }[]} */
    this.protocolErrors = [];
    wss.on('connection', (ws, req) => serveConnection(ws, req, this));
    serveUdp(udp, this);
  }

  /** @internal the modes Ready offers: only the forced one, if any (the client takes the first it supports) */
  offeredModes(identify) {
    const mode = typeof this.#mode === 'function' ? this.#mode(identify) : this.#mode;
    return mode === undefined ? [...MODES] : [mode];
  }

  /** @internal */
  createSession(identify, version, send) {
    const session = new VoiceSession({ ssrc: this.#nextSsrc++, identify, version, send, socket: this.#udp });
    this.#bySsrc.set(session.ssrc, session);
    this.sessions.push(session);
    this.emit('session', session);
    return session;
  }

  /** @internal */
  findBySsrc(ssrc) {
    return this.#bySsrc.get(ssrc);
  }

  /** @internal */
  findSession(sessionId, guildId, token) {
    return this.sessions.find((s) => s.sessionId === sessionId && s.guildId === guildId && s.token === token);
  }

  /**
   * The latest session identified for a guild.
   * @param {string} guildId
   * @returns {VoiceSession | undefined}
   */
  sessionFor(guildId) {
    return this.sessions.findLast((s) => s.guildId === guildId);
  }

  /** Closes the gateway, every connection, the UDP socket, and the certificate it made. */
  async close() {
    if (this.#closed) return;
    this.#closed = true;
    for (const session of this.sessions) session.close();
    for (const ws of this.#wss.clients) ws.terminate();
    await new Promise((resolve) => this.#wss.close(() => resolve()));
    this.#https.closeAllConnections();
    await new Promise((resolve) => this.#https.close(() => resolve()));
    await new Promise((resolve) => this.#udp.close(() => resolve()));
    if (this.#ownsCertificate) this.#certificate.remove();
  }
}

/**
 * Starts a loopback voice server on 127.0.0.1 (ephemeral ports).
 * @param {object} [options]
 * @param {string | ((identify: object) => string | undefined)} [options.mode] force an encryption
 *   mode (for every session, or per Identify, e.g. by `identify.server_id`); default: offer both
 *   and use the client's choice
 * @param {number} [options.heartbeatIntervalMs=5000] Hello's heartbeat_interval
 * @param {number} [options.firstSsrc=1000] SSRCs are handed out from here, one per Identify
 * @param {ReturnType<createCertificate>} [options.certificate] reuse one (kept on close);
 *   default: a new one, removed on close
 * @returns {Promise<VoiceServer>}
 */
async function startVoiceServer(options = {}) {
  const { mode, heartbeatIntervalMs = 5000, firstSsrc = 1000 } = options;
  if (mode !== undefined && typeof mode !== 'function' && !MODES.includes(mode)) {
    throw new TypeError(`Expected one of ${MODES.join(', ')} for mode but received ${mode}`);
  }
  const ownsCertificate = options.certificate === undefined;
  const certificate = options.certificate ?? createCertificate();
  let httpsServer;
  let udp;
  try {
    httpsServer = https.createServer({ cert: certificate.cert, key: certificate.key });
    await new Promise((resolve, reject) => {
      httpsServer.once('error', reject);
      httpsServer.listen(0, '127.0.0.1', resolve);
    });
    const wss = new WebSocketServer({ server: httpsServer });
    udp = await bindUdp();
    return new VoiceServer({ httpsServer, wss, udp, certificate, ownsCertificate, mode, heartbeatIntervalMs, firstSsrc });
  } catch (err) {
    httpsServer?.close();
    udp?.close();
    if (ownsCertificate) certificate.remove();
    throw err;
  }
}

module.exports = { startVoiceServer, VoiceServer };
