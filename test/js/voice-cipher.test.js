'use strict';
// VoiceCipher: wire interop with the exact @discordjs/voice 0.18 algorithm (node:crypto
// aes-256-gcm with the header as additional data; sodium-native XChaCha20-Poly1305), both
// directions, with and without extension headers; nonce handling; exact errors.
const test = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const sodium = require('sodium-native');
const { VoiceCipher, VOICE_MODES, voiceCrypto } = require('../../lib/voice-cipher');
const { createRtpPacket, parseRtpPacket } = require('../../lib/rtp');
const { VoxpoolError } = require('../../lib/errors');

const GCM = 'aead_aes256_gcm_rtpsize';
const XCHACHA = 'aead_xchacha20_poly1305_rtpsize';
const modes = VOICE_MODES.filter((m) => m !== GCM || VoiceCipher.aesAvailable);

// ---- @discordjs/voice 0.18's algorithm, transcribed from dist/index.js ---------------------
// (Networking.encryptOpusPacket and VoiceReceiver.decrypt / parsePacket)
function discordSeal(mode, key, nonceCounter, header, plaintext) {
  const nonceBuffer = Buffer.alloc(mode === GCM ? 12 : 24);
  nonceBuffer.writeUInt32BE(nonceCounter, 0);
  const noncePadding = nonceBuffer.subarray(0, 4);
  let encrypted;
  if (mode === GCM) {
    const cipher = crypto.createCipheriv('aes-256-gcm', key, nonceBuffer);
    cipher.setAAD(header);
    encrypted = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  } else {
    encrypted = Buffer.alloc(plaintext.length + sodium.crypto_aead_xchacha20poly1305_ietf_ABYTES);
    sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(encrypted, plaintext, header, null, nonceBuffer, key);
  }
  return Buffer.concat([header, encrypted, noncePadding]);
}

function discordOpen(mode, key, buffer) {
  const nonce = Buffer.alloc(mode === GCM ? 12 : 24);
  buffer.copy(nonce, 0, buffer.length - 4);
  let headerSize = 12;
  if ((buffer[0] >> 4) & 1) headerSize += 4;
  const header = buffer.subarray(0, headerSize);
  const encrypted = buffer.subarray(headerSize, buffer.length - 16 - 4);
  const authTag = buffer.subarray(buffer.length - 16 - 4, buffer.length - 4);
  let packet;
  if (mode === GCM) {
    const d = crypto.createDecipheriv('aes-256-gcm', key, nonce);
    d.setAAD(header);
    d.setAuthTag(authTag);
    packet = Buffer.concat([d.update(encrypted), d.final()]);
  } else {
    packet = Buffer.alloc(encrypted.length);
    sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(packet, null, Buffer.concat([encrypted, authTag]), header, nonce, key);
  }
  if (buffer.subarray(12, 14).compare(Buffer.from([0xbe, 0xde])) === 0) {
    const headerExtensionLength = buffer.subarray(14).readUInt16BE();
    packet = packet.subarray(4 * headerExtensionLength);
  }
  return packet;
}

const key = crypto.randomBytes(32);
const opusFrame = crypto.randomBytes(160);
const extBody = Buffer.from([0x10, 0xaa, 0x21, 0x01, 0x02, 0x00, 0x00, 0x00]); // id1 len1, id2 len2, pad

function frameCases() {
  return [
    { name: 'plain', fields: { sequence: 65535, timestamp: 0xfffffc40, ssrc: 0x12345678 } },
    { name: 'extension', fields: { sequence: 7, timestamp: 960, ssrc: 42, extension: { profile: 0xbede, data: extBody } } },
  ];
}

