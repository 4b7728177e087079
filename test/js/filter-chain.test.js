'use strict';
// FilterChain (Lavalink v4's filters plus highPass), measured: each filter's response against its
// formula (EQ centre gain 1 + 4 x gain, one-pole lowPass, Lavalink's volume curve, tremolo and
// rotation envelopes, karaoke's centre removal), highPass and one EQ band against ffmpeg's biquads
// sample for sample, loudness normalization against ffmpeg's EBU R128 meter (espeak-ng speech and
// generated music), click-free setFilters, processAsync against process, destroy with frames
// queued, exact validation messages, the canonical `filters` copy and filterConstants.
const test = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const { FilterChain, filterConstants, VoxpoolError } = require('../..');

const RATE = 48000;
const FRAME = 960;  // 20 ms at 48 kHz
const db = (ratio) => 20 * Math.log10(ratio);

// --- signals and buffers ---------------------------------------------------------------------

/** Interleaved float samples: `gen(i)` gives [left, right] (or [mono]) of frame i. */
function signal(frames, channels, gen) {
  const x = new Float32Array(frames * channels);
  for (let i = 0; i < frames; i++) {
    const v = gen(i);
    for (let c = 0; c < channels; c++) x[i * channels + c] = v[c];
  }
  return x;
}

const sine = (freq, amp, phase = 0) => (i) => amp * Math.sin(2 * Math.PI * freq * i / RATE + phase);

/** Float samples -> `format` PCM (s16: x 32768, rounded, saturated, the library's convention). */
function encode(x, format) {
  if (format === 'f32le') return Buffer.from(Float32Array.from(x).buffer);
  const b = Buffer.alloc(x.length * 2);
  for (let i = 0; i < x.length; i++) b.writeInt16LE(Math.max(-32768, Math.min(32767, Math.round(x[i] * 32768))), i * 2);
  return b;
}

/** `format` PCM -> float samples. */
function decode(buf, format) {
  if (format === 'f32le') return Float32Array.from(new Float32Array(buf.buffer, buf.byteOffset, buf.length / 4));
  const s = new Int16Array(buf.buffer, buf.byteOffset, buf.length / 2);
  return Float32Array.from(s, (v) => v / 32768);
}

/** `x` through `chain.process()` in `frame`-frame calls; the float output. */
function run(chain, x, format = chain.format, frame = FRAME) {
  const step = frame * chain.channels;
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i += step) {
    const o = decode(chain.process(encode(x.subarray(i, i + step), format)), format);
    out.set(o, i);
  }
  return out;
}

/** RMS of channel `c` over frames [start, end). */
function rms(x, channels, c, start, end) {
  let s = 0;
  for (let i = start; i < end; i++) s += x[i * channels + c] ** 2;
  return Math.sqrt(s / (end - start));
}

/** Steady-state gain (dB) of channel `c` for a tone of `freq`: RMS over whole periods after 0.5 s. */
function toneGainDb(x, out, channels, c, freq) {
  const start = RATE / 2;
  const periods = Math.floor(0.5 * freq);
  const end = start + Math.round(periods * RATE / freq);
  return db(rms(out, channels, c, start, end) / rms(x, channels, c, start, end));
}

/** Deterministic "music": a dozen tones from 40 Hz to 10 kHz plus coloured and white noise. */
function music(frames, seed = 7) {
  let s = seed >>> 0;
  const rnd = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296 - 0.5;
  };
  const tones = Array.from({ length: 12 }, () => ({ f: 40 * 2 ** ((rnd() + 0.5) * 8), a: 0.02 * (rnd() + 0.6), p: rnd() * 6 }));
  const lp = [0, 0];
  return signal(frames, 2, (i) => [0, 1].map((c) => {
    let v = 0;
    for (const t of tones) v += t.a * Math.sin(2 * Math.PI * t.f * i / RATE + t.p + c);
    lp[c] += (rnd() - lp[c]) * 0.3;
    return v + 0.1 * lp[c] + 0.03 * rnd();
  }));
}

function snrDb(ref, out) {
  let sig = 0;
  let err = 0;
  for (let i = 0; i < ref.length; i++) {
    sig += ref[i] ** 2;
    err += (ref[i] - out[i]) ** 2;
  }
  return 10 * Math.log10(sig / err);
}

// --- ffmpeg ----------------------------------------------------------------------------------


/** Stereo 48 kHz float `x` through ffmpeg's filter graph `af`, raw f32le both ways over pipes. */
function ffmpeg(x, af) {
  const r = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'f32le', '-ar', String(RATE), '-ac', '2', '-i', 'pipe:0',
    '-af', `aformat=sample_fmts=dblp,${af}`, '-f', 'f32le', '-ar', String(RATE), '-ac', '2', 'pipe:1'],
  { input: encode(x, 'f32le'), maxBuffer: 1 << 28 });
  // ffmpeg is a test tool the setup scripts install (scripts/install-deps.sh); without it, fail.
  assert.equal(r.error, undefined, `ffmpeg could not run (apt-get install ffmpeg): ${r.error}`);
  assert.equal(r.status, 0, `ffmpeg -af ${af}: ${r.stderr}`);
  assert.equal(r.stdout.length, x.length * 4, 'ffmpeg returned as many samples as it was given');
  return decode(r.stdout, 'f32le');
}

// --- 1. equalizer ----------------------------------------------------------------------------

const EQ_CASES = [
  { band: 0, gain: 0.25 },   //   25 Hz, +6.0 dB
  { band: 3, gain: -0.2 },   //  100 Hz, -14.0 dB
  { band: 8, gain: 0.5 },    // 1000 Hz, +9.5 dB
  { band: 12, gain: 1 },     // 6300 Hz, +14.0 dB
  { band: 14, gain: 0.25 },  //  16 kHz, +6.0 dB
];

for (const format of ['s16le', 'f32le']) {
  test(`equalizer (${format}): 1 + 4 x gain at the band centre, ~0 dB three octaves away`, () => {
    for (const { band, gain } of EQ_CASES) {
      const centre = filterConstants.EQUALIZER_FREQUENCIES[band];
      const expected = db(1 + 4 * gain);
      const far = centre <= 2000 ? centre * 8 : centre / 8;
      for (const [freq, want] of [[centre, expected], [far, 0]]) {
        const chain = new FilterChain({ format, filters: { equalizer: [{ band, gain }] } });
        const x = signal(RATE, 2, (i) => [sine(freq, 0.1)(i), sine(freq, 0.1, 1)(i)]);
        const out = run(chain, x);
        for (const c of [0, 1]) {
          const got = toneGainDb(x, out, 2, c, freq);
          assert.ok(Math.abs(got - want) <= 0.5,
            `band ${band} gain ${gain}, ${freq} Hz, channel ${c}: ${got.toFixed(3)} dB, expected ${want.toFixed(3)} dB`);
        }
      }
    }
  });
}

test('equalizer: bands at or above 0.45 x the sample rate are left out (16 kHz band at 24 kHz)', () => {
  // 10 kHz (band 13) is below 0.45 x 24000 = 10.8 kHz and runs; 16 kHz (band 14) does not exist.
  const rate = 24000;
  const x = signal(rate, 1, (i) => [0.1 * Math.sin(2 * Math.PI * 10000 * i / rate)]);
  const measure = (filters) => {
    const chain = new FilterChain({ sampleRate: rate, channels: 1, format: 'f32le', filters });
    const out = run(chain, x, 'f32le', 480);
    return db(rms(out, 1, 0, rate / 2, rate) / rms(x, 1, 0, rate / 2, rate));
  };
  const b13 = measure({ equalizer: [{ band: 13, gain: 0.25 }] });
  assert.ok(Math.abs(b13 - db(2)) <= 0.5, `band 13 at 24 kHz: ${b13.toFixed(3)} dB`);
  const b14 = measure({ equalizer: [{ band: 14, gain: 1 }] });
  assert.ok(Math.abs(b14) <= 0.01, `band 14 at 24 kHz must do nothing: ${b14.toFixed(4)} dB`);
});

// --- 2. against ffmpeg -----------------------------------------------------------------------

test('highPass { cutoffHz: 300 } matches ffmpeg highpass=f=300:p=2:width_type=q:width=0.7071 (SNR >= 60 dB)', (t) => {
  const x = music(2 * RATE);
  const ref = ffmpeg(x, 'highpass=f=300:p=2:width_type=q:width=0.7071');
  const out = run(new FilterChain({ format: 'f32le', filters: { highPass: { cutoffHz: 300 } } }), x);
  const snr = snrDb(ref, out);
  t.diagnostic(`highPass vs ffmpeg: SNR ${snr.toFixed(1)} dB`);
  assert.ok(snr >= 60, `SNR ${snr.toFixed(2)} dB`);
  // The check can fail: the input itself (no high-pass) is far from the reference.
  assert.ok(snrDb(ref, x) < 20, `input vs reference ${snrDb(ref, x).toFixed(1)} dB`);
});

