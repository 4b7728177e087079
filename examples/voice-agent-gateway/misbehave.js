'use strict';
// Misbehaving devices, for tests and `--misbehave`: each breaks one rule and waits to be closed.
// The gateway must close each with its own code and a logged reason, and carry on serving the
// devices that behave.
const { WebSocket } = require('ws');
const { Encoder } = require('../..');
const protocol = require('./protocol');

const { TYPES, HEADER_BYTES } = protocol;
const HELLO = Object.freeze({ deviceId: 'misbehaving', ...protocol.UPLINK });

let silence = null;
/** One valid 20 ms Opus packet (16 kHz mono silence). */
function silencePacket() {
  if (silence === null) {
    const encoder = new Encoder({ sampleRate: protocol.UPLINK.sampleRate, channels: 1 });
    silence = encoder.encode(Buffer.alloc(protocol.UPLINK.sampleRate * protocol.FRAME_MS / 1000 * 2));
    encoder.destroy();
  }
  return silence;
}

/** A message with header fields set by hand (encode() refuses to build broken ones). */
function raw({ type, flags = 0, reserved = 0, length, sequence = 0, timestamp = 0, payload = Buffer.alloc(0) }) {
  const out = Buffer.alloc(HEADER_BYTES + payload.length);
  out.writeUInt8(type, 0);
  out.writeUInt8(flags, 1);
  out.writeUInt16BE(reserved, 2);
  out.writeUInt32BE(length ?? payload.length, 4);
  out.writeUInt32BE(sequence, 8);
  out.writeUInt32BE(timestamp, 12);
  payload.copy(out, HEADER_BYTES);
  return out;
}

const hello = () => protocol.encode(TYPES.HELLO, { payload: HELLO, sequence: 0, timestamp: 0 });
const audio = (sequence, payload = silencePacket()) => protocol.encode(TYPES.AUDIO, { payload, sequence, timestamp: (sequence - 1) * protocol.FRAME_MS });

/**
 * What each kind sends. `send(ws)` runs once the socket is open.
 */
const MISBEHAVIOURS = Object.freeze({
  // Bytes that are not a header: the first byte ('n', 0x6e) is no type.
  garbage: (ws) => ws.send(Buffer.from('not a voice protocol message at all')),
  text: (ws) => ws.send('{"type":"hello"}'),
  // Over the server's maxPayload: ws refuses it before the gateway sees it.
  oversized: (ws) => ws.send(Buffer.alloc(64 * 1024)),
  // Within maxPayload but over AUDIO's own limit.
  'oversized-audio': (ws) => {
    ws.send(hello());
    ws.send(raw({ type: TYPES.AUDIO, sequence: 1, payload: Buffer.alloc(2000, 0xfc) }));
  },
  'audio-before-hello': (ws) => ws.send(audio(1)),
  flood: (ws) => {
    ws.send(hello());
    for (let i = 1; i <= 3000; i++) ws.send(audio(i));
  },
  // Two good frames, then a code-3 packet claiming zero frames: libopus says the stream is corrupt.
  'bad-opus': (ws) => {
    ws.send(hello());
    ws.send(audio(1));
    ws.send(audio(2));
    ws.send(audio(3, Buffer.from([0x03, 0x00])));
  },
  reserved: (ws) => ws.send(raw({ type: TYPES.HELLO, reserved: 0x1234, payload: Buffer.from(JSON.stringify(HELLO)) })),
  'length-mismatch': (ws) => ws.send(raw({ type: TYPES.HELLO, length: 10, payload: Buffer.from(JSON.stringify(HELLO)) })),
  'bad-json': (ws) => ws.send(raw({ type: TYPES.HELLO, payload: Buffer.from('{"deviceId": oops') })),
  'wrong-codec': (ws) => ws.send(protocol.encode(TYPES.HELLO, { payload: { ...HELLO, codec: 'pcm' }, sequence: 0, timestamp: 0 })),
  // Each AUDIO's sequence one less than the last.
  backwards: (ws) => {
    ws.send(hello());
    for (let i = 0; i < 60; i++) ws.send(audio(1000 - i));
  },
  'no-hello': () => {},
});

/**
 * Connects, misbehaves, and waits for the gateway to close the connection (at most `timeoutMs`,
 * then closes itself).
 * @param {string} url
 * @param {keyof typeof MISBEHAVIOURS} kind
 * @param {{ timeoutMs?: number }} [options]
 * @returns {Promise<{ kind: string, closeCode: number, closeReason: string }>}
 */
function misbehave(url, kind, { timeoutMs = 10000 } = {}) {
  const send = MISBEHAVIOURS[kind];
  if (send === undefined) throw new RangeError(`Expected one of ${Object.keys(MISBEHAVIOURS).join(', ')} for kind but received '${kind}'`);
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    const timer = setTimeout(() => ws.terminate(), timeoutMs);
    ws.on('error', () => {});  // the gateway may cut the connection mid-flood
    ws.on('open', () => send(ws));
    ws.on('close', (code, reason) => {
      clearTimeout(timer);
      resolve({ kind, closeCode: code, closeReason: reason.toString() });
    });
  });
}

module.exports = { MISBEHAVIOURS, misbehave, raw, silencePacket };