for (const mode of modes) {
  test(`${mode}: voxpool seals what @discordjs/voice opens`, () => {
    const c = new VoiceCipher(mode, key);
    for (const { name, fields } of frameCases()) {
      const packet = c.sealFrame(fields, opusFrame);
      assert.deepEqual(discordOpen(mode, key, packet), opusFrame, name);
      assert.equal(packet.readUInt32BE(packet.length - 4), c.nonce, name);
    }
    assert.equal(c.nonce, 2);
  });

  test(`${mode}: @discordjs/voice seals what voxpool opens`, () => {
    const c = new VoiceCipher(mode, key);
    for (const { name, fields } of frameCases()) {
      const clear = createRtpPacket(fields, opusFrame);
      const adBytes = fields.extension ? 16 : 12;
      const sealed = discordSeal(mode, key, 99, clear.subarray(0, adBytes), clear.subarray(adBytes));
      assert.deepEqual(c.open(sealed), clear, name);
      const frame = c.openFrame(sealed);
      assert.deepEqual(frame.payload, opusFrame, name);
      assert.equal(frame.sequence, fields.sequence);
      assert.equal(frame.timestamp, fields.timestamp);
      assert.equal(frame.ssrc, fields.ssrc);
      assert.equal(frame.nonce, 99);
      if (fields.extension) assert.deepEqual(frame.extension.data, extBody);
      else assert.equal(frame.extension, null);
    }
  });

  test(`${mode}: byte-identical to @discordjs/voice for the same nonce`, () => {
    const c = new VoiceCipher(mode, key);
    c.nonce = 41;
    const clear = createRtpPacket({ sequence: 1, timestamp: 960, ssrc: 5 }, opusFrame);
    assert.deepEqual(c.seal(clear), discordSeal(mode, key, 42, clear.subarray(0, 12), clear.subarray(12)));
  });

  test(`${mode}: sealInto/openInto write into caller buffers, in place too`, () => {
    const c = new VoiceCipher(mode, key);
    const clear = createRtpPacket({ sequence: 1, timestamp: 960, ssrc: 5 }, opusFrame);
    const out = Buffer.alloc(clear.length + voiceCrypto.OVERHEAD_BYTES + 10, 0xee);
    const n = c.sealInto(clear, out);
    assert.equal(n, clear.length + 20);
    assert.equal(out[n], 0xee);
    const back = Buffer.alloc(n);
    assert.equal(c.openInto(out.subarray(0, n), back), clear.length);
    assert.deepEqual(back.subarray(0, clear.length), clear);
    // In place: the output is the input's own memory.
    const buf = Buffer.alloc(clear.length + 20);
    clear.copy(buf);
    assert.equal(c.sealInto(buf.subarray(0, clear.length), buf), buf.length);
    assert.deepEqual(discordOpen(mode, key, buf), opusFrame);
    assert.equal(c.openInto(buf, buf), clear.length);
    assert.deepEqual(buf.subarray(0, clear.length), clear);
  });

  test(`${mode}: tampering with any byte is rejected with a coded error`, () => {
    const c = new VoiceCipher(mode, key);
    const sealed = c.sealFrame({ sequence: 1, timestamp: 2, ssrc: 3, extension: { profile: 0xbede, data: extBody } }, opusFrame.subarray(0, 20));
    for (let i = 0; i < sealed.length; i++) {
      const bad = Buffer.from(sealed);
      bad[i] ^= 0x04;
      assert.throws(() => c.open(bad), (err) => err instanceof VoxpoolError &&
        (err.code === 'ERR_VOXPOOL_CRYPTO_AUTH_FAILED' || (i === 0 && err.code === 'ERR_VOXPOOL_MALFORMED_PACKET')), `byte ${i}`);
    }
    assert.throws(() => c.open(sealed.subarray(0, sealed.length - 1)), {
      name: 'VoxpoolError',
      code: 'ERR_VOXPOOL_CRYPTO_AUTH_FAILED',
      message: 'Voice packet failed authentication (tampered, truncated or wrong key)',
    });
    const other = new VoiceCipher(mode, crypto.randomBytes(32));
    assert.throws(() => other.open(sealed), { code: 'ERR_VOXPOOL_CRYPTO_AUTH_FAILED' });
    assert.throws(() => c.open(Buffer.alloc(31, 0x80)), {
      code: 'ERR_VOXPOOL_MALFORMED_PACKET',
      message: 'Voice packet is shorter than its header, tag and nonce',
    });
    assert.throws(() => c.open(Buffer.alloc(8)), {
      code: 'ERR_VOXPOOL_MALFORMED_PACKET',
      message: 'RTP packet is shorter than the 12-byte fixed header',
    });
  });

  test(`${mode}: the nonce counter wraps into an exhaustion error`, () => {
    const c = new VoiceCipher(mode, key);
    c.nonce = voiceCrypto.MAX_NONCE - 1;
    const clear = createRtpPacket({ sequence: 1, timestamp: 2, ssrc: 3 }, opusFrame);
    const last = c.seal(clear);
    assert.equal(last.readUInt32BE(last.length - 4), 0xffffffff);
    assert.throws(() => c.seal(clear), {
      name: 'VoxpoolError',
      code: 'ERR_VOXPOOL_CRYPTO_NONCE_EXHAUSTED',
      message: 'The voice nonce counter is exhausted (2^32 - 1 packets); rekey the session',
    });
    assert.equal(c.nonce, voiceCrypto.MAX_NONCE);
  });

  test(`${mode}: batch seal/open on the pool, in nonce order`, async () => {
    const c = new VoiceCipher(mode, key);
    const clears = Array.from({ length: 50 }, (_, i) => createRtpPacket({ sequence: i, timestamp: i * 960, ssrc: 9 }, opusFrame));
    const sealed = await c.sealBatch(clears);
    sealed.forEach((p, i) => {
      assert.equal(p.readUInt32BE(p.length - 4), i + 1);
      assert.deepEqual(discordOpen(mode, key, p), opusFrame);
    });
    const bad = Buffer.from(sealed[3]);
    bad[20] ^= 1;
    const opened = await c.openBatch([sealed[0], bad, sealed[49]]);
    assert.deepEqual(opened[0], clears[0]);
    assert.ok(opened[1] instanceof VoxpoolError);
    assert.equal(opened[1].code, 'ERR_VOXPOOL_CRYPTO_AUTH_FAILED');
    assert.deepEqual(opened[2], clears[49]);
  });

  test(`${mode}: destroy wipes the key and later calls fail`, async () => {
    const c = new VoiceCipher(mode, key);
    c.destroy();
    const clear = createRtpPacket({ sequence: 1, timestamp: 2, ssrc: 3 }, opusFrame);
    const destroyed = { name: 'VoxpoolError', code: 'ERR_VOXPOOL_DESTROYED', message: 'The voice cipher has been destroyed' };
    assert.throws(() => c.seal(clear), destroyed);
    assert.throws(() => c.sealInto(clear, Buffer.alloc(300)), destroyed);
    assert.throws(() => c.openInto(Buffer.alloc(40), Buffer.alloc(300)), destroyed);
    // A Promise-returning method rejects instead (docs/LIMITS.md, "After destroy()").
    await assert.rejects(c.sealBatch([clear]), destroyed);
    await assert.rejects(c.openBatch([Buffer.alloc(40)]), destroyed);
  });
}

