'use strict';
// The voice gateway's side of one WebSocket: Hello, Identify → Ready, Heartbeat → ACK,
// Select Protocol → Session Description, Speaking, Resume → Resumed. Gateway v8 (what
// @discordjs/voice 0.19 asks for with ?v=8) numbers the server's messages with `seq` and the
// client echoes the last one as `seq_ack` in heartbeats; v4 (0.18) has neither, and its
// heartbeat `d` is the bare nonce.
const { performance } = require('node:perf_hooks');

const Op = Object.freeze({
  IDENTIFY: 0, SELECT_PROTOCOL: 1, READY: 2, HEARTBEAT: 3, SESSION_DESCRIPTION: 4, SPEAKING: 5,
  HEARTBEAT_ACK: 6, RESUME: 7, HELLO: 8, RESUMED: 9,
});

// Discord's close codes for what this stand-in refuses.
const Close = Object.freeze({
  DECODE_ERROR: 4002, NOT_AUTHENTICATED: 4003, ALREADY_AUTHENTICATED: 4005, SESSION_NO_LONGER_VALID: 4006,
  UNKNOWN_PROTOCOL: 4012, UNKNOWN_ENCRYPTION_MODE: 4016,
});

function isNonEmptyString(value) {
  return typeof value === 'string' && value.length > 0;
}

/**
 * Serves one WebSocket connection.
 * @param {import('ws').WebSocket} ws
 * @param {import('node:http').IncomingMessage} req
 * @param {{ heartbeatIntervalMs: number, udpPort: number,
 *   offeredModes(identify: object): string[],
 *   createSession(identify: object, version: number, send: Function): import('./session').VoiceSession,
 *   findSession(sessionId: string, guildId: string, token: string): import('./session').VoiceSession | undefined,
 *   protocolErrors: { at: number, reason: string }[] }} server
 */
function serveConnection(ws, req, server) {
  const version = Number(new URL(req.url, 'wss://127.0.0.1').searchParams.get('v') ?? 4);
  let seq = 0;
  let session = null;
  let offered = null;

  const send = (op, d) => {
    const message = { op, d };
    if (version >= 8 && op !== Op.HELLO && op !== Op.HEARTBEAT_ACK) message.seq = ++seq;
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
  };
  const refuse = (code, reason) => {
    server.protocolErrors.push({ at: performance.now(), reason: `${code} ${reason}` });
    ws.close(code, reason);
  };

  send(Op.HELLO, { heartbeat_interval: server.heartbeatIntervalMs });

  ws.on('message', (data, isBinary) => {
    if (isBinary) {
      // Only DAVE uses binary messages, and this server never negotiates DAVE.
      refuse(Close.DECODE_ERROR, 'unexpected binary message');
      return;
    }
    let packet;
    try {
      packet = JSON.parse(data.toString());
    } catch {
      refuse(Close.DECODE_ERROR, 'invalid JSON');
      return;
    }
    const { op, d } = packet;
    switch (op) {
      case Op.IDENTIFY: {
        if (session !== null) return refuse(Close.ALREADY_AUTHENTICATED, 'already identified');
        const fields = ['server_id', 'user_id', 'session_id', 'token'];
        if (!d || !fields.every((f) => isNonEmptyString(d[f]))) return refuse(Close.DECODE_ERROR, `identify needs ${fields.join(', ')}`);
        session = server.createSession(d, version, send);
        offered = server.offeredModes(d);
        send(Op.READY, { ssrc: session.ssrc, ip: '127.0.0.1', port: server.udpPort, modes: offered, heartbeat_interval: server.heartbeatIntervalMs });
        return;
      }
      case Op.HEARTBEAT:
        if (session !== null) session.heartbeats.push({ at: performance.now(), d, lastSeq: seq });
        send(Op.HEARTBEAT_ACK, version >= 8 ? { t: d?.t } : d);
        return;
      case Op.SELECT_PROTOCOL: {
        if (session === null) return refuse(Close.NOT_AUTHENTICATED, 'select protocol before identify');
        if (d?.protocol !== 'udp') return refuse(Close.UNKNOWN_PROTOCOL, `unknown protocol ${d?.protocol}`);
        const mode = d.data?.mode;
        if (!offered.includes(mode)) return refuse(Close.UNKNOWN_ENCRYPTION_MODE, `mode ${mode} was not offered`);
        session.describe(d.data, mode);
        return;
      }
      case Op.SPEAKING:
        if (session === null) return refuse(Close.NOT_AUTHENTICATED, 'speaking before identify');
        session.speaking.push({ at: performance.now(), d });
        session.emit('speaking', d);
        return;
      case Op.RESUME: {
        const found = d && server.findSession(d.session_id, d.server_id, d.token);
        if (!found) return refuse(Close.SESSION_NO_LONGER_VALID, 'unknown session');
        session = found;
        session.rebind(send);
        send(Op.RESUMED, null);
        return;
      }
      default:
        server.protocolErrors.push({ at: performance.now(), reason: `unhandled op ${op}` });
    }
  });
}

module.exports = { serveConnection, Op, Close };
