'use strict';
// createVolumeTransformer against prism-media's VolumeTransformer: identical bytes at a steady
// volume (same floor rounding and saturation, any chunking), same API, and ramped changes that
// prism steps.
const test = require('node:test');
const assert = require('node:assert/strict');
const { Readable } = require('node:stream');
const prism = require('prism-media');
const { createVolumeTransformer, VolumeTransformer } = require('../..');

function noise(samples, seed = 1) {
  const b = Buffer.alloc(samples * 2);
  let x = seed;
  for (let i = 0; i < samples; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b.writeInt16LE(((x >>> 8) & 0xffff) - 32768, i * 2);
  }
  return b;
}

async function run(transform, chunks) {
  const out = [];
  for await (const c of Readable.from(chunks).pipe(transform)) out.push(c);
  return Buffer.concat(out);
}

function chunked(buf, size) {
  const out = [];
  for (let i = 0; i < buf.length; i += size) out.push(buf.subarray(i, i + size));
  return out;
}

for (const volume of [0, 0.1, 0.5, 0.7071, 1, 1.5, 2, 7.3]) {
  test(`volume ${volume}: the same bytes as prism-media's VolumeTransformer`, async () => {
    const pcm = noise(48000);
    for (const size of [3840, 1001, 7]) {  // odd sizes split samples and frames
      const theirs = await run(new prism.VolumeTransformer({ type: 's16le', volume }), chunked(Buffer.from(pcm), size));
      const ours = await run(createVolumeTransformer({ type: 's16le', volume }), chunked(Buffer.from(pcm), size));
      assert.equal(ours.length, theirs.length, `chunk size ${size}`);
      assert.ok(ours.equals(theirs), `chunk size ${size}: bytes differ`);
    }
  });
}

test('the same API surface as prism (setVolume, setVolumeDecibels, setVolumeLogarithmic, volume)', () => {
  const theirs = new prism.VolumeTransformer({ type: 's16le' });
  const ours = createVolumeTransformer();
  assert.ok(ours instanceof VolumeTransformer);
  for (const [method, arg] of [['setVolume', 0.25], ['setVolumeDecibels', -12], ['setVolumeLogarithmic', 0.5]]) {
    theirs[method](arg);
    ours[method](arg);
    assert.ok(Math.abs(ours.volume - theirs.volume) < 1e-12, method);
    assert.ok(Math.abs(ours.volumeDecibels - theirs.volumeDecibels) < 1e-9, method);
    assert.ok(Math.abs(ours.volumeLogarithmic - theirs.volumeLogarithmic) < 1e-9, method);
  }
  ours.volume = 0.5;
  assert.equal(ours.volume, 0.5);
});

test('a volume change ramps instead of stepping (no click)', async () => {
  const dc = Buffer.alloc(960 * 4 * 3);
  for (let i = 0; i < dc.length; i += 2) dc.writeInt16LE(20000, i);
  const t = createVolumeTransformer({ type: 's16le', rampMs: 10 });
  const first = t.write(dc.subarray(0, 3840));
  assert.ok(first);
  t.setVolume(0);
  const out = await run(t, [dc.subarray(3840)]);
  const left = [];
  for (let i = 0; i < out.length; i += 4) left.push(out.readInt16LE(i));
  // The 20 ms already written stays at unity; the change takes 480 frames; then silence.
  let worst = 0;
  for (let i = 960 + 1; i < left.length; i++) worst = Math.max(worst, Math.abs(left[i] - left[i - 1]));
  assert.equal(left[959], 20000);
  assert.ok(worst <= 20000 / 480 + 1, `largest step ${worst}`);
  assert.equal(left[960 + 479], 0);
  assert.equal(left.at(-1), 0);
  // prism steps at once: a 20000-sample jump.
  const p = new prism.VolumeTransformer({ type: 's16le' });
  p.setVolume(0);
  const stepped = await run(p, [dc.subarray(0, 8)]);
  assert.equal(stepped.readInt16LE(0), 0);
});

test('invalid arguments have exact messages', () => {
  const cases = [
    [() => createVolumeTransformer({ type: 's32le' }), RangeError, "Expected one of 's16le', 'f32le' for type but received \"s32le\" of type string"],
    [() => createVolumeTransformer({ volume: -1 }), RangeError, 'Expected a number between 0 and 15.848931924611133 for volume but received -1 of type number'],
    [() => createVolumeTransformer({ rampMs: 'fast' }), TypeError, 'Expected a number between 0 and 60000 for rampMs but received "fast" of type string'],
    [() => createVolumeTransformer().setVolume(NaN), TypeError, 'Expected a number between 0 and 15.848931924611133 for volume but received NaN of type number'],
    [() => createVolumeTransformer().setVolumeDecibels(30), RangeError, 'Expected a number between -120 and 24 for db but received 30 of type number'],
  ];
  for (const [fn, type, message] of cases) assert.throws(fn, (err) => err instanceof type && err.message === message, message);
});