test('invalid VoiceCipher arguments', () => {
  const cases = [
    [() => new VoiceCipher('xsalsa20_poly1305', key), RangeError,
      "Expected one of 'aead_aes256_gcm_rtpsize', 'aead_xchacha20_poly1305_rtpsize' for mode but received \"xsalsa20_poly1305\" of type string"],
    [() => new VoiceCipher(1, key), TypeError,
      "Expected one of 'aead_aes256_gcm_rtpsize', 'aead_xchacha20_poly1305_rtpsize' for mode but received 1 of type number"],
    [() => new VoiceCipher(XCHACHA, Buffer.alloc(16)), RangeError,
      'Expected a 32-byte Buffer or Uint8Array for key but received Buffer(16) of type Buffer'],
    [() => new VoiceCipher(XCHACHA, 'secret'), TypeError,
      'Expected a Buffer or TypedArray for key but received "secret" of type string'],
  ];
  const c = new VoiceCipher(XCHACHA, key);
  cases.push(
    [() => c.seal('x'), TypeError, 'Expected a Buffer or TypedArray for packet but received "x" of type string'],
    [() => c.seal(Buffer.alloc(70000)), RangeError, 'Expected a Buffer of at most 65535 bytes for packet but received Buffer(70000) of type Buffer'],
    [() => c.sealInto(Buffer.alloc(20), Buffer.alloc(39)), RangeError, 'Expected a Buffer of at least 40 bytes for out but received Buffer(39) of type Buffer'],
    [() => c.sealInto(Buffer.alloc(20), null), TypeError, 'Expected a Buffer or TypedArray for out but received null of type null'],
    [() => c.openInto(Buffer.alloc(40), Buffer.alloc(19)), RangeError, 'Expected a Buffer of at least 20 bytes for out but received Buffer(19) of type Buffer'],
    [() => { c.nonce = -1; }, RangeError, 'Expected an integer between 0 and 4294967295 for nonce but received -1 of type number'],
    [() => c.sealBatch('x'), TypeError, 'Expected an array of Buffers for packets but received "x" of type string'],
    [() => c.sealFrame({ sequence: 70000, timestamp: 0, ssrc: 0 }, opusFrame), RangeError,
      'Expected an integer between 0 and 65535 for fields.sequence but received 70000 of type number'],
  );
  for (const [fn, type, message] of cases) {
    assert.throws(fn, (err) => err instanceof type && err.message === message, message);
  }
  // A packet that is not RTP is a runtime (coded) error, not an argument error.
  assert.throws(() => c.seal(Buffer.alloc(20)), { code: 'ERR_VOXPOOL_MALFORMED_PACKET', message: 'RTP version is not 2' });
});

test('the native methods refuse a foreign `this` with a TypeError', () => {
  const binding = require('../../lib/binding');
  const { sealInto, seal } = binding.NativeVoiceCipher.prototype;
  assert.throws(() => sealInto.call({}, Buffer.alloc(40), Buffer.alloc(60)), {
    name: 'TypeError', message: 'Expected a NativeVoiceCipher (illegal invocation)',
  });
  const encoder = new binding.NativeEncoder({ sampleRate: 48000, channels: 2 });
  assert.throws(() => sealInto.call(encoder, Buffer.alloc(40), Buffer.alloc(60)), { name: 'TypeError' });
  assert.throws(() => seal.call(encoder, Buffer.alloc(40)), { name: 'TypeError' });
  const native = new binding.NativeVoiceCipher(XCHACHA, key);
  assert.throws(() => native.sealInto(), { name: 'TypeError', message: 'Expected the packet as a Buffer or Uint8Array' });
});

test('constants come from the native core', () => {
  assert.deepEqual(VOICE_MODES, [GCM, XCHACHA]);
  assert.equal(voiceCrypto.KEY_BYTES, 32);
  assert.equal(voiceCrypto.OVERHEAD_BYTES, voiceCrypto.TAG_BYTES + voiceCrypto.NONCE_BYTES_ON_WIRE);
  assert.equal(typeof voiceCrypto.AES_GCM_AVAILABLE, 'boolean');
  assert.equal(VoiceCipher.aesAvailable, voiceCrypto.AES_GCM_AVAILABLE);
});
