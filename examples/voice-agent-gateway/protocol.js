'use strict';
// The device protocol: one binary WebSocket message per protocol message, a 16-byte big-endian
// header and a payload (the shape of the binary streaming protocols in the wild: type, flags,
// length, sequence, timestamp).
//
//   offset  size  field
//   0       1     type        TYPES below
//   1       1     flags       FLAG_LAST (0x01) on a reply's last TTS_AUDIO; other bits must be 0
//   2       2     reserved    must be 0 (room to grow without a new version)
//   4       4     length      payload bytes; must equal the message's size - 16
//   8       4     sequence    the sender's message counter: 0 for its first message, +1 each, wrapping
//   12      4     timestamp   ms: AUDIO, the device's media clock (0 at its first frame); TTS_AUDIO,
//                             time within the reply; others, since the sender connected (wrapping)
//
// The header carries a length although WebSocket frames the message, so a reader checks the two
// against each other: a mismatch is a broken sender, caught at the first message, not a
// misparsed stream later. Every check throws a ProtocolError that names the close code to send.
// To add a type: a row in TYPES, its limit in MAX_PAYLOAD, and a case where gateway and device
// handle messages.

/** Header size in bytes. */
const HEADER_BYTES = 16;

/** Message types, and who sends them. */
const TYPES = Object.freeze({
  HELLO: 1,      // both: JSON. Device: { deviceId, codec: 'opus', sampleRate: 16000, channels: 1 };
                 // gateway's answer: the downlink's { session, codec, sampleRate: 24000, channels: 1 }
  AUDIO: 2,      // device: one Opus packet, 16 kHz mono, 20 ms
  CONTROL: 3,    // both: JSON { event, ... }: 'reply-start', 'bargein'
  TTS_AUDIO: 4,  // gateway: one Opus packet, 24 kHz mono, 20 ms
  UTTERANCE: 5,  // gateway: JSON { startMs, endMs, sttText } (device media clock)
  BYE: 6,        // device: no payload; the gateway closes with 1000
});
const TYPE_NAMES = Object.freeze(Object.fromEntries(Object.entries(TYPES).map(([name, value]) => [value, name])));

/** Flag bits. */
const FLAG_LAST = 0x01;

// A 20 ms frame's Opus data is at most 1275 bytes (RFC 6716 §3.2.1; what libopus is asked to fit a
// frame into); JSON messages are small documents.
const MAX_OPUS_PAYLOAD = 1275;
const MAX_JSON_PAYLOAD = 4096;
/** The most payload bytes each type may carry. */
const MAX_PAYLOAD = Object.freeze({
  [TYPES.HELLO]: MAX_JSON_PAYLOAD,
  [TYPES.AUDIO]: MAX_OPUS_PAYLOAD,
  [TYPES.CONTROL]: MAX_JSON_PAYLOAD,
  [TYPES.TTS_AUDIO]: MAX_OPUS_PAYLOAD,
  [TYPES.UTTERANCE]: MAX_JSON_PAYLOAD,
  [TYPES.BYE]: 0,
});
/** The largest message there is: the WebSocket server's maxPayload. */
const MAX_MESSAGE_BYTES = HEADER_BYTES + Math.max(...Object.values(MAX_PAYLOAD));

const JSON_TYPES = new Set([TYPES.HELLO, TYPES.CONTROL, TYPES.UTTERANCE]);
const OPUS_TYPES = new Set([TYPES.AUDIO, TYPES.TTS_AUDIO]);

/** WebSocket close codes (RFC 6455 §7.4.1) the gateway sends. */
const CLOSE = Object.freeze({
  NORMAL: 1000,
  GOING_AWAY: 1001,      // the gateway shuts down
  PROTOCOL: 1002,        // a broken header, a message in the wrong state
  UNSUPPORTED: 1003,     // text frames; a codec or format the gateway does not take
  INVALID_PAYLOAD: 1007, // bad JSON, a bad Opus packet
  POLICY: 1008,          // floods, sequence going backwards, no HELLO in time, idle, not reading
  TOO_BIG: 1009,         // a message or payload over its limit
  INTERNAL: 1011,        // the gateway failed (STT, TTS, the pool)
  TRY_AGAIN: 1013,       // the gateway is full
});