test('equalizer band 8 (1 kHz) gain 0.5 matches x + 2 x ffmpeg bandpass=f=1000:width_type=q:width=2.1447:csg=0 (SNR >= 50 dB)', (t) => {
  const x = music(2 * RATE, 11);
  const bp = ffmpeg(x, 'bandpass=f=1000:width_type=q:width=2.1447:csg=0');
  const ref = x.map((v, i) => v + 4 * 0.5 * bp[i]);
  const out = run(new FilterChain({ format: 'f32le', filters: { equalizer: [{ band: 8, gain: 0.5 }] } }), x);
  const snr = snrDb(ref, out);
  t.diagnostic(`equalizer band 8 vs ffmpeg: SNR ${snr.toFixed(1)} dB`);
  assert.ok(snr >= 50, `SNR ${snr.toFixed(2)} dB`);
  assert.ok(snrDb(ref, x) < 20, `input vs reference ${snrDb(ref, x).toFixed(1)} dB`);
});

test('lowPass { smoothing: 20 } matches ffmpeg lowpass=p=1 at the corner where the two are the same one-pole filter (SNR >= 60 dB)', (t) => {
  // Lavalink's smoother y += (x - y) / s is y = (1 - a) x + a y1 with a = 1 - 1/s; ffmpeg's
  // single-pole lowpass is y = (1 - e^-w) x + e^-w y1 with w = 2 pi f / rate: the same filter at
  // f = -ln(1 - 1/s) rate / (2 pi) (392 Hz for s = 20). The input starts at 0, so the smoother's
  // priming with the first sample and ffmpeg's zero state agree.
  const smoothing = 20;
  const f = -Math.log(1 - 1 / smoothing) * RATE / (2 * Math.PI);
  const x = music(2 * RATE, 13);
  x[0] = 0;
  x[1] = 0;
  const ref = ffmpeg(x, `lowpass=f=${f.toFixed(6)}:p=1`);
  const out = run(new FilterChain({ format: 'f32le', filters: { lowPass: { smoothing } } }), x);
  const snr = snrDb(ref, out);
  t.diagnostic(`lowPass vs ffmpeg lowpass=f=${f.toFixed(2)}:p=1: SNR ${snr.toFixed(1)} dB`);
  assert.ok(snr >= 60, `SNR ${snr.toFixed(2)} dB`);
  assert.ok(snrDb(ref, x) < 20, `input vs reference ${snrDb(ref, x).toFixed(1)} dB`);
});

// --- 3-7. the other filters against their formulas -------------------------------------------

test('karaoke: a centre (L = R) 1 kHz tone drops by >= 20 dB, a left-only tone stays within 1 dB', (t) => {
  const centre = signal(RATE, 2, (i) => [sine(1000, 0.3)(i), sine(1000, 0.3)(i)]);
  const out = run(new FilterChain({ format: 'f32le', filters: { karaoke: {} } }), centre);
  for (const c of [0, 1]) {
    const g = toneGainDb(centre, out, 2, c, 1000);
    t.diagnostic(`karaoke centre tone, channel ${c}: ${g.toFixed(2)} dB`);
    assert.ok(g <= -20, `centre tone channel ${c}: ${g.toFixed(2)} dB`);
  }
  const left = signal(RATE, 2, (i) => [sine(1000, 0.3)(i), 0]);
  const outLeft = run(new FilterChain({ format: 'f32le', filters: { karaoke: {} } }), left);
  const g = toneGainDb(left, outLeft, 2, 0, 1000);
  t.diagnostic(`karaoke left-only tone, left: ${g.toFixed(2)} dB`);
  assert.ok(Math.abs(g) <= 1, `left-only tone: ${g.toFixed(2)} dB`);
});

test('tremolo { frequency: 5, depth: 0.8 } on DC: max/min = 1 / (1 - 0.8) within 1 %, 5 peaks a second', () => {
  const frames = Math.round(2.2 * RATE);
  const x = signal(frames, 2, () => [0.5, 0.5]);
  const out = run(new FilterChain({ format: 'f32le', filters: { tremolo: { frequency: 5, depth: 0.8 } } }), x);
  let max = -Infinity;
  let min = Infinity;
  for (let i = 0; i < frames; i++) {
    assert.equal(out[2 * i], out[2 * i + 1], `frame ${i}: both channels get the same gain`);
    max = Math.max(max, out[2 * i]);
    min = Math.min(min, out[2 * i]);
  }
  assert.ok(Math.abs(max / min / 5 - 1) <= 0.01, `max/min ${(max / min).toFixed(4)}, expected 5`);
  assert.ok(Math.abs(max - 0.5) <= 0.005, `the gain's top is 1: max ${max}`);
  // Envelope peaks: one per rising crossing of the midpoint; count them over 2 s.
  const mid = (max + min) / 2;
  let rising = 0;
  for (let i = Math.round(0.1 * RATE) + 1; i < Math.round(2.1 * RATE); i++) if (out[2 * (i - 1)] < mid && out[2 * i] >= mid) rising++;
  assert.equal(rising / 2, 5, `${rising} envelope peaks in 2 s`);
});

test('rotation { rotationHz: 1 }: left + right gains = 1, each swings 0..1 once a second', () => {
  const frames = Math.round(3.3 * RATE);
  const x = signal(frames, 2, () => [0.5, 0.5]);
  const out = run(new FilterChain({ format: 'f32le', filters: { rotation: { rotationHz: 1 } } }), x);
  const gl = (i) => out[2 * i] / 0.5;
  const gr = (i) => out[2 * i + 1] / 0.5;
  let maxL = -Infinity;
  let minL = Infinity;
  let maxR = -Infinity;
  let minR = Infinity;
  const crossings = [];
  for (let i = 0; i < frames; i++) {
    assert.ok(Math.abs(gl(i) + gr(i) - 1) <= 1e-5, `frame ${i}: ${gl(i)} + ${gr(i)}`);
    maxL = Math.max(maxL, gl(i));
    minL = Math.min(minL, gl(i));
    maxR = Math.max(maxR, gr(i));
    minR = Math.min(minR, gr(i));
    if (i > 0.25 * RATE && i <= 3.25 * RATE && gl(i - 1) < 0.5 && gl(i) >= 0.5) crossings.push(i);
  }
  for (const [name, lo, hi] of [['left', minL, maxL], ['right', minR, maxR]]) {
    assert.ok(lo <= 1e-3 && lo >= -1e-6, `${name} minimum ${lo}`);
    assert.ok(hi >= 1 - 1e-3 && hi <= 1 + 1e-6, `${name} maximum ${hi}`);
  }
  assert.equal(crossings.length, 3, `rising crossings ${crossings}`);
  for (let k = 1; k < crossings.length; k++) {
    assert.ok(Math.abs(crossings[k] - crossings[k - 1] - RATE) <= 2, `period ${crossings[k] - crossings[k - 1]} frames`);
  }
});

test('lowPass (default smoothing 20): attenuation at 5 kHz matches the one-pole formula within 0.5 dB', (t) => {
  const chain = new FilterChain({ format: 'f32le', filters: { lowPass: {} } });
  assert.deepEqual(chain.filters, { lowPass: { smoothing: 20 } });
  const a = 1 / 20;
  for (const freq of [1000, 5000]) {
    const w = 2 * Math.PI * freq / RATE;
    const expected = db(a / Math.sqrt(1 - 2 * (1 - a) * Math.cos(w) + (1 - a) ** 2));
    const x = signal(RATE, 2, (i) => [sine(freq, 0.5)(i), sine(freq, 0.5, 2)(i)]);
    const out = run(new FilterChain({ format: 'f32le', filters: { lowPass: {} } }), x);
    for (const c of [0, 1]) {
      const got = toneGainDb(x, out, 2, c, freq);
      t.diagnostic(`lowPass ${freq} Hz channel ${c}: ${got.toFixed(3)} dB (formula ${expected.toFixed(3)} dB)`);
      assert.ok(Math.abs(got - expected) <= 0.5, `${freq} Hz channel ${c}: ${got.toFixed(3)} dB, expected ${expected.toFixed(3)} dB`);
    }
  }
});

test("volume follows Lavalink's curve: 0.5 -> tan(0.395) within 0.05 dB (and 1.2, 2)", () => {
  for (const format of ['s16le', 'f32le']) {
    for (const [volume, gain] of [[0.5, Math.tan(0.5 * 0.79)], [1.2, Math.tan(1.2 * 0.79)], [2, 1.6408 * 2]]) {
      const x = signal(RATE, 2, (i) => [sine(1000, 0.2)(i), sine(440, 0.2)(i)]);
      const out = run(new FilterChain({ format, filters: { volume } }), x);
      for (const [c, freq] of [[0, 1000], [1, 440]]) {
        const got = toneGainDb(x, out, 2, c, freq);
        assert.ok(Math.abs(got - db(gain)) <= 0.05, `${format} volume ${volume}: ${got.toFixed(4)} dB, expected ${db(gain).toFixed(4)} dB`);
      }
    }
  }
});

// --- 8. no filters: untouched -----------------------------------------------------------------

