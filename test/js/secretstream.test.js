'use strict';
// Secretstream: sync/async push/pull, Transform streams, and rejection of truncated, reordered,
// tampered and trailing data. Interop with sodium-native's secretstream in both directions.
const test = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const { Readable, Writable } = require('node:stream');
const { pipeline } = require('node:stream/promises');
const sodium = require('sodium-native');
const ss = require('../../lib/secretstream');
const { VoxpoolError } = require('../../lib/errors');

const key = crypto.randomBytes(32);

async function collect(chunks, transform) {
  const out = [];
  await pipeline(Readable.from(chunks), transform, new Writable({
    write(chunk, _enc, cb) { out.push(chunk); cb(); },
  }));
  return Buffer.concat(out);
}

// Splits an encrypted stream into header and frames (see lib/secretstream.js for the format).
function frames(encrypted) {
  const header = encrypted.subarray(0, 24);
  const list = [];
  for (let at = 24; at < encrypted.length;) {
    const size = encrypted.readUInt32BE(at);
    list.push(encrypted.subarray(at, at + 4 + size));
    at += 4 + size;
  }
  return { header, list };
}

test('push/pull round trip with tags, sync and async', async () => {
  const enc = new ss.SecretStreamEncryptor(key);
  assert.equal(enc.header.length, ss.secretStream.HEADER_BYTES);
  const dec = new ss.SecretStreamDecryptor(key, enc.header);
  const a = enc.push(Buffer.from('hello'));
  const big = crypto.randomBytes(1 << 20);
  const b = await enc.pushAsync(big, ss.secretStream.TAG_PUSH);
  const c = enc.push(Buffer.alloc(0), ss.secretStream.TAG_FINAL);
  assert.equal(a.length, 5 + ss.secretStream.OVERHEAD_BYTES);
  assert.deepEqual(dec.pull(a), { message: Buffer.from('hello'), tag: ss.secretStream.TAG_MESSAGE });
  const got = await dec.pullAsync(b);
  assert.deepEqual(got.message, big);
  assert.equal(got.tag, ss.secretStream.TAG_PUSH);
  assert.equal(dec.finished, false);
  assert.throws(() => dec.finish(), { name: 'VoxpoolError', code: 'ERR_VOXPOOL_STREAM_TRUNCATED', message: 'The stream ended without its FINAL message' });
  assert.equal(dec.pull(c).tag, ss.secretStream.TAG_FINAL);
  assert.equal(dec.finished, true);
  dec.finish();
});

test('interoperates with sodium-native secretstream both ways', () => {
  // sodium-native pushes, voxpool pulls
  const state = Buffer.alloc(sodium.crypto_secretstream_xchacha20poly1305_STATEBYTES);
  const header = Buffer.alloc(24);
  sodium.crypto_secretstream_xchacha20poly1305_init_push(state, header, key);
  const msg = Buffer.from('from sodium-native');
  const c = Buffer.alloc(msg.length + 17);
  sodium.crypto_secretstream_xchacha20poly1305_push(state, c, msg, null, sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL);
  const dec = new ss.SecretStreamDecryptor(key, header);
  assert.deepEqual(dec.pull(c), { message: msg, tag: ss.secretStream.TAG_FINAL });
  // voxpool pushes, sodium-native pulls
  const enc = new ss.SecretStreamEncryptor(key);
  const sealed = enc.push(Buffer.from('from voxpool'), ss.secretStream.TAG_REKEY);
  const pullState = Buffer.alloc(sodium.crypto_secretstream_xchacha20poly1305_STATEBYTES);
  sodium.crypto_secretstream_xchacha20poly1305_init_pull(pullState, enc.header, key);
  const m = Buffer.alloc(sealed.length - 17);
  const tag = Buffer.alloc(1);
  sodium.crypto_secretstream_xchacha20poly1305_pull(pullState, m, tag, sealed, null);
  assert.equal(m.toString(), 'from voxpool');
  assert.equal(tag[0], ss.secretStream.TAG_REKEY);
});

test('Transform streams round-trip data of many sizes', async () => {
  const input = crypto.randomBytes(300 * 1024);
  const chunks = [input.subarray(0, 1), input.subarray(1, 70000), input.subarray(70000, 70000), input.subarray(70000)];
  const encrypted = await collect(chunks, ss.createEncryptStream(key, { chunkSize: 32 * 1024, asyncThreshold: 8 * 1024 }));
  assert.ok(encrypted.length > input.length);
  // Deliver the ciphertext in awkward pieces so frames straddle chunk boundaries.
  const pieces = [];
  for (let at = 0; at < encrypted.length; at += 7777) pieces.push(encrypted.subarray(at, at + 7777));
  const decrypted = await collect(pieces, ss.createDecryptStream(key, { asyncThreshold: 8 * 1024 }));
  assert.deepEqual(decrypted, input);
  // An empty stream still carries FINAL.
  const empty = await collect([], ss.createEncryptStream(key));
  assert.deepEqual(await collect([empty], ss.createDecryptStream(key)), Buffer.alloc(0));
});

