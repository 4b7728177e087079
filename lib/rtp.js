'use strict';
/**
 * RTP (RFC 3550) packets as Discord voice uses them: build and parse headers (version 2,
 * padding, RFC 8285 header extensions, CSRCs, marker, payload type, sequence, timestamp, SSRC),
 * and wrap-safe sequence/timestamp arithmetic. Limits come from the native core.
 */
const { cryptoConstants: C } = require('./binding');
const { VoxpoolError } = require('./errors');
const validate = require('./validate');

const RTP_HEADER_BYTES = C.RTP_HEADER_BYTES;
const MAX_CSRCS = C.RTP_MAX_CSRCS;
const MAX_EXTENSION_BYTES = C.RTP_MAX_EXTENSION_BYTES;

function malformed(message) {
  return new VoxpoolError(message, 'ERR_VOXPOOL_MALFORMED_PACKET');
}

function view(value, name) {
  validate.bytes(value, name);
  if (Buffer.isBuffer(value)) return value;
  // A zero-length view may sit on a detached ArrayBuffer, which Buffer.from refuses to wrap.
  return value.byteLength === 0 ? Buffer.alloc(0) : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}

/**
 * Builds a cleartext RTP packet: header ‖ extension body ‖ payload (‖ padding).
 * Discord's defaults: payload type 0x78, no marker, no CSRCs, no extension.
 * @param {object} fields
 * @param {number} fields.sequence 0..65535
 * @param {number} fields.timestamp 0..4294967295 (48 kHz units for Opus)
 * @param {number} fields.ssrc 0..4294967295
 * @param {number} [fields.payloadType=0x78] 0..127
 * @param {boolean} [fields.marker=false]
 * @param {number[]} [fields.csrcs=[]] at most 15
 * @param {{ profile: number, data: Uint8Array }} [fields.extension] body length a multiple of 4
 * @param {number} [fields.padding=0] padding bytes to append, 0..255 (sets the P bit when > 0)
 * @param {Uint8Array} [payload] e.g. an Opus packet
 * @returns {Buffer}
 */
function createRtpPacket(fields, payload = Buffer.alloc(0)) {
  fields = validate.options(fields, 'fields');  // eslint-disable-line no-param-reassign
  const sequence = validate.integer(fields.sequence, 'fields.sequence', 0, 0xffff);
  const timestamp = validate.integer(fields.timestamp, 'fields.timestamp', 0, 0xffffffff);
  const ssrc = validate.integer(fields.ssrc, 'fields.ssrc', 0, 0xffffffff);
  const payloadType = fields.payloadType === undefined ? C.RTP_PAYLOAD_TYPE
    : validate.integer(fields.payloadType, 'fields.payloadType', 0, 127);
  const marker = fields.marker === undefined ? false : validate.boolean(fields.marker, 'fields.marker');
  const csrcs = fields.csrcs === undefined ? [] : fields.csrcs;
  if (!validate.isArray(csrcs)) throw validate.invalidType(`an array of at most ${MAX_CSRCS} integers`, 'fields.csrcs', csrcs);
  if (csrcs.length > MAX_CSRCS) throw validate.invalidRange(`an array of at most ${MAX_CSRCS} integers`, 'fields.csrcs', csrcs);
  for (let i = 0; i < csrcs.length; i++) validate.integer(csrcs[i], `fields.csrcs[${i}]`, 0, 0xffffffff);
  let ext = null;
  if (fields.extension !== undefined && fields.extension !== null) {
    validate.options(fields.extension, 'fields.extension');
    const profile = validate.integer(fields.extension.profile, 'fields.extension.profile', 0, 0xffff);
    const data = view(fields.extension.data, 'fields.extension.data');
    if (data.length % 4 !== 0 || data.length > MAX_EXTENSION_BYTES) {
      throw validate.invalidRange('a length that is a multiple of 4 bytes', 'fields.extension.data', data);
    }
    ext = { profile, data };
  }
  const padding = fields.padding === undefined ? 0 : validate.integer(fields.padding, 'fields.padding', 0, 255);
  const body = view(payload, 'payload');

  const headerBytes = RTP_HEADER_BYTES + 4 * csrcs.length + (ext ? 4 : 0);
  const out = Buffer.allocUnsafe(headerBytes + (ext ? ext.data.length : 0) + body.length + padding);
  out[0] = 0x80 | (padding > 0 ? 0x20 : 0) | (ext ? 0x10 : 0) | csrcs.length;
  out[1] = (marker ? 0x80 : 0) | payloadType;
  out.writeUInt16BE(sequence, 2);
  out.writeUInt32BE(timestamp, 4);
  out.writeUInt32BE(ssrc, 8);
  let at = RTP_HEADER_BYTES;
  for (const c of csrcs) { out.writeUInt32BE(c, at); at += 4; }
  if (ext) {
    out.writeUInt16BE(ext.profile, at);
    out.writeUInt16BE(ext.data.length / 4, at + 2);
    at += 4;
    ext.data.copy(out, at);
    at += ext.data.length;
  }
  body.copy(out, at);
  at += body.length;
  if (padding > 0) {
    out.fill(0, at, at + padding - 1);
    out[at + padding - 1] = padding;
  }
  return out;
}

/**
 * Parses the part of an RTP packet that is sent in the clear under the rtpsize modes (fixed
 * header, CSRCs, extension header). Works on sealed packets. Throws VoxpoolError
 * ERR_VOXPOOL_MALFORMED_PACKET when the packet is too short or not RTP version 2.
 * @param {Uint8Array} packet
 * @returns {{ padding: boolean, marker: boolean, payloadType: number, sequence: number,
 *   timestamp: number, ssrc: number, csrcs: number[], extension: { profile: number, words: number } | null,
 *   headerBytes: number }}
 */
