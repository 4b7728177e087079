'use strict';
// Resampler and createResampleStream from JS: lengths match the ratio, a tone keeps its level
// and frequency, chunking does not matter, and argument messages are exact.
const test = require('node:test');
const assert = require('node:assert/strict');
const { Readable } = require('node:stream');
const { Resampler, createResampleStream, VoxpoolError } = require('../..');

function tone(freq, rate, frames, channels = 1, amp = 0.5) {
  const out = new Float32Array(frames * channels);
  for (let i = 0; i < frames; i++) for (let c = 0; c < channels; c++) out[i * channels + c] = amp * Math.sin(2 * Math.PI * freq * i / rate);
  return out;
}
function floats(buf) {
  return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length));
}
// Amplitude of `freq` in the middle half of `x` (least squares).
function amplitude(x, freq, rate) {
  let ss = 0, cc = 0, sc = 0, ys = 0, yc = 0;
  for (let i = Math.floor(x.length / 4); i < Math.floor(x.length * 3 / 4); i++) {
    const s = Math.sin(2 * Math.PI * freq * i / rate), c = Math.cos(2 * Math.PI * freq * i / rate);
    ss += s * s; cc += c * c; sc += s * c; ys += x[i] * s; yc += x[i] * c;
  }
  const det = ss * cc - sc * sc;
  return Math.hypot((ys * cc - yc * sc) / det, (yc * ss - ys * sc) / det);
}

for (const [from, to] of [[48000, 16000], [16000, 48000], [44100, 48000], [24000, 8000]]) {
  test(`${from} -> ${to}: length follows the ratio and a 1 kHz tone keeps its level`, () => {
    const r = new Resampler({ inputRate: from, outputRate: to, channels: 1, format: 'f32le' });
    const input = tone(1000, from, from);
    const parts = [];
    for (let i = 0; i < input.length; i += from / 50) parts.push(r.process(input.subarray(i, i + from / 50)));
    parts.push(r.flush());
    const out = floats(Buffer.concat(parts));
    assert.ok(Math.abs(out.length - to) <= 2, `${out.length} frames for ${to}`);
    const db = 20 * Math.log10(amplitude(out, 1000, to) / 0.5);
    assert.ok(Math.abs(db) < 0.01, `gain ${db} dB`);
  });
}

test('s16 stereo through createResampleStream, in odd chunk sizes', async () => {
  const frames = 48000;
  const pcm = Buffer.alloc(frames * 4);
  for (let i = 0; i < frames; i++) {
    const v = Math.round(16000 * Math.sin(2 * Math.PI * 440 * i / 48000));
    pcm.writeInt16LE(v, i * 4);
    pcm.writeInt16LE(-v, i * 4 + 2);
  }
  const chunks = [];
  for (let i = 0; i < pcm.length; i += 1001) chunks.push(pcm.subarray(i, i + 1001));  // splits samples
  const stream = createResampleStream({ inputRate: 48000, outputRate: 16000, channels: 2 });
  const out = [];
  for await (const c of Readable.from(chunks).pipe(stream)) out.push(c);
  const all = Buffer.concat(out);
  assert.ok(Math.abs(all.length / 4 - 16000) <= 2);
  const left = new Float32Array(all.length / 4);
  for (let i = 0; i < left.length; i++) {
    left[i] = all.readInt16LE(i * 4) / 32768;
    // Channels stay separate: the right one is the negated left (to rounding; no dither).
    assert.ok(Math.abs(all.readInt16LE(i * 4 + 2) + all.readInt16LE(i * 4)) <= 1, `frame ${i}`);
  }
  assert.ok(Math.abs(20 * Math.log10(amplitude(left, 440, 16000) / (16000 / 32768))) < 0.02);
});

test('equal rates pass through unchanged', () => {
  const r = new Resampler({ inputRate: 48000, outputRate: 48000 });
  const pcm = Buffer.from([1, 0, 2, 0, 3, 0, 4, 0]);
  assert.deepEqual(r.process(pcm), pcm);
  assert.equal(r.delay, 0);
});

test('invalid arguments have exact messages', () => {
  const cases = [
    [() => new Resampler(), TypeError, 'Expected an integer between 8000 and 48000 for inputRate but received undefined of type undefined'],
    [() => new Resampler({ inputRate: 48000, outputRate: 4000 }), RangeError, 'Expected an integer between 8000 and 48000 for outputRate but received 4000 of type number'],
    [() => new Resampler({ inputRate: '48000', outputRate: 16000 }), TypeError, 'Expected an integer between 8000 and 48000 for inputRate but received "48000" of type string'],
    [() => new Resampler({ inputRate: 48000, outputRate: 16000, channels: 6 }), RangeError, 'Expected one of 1, 2 for channels but received 6 of type number'],
    [() => new Resampler({ inputRate: 48000, outputRate: 16000 }).process([1, 2]), TypeError, 'Expected a Buffer or TypedArray for pcm but received Array(2) of type array'],
    [() => new Resampler({ inputRate: 48000, outputRate: 16000 }).process(Buffer.alloc(6)), RangeError, 'Expected whole frames of 4 bytes, at most one second for pcm but received Buffer(6) of type Buffer'],
  ];
  for (const [fn, type, message] of cases) assert.throws(fn, (err) => err instanceof type && err.message === message, message);
  assert.ok(VoxpoolError);
});

for (const format of ['s16le', 'f32le']) {
  test(`${format}: after reset() the same input gives bytes identical to a fresh resampler's`, () => {
    const options = { inputRate: 48000, outputRate: 16000, channels: 2, format };
    const frameOf = (freq, amp) => {
      const f = tone(freq, 48000, 960 * 3, 2, amp);
      if (format === 'f32le') return Buffer.from(f.buffer);
      const s = Buffer.alloc(f.length * 2);
      f.forEach((v, i) => s.writeInt16LE(Math.round(v * 32767), i * 2));
      return s;
    };
    const first = frameOf(700, 0.8);
    const second = frameOf(1300, 0.5);
    const fresh = new Resampler(options);
    const expected = Buffer.concat([fresh.process(second), fresh.flush()]);
    const r = new Resampler(options);
    r.process(first);  // leaves history in the converter
    r.reset();
    assert.deepEqual(Buffer.concat([r.process(second), r.flush()]), expected);
    // And after a flush (which resets too).
    r.process(first);
    r.flush();
    assert.deepEqual(Buffer.concat([r.process(second), r.flush()]), expected);
  });
}