test('decrypt stream rejects truncation, reordering, tampering, wrong key and trailing data', async () => {
  const input = crypto.randomBytes(5000);
  const encrypted = await collect([input.subarray(0, 1000), input.subarray(1000, 2000), input.subarray(2000)], ss.createEncryptStream(key));
  const { header, list } = frames(encrypted);
  assert.equal(list.length, 4); // three messages and FINAL
  const run = (buf, k = key) => collect([buf], ss.createDecryptStream(k));

  const truncated = { name: 'VoxpoolError', code: 'ERR_VOXPOOL_STREAM_TRUNCATED', message: 'The stream ended without its FINAL message' };
  await assert.rejects(run(Buffer.concat([header, ...list.slice(0, 3)])), truncated);
  await assert.rejects(run(encrypted.subarray(0, encrypted.length - 1)), truncated);
  await assert.rejects(run(header.subarray(0, 10)), truncated);

  const auth = { name: 'VoxpoolError', code: 'ERR_VOXPOOL_CRYPTO_AUTH_FAILED' };
  await assert.rejects(run(Buffer.concat([header, list[1], list[0], list[2], list[3]])), auth);
  await assert.rejects(run(Buffer.concat([header, list[0], list[2], list[3]])), auth);
  await assert.rejects(run(encrypted, crypto.randomBytes(32)), auth);
  const tampered = Buffer.from(encrypted);
  tampered[24 + 4 + 100] ^= 1;
  await assert.rejects(run(tampered), auth);

  await assert.rejects(run(Buffer.concat([encrypted, list[0]])), {
    code: 'ERR_VOXPOOL_MALFORMED_PACKET', message: 'Data follows the FINAL message of the stream',
  });
  const badLength = Buffer.from(encrypted);
  badLength.writeUInt32BE(3, 24);
  await assert.rejects(run(badLength), { code: 'ERR_VOXPOOL_MALFORMED_PACKET', message: 'Invalid secretstream frame length 3' });
  assert.deepEqual(await run(encrypted), input);
});

test('sync calls are refused while async ones are pending', async () => {
  const enc = new ss.SecretStreamEncryptor(key);
  const p = enc.pushAsync(Buffer.alloc(100));
  assert.throws(() => enc.push(Buffer.alloc(1)), {
    code: 'ERR_VOXPOOL_INVALID_ARGUMENT',
    message: 'A synchronous call cannot run while asynchronous calls are pending on this stream',
  });
  await p;
  assert.equal(enc.push(Buffer.alloc(1)).length, 18);
  enc.destroy();
  assert.throws(() => enc.push(Buffer.alloc(1)), { code: 'ERR_VOXPOOL_DESTROYED', message: 'The stream has been destroyed' });
});

test('invalid secretstream arguments', () => {
  const cases = [
    [() => new ss.SecretStreamEncryptor(Buffer.alloc(31)), RangeError, 'Expected a 32-byte Buffer or Uint8Array for key but received Buffer(31) of type Buffer'],
    [() => new ss.SecretStreamDecryptor(key, Buffer.alloc(23)), RangeError, 'Expected a 24-byte Buffer or Uint8Array for header but received Buffer(23) of type Buffer'],
    [() => new ss.SecretStreamEncryptor(key).push('text'), TypeError, 'Expected a Buffer or TypedArray for message but received "text" of type string'],
    [() => new ss.SecretStreamEncryptor(key).push(Buffer.alloc(1), 7), RangeError, 'Expected one of 0, 1, 2, 3 for tag but received 7 of type number'],
    [() => ss.createEncryptStream(key, { chunkSize: 0 }), RangeError, 'Expected an integer between 1 and 67108864 for options.chunkSize but received 0 of type number'],
    [() => ss.createDecryptStream('key'), TypeError, 'Expected a Buffer or TypedArray for key but received "key" of type string'],
  ];
  for (const [fn, type, message] of cases) {
    assert.throws(fn, (err) => err instanceof type && err.message === message, message);
  }
  const dec = new ss.SecretStreamDecryptor(key, Buffer.alloc(24));
  assert.throws(() => dec.pull(Buffer.alloc(5)), (e) => e instanceof VoxpoolError && e.code === 'ERR_VOXPOOL_MALFORMED_PACKET');
});