test('no filters: s16 output is bit-identical to the input (full scale included), active is false', () => {
  const pcm = Buffer.alloc(FRAME * 2 * 2);
  let s = 3;
  for (let i = 0; i < FRAME * 2; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    pcm.writeInt16LE(((s >>> 8) & 0xffff) - 32768, i * 2);
  }
  pcm.writeInt16LE(32767, 0);
  pcm.writeInt16LE(-32768, 2);
  pcm.writeInt16LE(32767, 100);
  pcm.writeInt16LE(-32768, 102);
  // Options that are present but change nothing are off too: identity timescale, empty equalizer,
  // lowPass smoothing <= 1 (Lavalink's rule), default channelMix, distortion and rotation, volume 1.
  for (const filters of [undefined, {}, { volume: 1, equalizer: [], timescale: { speed: 1, pitch: 1, rate: 1 }, channelMix: {}, distortion: {}, rotation: {}, lowPass: { smoothing: 1 } }]) {
    const chain = new FilterChain({ filters });
    assert.equal(chain.active, false, JSON.stringify(filters));
    for (let k = 0; k < 3; k++) {
      const out = chain.process(pcm);
      assert.notEqual(out, pcm, 'a copy');
      assert.ok(out.equals(pcm), `${JSON.stringify(filters)}: frame ${k} changed`);
    }
    // A TypedArray is taken as its bytes.
    const view = new Int16Array(pcm.buffer.slice(pcm.byteOffset, pcm.byteOffset + pcm.length));
    assert.ok(chain.process(view).equals(pcm), 'Int16Array input');
  }
  const f32 = new FilterChain({ format: 'f32le' });
  const x = Float32Array.from({ length: FRAME * 2 }, (_, i) => Math.sin(i) * (i % 7 === 0 ? 1 : 0.3));
  const out = f32.process(x);
  assert.ok(out.equals(Buffer.from(x.buffer)), 'f32 untouched too');
});

test('process() filters a copy: the input is left as it was and every call returns a new Buffer (s16, f32, an odd-offset view)', () => {
  const x = signal(FRAME, 2, (i) => [sine(440, 0.5)(i), sine(660, 0.5)(i)]);
  for (const format of ['s16le', 'f32le']) {
    const pcm = encode(x, format);
    const before = Buffer.from(pcm);
    const chain = new FilterChain({ format, filters: { equalizer: [{ band: 4, gain: 0.5 }] } });
    const reference = new FilterChain({ format, filters: { equalizer: [{ band: 4, gain: 0.5 }] } });
    const a = chain.process(pcm);
    assert.ok(pcm.equals(before), `${format}: input untouched`);
    assert.ok(!a.equals(pcm), `${format}: the filter ran`);
    // The same bytes at an odd offset (not float-aligned) give the same output.
    const odd = Buffer.alloc(pcm.length + 1).subarray(1);
    pcm.copy(odd);
    const b = chain.process(odd);
    assert.notEqual(b.buffer === a.buffer && b.byteOffset === a.byteOffset, true, 'a new Buffer each call');
    reference.process(pcm);
    assert.ok(b.equals(reference.process(pcm)), `${format}: an odd-offset view filters alike`);
  }
});

test('switching every filter off: one frame fades out, then the output is bit-identical again', () => {
  const chain = new FilterChain({ filters: { volume: 0.7, tremolo: {}, highPass: {} } });
  assert.equal(chain.active, true);
  const x = encode(signal(FRAME, 2, (i) => [sine(440, 0.3)(i), sine(660, 0.3)(i)]), 's16le');
  assert.ok(!chain.process(x).equals(x));
  chain.setFilters({});
  assert.deepEqual(chain.filters, {});
  const fading = chain.process(x);
  assert.ok(!fading.equals(x), 'the switch-off frame crossfades');
  assert.equal(chain.active, false);
  assert.ok(chain.process(x).equals(x), 'the next frame is untouched');
});

// --- 9. setFilters mid-stream: no clicks ----------------------------------------------------

/** `frames` 20 ms frames of a stereo 200 Hz sine through `chain`, `change(f)` called before frame f. */
function sineThrough(chain, frames, change) {
  const x = signal(frames * FRAME, 2, (i) => [sine(200, 0.3)(i), sine(200, 0.3, 0.7)(i)]);
  const out = new Float32Array(x.length);
  for (let f = 0; f < frames; f++) {
    change(f);
    const slice = x.subarray(f * FRAME * 2, (f + 1) * FRAME * 2);
    out.set(decode(chain.process(encode(slice, chain.format)), chain.format), f * FRAME * 2);
  }
  return out;
}

/**
 * Sample-to-sample steps of stereo `out`: the largest at frame boundaries and inside frames, and
 * the worst boundary step measured against its own neighbours (the steps just before and after):
 * a click is a boundary step larger than the slope around it, wherever the signal is.
 */
function steps(out) {
  const step = (i, c) => Math.abs(out[2 * i + c] - out[2 * (i - 1) + c]);
  let inside = 0;
  let boundary = 0;
  let where = -1;
  let local = 0;
  let localWhere = -1;
  for (let i = 1; i < out.length / 2; i++) {
    for (const c of [0, 1]) {
      if (i % FRAME !== 0) {
        inside = Math.max(inside, step(i, c));
        continue;
      }
      if (step(i, c) > boundary) [boundary, where] = [step(i, c), i / FRAME];
      if (i + 1 < out.length / 2) {
        // Excess over 5 % more than the larger neighbour, in absolute terms.
        const excess = step(i, c) - 1.05 * Math.max(step(i - 1, c), step(i + 1, c));
        if (excess > local) [local, localWhere] = [excess, i / FRAME];
      }
    }
  }
  return { inside, boundary, where, local, localWhere };
}

for (const format of ['f32le', 's16le']) {
  test(`setFilters every frame (${format}): no step at frame boundaries larger than the largest inside frames`, (t) => {
    let s = 12345;
    const rnd = () => {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      return s / 4294967296;
    };
    // Filters switched on and off, and their gains, depths, mixes and speeds changed, every frame.
    const presets = [
      () => ({ volume: 0.2 + 1.2 * rnd() }),
      () => ({ equalizer: [{ band: 4, gain: rnd() - 0.25 }, { band: 5, gain: rnd() - 0.25 }, { band: 8, gain: 0.5 * rnd() }] }),
      () => ({ tremolo: { frequency: 1 + 9 * rnd(), depth: 0.1 + 0.9 * rnd() } }),
      () => ({ lowPass: { smoothing: 10 } }),
      () => ({ highPass: { cutoffHz: 150 } }),
      () => ({ karaoke: { level: rnd(), monoLevel: rnd() } }),
      () => ({ rotation: { rotationHz: 4 * rnd() - 2 } }),
      () => ({ channelMix: { leftToLeft: rnd(), leftToRight: rnd(), rightToLeft: rnd(), rightToRight: rnd() } }),
      () => ({ vibrato: { frequency: 1 + 10 * rnd(), depth: rnd() * 0.9 + 0.1 } }),
      () => ({ distortion: { scale: 0.5 + rnd() } }),
    ];
    const chain = new FilterChain({ format });
    let changes = 0;
    const out = sineThrough(chain, 150, (f) => {
      if (f === 0) return;
      const filters = {};
      for (const p of presets) if (rnd() < 0.35) Object.assign(filters, p());
      chain.setFilters(filters);
      changes++;
    });
    const { inside, boundary, where, local, localWhere } = steps(out);
    t.diagnostic(`${changes} changes: largest step at a boundary ${boundary.toFixed(5)}, inside ${inside.toFixed(5)}; ` +
      `worst boundary step over its neighbours' (+5 %) ${local.toFixed(5)}`);
    assert.ok(inside > 0.005, `the output moves: ${inside}`);
    // The sine's steepest point can fall on a boundary (it did, 0.2 % above every inside step):
    // hence 2 %. A click (a filter switched at once) is many times the slope.
    assert.ok(boundary <= 1.02 * inside, `largest boundary step ${boundary.toFixed(5)} (frame ${where}) > largest inside a frame ${inside.toFixed(5)}`);
    // The same at every boundary against the slope around it: at most 0.001 (1/8 of the input
    // sine's largest step) beyond 5 % over its larger neighbour.
    assert.ok(local <= 0.001, `boundary of frame ${localWhere}: step ${local.toFixed(5)} beyond its neighbours'`);
  });
}

test('a lowPass smoothing change (24 <-> 5) makes no transient larger than either setting\'s steady steps', () => {
    const steady = (smoothing) => steps(sineThrough(new FilterChain({ format: 'f32le', filters: { lowPass: { smoothing } } }), 10, () => {})).inside;
    const bound = Math.max(steady(24), steady(5));
    const chain = new FilterChain({ format: 'f32le', filters: { lowPass: { smoothing: 24 } } });
    const { inside, boundary } = steps(sineThrough(chain, 20, (f) => f > 0 && chain.setFilters({ lowPass: { smoothing: f % 2 ? 5 : 24 } })));
    assert.ok(Math.max(inside, boundary) <= 1.1 * bound, `largest step ${Math.max(inside, boundary).toFixed(5)}, steady ${bound.toFixed(5)}`);
  });

