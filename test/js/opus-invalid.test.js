'use strict';
// Invalid input: exact messages and codes. Argument misuse is TypeError/RangeError; runtime
// failures are VoxpoolError with a stable code; nothing crashes.
const test = require('node:test');
const assert = require('node:assert/strict');
const voxpool = require('../..');
const binding = require('../../lib/binding');

const { Encoder, Decoder, opus } = voxpool;

test('invalid Encoder options', () => {
  const cases = [
    [{ sampleRate: 44100 }, RangeError, 'Expected one of 8000, 12000, 16000, 24000, 48000 for sampleRate but received 44100 of type number'],
    [{ sampleRate: '48000' }, TypeError, 'Expected one of 8000, 12000, 16000, 24000, 48000 for sampleRate but received "48000" of type string'],
    [{ channels: 3 }, RangeError, 'Expected one of 1, 2 for channels but received 3 of type number'],
    [{ bitrate: 100 }, RangeError, 'Expected an integer between 500 and 512000 for bitrate but received 100 of type number'],
    [{ bitrate: 64000.5 }, RangeError, 'Expected an integer between 500 and 512000 for bitrate but received 64000.5 of type number'],
    [{ bitrate: '64k' }, TypeError, 'Expected an integer between 500 and 512000 for bitrate but received "64k" of type string'],
    [{ complexity: 11 }, RangeError, 'Expected an integer between 0 and 10 for complexity but received 11 of type number'],
    [{ application: 'music' }, RangeError, "Expected one of 'voip', 'audio', 'lowdelay' for application but received \"music\" of type string"],
    [{ signal: 1 }, TypeError, "Expected one of 'auto', 'voice', 'music' for signal but received 1 of type number"],
    [{ fec: 1 }, TypeError, 'Expected a boolean for fec but received 1 of type number'],
    [{ packetLoss: 101 }, RangeError, 'Expected an integer between 0 and 100 for packetLoss but received 101 of type number'],
    [{ maxQueue: 0 }, RangeError, 'Expected an integer between 1 and 10000000 for maxQueue but received 0 of type number'],
    [{ overflow: 'drop' }, RangeError, "Expected one of 'reject', 'drop-oldest' for overflow but received \"drop\" of type string"],
  ];
  for (const [options, type, message] of cases) {
    assert.throws(() => new Encoder(options), (err) => err instanceof type && err.message === message, JSON.stringify(options));
  }
  assert.throws(() => new Encoder(42), { name: 'TypeError', message: 'Expected an object for options but received 42 of type number' });
  assert.throws(() => new Encoder(null), { name: 'TypeError', message: 'Expected an object for options but received null of type null' });
});

test('invalid PCM frames', () => {
  const enc = new Encoder();
  const msg = (value) => `Expected one whole 2.5-120 ms frame (s16, 2 channels: 20 ms = 3840 bytes) for pcm but received ${value}`;
  assert.throws(() => enc.encode(Buffer.alloc(3838)), { name: 'RangeError', message: msg('Buffer(3838) of type Buffer') });
  assert.throws(() => enc.encode(Buffer.alloc(0)), { name: 'RangeError', message: msg('Buffer(0) of type Buffer') });
  assert.throws(() => enc.encode(Buffer.alloc(5760 * 4 * 2)), { name: 'RangeError' });
  assert.throws(() => enc.encode('pcm'), { name: 'TypeError', message: 'Expected PCM as a Buffer, Int16Array or Float32Array for pcm but received "pcm" of type string' });
  assert.throws(() => enc.encode([1, 2]), { name: 'TypeError', message: 'Expected PCM as a Buffer, Int16Array or Float32Array for pcm but received Array(2) of type array' });
  assert.throws(() => enc.encodeAsync(undefined), { name: 'TypeError' });
  assert.throws(() => enc.encodeBatch([Buffer.alloc(3840), Buffer.alloc(7)]), { name: 'RangeError', message: /for frames\[1\] but received Buffer\(7\)/ });
  const mono = new Encoder({ sampleRate: 16000, channels: 1 });
  assert.throws(() => mono.encode(new Float32Array(100)), { name: 'RangeError', message: 'Expected one whole 2.5-120 ms frame (f32, 1 channel: 20 ms = 1280 bytes) for pcm but received Float32Array(100) of type Float32Array' });
});

test('invalid decoder arguments', () => {
  const dec = new Decoder();
  assert.throws(() => dec.decode('x'), { name: 'TypeError', message: 'Expected an Opus packet (Buffer or Uint8Array) or null for packet but received "x" of type string' });
  assert.throws(() => dec.decode(null, { frameSize: 1000 }), { name: 'RangeError', message: 'Expected one of 120, 240, 480, 960, 1920, 2880, 3840, 4800, 5760 for frameSize but received 1000 of type number' });
  assert.throws(() => dec.decodeFec(null), { name: 'TypeError', message: 'Expected an Opus packet (Buffer or Uint8Array) for nextPacket but received null of type null' });
  assert.throws(() => new Decoder({ format: 's24le' }), { name: 'RangeError', message: "Expected one of 's16le', 'f32le' for format but received \"s24le\" of type string" });
});

