'use strict';
// The gateway: a WebSocket server (the `ws` package) for devices speaking protocol.js, one Session
// per connection. It checks its options once, caps connections and message size, closes what
// misbehaves with a logged reason and a counted close code, and shuts down cleanly: every
// session closed, every socket gone, every native object freed.
const { once } = require('node:events');
const { performance } = require('node:perf_hooks');
const { WebSocketServer, WebSocket } = require('ws');
const protocol = require('./protocol');
const { Session } = require('./session');
const { GatewayStats } = require('./stats');
const { sttStub, ttsFromMaterial } = require('./speech');

const { CLOSE } = protocol;

/** Every option and its default, in one place. */
const DEFAULTS = Object.freeze({
  host: '127.0.0.1',
  port: 0,                       // 0: any free port (see gateway.port)
  maxConnections: 500,           // more are closed with 1013
  helloTimeoutMs: 2000,          // HELLO must arrive this soon after connecting (1008)
  idleTimeoutMs: 10000,          // an open session with no message this long is closed (1008)
  closeTimeoutMs: 1000,          // a device that does not answer a close is cut off after this
  messagesPerSecond: 60,         // token bucket: a device sends 50 AUDIO a second ...
  burstMessages: 150,            // ... and may catch up 3 s after a stall; a flood is closed (1008)
  maxBackward: 50,               // messages whose sequence goes backwards, before 1008
  inboundQueue: 50,              // AUDIO frames waiting for the pool per session (1 s); then drop-oldest
  decodeBatch: 16,               // most frames one decode job takes
  pipelineFrames: 16,            // decoded frames in the utterance stream at once; the rest wait in the queue
  replyLeadMs: 100,              // how far ahead of the device's playout reply frames go out
  maxReplySeconds: 30,           // longest TTS reply taken
  maxSendBufferBytes: 256 * 1024,  // unsent bytes to a device before it is closed as not reading (1008)
  maxPendingStt: 2,              // STT calls in flight per session; more utterances are dropped
  housekeepingMs: 250,           // how often timeouts are checked
  utterance: Object.freeze({}),  // createUtteranceStream options (sampleRate is the uplink's)
  // Encoder options for replies. Complexity 5: SILK at 24 kHz costs about 370 µs a frame at the
  // default 9 and half that at 5 (a 2-core VM), and replies are then still most of the pool's
  // work; TTS is clean speech, which loses little.
  encoder: Object.freeze({ bitrate: 24000, signal: 'voice', complexity: 5 }),
  stt: sttStub,                  // async (utterance, { deviceId, session, log }) => text
  tts: ttsFromMaterial,          // async (text, { deviceId, session, log }) => 24 kHz mono s16 PCM
  log: consoleLog,               // (level: 'info' | 'warn', line) => void
});

function consoleLog(level, line) {
  (level === 'warn' ? console.warn : console.log)(`[gateway] ${line}`);
}

/** `Expected <what> for <name> but received <value>`: one form for every option error. */
function invalid(what, name, value) {
  const shown = typeof value === 'string' ? `'${value}'` : typeof value === 'function' ? 'a function' : JSON.stringify(value) ?? String(value);
  return new (typeof value === 'number' ? RangeError : TypeError)(`Expected ${what} for ${name} but received ${shown}`);
}

/**
 * The gateway's options, checked, with the defaults filled in.
 * @param {Partial<typeof DEFAULTS>} [options]
 */
function gatewayOptions(options = {}) {
  if (options === null || typeof options !== 'object') throw invalid('an object', 'options', options);
  const o = { ...DEFAULTS };
  for (const [name, value] of Object.entries(options)) {
    if (value === undefined) continue;
    if (!(name in DEFAULTS)) throw invalid(`one of ${Object.keys(DEFAULTS).join(', ')}`, 'an option name', name);
    const fallback = DEFAULTS[name];
    if (typeof fallback === 'number') {
      const min = name === 'port' ? 0 : 1;
      const max = name === 'port' ? 65535 : 1e9;
      if (!Number.isInteger(value) || value < min || value > max) throw invalid(`an integer ${min}-${max}`, name, value);
    } else if (typeof fallback === 'function') {
      if (typeof value !== 'function') throw invalid('a function', name, value);
    } else if (typeof fallback === 'object') {
      if (value === null || typeof value !== 'object') throw invalid('an object', name, value);
    } else if (typeof value !== 'string' || value === '') {
      throw invalid('a non-empty string', name, value);
    }
    o[name] = value;
  }
  // A burst smaller than a second's messages would close devices that only send steadily.
  if (o.burstMessages < o.messagesPerSecond) throw invalid(`at least messagesPerSecond (${o.messagesPerSecond})`, 'burstMessages', o.burstMessages);
  return Object.freeze(o);
}

