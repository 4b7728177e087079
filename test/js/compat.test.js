'use strict';
// The @discordjs/opus-compatible surface, method by method, against the real @discordjs/opus,
// and prism-media driving voxpool through the '@discordjs/opus' module name.
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const Djs = require('@discordjs/opus');
const voxpool = require('../..');
const { frames, snr } = require('./helpers');

const { OpusEncoder } = voxpool;

function sameThrow(fn, label) {
  let expected;
  try { fn(new Djs.OpusEncoder(48000, 2)); } catch (err) { expected = err; }
  let actual;
  try { fn(new OpusEncoder(48000, 2)); } catch (err) { actual = err; }
  assert.ok(expected, `${label}: @discordjs/opus throws`);
  assert.ok(actual, `${label}: voxpool throws`);
  assert.equal(actual.constructor.name, expected.constructor.name, label);
  assert.equal(actual.message, expected.message, label);
}

test('constructor errors match @discordjs/opus', () => {
  for (const args of [[], [48000], ['48000', 2], [48000, '2']]) {
    let expected;
    try { new Djs.OpusEncoder(...args); } catch (err) { expected = err; }
    assert.throws(() => new OpusEncoder(...args), (err) => err.constructor === expected.constructor && err.message === expected.message, JSON.stringify(args));
  }
  assert.doesNotThrow(() => new OpusEncoder(48000, 2, 2048), 'a third argument is ignored');
});

test('method argument errors match @discordjs/opus', () => {
  sameThrow((e) => e.encode(), 'encode()');
  sameThrow((e) => e.encode('x'), 'encode(string)');
  sameThrow((e) => e.decode(), 'decode()');
  sameThrow((e) => e.decode(Buffer.from([0xff, 0xff, 0xff]).toString()), 'decode(string)');
  sameThrow((e) => e.encode({ length: 3840 }), 'encode(object)');
  sameThrow((e) => e.applyEncoderCTL(4002), 'applyEncoderCTL(1 arg)');
  sameThrow((e) => e.applyEncoderCTL('4002', 1), 'applyEncoderCTL(string)');
  sameThrow((e) => e.applyEncoderCTL(4010, 99), 'applyEncoderCTL(bad value)');
  sameThrow((e) => e.applyDecoderCTL(4034), 'applyDecoderCTL(1 arg)');
  sameThrow((e) => e.setBitrate(), 'setBitrate()');
  sameThrow((e) => e.setBitrate('1'), 'setBitrate(string)');
});

test('invalid rate: creation error at first use, as in @discordjs/opus', () => {
  const ours = new OpusEncoder(44100, 2);
  const theirs = new Djs.OpusEncoder(44100, 2);
  const pcm = Buffer.alloc(3528);
  let expected;
  try { theirs.encode(pcm); } catch (err) { expected = err; }
  assert.throws(() => ours.encode(pcm), { name: 'Error', message: expected.message });
  assert.throws(() => ours.decode(Buffer.alloc(3)), { name: 'Error', message: 'Could not create decoder. Check the decoder parameters' });
});

test('encode/decode/setBitrate/getBitrate/CTLs behave like @discordjs/opus', () => {
  const ours = new OpusEncoder(48000, 2);
  const theirs = new Djs.OpusEncoder(48000, 2);
  assert.equal(ours.getBitrate(), theirs.getBitrate(), 'default bitrate');
  ours.setBitrate(64000);
  theirs.setBitrate(64000);
  assert.equal(ours.getBitrate(), 64000);
  const tuned = new OpusEncoder(48000, 2);
  tuned.applyEncoderCTL(4012, 1);
  tuned.applyEncoderCTL(4014, 10);
  tuned.applyDecoderCTL(4034, 0);
  assert.ok(tuned.encode(frames(48000, 2, 960, 1)[0]).length > 0);
  const input = frames(48000, 2, 960, 30);
  const packets = input.map((f) => ours.encode(f, 960));
  for (const p of packets) assert.ok(p.length > 0 && p.length <= 3828);
  const pcmOurs = Buffer.concat(packets.map((p) => ours.decode(p, 960)));
  const pcmTheirs = Buffer.concat(packets.map((p) => theirs.decode(p)));
  assert.equal(pcmOurs.length, pcmTheirs.length);
  assert.ok(snr(Buffer.concat(input), pcmOurs, 2, 800) > 10);
  assert.throws(() => ours.decode(Buffer.from([0xff, 0xff, 0xff])), { name: 'VoxpoolError', code: 'ERR_VOXPOOL_OPUS_INVALID_PACKET' });
  // Any ArrayBuffer view is read as s16le bytes, as @discordjs/opus does.
  const f = input[0];
  const asInt16 = new Int16Array(f.buffer.slice(f.byteOffset, f.byteOffset + f.length));
  assert.deepEqual(new OpusEncoder(48000, 2).encode(asInt16), new OpusEncoder(48000, 2).encode(f));
  for (const name of ['encode', 'decode', 'applyEncoderCTL', 'applyDecoderCTL', 'setBitrate', 'getBitrate']) {
    assert.equal(typeof OpusEncoder.prototype[name], 'function', name);
  }
});

