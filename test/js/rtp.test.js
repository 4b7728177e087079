'use strict';
// RTP helpers: build/parse round trips, RFC 8285 extensions, padding, strict length checks,
// wrap-around arithmetic, exact errors.
const test = require('node:test');
const assert = require('node:assert/strict');
const rtp = require('../../lib/rtp');
const { VoxpoolError } = require('../../lib/errors');

test('builds the header @discordjs/voice builds', () => {
  const p = rtp.createRtpPacket({ sequence: 1, timestamp: 960, ssrc: 42 }, Buffer.from([0xf8, 0xff, 0xfe]));
  assert.equal(p.toString('hex'), '80780001000003c00000002af8fffe');
});

test('round-trips every field, with CSRCs, extension and padding', () => {
  const ext = { profile: 0xbede, data: Buffer.from([0x10, 0xaa, 0x00, 0x00]) };
  for (let cc = 0; cc <= 15; cc++) {
    const fields = {
      sequence: 65535, timestamp: 4294967295, ssrc: 0xdeadbeef, payloadType: 111, marker: true,
      csrcs: Array.from({ length: cc }, (_, i) => 1000 + i), extension: ext, padding: 3,
    };
    const payload = Buffer.from('opus!');
    const p = rtp.createRtpPacket(fields, payload);
    const parsed = rtp.parseRtpPacket(p);
    assert.equal(parsed.sequence, 65535);
    assert.equal(parsed.timestamp, 4294967295);
    assert.equal(parsed.ssrc, 0xdeadbeef);
    assert.equal(parsed.payloadType, 111);
    assert.equal(parsed.marker, true);
    assert.equal(parsed.padding, true);
    assert.equal(parsed.paddingBytes, 3);
    assert.deepEqual(parsed.csrcs, fields.csrcs);
    assert.equal(parsed.extension.profile, 0xbede);
    assert.deepEqual(parsed.extension.data, ext.data);
    assert.deepEqual(parsed.payload, payload);
    assert.equal(parsed.headerBytes, 12 + 4 * cc + 4);
    assert.deepEqual(rtp.parseRtpExtensionElements(parsed.extension.profile, parsed.extension.data),
      [{ id: 1, data: Buffer.from([0xaa]) }]);
  }
});

test('every truncation of a packet is rejected with a coded error', () => {
  const p = rtp.createRtpPacket({ sequence: 1, timestamp: 2, ssrc: 3, csrcs: [7], extension: { profile: 0x1000, data: Buffer.from([1, 1, 9, 0]) } });
  for (let len = 0; len < p.length; len++) {
    assert.throws(() => rtp.parseRtpPacket(p.subarray(0, len)), (e) => e instanceof VoxpoolError && e.code === 'ERR_VOXPOOL_MALFORMED_PACKET', `len ${len}`);
  }
  assert.doesNotThrow(() => rtp.parseRtpPacket(p));
  assert.throws(() => rtp.parseRtpPacket(Buffer.from('40780001000003c00000002a', 'hex')), {
    name: 'VoxpoolError', code: 'ERR_VOXPOOL_MALFORMED_PACKET', message: 'RTP version is not 2',
  });
  assert.throws(() => rtp.parseRtpPacket(Buffer.from('a0780001000003c00000002a0102030406', 'hex')), {
    message: 'RTP padding length is invalid',
  });
});

test('RFC 8285 two-byte elements and the one-byte stop ID', () => {
  assert.deepEqual(rtp.parseRtpExtensionElements(0x1001, Buffer.from([5, 2, 0xab, 0xcd, 0, 6, 0])),
    [{ id: 5, data: Buffer.from([0xab, 0xcd]) }, { id: 6, data: Buffer.alloc(0) }]);
  assert.deepEqual(rtp.parseRtpExtensionElements(0xbede, Buffer.from([0x10, 0x01, 0xf0, 0x20])),
    [{ id: 1, data: Buffer.from([0x01]) }]);
  assert.throws(() => rtp.parseRtpExtensionElements(0xbede, Buffer.from([0x13, 1])), { code: 'ERR_VOXPOOL_MALFORMED_PACKET' });
  assert.throws(() => rtp.parseRtpExtensionElements(0x1234, Buffer.alloc(4)), {
    name: 'RangeError',
    message: 'Expected an RFC 8285 profile (0xBEDE or 0x1000-0x100F) for profile but received 4660 of type number',
  });
});

test('sequence and timestamp deltas survive wrap-around', () => {
  assert.equal(rtp.sequenceDelta(65535, 0), 1);
  assert.equal(rtp.sequenceDelta(0, 65535), -1);
  assert.equal(rtp.sequenceDelta(10, 20), 10);
  assert.equal(rtp.sequenceDelta(0, 32768), -32768);
  assert.equal(rtp.timestampDelta(0xfffffc40, 0), 960);
  assert.equal(rtp.timestampDelta(960, 0), -960);
});

test('invalid RTP arguments', () => {
  const cases = [
    [() => rtp.createRtpPacket(null), TypeError, 'Expected an object for fields but received null of type null'],
    [() => rtp.createRtpPacket({ sequence: -1, timestamp: 0, ssrc: 0 }), RangeError, 'Expected an integer between 0 and 65535 for fields.sequence but received -1 of type number'],
    [() => rtp.createRtpPacket({ sequence: 0, timestamp: 2 ** 32, ssrc: 0 }), RangeError, 'Expected an integer between 0 and 4294967295 for fields.timestamp but received 4294967296 of type number'],
    [() => rtp.createRtpPacket({ sequence: 0, timestamp: 0, ssrc: '1' }), TypeError, 'Expected an integer between 0 and 4294967295 for fields.ssrc but received "1" of type string'],
    [() => rtp.createRtpPacket({ sequence: 0, timestamp: 0, ssrc: 0, payloadType: 128 }), RangeError, 'Expected an integer between 0 and 127 for fields.payloadType but received 128 of type number'],
    [() => rtp.createRtpPacket({ sequence: 0, timestamp: 0, ssrc: 0, csrcs: new Array(16).fill(0) }), RangeError, 'Expected an array of at most 15 integers for fields.csrcs but received Array(16) of type array'],
    [() => rtp.createRtpPacket({ sequence: 0, timestamp: 0, ssrc: 0, extension: { profile: 0xbede, data: Buffer.alloc(3) } }), RangeError, 'Expected a length that is a multiple of 4 bytes for fields.extension.data but received Buffer(3) of type Buffer'],
    [() => rtp.createRtpPacket({ sequence: 0, timestamp: 0, ssrc: 0 }, 'opus'), TypeError, 'Expected a Buffer or TypedArray for payload but received "opus" of type string'],
    [() => rtp.parseRtpPacket(42), TypeError, 'Expected a Buffer or TypedArray for packet but received 42 of type number'],
  ];
  for (const [fn, type, message] of cases) {
    assert.throws(fn, (err) => err instanceof type && err.message === message, message);
  }
});

test('an extension body longer than the RTP length field allows is refused before parsing', () => {
  const huge = Buffer.alloc(4 * 0xffff + 4, 0x10);
  assert.throws(() => rtp.parseRtpExtensionElements(0xbede, huge), {
    name: 'RangeError', message: 'Expected an extension body of at most 262140 bytes for data but received Buffer(262144) of type Buffer',
  });
  assert.equal(rtp.parseRtpExtensionElements(0xbede, huge.subarray(0, 4 * 0xffff)).length, 4 * 0xffff / 2);
});