test('setFilters changes the filters at the next frame, not retroactively', () => {
  const chain = new FilterChain({ format: 'f32le' });
  const x = signal(FRAME, 2, () => [0.25, 0.25]);
  assert.deepEqual([...decode(chain.process(encode(x, 'f32le')), 'f32le')].slice(0, 4), [0.25, 0.25, 0.25, 0.25]);
  chain.setFilters({ volume: 0.5 });
  assert.deepEqual(chain.filters, { volume: 0.5 });
  const ramp = decode(chain.process(encode(x, 'f32le')), 'f32le');
  const g = Math.tan(0.5 * 0.79);
  assert.ok(ramp[0] > 0.249 && ramp[0] < 0.25, `the ramp starts at unity: ${ramp[0]}`);
  assert.ok(Math.abs(ramp.at(-1) - 0.25 * g) < 1e-5, `and ends at the new gain (a float sum of 960 steps): ${ramp.at(-1)}`);
  const steady = decode(chain.process(encode(x, 'f32le')), 'f32le');
  for (const v of steady) assert.ok(Math.abs(v - 0.25 * g) < 1e-6);
});

test('active answers for the filters just set, before the next process()', () => {
    // The next process() changes the samples (it ramps to the new volume), so a caller that skips
    // process() while !active would never apply them.
    const chain = new FilterChain();
    chain.setFilters({ volume: 0.5 });
    assert.equal(chain.active, true);
  });

test('a NaN sample in f32 input does not silence the chain for good', () => {
    for (const filters of [{ highPass: {} }, { lowPass: {} }, { equalizer: [{ band: 8, gain: 0.2 }] }]) {
      const chain = new FilterChain({ format: 'f32le', filters });
      const x = signal(FRAME, 2, (i) => [sine(440, 0.3)(i), sine(440, 0.3)(i)]);
      const poisoned = Float32Array.from(x);
      poisoned[200] = NaN;
      chain.process(poisoned);
      let out;
      for (let k = 0; k < 50; k++) out = decode(chain.process(encode(x, 'f32le')), 'f32le');
      assert.ok(rms(out, 2, 0, 0, FRAME) > 0.1, `${JSON.stringify(filters)}: 1 s after one NaN, RMS ${rms(out, 2, 0, 0, FRAME)}`);
    }
  });

// --- 10. processAsync and destroy ---------------------------------------------------------------

test('processAsync: 50 frames give exactly what process() gives on an identical chain, in order', async () => {
  const filters = { equalizer: [{ band: 2, gain: 0.3 }, { band: 9, gain: -0.1 }], tremolo: { frequency: 3 }, highPass: { cutoffHz: 120 }, rotation: { rotationHz: 0.5 }, volume: 0.8 };
  for (const format of ['s16le', 'f32le']) {
    const sync = new FilterChain({ format, filters });
    const async = new FilterChain({ format, filters });
    const x = music(50 * FRAME, 3);
    const inputs = Array.from({ length: 50 }, (_, k) => encode(x.subarray(k * FRAME * 2, (k + 1) * FRAME * 2), format));
    const promises = inputs.map((b) => async.processAsync(b));
    const queued = async.pending;
    assert.ok(Number.isInteger(queued) && queued >= 0 && queued <= 50, `pending ${queued}`);
    const results = await Promise.all(promises);
    assert.equal(async.pending, 0);
    for (let k = 0; k < 50; k++) {
      const want = sync.process(inputs[k]);
      assert.ok(Buffer.isBuffer(results[k]));
      assert.ok(results[k].equals(want), `${format} frame ${k} differs from process()`);
    }
    assert.ok(!results[10].equals(inputs[10]), 'the filters ran');
    sync.destroy();
    async.destroy();
  }
});