test('a typed-array view with a byteOffset encodes and decodes like the equivalent Buffer', async () => {
  const [pcm] = frames(48000, 2, 960, 1);
  // The frame placed 64 bytes into a larger ArrayBuffer, with other data around it.
  const backing = new ArrayBuffer(pcm.length + 128);
  new Uint8Array(backing).fill(0x55);
  const view = new Int16Array(backing, 64, pcm.length / 2);
  pcm.copy(Buffer.from(backing, 64, pcm.length));
  const expected = new OpusEncoder(48000, 2).encode(pcm);
  assert.deepEqual(new OpusEncoder(48000, 2).encode(view), expected, 'encode');
  assert.deepEqual(await new OpusEncoder(48000, 2).encodeAsync(view), expected, 'encodeAsync');
  const packetBacking = new ArrayBuffer(expected.length + 10);
  const packetView = new Uint8Array(packetBacking, 7, expected.length);
  packetView.set(expected);
  const pcmOut = new OpusEncoder(48000, 2).decode(expected);
  assert.deepEqual(new OpusEncoder(48000, 2).decode(packetView), pcmOut, 'decode');
  assert.deepEqual(await new OpusEncoder(48000, 2).decodeAsync(packetView), pcmOut, 'decodeAsync');
});

test('encodeAsync/decodeAsync give the sync results', async () => {
  const a = new OpusEncoder(48000, 2);
  const b = new OpusEncoder(48000, 2);
  const input = frames(48000, 2, 960, 10);
  const expected = input.map((f) => a.encode(f));
  const got = await Promise.all(input.map((f) => b.encodeAsync(f)));
  assert.deepEqual(got, expected);
  assert.equal((await b.decodeAsync(got[0])).length, 3840);
});

test('prism-media uses voxpool when installed as @discordjs/opus', async () => {
  // What `npm i @discordjs/opus@npm:voxpool` does: the module name resolves to voxpool.
  const djsPath = require.resolve('@discordjs/opus');
  const saved = require.cache[djsPath];
  const prismDir = path.dirname(require.resolve('prism-media/package.json'));
  for (const key of Object.keys(require.cache)) if (key.startsWith(prismDir)) delete require.cache[key];
  require.cache[djsPath] = { id: djsPath, filename: djsPath, loaded: true, exports: voxpool };
  try {
    const prism = require('prism-media');
    const encoder = new prism.opus.Encoder({ rate: 48000, channels: 2, frameSize: 960 });
    const decoder = new prism.opus.Decoder({ rate: 48000, channels: 2, frameSize: 960 });
    encoder.setBitrate(96000);
    encoder.setFEC(true);
    encoder.setPLP(0.05);
    const input = frames(48000, 2, 960, 25);
    const out = [];
    decoder.on('data', (chunk) => out.push(chunk));
    const packets = [];
    encoder.on('data', (p) => { packets.push(p); decoder.write(p); });
    for (const f of input) encoder.write(f);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(packets.length, 25);
    assert.ok(snr(Buffer.concat(input), Buffer.concat(out), 2, 800) > 10);
    assert.ok(encoder.encoder instanceof voxpool.OpusEncoder, 'prism picked voxpool');
  } finally {
    if (saved) require.cache[djsPath] = saved; else delete require.cache[djsPath];
    for (const key of Object.keys(require.cache)) if (key.startsWith(prismDir)) delete require.cache[key];
  }
});