test('invalid CTLs are refused without reaching libopus with a bad pointer', () => {
  const enc = new Encoder();
  // A GET request through the SET path would make libopus write through an integer "pointer".
  assert.throws(() => enc.ctl(opus.CTL.GET_BITRATE, 1234), { name: 'VoxpoolError', code: 'ERR_VOXPOOL_OPUS_UNIMPLEMENTED', message: 'request not implemented' });
  assert.throws(() => enc.getCtl(opus.CTL.SET_BITRATE), { code: 'ERR_VOXPOOL_OPUS_UNIMPLEMENTED' });
  assert.throws(() => enc.ctl(99999, 1), { code: 'ERR_VOXPOOL_OPUS_UNIMPLEMENTED' });
  assert.throws(() => enc.ctl(opus.CTL.SET_COMPLEXITY, 42), { name: 'VoxpoolError', code: 'ERR_VOXPOOL_OPUS_BAD_ARG', message: 'invalid argument' });
  assert.throws(() => enc.setBitrate(1), { name: 'RangeError' });
  const dec = new Decoder();
  assert.throws(() => dec.ctl(opus.CTL.SET_BITRATE, 64000), { code: 'ERR_VOXPOOL_OPUS_UNIMPLEMENTED' });
});

test('encodeMany/decodeMany argument checks', () => {
  const enc = new Encoder();
  assert.throws(() => voxpool.encodeMany(enc, []), { name: 'TypeError', message: 'Expected an array of encoders for encoders but received [object Object] of type object' });
  assert.throws(() => voxpool.encodeMany([enc], []), { name: 'RangeError', message: 'Expected an array of 1 frames (one per encoder) for frames but received Array(0) of type array' });
  assert.throws(() => voxpool.encodeMany([new Decoder()], [Buffer.alloc(3840)]), { name: 'TypeError', message: 'Expected an Encoder for encoders[0] but received [object Object] of type object' });
  assert.throws(() => voxpool.decodeMany([enc], [null]), { name: 'TypeError', message: 'Expected a Decoder for decoders[0] but received [object Object] of type object' });
});

test('the binding re-checks what JS validated, and misuse is a TypeError, never a crash', () => {
  const enc = new binding.NativeEncoder({ sampleRate: 48000, channels: 2 });
  const dec = new binding.NativeDecoder({ sampleRate: 48000, channels: 2 });
  assert.throws(() => enc.encode(Buffer.alloc(3)), { name: 'RangeError', message: 'PCM length is not a whole number of samples for this channel count' });
  assert.throws(() => enc.encode(Buffer.alloc(4 * 7)), { name: 'RangeError', message: 'PCM length is not a valid Opus frame duration (2.5-120 ms)' });
  assert.throws(() => enc.encode({}), { name: 'TypeError', message: 'Expected PCM as a Buffer, Int16Array or Float32Array' });
  assert.throws(() => enc.encode(), { name: 'TypeError' });
  assert.throws(() => binding.NativeEncoder.prototype.encode.call(dec, Buffer.alloc(3840)), { name: 'TypeError' });
  assert.throws(() => binding.NativeEncoder.prototype.encode.call({}, Buffer.alloc(3840)), { name: 'TypeError' });
  assert.throws(() => binding.NativeDecoder.prototype.decode.call(enc, null), { name: 'TypeError' });
  assert.throws(() => binding.encodeMany([dec], [Buffer.alloc(3840)]), { name: 'TypeError', message: 'Expected a NativeEncoder (illegal invocation)' });
  assert.throws(() => binding.encodeMany([{}], [Buffer.alloc(3840)]), { name: 'TypeError' });
  assert.throws(() => new binding.NativeEncoder({ sampleRate: 44100, channels: 2 }), { name: 'VoxpoolError', code: 'ERR_VOXPOOL_OPUS_BAD_ARG' });
  assert.throws(() => new binding.NativeEncoder(), { name: 'TypeError', message: 'Expected an options object' });
  assert.throws(() => dec.decode(null, 1000), { name: 'RangeError', message: 'frameSize is not a valid Opus frame size for this sample rate' });
  assert.throws(() => dec.decode(null, 960, true), { name: 'TypeError', message: 'FEC decoding needs the packet that follows the lost one' });
  assert.throws(() => binding.configure(-1, 0), { name: 'RangeError' });
  assert.throws(() => binding.setErrorClass(1), { name: 'TypeError' });
});

test('batches: empty ones settle at once with [], oversized ones are refused whole before any work', async () => {
  const enc = new voxpool.Encoder({ maxQueue: 8 });
  const dec = new voxpool.Decoder({ maxQueue: 8 });
  assert.deepEqual(await enc.encodeBatch([]), []);
  assert.deepEqual(await dec.decodeBatch([]), []);
  assert.deepEqual(await voxpool.encodeMany([], []), []);
  assert.deepEqual(await voxpool.decodeMany([], []), []);
  const frame = Buffer.alloc(3840);
  assert.equal((await enc.encodeBatch(new Array(8).fill(frame))).length, 8, 'exactly maxQueue is accepted');
  assert.throws(() => enc.encodeBatch(new Array(9).fill(frame)), {
    name: 'RangeError', message: "Expected an array of at most 8 PCM frames (this encoder's maxQueue) for frames but received Array(9) of type array",
  });
  assert.throws(() => dec.decodeBatch(new Array(2 ** 32 - 1)), {
    name: 'RangeError', message: "Expected an array of at most 8 Opus packets (this decoder's maxQueue) for packets but received Array(4294967295) of type array",
  });
  const capacity = voxpool.stats().capacity;
  const huge = new Array(2 ** 32 - 1);
  assert.throws(() => voxpool.encodeMany(huge, huge), {
    name: 'RangeError', message: `Expected an array of at most ${capacity} encoders (the pool's capacity) for encoders but received Array(4294967295) of type array`,
  });
  // A hole is not a loss: only null asks for concealment.
  assert.throws(() => dec.decodeBatch([null, , null]), { // eslint-disable-line no-sparse-arrays
    name: 'TypeError', message: 'Expected an Opus packet (Buffer or Uint8Array) or null for packets[1] but received undefined of type undefined',
  });
  assert.equal(voxpool.Encoder.native, undefined, 'no public path to a native handle');
  assert.equal(voxpool.Decoder.check, undefined);
  assert.equal(enc.pending, 0);
});