function parseRtpHeader(packet) {
  const buf = view(packet, 'packet');
  if (buf.length < RTP_HEADER_BYTES) throw malformed('RTP packet is shorter than the 12-byte fixed header');
  if (buf[0] >> 6 !== 2) throw malformed('RTP version is not 2');
  const cc = buf[0] & 0x0f;
  const hasExt = (buf[0] & 0x10) !== 0;
  if (buf.length < RTP_HEADER_BYTES + 4 * cc) throw malformed('RTP packet is shorter than its CSRC list');
  const csrcs = [];
  for (let i = 0; i < cc; i++) csrcs.push(buf.readUInt32BE(RTP_HEADER_BYTES + 4 * i));
  let headerBytes = RTP_HEADER_BYTES + 4 * cc;
  let extension = null;
  if (hasExt) {
    if (buf.length < headerBytes + 4) throw malformed('RTP packet is shorter than its extension header');
    extension = { profile: buf.readUInt16BE(headerBytes), words: buf.readUInt16BE(headerBytes + 2) };
    headerBytes += 4;
  }
  return {
    padding: (buf[0] & 0x20) !== 0,
    marker: (buf[1] & 0x80) !== 0,
    payloadType: buf[1] & 0x7f,
    sequence: buf.readUInt16BE(2),
    timestamp: buf.readUInt32BE(4),
    ssrc: buf.readUInt32BE(8),
    csrcs,
    extension,
    headerBytes,
  };
}

/**
 * Parses a whole cleartext RTP packet and strips its extension body and padding.
 * Throws VoxpoolError ERR_VOXPOOL_MALFORMED_PACKET on any length inconsistency.
 * @param {Uint8Array} packet
 * @returns {ReturnType<typeof parseRtpHeader> & { extension: { profile: number, words: number, data: Buffer } | null,
 *   payload: Buffer, paddingBytes: number }} `payload` and `extension.data` are views into `packet`.
 */
function parseRtpPacket(packet) {
  const buf = view(packet, 'packet');
  const h = parseRtpHeader(buf);
  let end = buf.length;
  let bodyEnd = h.headerBytes;
  if (h.extension) {
    bodyEnd += 4 * h.extension.words;
    if (buf.length < bodyEnd) throw malformed('RTP extension body overruns the packet');
    h.extension.data = buf.subarray(h.headerBytes, bodyEnd);
  }
  let paddingBytes = 0;
  if (h.padding) {
    if (buf.length === bodyEnd) throw malformed('RTP padding bit set but no padding length byte');
    paddingBytes = buf[buf.length - 1];
    if (paddingBytes === 0 || paddingBytes > buf.length - bodyEnd) throw malformed('RTP padding length is invalid');
    end -= paddingBytes;
  }
  h.payload = buf.subarray(bodyEnd, end);
  h.paddingBytes = paddingBytes;
  return h;
}

/**
 * Splits an RFC 8285 extension body (one-byte profile 0xBEDE or two-byte 0x100X) into elements.
 * @param {number} profile
 * @param {Uint8Array} data
 * @returns {{ id: number, data: Buffer }[]}
 */
function parseRtpExtensionElements(profile, data) {
  validate.integer(profile, 'profile', 0, 0xffff);
  const buf = view(data, 'data');
  // An extension body is at most 0xffff 32-bit words (its length field): bound the elements
  // built from it before building any.
  if (buf.length > MAX_EXTENSION_BYTES) {
    throw validate.invalidRange(`an extension body of at most ${MAX_EXTENSION_BYTES} bytes`, 'data', buf);
  }
  const oneByte = profile === C.RTP_ONE_BYTE_PROFILE;
  const twoByte = (profile & 0xfff0) === C.RTP_TWO_BYTE_PROFILE;
  if (!oneByte && !twoByte) {
    throw validate.invalidRange('an RFC 8285 profile (0xBEDE or 0x1000-0x100F)', 'profile', profile);
  }
  const out = [];
  let i = 0;
  while (i < buf.length) {
    const first = buf[i];
    if (first === 0) { i++; continue; }
    let id; let size; let hdr;
    if (oneByte) {
      if (first >> 4 === 15) break;
      id = first >> 4; size = (first & 0x0f) + 1; hdr = 1;
    } else {
      if (i + 2 > buf.length) throw malformed('RTP two-byte extension element header overruns the body');
      id = first; size = buf[i + 1]; hdr = 2;
    }
    if (i + hdr + size > buf.length) throw malformed('RTP extension element overruns the body');
    out.push({ id, data: buf.subarray(i + hdr, i + hdr + size) });
    i += hdr + size;
  }
  return out;
}

/**
 * Signed distance from sequence `a` to `b` modulo 2^16, in [-32768, 32767] (65535 -> 0 is +1).
 * @param {number} a @param {number} b @returns {number}
 */
function sequenceDelta(a, b) {
  validate.integer(a, 'a', 0, 0xffff);
  validate.integer(b, 'b', 0, 0xffff);
  return (((b - a) & 0xffff) << 16) >> 16;
}

/**
 * Signed distance from timestamp `a` to `b` modulo 2^32.
 * @param {number} a @param {number} b @returns {number}
 */
function timestampDelta(a, b) {
  validate.integer(a, 'a', 0, 0xffffffff);
  validate.integer(b, 'b', 0, 0xffffffff);
  return (b - a) | 0;
}

module.exports = {
  createRtpPacket,
  parseRtpHeader,
  parseRtpPacket,
  parseRtpExtensionElements,
  sequenceDelta,
  timestampDelta,
};