/**
 * A voice-agent gateway. `await gateway.listen()`, then devices connect to `gateway.url`;
 * `await gateway.close()` to stop.
 */
class Gateway {
  #options;
  #stats = new GatewayStats();
  #sessions = new Map();  // id -> Session, from connection to close
  #sockets = new Set();   // every WebSocket not yet closed (sessions' and refused ones)
  #wss = null;
  #timer = null;
  #nextId = 1;
  #closing = null;

  /** @param {Partial<typeof DEFAULTS>} [options] */
  constructor(options) {
    this.#options = gatewayOptions(options);
  }

  /** The options in effect. */
  get options() { return this.#options; }
  /** Open sessions (a device connected and not yet closed), by id. */
  get sessions() { return this.#sessions; }
  /** The port listened on (after listen()). */
  get port() { return this.#wss === null ? null : this.#wss.address().port; }
  /** ws://host:port */
  get url() { return `ws://${this.#options.host}:${this.port}`; }

  /**
   * Starts listening.
   * @returns {Promise<this>}
   */
  async listen() {
    if (this.#wss !== null) throw new Error('listen() called twice');
    const { host, port } = this.#options;
    const wss = new WebSocketServer({ host, port, maxPayload: protocol.MAX_MESSAGE_BYTES, perMessageDeflate: false, clientTracking: false });
    this.#wss = wss;
    wss.on('connection', (ws) => this.#accept(ws));
    await new Promise((resolve, reject) => {
      wss.once('listening', resolve);
      wss.once('error', reject);
    });
    wss.on('error', (err) => this.#options.log('warn', `server error: ${err.message}`));
    this.#timer = setInterval(() => {
      const now = performance.now();
      for (const session of this.#sessions.values()) session.checkTimers(now);
    }, this.#options.housekeepingMs);
    return this;
  }

  #accept(ws) {
    this.#stats.connections++;
    this.#sockets.add(ws);
    ws.once('close', () => this.#sockets.delete(ws));
    const { maxConnections, log, closeTimeoutMs } = this.#options;
    if (this.#closing !== null || this.#sessions.size >= maxConnections) {
      // Refused before any state is made. ws would throw an 'error' with no listener.
      const [code, reason] = this.#closing !== null ? [CLOSE.GOING_AWAY, 'gateway shutting down'] : [CLOSE.TRY_AGAIN, `server full (${maxConnections} connections)`];
      ws.on('error', () => {});
      ws.close(code, reason);
      const cut = setTimeout(() => ws.terminate(), closeTimeoutMs);
      ws.once('close', () => clearTimeout(cut));
      this.#stats.closed(code);
      log('warn', `connection refused: ${code} ${reason}`);
      return;
    }
    const id = this.#nextId++;
    const session = new Session(ws, {
      id,
      options: this.#options,
      stats: this.#stats,
      log,
      onClosed: (s) => this.#sessions.delete(s.id),
    });
    this.#sessions.set(id, session);
  }

  /**
   * Counters (GatewayStats), the latency summary, and the sessions open now.
   */
  stats() {
    let queued = 0;
    for (const s of this.#sessions.values()) queued += s.queueDepth;
    return { ...this.#stats.snapshot(), sessions: this.#sessions.size, queued };
  }

  /**
   * Closes every session (1001), waits for their sockets (cut off after closeTimeoutMs) and
   * stops listening. Idempotent.
   * @returns {Promise<void>}
   */
  close() {
    if (this.#closing === null) this.#closing = this.#shutdown();
    return this.#closing;
  }

  async #shutdown() {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
    for (const session of [...this.#sessions.values()]) session.close(CLOSE.GOING_AWAY, 'gateway shutting down');
    await Promise.all([...this.#sockets].map((ws) => (ws.readyState === WebSocket.CLOSED ? null : once(ws, 'close'))));
    if (this.#wss !== null) await new Promise((resolve) => this.#wss.close(() => resolve()));
  }
}

/**
 * Makes a gateway and starts it.
 * @param {Partial<typeof DEFAULTS>} [options]
 * @returns {Promise<Gateway>}
 */
function startGateway(options) {
  return new Gateway(options).listen();
}

module.exports = { Gateway, startGateway, gatewayOptions, DEFAULTS };