test('destroy() with frames queued rejects them with ERR_VOXPOOL_DESTROYED; no unhandled rejection', async () => {
  const unhandled = [];
  const onUnhandled = (err) => unhandled.push(err);
  process.on('unhandledRejection', onUnhandled);
  try {
    const chain = new FilterChain({ format: 'f32le', filters: { equalizer: [{ band: 5, gain: 0.5 }, { band: 10, gain: 0.2 }], vibrato: {}, karaoke: {}, highPass: {}, lowPass: {} } });
    const big = encode(music(filterConstants.MAX_FRAMES, 5), 'f32le');
    // Submitted until frames wait behind the running one: a frame takes about as long to filter
    // as to submit (0.34 against 0.23 ms here), so a plain 100 could all run before destroy().
    const promises = [];
    while (promises.length < 100 || (chain.pending < 4 && promises.length < 2000)) promises.push(chain.processAsync(big));
    const queued = chain.pending;
    chain.destroy();
    chain.destroy();  // idempotent
    const settled = await Promise.allSettled(promises);
    const firstRejected = settled.findIndex((r) => r.status === 'rejected');
    assert.ok(firstRejected >= 0, `no frame was rejected (pending was ${queued} at destroy)`);
    for (let k = 0; k < settled.length; k++) {
      const r = settled[k];
      if (k < firstRejected) {
        assert.equal(r.status, 'fulfilled');
        assert.equal(r.value.length, big.length);
        continue;
      }
      assert.equal(r.status, 'rejected', `frame ${k} settled after a rejected one but was not rejected`);
      assert.ok(r.reason instanceof VoxpoolError, `frame ${k}: ${r.reason}`);
      assert.equal(r.reason.code, 'ERR_VOXPOOL_DESTROYED');
    }
    // After destroy: process() throws, processAsync() rejects (does not throw).
    assert.throws(() => chain.process(big), (e) => e instanceof VoxpoolError && e.code === 'ERR_VOXPOOL_DESTROYED' &&
      e.message === 'The filter chain has been destroyed');
    const late = chain.processAsync(big);
    assert.ok(late instanceof Promise);
    await assert.rejects(late, (e) => e instanceof VoxpoolError && e.code === 'ERR_VOXPOOL_DESTROYED');
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(unhandled, []);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
});

// --- 11. validation ---------------------------------------------------------------------------

const filtersError = (filters) => () => new FilterChain({ filters });

test('validation: filter values, exact messages', () => {
  const cases = [
    [{ tremolo: { depth: 0 } }, RangeError, 'Expected a number above 0 and at most 1 for filters.tremolo.depth but received 0 of type number'],
    [{ tremolo: { depth: 1.01 } }, RangeError, 'Expected a number above 0 and at most 1 for filters.tremolo.depth but received 1.01 of type number'],
    [{ tremolo: { frequency: '2' } }, TypeError, 'Expected a number above 0 and at most 1000 for filters.tremolo.frequency but received "2" of type string'],
    [{ vibrato: { frequency: 15 } }, RangeError, 'Expected a number above 0 and at most 14 for filters.vibrato.frequency but received 15 of type number'],
    [{ volume: 5.5 }, RangeError, 'Expected a number between 0 and 5 for filters.volume but received 5.5 of type number'],
    [{ volume: NaN }, TypeError, 'Expected a number between 0 and 5 for filters.volume but received NaN of type number'],
    [{ highPass: { cutoffHz: 5 } }, RangeError, 'Expected a number between 10 and 20000 for filters.highPass.cutoffHz but received 5 of type number'],
    [{ channelMix: { leftToRight: -0.1 } }, RangeError, 'Expected a number between 0 and 1 for filters.channelMix.leftToRight but received -0.1 of type number'],
    [{ equalizer: [{ band: 15, gain: 0.1 }] }, RangeError, 'Expected an integer between 0 and 14 for filters.equalizer[0].band but received 15 of type number'],
    [{ equalizer: [{ band: 1, gain: 0 }, { band: 2, gain: -0.3 }] }, RangeError, 'Expected a number between -0.25 and 1 for filters.equalizer[1].gain but received -0.3 of type number'],
    [{ equalizer: { band: 1, gain: 0 } }, TypeError, 'Expected an array of { band, gain } for filters.equalizer but received [object Object] of type object'],
    [{ echo: {} }, TypeError, 'Expected one of volume, equalizer, pluginFilters, karaoke, tremolo, vibrato, timescale, rotation, distortion, channelMix, lowPass, highPass, compressor, loudness for a key of filters but received "echo" of type string'],
    [{ tremolo: 1 }, TypeError, 'Expected an object for filters.tremolo but received 1 of type number'],
    [{ timescale: { speed: 4.5 } }, RangeError, 'Expected a number between 0.25 and 4 for filters.timescale.speed but received 4.5 of type number'],
    [{ timescale: { speed: 1, pitch: 0.2 } }, RangeError, 'Expected a number between 0.25 and 4 for filters.timescale.pitch but received 0.2 of type number'],
    [{ timescale: { rate: '1' } }, TypeError, 'Expected a number between 0.25 and 4 for filters.timescale.rate but received "1" of type string'],
    [{ timescale: { speed: 0.25, rate: 0.5 } }, RangeError, 'Expected speed × rate between 0.25 and 4 for filters.timescale but received 0.125 of type number'],
    [{ timescale: { speed: 4, rate: 1.5 } }, RangeError, 'Expected speed × rate between 0.25 and 4 for filters.timescale but received 6 of type number'],
    [{ timescale: { tempo: 1 } }, TypeError, 'Expected one of speed, pitch, rate for a key of filters.timescale but received "tempo" of type string'],
    [{ volume: null }, TypeError, 'Expected a number between 0 and 5 for filters.volume but received null of type null'],
  ];
  for (const [filters, type, message] of cases) {
    assert.throws(filtersError(filters), (e) => e.constructor === type && e.message === message,
      `${JSON.stringify(filters)} -> ${type.name}: ${message}`);
    // setFilters checks the same way and leaves the filters as they were.
    const chain = new FilterChain({ filters: { volume: 0.5 } });
    assert.throws(() => chain.setFilters(filters), (e) => e.constructor === type && e.message === message);
    assert.deepEqual(chain.filters, { volume: 0.5 });
  }
  // The boundaries themselves are accepted.
  for (const filters of [{ tremolo: { depth: 1 } }, { vibrato: { frequency: 14 } }, { volume: 0 }, { volume: 5 }, { equalizer: [{ band: 14, gain: -0.25 }, { band: 0, gain: 1 }] }, { timescale: { speed: 1, pitch: 1, rate: 1 } }, { timescale: { speed: 0.25, pitch: 4, rate: 1 } }, { timescale: { speed: 2, rate: 2 } }, { pluginFilters: {} }]) {
    assert.doesNotThrow(filtersError(filters), JSON.stringify(filters));
  }
});

test('validation: chain options and process() arguments, exact messages', () => {
  assert.throws(() => new FilterChain({ sampleRate: 96000 }),
    { name: 'RangeError', message: 'Expected an integer between 8000 and 48000 for sampleRate but received 96000 of type number' });
  assert.throws(() => new FilterChain({ channels: 3 }),
    { name: 'RangeError', message: 'Expected an integer between 1 and 2 for channels but received 3 of type number' });
  assert.throws(() => new FilterChain({ format: 's24le' }),
    { name: 'RangeError', message: "Expected one of 's16le', 'f32le' for format but received \"s24le\" of type string" });
  assert.throws(() => new FilterChain({ filters: null }),
    { name: 'TypeError', message: 'Expected an object for filters but received null of type null' });
  assert.throws(() => new FilterChain({ maxQueue: 0 }),
    { name: 'RangeError', message: 'Expected an integer between 1 and 10000000 for maxQueue but received 0 of type number' });

  // Whole frames, at most MAX_FRAMES: a frame is 4 bytes for s16 stereo and for f32 mono, 8 for f32 stereo.
  const s16 = new FilterChain({ filters: { volume: 0.5 } });
  assert.equal(s16.frameBytes, 4);
  const whole = (frame) => `Expected at most ${filterConstants.MAX_FRAMES} whole frames of ${frame} bytes for pcm`;
  assert.throws(() => s16.process(Buffer.alloc(6)),
    { name: 'RangeError', message: `${whole(4)} but received Buffer(6) of type Buffer` });
  const f32mono = new FilterChain({ channels: 1, format: 'f32le' });
  assert.throws(() => f32mono.process(Buffer.alloc(6)),
    { name: 'RangeError', message: `${whole(4)} but received Buffer(6) of type Buffer` });
  const f32 = new FilterChain({ format: 'f32le' });
  assert.equal(f32.frameBytes, 8);
  assert.throws(() => f32.process(new Float32Array(3)),
    { name: 'RangeError', message: `${whole(8)} but received Float32Array(3) of type Float32Array` });
  assert.throws(() => s16.process(Buffer.alloc((filterConstants.MAX_FRAMES + 1) * 4)),
    { name: 'RangeError', message: `${whole(4)} but received Buffer(${(filterConstants.MAX_FRAMES + 1) * 4}) of type Buffer` });
  assert.equal(s16.process(Buffer.alloc(filterConstants.MAX_FRAMES * 4)).length, filterConstants.MAX_FRAMES * 4);
  assert.equal(f32.process(new Float32Array(filterConstants.MAX_FRAMES * 2)).length, filterConstants.MAX_FRAMES * 8);
  assert.equal(s16.process(Buffer.alloc(0)).length, 0);
  assert.throws(() => s16.process('pcm'),
    { name: 'TypeError', message: 'Expected a Buffer or TypedArray for pcm but received "pcm" of type string' });
  // processAsync checks its argument synchronously, like every voxpool Promise API.
  assert.throws(() => s16.processAsync(Buffer.alloc(2)),
    { name: 'RangeError', message: `${whole(4)} but received Buffer(2) of type Buffer` });
  assert.throws(() => s16.processAsync(Buffer.alloc((filterConstants.MAX_FRAMES + 1) * 4)), RangeError);
  assert.throws(() => s16.setFilters(7), { name: 'TypeError', message: 'Expected an object for filters but received 7 of type number' });
});

// --- 12. chain.filters --------------------------------------------------------------------------

test('chain.filters: the canonical Lavalink shape with defaults filled in, deeply frozen', () => {
  const chain = new FilterChain({ filters: { tremolo: {} } });
  assert.deepEqual(chain.filters, { tremolo: { frequency: 2, depth: 0.5 } });
  assert.ok(Object.isFrozen(chain.filters) && Object.isFrozen(chain.filters.tremolo));
  assert.equal(chain.active, true, 'tremolo runs whenever its object is present');

  chain.setFilters({
    volume: 0.8,
    equalizer: [{ band: 9, gain: 0.1 }, { band: 2, gain: -0.05 }, { band: 4, gain: 0 }],
    karaoke: { level: 0.5 },
    vibrato: { depth: 0.3 },
    channelMix: { leftToRight: 0.5 },
    distortion: { sinScale: 2 },
    rotation: {},
    lowPass: {},
    highPass: {},
    timescale: { speed: 1 },
    pluginFilters: { something: 1 },
  });
  const f = chain.filters;
  assert.deepEqual(f, {
    volume: 0.8,
    equalizer: [{ band: 2, gain: -0.05 }, { band: 9, gain: 0.1 }],
    karaoke: { level: 0.5, monoLevel: 1, filterBand: 220, filterWidth: 100 },
    vibrato: { frequency: 2, depth: 0.3 },
    rotation: { rotationHz: 0 },
    distortion: { sinOffset: 0, sinScale: 2, cosOffset: 0, cosScale: 1, tanOffset: 0, tanScale: 1, offset: 0, scale: 1 },
    channelMix: { leftToLeft: 1, leftToRight: 0.5, rightToLeft: 0, rightToRight: 1 },
    lowPass: { smoothing: 20 },
    highPass: { cutoffHz: 80 },
    timescale: { speed: 1, pitch: 1, rate: 1 },
  });
  assert.equal(chain.stretching, false, 'timescale at 1/1/1 makes no stretch');
  assert.ok(Object.isFrozen(f) && Object.isFrozen(f.equalizer) && Object.isFrozen(f.equalizer[0]) && Object.isFrozen(f.karaoke));
  assert.throws(() => { 'use strict'; f.volume = 1; }, TypeError);
  assert.throws(() => { f.equalizer.push({ band: 1, gain: 1 }); }, TypeError);
  // A copy: changing the object given afterwards changes nothing.
  const given = { tremolo: { depth: 0.3 } };
  chain.setFilters(given);
  given.tremolo.depth = 0.9;
  assert.deepEqual(chain.filters, { tremolo: { frequency: 2, depth: 0.3 } });
  assert.deepEqual(new FilterChain().filters, {});
  assert.equal(new FilterChain().active, false);
  assert.equal(new FilterChain({ filters: { rotation: {} } }).active, false, 'rotation 0 Hz is off');
  assert.equal(new FilterChain({ filters: { lowPass: { smoothing: 1 } } }).active, false, 'smoothing <= 1 is off');
  const c = new FilterChain({ sampleRate: 16000, channels: 1, format: 'f32le' });
  assert.deepEqual([c.sampleRate, c.channels, c.format], [16000, 1, 'f32le']);
});

// --- 13. filterConstants ------------------------------------------------------------------------

test("filterConstants: every Lavalink field with Lavalink's default, and the 15 band frequencies", () => {
  assert.deepEqual(filterConstants.EQUALIZER_FREQUENCIES, [25, 40, 63, 100, 160, 250, 400, 630, 1000, 1600, 2500, 4000, 6300, 10000, 16000]);
  assert.equal(filterConstants.EQUALIZER_BANDS, 15);
  assert.equal(filterConstants.EQUALIZER_MIN_GAIN, -0.25);
  assert.equal(filterConstants.EQUALIZER_MAX_GAIN, 1);
  assert.equal(filterConstants.MAX_FRAMES, 5760);
  assert.equal(filterConstants.MIN_SAMPLE_RATE, 8000);
  assert.equal(filterConstants.MAX_SAMPLE_RATE, 48000);
  assert.equal(filterConstants.MAX_CHANNELS, 2);
  const defaults = {
    '.volume': 1,
    'karaoke.level': 1, 'karaoke.monoLevel': 1, 'karaoke.filterBand': 220, 'karaoke.filterWidth': 100,
    'tremolo.frequency': 2, 'tremolo.depth': 0.5,
    'vibrato.frequency': 2, 'vibrato.depth': 0.5,
    'rotation.rotationHz': 0,
    'timescale.speed': 1, 'timescale.pitch': 1, 'timescale.rate': 1,
    'distortion.sinOffset': 0, 'distortion.sinScale': 1, 'distortion.cosOffset': 0, 'distortion.cosScale': 1,
    'distortion.tanOffset': 0, 'distortion.tanScale': 1, 'distortion.offset': 0, 'distortion.scale': 1,
    'channelMix.leftToLeft': 1, 'channelMix.leftToRight': 0, 'channelMix.rightToLeft': 0, 'channelMix.rightToRight': 1,
    'lowPass.smoothing': 20,
    'highPass.cutoffHz': 80,
    'compressor.thresholdDb': -18, 'compressor.ratio': 4, 'compressor.attackMs': 5, 'compressor.releaseMs': 100,
    'compressor.kneeDb': 6, 'compressor.makeupDb': 0,
    'loudness.targetLufs': -14, 'loudness.truePeakDb': -1, 'loudness.maxGainDb': 20,
  };
  const fields = Object.fromEntries(filterConstants.FIELDS.map((f) => [`${f.group}.${f.name}`, f]));
  assert.deepEqual(Object.keys(fields).sort(), Object.keys(defaults).sort());
  for (const [key, value] of Object.entries(defaults)) {
    const f = fields[key];
    assert.equal(f.default, value, key);
    assert.ok(typeof f.min === 'number' && typeof f.max === 'number' && f.min < f.max, key);
    assert.ok(f.default >= f.min && f.default <= f.max && !(f.minExclusive && f.default === f.min), `${key}: default inside its range`);
    assert.equal(typeof f.unit, 'string');
  }
  assert.deepEqual([fields['.volume'].min, fields['.volume'].max], [0, 5]);
  assert.deepEqual([fields['vibrato.frequency'].max, fields['vibrato.frequency'].minExclusive], [14, true]);
  assert.deepEqual([fields['tremolo.depth'].min, fields['tremolo.depth'].max, fields['tremolo.depth'].minExclusive], [0, 1, true]);
  assert.deepEqual(filterConstants.GROUPS.map((g) => g.name), ['karaoke', 'tremolo', 'vibrato', 'timescale', 'rotation', 'distortion', 'channelMix', 'lowPass', 'highPass', 'compressor', 'loudness']);
  assert.deepEqual([filterConstants.TIMESCALE_MIN_RATIO, filterConstants.TIMESCALE_MAX_RATIO], [0.25, 4]);
  assert.ok(Object.isFrozen(filterConstants) && Object.isFrozen(filterConstants.FIELDS) && Object.isFrozen(filterConstants.FIELDS[0]));
});

// --- 14. filters inside the codec jobs --------------------------------------------------------------

test('an Encoder with filters encodes exactly what FilterChain.process() then encode() gives, sync and async', async () => {
  const voxpool = require('../..');
  const filters = { equalizer: [{ band: 1, gain: 0.4 }], tremolo: { frequency: 5 }, volume: 0.7 };
  const x = music(20 * FRAME, 5);
  const frames = Array.from({ length: 20 }, (_, k) => encode(x.subarray(k * FRAME * 2, (k + 1) * FRAME * 2), 's16le'));
  const chain = new FilterChain({ filters });
  const plain = new voxpool.Encoder();
  const want = frames.map((f) => plain.encode(chain.process(f)));
  const sync = new voxpool.Encoder({ filters });
  const copies = frames.map((f) => Buffer.from(f));
  assert.deepEqual(frames.map((f) => sync.encode(f)), want);
  assert.deepEqual(frames, copies, 'the caller\'s frames are left as they were');
  const pooled = new voxpool.Encoder({ filters });
  assert.deepEqual(await Promise.all(frames.map((f) => pooled.encodeAsync(f))), want);
  assert.deepEqual(pooled.filters, { equalizer: [{ band: 1, gain: 0.4 }], tremolo: { frequency: 5, depth: 0.5 }, volume: 0.7 });
  // Without filters, then with them from the next frame: setFilters attaches a chain.
  const late = new voxpool.Encoder();
  assert.deepEqual(late.filters, {});
  const chain2 = new FilterChain({ filters });
  const plain2 = new voxpool.Encoder();
  assert.deepEqual(late.encode(frames[0]), plain2.encode(frames[0]));
  late.setFilters(filters);
  assert.deepEqual(late.encode(frames[1]), plain2.encode(chain2.process(frames[1])));
  for (const e of [plain, sync, pooled, late, plain2]) e.destroy();
  assert.throws(() => new voxpool.Encoder({ filters: { vibrato: { frequency: 20 } } }),
    { name: 'RangeError', message: 'Expected a number above 0 and at most 14 for filters.vibrato.frequency but received 20 of type number' });
});

test('an OpusTranscodeStream with filters runs decode → filters → encode per packet', async () => {
  const voxpool = require('../..');
  const x = music(10 * FRAME, 6);
  const enc = new voxpool.Encoder();
  const packets = Array.from({ length: 10 }, (_, k) => enc.encode(encode(x.subarray(k * FRAME * 2, (k + 1) * FRAME * 2), 's16le')));
  const filters = { karaoke: {}, lowPass: { smoothing: 4 } };
  // The reference: the same decoder, chain and encoder, one call each.
  const dec = new voxpool.Decoder();
  const chain = new FilterChain({ filters });
  const reenc = new voxpool.Encoder();
  const want = packets.map((p) => reenc.encode(chain.process(dec.decode(p))));
  const stream = voxpool.createOpusTranscodeStream({ filters });
  const got = [];
  stream.on('data', (p) => got.push(p));
  const done = new Promise((resolve) => stream.on('end', resolve));
  for (const p of packets) stream.write(p);
  stream.end();
  await done;
  assert.deepEqual(got, want);
});

test('createFilterStream gives what process() gives, whatever the chunking; a partial last frame is an error', async () => {
  const voxpool = require('../..');
  const filters = { equalizer: [{ band: 5, gain: 0.3 }], rotation: { rotationHz: 0.7 }, volume: 0.9 };
  const x = encode(music(12 * FRAME + 100, 8), 's16le');
  const chain = new FilterChain({ filters });
  const frameBytes = FRAME * 4;
  const want = [];
  for (let at = 0; at < x.length; at += frameBytes) want.push(chain.process(x.subarray(at, Math.min(at + frameBytes, x.length))));
  const stream = voxpool.createFilterStream({ filters });
  const got = [];
  stream.on('data', (c) => got.push(c));
  const done = new Promise((resolve, reject) => { stream.on('end', resolve); stream.on('error', reject); });
  for (let at = 0; at < x.length; at += 1234) stream.write(x.subarray(at, Math.min(at + 1234, x.length)));
  stream.end();
  await done;
  assert.deepEqual(Buffer.concat(got), Buffer.concat(want));
  assert.deepEqual(stream.filters, chain.filters);

  const odd = voxpool.createFilterStream();
  odd.resume();
  const failed = new Promise((resolve) => odd.on('error', resolve));
  odd.end(Buffer.alloc(frameBytes + 2));
  const err = await failed;
  assert.equal(err.name, 'RangeError');
  assert.equal(err.message, "Expected whole frames of 4 bytes for the stream's input but received Buffer(2) of type Buffer");
});

// --- 14b. timescale (libSoundTouch) ----------------------------------------------------------------

/** `x` (float stereo) through `chain.process()` 20 ms at a time, then flush(): all the output, float. */
function stretch(chain, x) {
  const step = FRAME * 2;
  const parts = [];
  for (let i = 0; i < x.length; i += step) parts.push(chain.process(encode(x.subarray(i, i + step), 's16le')));
  parts.push(chain.flush());
  return decode(Buffer.concat(parts), 's16le');
}

/** Frequency of channel 0 by rising zero crossings over frames [start, end). */
function zeroCrossingHz(x, start, end) {
  let n = 0;
  for (let i = start + 1; i < end; i++) if (x[(i - 1) * 2] < 0 && x[i * 2] >= 0) n++;
  return n / ((end - start) / RATE);
}

test('timescale speed 1.25: 0.8x the duration at the same pitch; pitch 1.25: +3.86 semitones at the same duration; rate 1.25: both', () => {
  const seconds = 4;
  const x = signal(seconds * RATE, 2, (i) => [sine(440, 0.3)(i), sine(440, 0.3)(i)]);
  const cases = [
    [{ speed: 1.25 }, 0.8, 0],
    [{ pitch: 1.25 }, 1, 12 * Math.log2(1.25)],
    [{ rate: 1.25 }, 0.8, 12 * Math.log2(1.25)],
    [{ speed: 0.8, pitch: 0.8 }, 1.25, 12 * Math.log2(0.8)],
  ];
  for (const [timescale, durationRatio, semitones] of cases) {
    const chain = new FilterChain({ filters: { timescale } });
    assert.equal(chain.stretching, true);
    const y = stretch(chain, x);
    const frames = y.length / 2;
    // SoundTouch's flush pads its last sequence with silence: within 100 ms of the exact duration.
    const exact = seconds * RATE * durationRatio;
    assert.ok(frames >= exact - 0.01 * RATE && frames <= exact + 0.1 * RATE, `${JSON.stringify(timescale)}: ${frames} frames, expected ${exact}`);
    const hz = zeroCrossingHz(y, 0.2 * RATE, exact - 0.2 * RATE);
    const got = 12 * Math.log2(hz / 440);
    assert.ok(Math.abs(got - semitones) < 0.05, `${JSON.stringify(timescale)}: ${hz.toFixed(1)} Hz = ${got.toFixed(3)} semitones, expected ${semitones.toFixed(3)}`);
  }
});

test('timescale: output runs about input / (speed x rate) per call once started, and switching it off keeps every sample (no cut)', () => {
  const chain = new FilterChain({ filters: { timescale: { speed: 2 } } });
  const x = signal(2 * RATE, 2, (i) => [sine(300, 0.3)(i), sine(300, 0.3)(i)]);
  let total = 0;
  const sizes = [];
  for (let i = 0; i < x.length; i += FRAME * 2) {
    const out = chain.process(encode(x.subarray(i, i + FRAME * 2), 's16le'));
    sizes.push(out.length / 4);
    total += out.length / 4;
  }
  // 2 s at speed 2: about 1 s out, less the stretch's start-up latency still inside.
  assert.ok(total > 0.85 * RATE && total <= RATE, `${total} frames`);
  assert.equal(sizes[0], 0, 'the first call fills the stretch');
  // Off again: it runs on at 1/1/1, so the next second comes out whole, not cut.
  chain.setFilters({});
  assert.equal(chain.stretching, true);
  let after = 0;
  for (let i = 0; i < x.length / 2; i += FRAME * 2) after += chain.process(encode(x.subarray(i, i + FRAME * 2), 's16le')).length / 4;
  after += chain.flush().length / 4;
  assert.ok(Math.abs(after - (RATE + (RATE * 2) / 2 - total)) < 0.12 * RATE, `after switching off: ${after} frames`);
  assert.equal(chain.flush().length, 0, 'nothing left');
});

test('createFilterStream with timescale keeps whole 20 ms output frames; an encoder stream makes 0.8x the packets; a bare Encoder refuses it', async () => {
  const voxpool = require('../..');
  const x = encode(signal(2 * RATE, 2, (i) => [sine(440, 0.3)(i), sine(440, 0.3)(i)]), 's16le');
  const stream = voxpool.createFilterStream({ filters: { timescale: { rate: 1.25 } } });
  const got = [];
  stream.on('data', (c) => got.push(c));
  await new Promise((resolve, reject) => { stream.on('end', resolve); stream.on('error', reject); stream.end(x); });
  for (const c of got) assert.equal(c.length % (FRAME * 4), 0, `${c.length} bytes: whole 20 ms frames`);
  const frames = Buffer.concat(got).length / 4;
  assert.ok(Math.abs(frames - 0.8 * 2 * RATE) <= 0.1 * RATE, `${frames} frames`);

  const encoderStream = voxpool.createEncoderStream({ filters: { timescale: { speed: 1.25 } } });
  const packets = [];
  encoderStream.on('data', (p) => packets.push(p));
  await new Promise((resolve, reject) => { encoderStream.on('end', resolve); encoderStream.on('error', reject); encoderStream.end(x); });
  assert.ok(Math.abs(packets.length - 80) <= 3, `${packets.length} packets for 100 frames at speed 1.25`);
  const decoder = new voxpool.Decoder();
  for (const p of packets) assert.equal(decoder.decode(p).length, FRAME * 4);

  const message = 'Expected 1 here (timescale changes the amount of audio: use it on an OpusEncoderStream, createAudioResource or a FilterChain / createFilterStream) for filters.timescale.speed but received 1.1 of type number';
  assert.throws(() => new voxpool.Encoder({ filters: { timescale: { speed: 1.1 } } }), { name: 'RangeError', message });
  const encoder = new voxpool.Encoder();
  assert.throws(() => encoder.setFilters({ timescale: { speed: 1.1 } }), { name: 'RangeError', message });
  assert.doesNotThrow(() => encoder.setFilters({ timescale: { speed: 1 } }));
});

// --- 15. beyond Lavalink: compressor, fade, crossfade -----------------------------------------------

test('compressor: a tone 12 dB over a -18 dB threshold at ratio 4 comes out 9 dB down; below it, unchanged', () => {
  for (const [peakDb, wantDb] of [[-6, -9], [-30, 0]]) {
    const chain = new FilterChain({ format: 'f32le', filters: { compressor: { thresholdDb: -18, ratio: 4, kneeDb: 0, releaseMs: 200 } } });
    const x = signal(RATE, 2, (i) => [sine(1000, 10 ** (peakDb / 20))(i), sine(1000, 10 ** (peakDb / 20))(i)]);
    const out = new Float32Array(x.length);
    for (let at = 0; at < RATE; at += FRAME) out.set(decode(chain.process(encode(x.subarray(at * 2, (at + FRAME) * 2), 'f32le')), 'f32le'), at * 2);
    const gain = db(rms(out, 2, 0, RATE / 2, RATE) / rms(x, 2, 0, RATE / 2, RATE));
    assert.ok(Math.abs(gain - wantDb) < 0.5, `peak ${peakDb} dBFS: ${gain.toFixed(2)} dB, expected ${wantDb}`);
  }
  assert.throws(() => new FilterChain({ filters: { compressor: { ratio: 0.5 } } }),
    { name: 'RangeError', message: 'Expected a number between 1 and 20 for filters.compressor.ratio but received 0.5 of type number' });
});

test('fade: to 0 over 100 ms along the s-curve by default, then silence; to 1 at once', () => {
  const chain = new FilterChain({ format: 'f32le', channels: 1 });
  chain.fade(0, { durationMs: 100 });
  const dc = new Float32Array(RATE / 5).fill(0.5);
  const out = new Float32Array(dc.length);
  for (let at = 0; at < dc.length; at += FRAME) out.set(decode(chain.process(dc.subarray(at, at + FRAME)), 'f32le'), at);
  assert.ok(Math.abs(out[2399] / 0.5 - 0.5) < 1e-3, `half way: ${out[2399]}`);
  assert.ok(Math.abs(out[1199] / 0.5 - (0.5 + 0.5 * Math.cos(Math.PI / 4))) < 1e-3, `a quarter in (s-curve): ${out[1199]}`);
  assert.ok(out.subarray(4799).every((v) => v === 0), 'silence after the fade');
  chain.fade(1);
  assert.equal(decode(chain.process(dc.subarray(0, 10)), 'f32le')[0], 0.5);
  assert.throws(() => chain.fade(2), { name: 'RangeError', message: 'Expected a number between 0 and 1 for to but received 2 of type number' });
  assert.throws(() => chain.fade(0, { curve: 'log' }), { name: 'RangeError' });
});

test('an Encoder fades its input in its own encode jobs', async () => {
  const voxpool = require('../..');
  const x = music(10 * FRAME, 9);
  const frames = Array.from({ length: 10 }, (_, k) => encode(x.subarray(k * FRAME * 2, (k + 1) * FRAME * 2), 's16le'));
  const chain = new FilterChain();
  chain.fade(0.25, { durationMs: 100, curve: 'linear' });
  const plain = new voxpool.Encoder();
  const want = frames.map((f) => plain.encode(chain.process(f)));
  const faded = new voxpool.Encoder();
  faded.fade(0.25, { durationMs: 100, curve: 'linear' });
  assert.deepEqual(await Promise.all(frames.map((f) => faded.encodeAsync(f))), want);
});

test('Crossfade: equal power keeps two uncorrelated tracks within ±1 dB; then the incoming one alone', () => {
  const voxpool = require('../..');
  const xf = new voxpool.Crossfade({ format: 'f32le', durationMs: 500 });
  const a = signal(RATE, 2, (i) => [sine(440, 0.3)(i), sine(440, 0.3)(i)]);
  const b = signal(RATE, 2, (i) => [sine(1234, 0.3)(i), sine(1234, 0.3)(i)]);
  const ref = rms(a, 2, 0, 0, RATE);
  for (let k = 0; k < 50; k++) {
    const out = decode(xf.process(a.subarray(k * FRAME * 2, (k + 1) * FRAME * 2), b.subarray(k * FRAME * 2, (k + 1) * FRAME * 2)), 'f32le');
    const level = db(rms(out, 2, 0, 0, FRAME) / ref);
    assert.ok(Math.abs(level) <= 1, `frame ${k}: ${level.toFixed(2)} dB`);
    if (k >= 25) assert.deepEqual(out, b.subarray(k * FRAME * 2, (k + 1) * FRAME * 2));
  }
  assert.equal(xf.done, true);
  assert.equal(xf.progress, 1);
  // Linear keeps the amplitude of the same material: a crossfade of a track into itself is the track.
  const lin = new voxpool.Crossfade({ format: 'f32le', durationMs: 20, curve: 'linear' });
  const same = a.subarray(0, FRAME * 2);
  const out = decode(lin.process(same, same), 'f32le');
  for (let i = 0; i < out.length; i++) assert.ok(Math.abs(out[i] - same[i]) < 1e-6);
  assert.throws(() => xf.process(Buffer.alloc(8), Buffer.alloc(4)),
    { name: 'RangeError', message: 'Expected 8 bytes (as many as outgoing) for incoming but received Buffer(4) of type Buffer' });
});

// --- 16. loudness normalization, measured by ffmpeg's own EBU R128 meter -------------------------

/** ffmpeg's EBU R128 meter (`-af ebur128=peak=true`) on stereo 48 kHz float `x`: its summary's
 * integrated loudness (LUFS) and true peak (dBTP), both printed to 0.1. */
function ffmpegLoudness(x) {
  const r = spawnSync('ffmpeg', ['-hide_banner', '-nostats', '-f', 'f32le', '-ar', String(RATE), '-ac', '2', '-i', 'pipe:0',
    '-af', 'ebur128=peak=true', '-f', 'null', '-'], { input: encode(x, 'f32le'), maxBuffer: 1 << 28 });
  assert.equal(r.error, undefined, `ffmpeg could not run (apt-get install ffmpeg): ${r.error}`);
  assert.equal(r.status, 0, `ffmpeg -af ebur128: ${r.stderr}`);
  const summary = r.stderr.toString().split('Summary:').pop();
  const i = /I:\s+(-?[\d.]+) LUFS/.exec(summary);
  const peak = /True peak:\s+Peak:\s+(-?[\d.]+) dBFS/.exec(summary);
  assert.ok(i && peak, `ffmpeg's ebur128 summary: ${summary}`);
  return { lufs: Number(i[1]), peakDb: Number(peak[1]) };
}

/** Stereo 48 kHz float audio that ffmpeg decodes or generates from `input` (its -i arguments). */
function ffmpegAudio(input) {
  const r = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', ...input, '-f', 'f32le', '-ar', String(RATE), '-ac', '2', 'pipe:1'],
    { maxBuffer: 1 << 28 });
  assert.equal(r.error, undefined, `ffmpeg could not run (apt-get install ffmpeg): ${r.error}`);
  assert.equal(r.status, 0, `ffmpeg ${input.join(' ')}: ${r.stderr}`);
  return decode(r.stdout, 'f32le');
}