// A close frame's reason is at most 123 bytes of UTF-8 (RFC 6455 §5.5: 125 less the code).
const MAX_REASON_BYTES = 123;

/**
 * A message that breaks the protocol: `reason` is the text for the log and the close frame,
 * `closeCode` the code to close with.
 */
class ProtocolError extends Error {
  /**
   * @param {number} closeCode one of CLOSE
   * @param {string} reason
   */
  constructor(closeCode, reason) {
    super(reason);
    this.name = 'ProtocolError';
    this.code = 'ERR_GATEWAY_PROTOCOL';
    this.closeCode = closeCode;
    this.reason = reason;
  }
}

const u32 = (value, name) => {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new RangeError(`Expected an integer 0..4294967295 for ${name} but received ${value}`);
  }
  return value;
};

/**
 * Builds one message. A programming error (unknown type, payload too big for its type) throws
 * a TypeError or RangeError: the sender must not put a bad message on the wire.
 * @param {number} type one of TYPES
 * @param {{ payload?: Buffer | object, flags?: number, sequence: number, timestamp: number }} fields
 *   payload: bytes, or for HELLO/CONTROL/UTTERANCE an object sent as JSON
 * @returns {Buffer}
 */
function encode(type, { payload, flags = 0, sequence, timestamp }) {
  if (!(type in TYPE_NAMES)) throw new RangeError(`Expected a message type (1-6) but received ${type}`);
  let body = payload === undefined ? Buffer.alloc(0) : payload;
  if (JSON_TYPES.has(type) && !ArrayBuffer.isView(body)) body = Buffer.from(JSON.stringify(body));
  if (!ArrayBuffer.isView(body)) throw new TypeError(`Expected a Buffer payload for ${TYPE_NAMES[type]}`);
  if (body.byteLength > MAX_PAYLOAD[type]) {
    throw new RangeError(`${TYPE_NAMES[type]} payload of ${body.byteLength} bytes exceeds ${MAX_PAYLOAD[type]}`);
  }
  if (flags & ~FLAG_LAST || (flags & FLAG_LAST && type !== TYPES.TTS_AUDIO)) {
    throw new RangeError(`Expected flags 0 (or FLAG_LAST on TTS_AUDIO) but received ${flags}`);
  }
  const out = Buffer.allocUnsafe(HEADER_BYTES + body.byteLength);
  out.writeUInt8(type, 0);
  out.writeUInt8(flags, 1);
  out.writeUInt16BE(0, 2);
  out.writeUInt32BE(body.byteLength, 4);
  out.writeUInt32BE(u32(sequence, 'sequence'), 8);
  out.writeUInt32BE(u32(timestamp, 'timestamp'), 12);
  out.set(new Uint8Array(body.buffer, body.byteOffset, body.byteLength), HEADER_BYTES);
  return out;
}

/**
 * Reads one message: the header checked field by field, in the order the fields come.
 * @param {Buffer} data one WebSocket message
 * @returns {{ type: number, name: string, flags: number, sequence: number, timestamp: number, payload: Buffer }}
 *   payload: a view into `data`
 * @throws {ProtocolError}
 */