/** `x` scaled to `lufs` as ffmpeg measures it. */
function atLoudness(x, lufs) {
  const k = 10 ** ((lufs - ffmpegLoudness(x).lufs) / 20);
  return x.map((v) => v * k);
}

// Speech from espeak-ng (about 40 s at 22.05 kHz mono, resampled and doubled to stereo by ffmpeg).
function speech() {
  const fs = require('node:fs');
  const os = require('node:os');
  const path = require('node:path');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'voxpool-loudness-'));
  const wav = path.join(dir, 'speech.wav');
  try {
    const text = 'A voice bot reads what people type, and the people listening should never have to reach for the volume. ' +
      'Some messages are short. Others go on for a while, with numbers like four hundred and twelve, names, and questions? ' +
      'Loudness normalization measures the programme the way a listener hears it, with the K weighting of the broadcast standard, ' +
      'and moves one gain, slowly, so that a quiet speaker and a loud one end up at the same level. ' +
      'Pauses between sentences do not count, and a peak is never pushed over the ceiling. ' +
      'This paragraph is long enough to give the meter half a minute of speech after the gain has settled.';
    // espeak-ng is a test tool the setup scripts install; without it, fail.
    // Not under the sanitizer build's LD_PRELOAD (scripts/js-sanitize.sh): espeak-ng with ASan's
    // runtime preloaded hangs.
    const env = { ...process.env };
    delete env.LD_PRELOAD;
    const r = spawnSync('espeak-ng', ['-w', wav, text], { env, timeout: 60000 });
    assert.equal(r.error, undefined, `espeak-ng could not run (apt-get install espeak-ng): ${r.error}`);
    assert.equal(r.status, 0, `espeak-ng: ${r.stderr}`);
    return ffmpegAudio(['-i', wav]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// Music-like: a chord with a slowly swelling root, a tremolo voice and a little pink noise.
function musicLike() {
  const left = '0.25*sin(2*PI*220*t)*(0.6+0.4*sin(2*PI*0.5*t))+0.15*sin(2*PI*330*t)+0.1*sin(2*PI*440*t+1)*(0.5+0.5*sin(2*PI*3*t))+0.04*sin(2*PI*1760*t)';
  const right = '0.25*sin(2*PI*220*t+0.3)*(0.6+0.4*sin(2*PI*0.5*t))+0.15*sin(2*PI*277*t)+0.1*sin(2*PI*554*t)*(0.5+0.5*sin(2*PI*2*t))+0.04*sin(2*PI*2217*t)';
  return ffmpegAudio(['-f', 'lavfi', '-i', `aevalsrc=exprs='${left}|${right}':s=${RATE}:d=40`,
    '-f', 'lavfi', '-i', `anoisesrc=color=pink:a=0.03:d=40:r=${RATE}:seed=3`, '-filter_complex', '[0][1]amix=inputs=2:normalize=0']);
}

// The gain comes up at most 6 dB/s and its 10 s window fills first: the first 10 s of output are
// the approach and are left out of the measurement.
const SETTLED = 10 * RATE * 2;

for (const [name, make, target, levels] of [
  ['music-like (ffmpeg aevalsrc + pink noise)', musicLike, -14, [-32, -8]],
  // Speech peaks stand ~17 dB above its loudness (stereo): under a -1 dBTP ceiling it can reach
  // -18 LUFS at most, so it is normalized to EBU R128's broadcast level.
  ['speech (espeak-ng)', speech, -23, [-38, -16]],
]) {
  test(`loudness: ${name} at ${levels.join(' and ')} LUFS comes out at ${target} LUFS ±0.5 LU by ffmpeg's ebur128, true peak <= -1 dBTP`, (t) => {
    const source = make();
    for (const level of levels) {
      const x = atLoudness(source, level);
      const before = ffmpegLoudness(x.subarray(SETTLED));
      assert.ok(Math.abs(before.lufs - level) <= 1, `input at ${before.lufs} LUFS, meant ${level}`);
      const out = run(new FilterChain({ format: 'f32le', filters: { loudness: { targetLufs: target } } }), x);
      const after = ffmpegLoudness(out.subarray(SETTLED));
      t.diagnostic(`${name}: ${before.lufs} LUFS (peak ${before.peakDb} dBTP) -> ${after.lufs} LUFS (peak ${after.peakDb} dBTP)`);
      assert.ok(Math.abs(after.lufs - target) <= 0.5, `${level} LUFS in: ${after.lufs} LUFS out, target ${target}`);
      assert.ok(ffmpegLoudness(out).peakDb <= -1, `true peak of the whole output (from the first frame): ${ffmpegLoudness(out).peakDb} dBTP`);
    }
  });
}

test('loudness: the ceiling wins over the target (espeak-ng speech at -14 LUFS stays at or under -1 dBTP, quieter than -14)', (t) => {
  const x = atLoudness(speech(), -30);
  const out = run(new FilterChain({ format: 'f32le', filters: { loudness: { targetLufs: -14, truePeakDb: -1 } } }), x);
  const all = ffmpegLoudness(out);
  const settled = ffmpegLoudness(out.subarray(SETTLED));
  t.diagnostic(`speech at -14: ${settled.lufs} LUFS, true peak ${all.peakDb} dBTP`);
  assert.ok(all.peakDb <= -1, `true peak ${all.peakDb} dBTP`);
  assert.ok(settled.lufs < -15, `${settled.lufs} LUFS: the gain stopped at the ceiling`);
  assert.ok(settled.lufs > -30 + 5, `${settled.lufs} LUFS: still raised from -30`);
});

test('loudness: settings, defaults, setFilters from off to on, exact range messages', () => {
  const chain = new FilterChain({ format: 'f32le' });
  assert.equal(chain.active, false);
  chain.setFilters({ loudness: {} });
  assert.deepEqual(chain.filters, { loudness: { targetLufs: -14, truePeakDb: -1, maxGainDb: 20 } });
  assert.equal(chain.active, true, 'loudness runs whenever its object is present');
  chain.process(new Float32Array(FRAME * 2));
  for (const [filters, message] of [
    [{ loudness: { targetLufs: 5 } }, 'Expected a number between -70 and -5 for filters.loudness.targetLufs but received 5 of type number'],
    [{ loudness: { truePeakDb: 1 } }, 'Expected a number between -20 and 0 for filters.loudness.truePeakDb but received 1 of type number'],
    [{ loudness: { maxGainDb: 41 } }, 'Expected a number between 0 and 40 for filters.loudness.maxGainDb but received 41 of type number'],
  ]) {
    assert.throws(filtersError(filters), { name: 'RangeError', message });
    assert.throws(() => chain.setFilters(filters), { name: 'RangeError', message });
  }
  assert.throws(filtersError({ loudness: { target: -14 } }),
    { name: 'TypeError', message: 'Expected one of targetLufs, truePeakDb, maxGainDb for a key of filters.loudness but received "target" of type string' });
});