function decode(data) {
  if (data.length < HEADER_BYTES) {
    throw new ProtocolError(CLOSE.PROTOCOL, `message of ${data.length} bytes is shorter than the ${HEADER_BYTES}-byte header`);
  }
  const type = data.readUInt8(0);
  const name = TYPE_NAMES[type];
  if (name === undefined) throw new ProtocolError(CLOSE.PROTOCOL, `unknown message type ${type}`);
  const flags = data.readUInt8(1);
  if (flags & ~FLAG_LAST || (flags & FLAG_LAST && type !== TYPES.TTS_AUDIO)) {
    throw new ProtocolError(CLOSE.PROTOCOL, `flags 0x${hex2(flags)} not allowed on ${name}`);
  }
  const reserved = data.readUInt16BE(2);
  if (reserved !== 0) throw new ProtocolError(CLOSE.PROTOCOL, `reserved field is 0x${reserved.toString(16).padStart(4, '0')}, must be 0`);
  const length = data.readUInt32BE(4);
  if (length !== data.length - HEADER_BYTES) {
    throw new ProtocolError(CLOSE.PROTOCOL, `payload length ${length} does not match the ${data.length - HEADER_BYTES} bytes after the header`);
  }
  if (length > MAX_PAYLOAD[type]) {
    // BYE carries nothing: a payload there is a malformed message, not a large one.
    if (MAX_PAYLOAD[type] === 0) throw new ProtocolError(CLOSE.PROTOCOL, `${name} carries no payload but has ${length} bytes`);
    throw new ProtocolError(CLOSE.TOO_BIG, `${name} payload of ${length} bytes exceeds ${MAX_PAYLOAD[type]}`);
  }
  // An empty Opus payload would decode as a lost packet (concealment), not as audio sent.
  if (length === 0 && OPUS_TYPES.has(type)) throw new ProtocolError(CLOSE.PROTOCOL, `${name} payload is empty`);
  return {
    type,
    name,
    flags,
    sequence: data.readUInt32BE(8),
    timestamp: data.readUInt32BE(12),
    payload: data.subarray(HEADER_BYTES),
  };
}

const hex2 = (n) => n.toString(16).padStart(2, '0');

/**
 * A JSON message's payload as an object.
 * @param {{ name: string, payload: Buffer }} message from decode()
 * @returns {object}
 * @throws {ProtocolError} 1007 for anything but a JSON object
 */
function decodeJson(message) {
  let value;
  try {
    value = JSON.parse(message.payload.toString('utf8'));
  } catch {
    throw new ProtocolError(CLOSE.INVALID_PAYLOAD, `${message.name} payload is not valid JSON`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ProtocolError(CLOSE.INVALID_PAYLOAD, `${message.name} payload must be a JSON object`);
  }
  return value;
}

/** What a device's HELLO may ask for: the uplink the gateway decodes. */
const UPLINK = Object.freeze({ codec: 'opus', sampleRate: 16000, channels: 1 });
/** What the gateway sends down. */
const DOWNLINK = Object.freeze({ codec: 'opus', sampleRate: 24000, channels: 1 });
/** One Opus frame of either direction, ms. */
const FRAME_MS = 20;

/**
 * A device's HELLO, checked: a malformed field is invalid payload (1007), a well-formed request
 * for another format is unsupported data (1003).
 * @param {{ name: string, payload: Buffer }} message
 * @returns {{ deviceId: string }}
 * @throws {ProtocolError}
 */
function parseHello(message) {
  const hello = decodeJson(message);
  const { deviceId } = hello;
  if (typeof deviceId !== 'string' || !/^[\x21-\x7e]{1,64}$/.test(deviceId)) {
    throw new ProtocolError(CLOSE.INVALID_PAYLOAD, 'HELLO.deviceId must be 1-64 printable ASCII characters');
  }
  for (const [field, want] of Object.entries(UPLINK)) {
    const got = hello[field];
    if (got !== want) {
      const shown = typeof got === 'string' ? `'${got.slice(0, 16)}'` : typeof got === 'number' ? got : typeof got;
      throw new ProtocolError(CLOSE.UNSUPPORTED, `HELLO.${field} ${shown} is not supported (only ${typeof want === 'string' ? `'${want}'` : want})`);
    }
  }
  return { deviceId };
}

/**
 * Shortens a reason to what a close frame holds (whole characters).
 * @param {string} reason
 */
function closeReason(reason) {
  let r = reason;
  while (Buffer.byteLength(r) > MAX_REASON_BYTES) r = r.slice(0, -1);
  return r;
}

module.exports = {
  HEADER_BYTES, TYPES, TYPE_NAMES, FLAG_LAST, MAX_PAYLOAD, MAX_MESSAGE_BYTES, CLOSE, UPLINK, DOWNLINK, FRAME_MS,
  ProtocolError, encode, decode, decodeJson, parseHello, closeReason,
};
