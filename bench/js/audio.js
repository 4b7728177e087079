'use strict';
/**
 * Deterministic, music-like test audio for the benchmarks: 48 kHz stereo s16le, cut into 20 ms
 * frames of 3840 bytes. A chord pad (I–V–vi–IV at 120 bpm), a pentatonic melody, a kick, a
 * snare and hi-hats whose notes and velocities come from a seeded PRNG, so every run and every
 * contender encodes exactly the same samples. No files, no network.
 *
 * Opus cost depends on the signal (silence and pure tones are much cheaper than music), which is
 * why the benchmarks do not use zeros or a sine.
 */

const SAMPLE_RATE = 48000;
const CHANNELS = 2;
const FRAME_MS = 20;
const FRAME_SAMPLES = (SAMPLE_RATE * FRAME_MS) / 1000; // 960 per channel
const FRAME_BYTES = FRAME_SAMPLES * CHANNELS * 2; // 3840

/** mulberry32: tiny seeded PRNG returning floats in [0, 1). */
function prng(seed) {
  let a = seed >>> 0;
  return function next() {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const midiHz = (n) => 440 * 2 ** ((n - 69) / 12);

const CHORDS = [
  [48, 52, 55, 60], // C
  [43, 50, 55, 59], // G
  [45, 52, 57, 60], // Am
  [41, 48, 53, 57], // F
];
const PENTATONIC = [72, 74, 76, 79, 81, 84, 86, 88];

/**
 * Generates `seconds` of interleaved s16le stereo PCM at 48 kHz.
 * @param {{seconds?: number, seed?: number}} [options]
 * @returns {Buffer}
 */
function generatePcm({ seconds = 10, seed = 1 } = {}) {
  const rand = prng(seed);
  const total = Math.round(seconds * SAMPLE_RATE);
  const left = new Float32Array(total);
  const right = new Float32Array(total);
  const beat = SAMPLE_RATE / 2; // 120 bpm
  const eighth = beat / 2;
  const TWO_PI = 2 * Math.PI;

  // Pad: four voices per chord, three harmonics each, L/R slightly detuned for width.
  for (let start = 0, c = 0; start < total; start += beat * 4, c++) {
    const chord = CHORDS[c % CHORDS.length];
    const end = Math.min(total, start + beat * 4);
    for (const note of chord) {
      const f = midiHz(note);
      for (let h = 1; h <= 3; h++) {
        const wl = (TWO_PI * f * h * 1.0007) / SAMPLE_RATE;
        const wr = (TWO_PI * f * h * 0.9993) / SAMPLE_RATE;
        const amp = 0.035 / h;
        for (let i = start; i < end; i++) {
          const k = i - start;
          const env = Math.min(1, k / 2400) * Math.min(1, (end - i) / 2400);
          left[i] += amp * env * Math.sin(wl * i);
          right[i] += amp * env * Math.sin(wr * i + 0.3 * h);
        }
      }
    }
  }

  // Melody: one pentatonic note per eighth (sometimes a rest), plucked envelope, panned by note.
  for (let start = 0; start < total; start += eighth) {
    if (rand() < 0.2) continue;
    const note = PENTATONIC[Math.floor(rand() * PENTATONIC.length)];
    const w = (TWO_PI * midiHz(note)) / SAMPLE_RATE;
    const vel = 0.12 + 0.08 * rand();
    const pan = (note - 80) / 16;
    const end = Math.min(total, start + eighth * 1.8);
    for (let i = start; i < end; i++) {
      const k = i - start;
      const env = vel * Math.min(1, k / 96) * Math.exp(-k / 6000);
      const s = env * (Math.sin(w * k) + 0.3 * Math.sin(2 * w * k) + 0.1 * Math.sin(3 * w * k));
      left[i] += s * (0.5 - pan * 0.4);
      right[i] += s * (0.5 + pan * 0.4);
    }
  }

  // Percussion: kick on beats 1 and 3, snare on 2 and 4, hi-hats on every eighth.
  for (let start = 0, b = 0; start < total; start += beat, b++) {
    const kick = b % 2 === 0;
    const end = Math.min(total, start + (kick ? 9600 : 7200));
    let phase = 0;
    for (let i = start; i < end; i++) {
      const k = i - start;
      if (kick) {
        const f = 45 + 75 * Math.exp(-k / 1500);
        phase += (TWO_PI * f) / SAMPLE_RATE;
        const s = 0.45 * Math.exp(-k / 4000) * Math.sin(phase);
        left[i] += s;
        right[i] += s;
      } else {
        const env = Math.exp(-k / 2400);
        const tone = 0.1 * Math.sin((TWO_PI * 185 * k) / SAMPLE_RATE);
        left[i] += env * (0.22 * (rand() * 2 - 1) + tone);
        right[i] += env * (0.22 * (rand() * 2 - 1) + tone);
      }
    }
  }
  for (let start = 0; start < total; start += eighth) {
    const vel = 0.04 + 0.06 * rand();
    const end = Math.min(total, start + 1800);
    let prevL = 0;
    let prevR = 0;
    for (let i = start; i < end; i++) {
      const env = vel * Math.exp(-(i - start) / 400);
      const nl = rand() * 2 - 1;
      const nr = rand() * 2 - 1;
      left[i] += env * (nl - prevL); // first difference: crude high-pass
      right[i] += env * (nr - prevR);
      prevL = nl;
      prevR = nr;
    }
  }

  const out = Buffer.alloc(total * CHANNELS * 2);
  for (let i = 0; i < total; i++) {
    out.writeInt16LE(Math.round(Math.tanh(left[i]) * 26000), i * 4);
    out.writeInt16LE(Math.round(Math.tanh(right[i]) * 26000), i * 4 + 2);
  }
  return out;
}

const cache = new Map();

/**
 * The generated audio cut into 20 ms frames. Each frame is its own Buffer with its own
 * ArrayBuffer (not a slice of a pool), so posting one to a worker copies 3840 bytes, not more.
 * The result is cached per (seconds, seed); treat the frames as read-only.
 * @param {{seconds?: number, seed?: number}} [options]
 * @returns {Buffer[]}
 */
function frames({ seconds = 10, seed = 1 } = {}) {
  const key = `${seconds}:${seed}`;
  if (!cache.has(key)) {
    const pcm = generatePcm({ seconds, seed });
    const list = [];
    for (let off = 0; off + FRAME_BYTES <= pcm.length; off += FRAME_BYTES) {
      const f = Buffer.alloc(FRAME_BYTES);
      pcm.copy(f, 0, off, off + FRAME_BYTES);
      list.push(f);
    }
    cache.set(key, list);
  }
  return cache.get(key);
}

module.exports = {
  SAMPLE_RATE,
  CHANNELS,
  FRAME_MS,
  FRAME_SAMPLES,
  FRAME_BYTES,
  prng,
  generatePcm,
  frames,
};

if (require.main === module) {
  const t = process.hrtime.bigint();
  const f = frames();
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  let peak = 0;
  let sumSq = 0;
  for (const fr of f) {
    for (let i = 0; i < fr.length; i += 2) {
      const v = fr.readInt16LE(i);
      peak = Math.max(peak, Math.abs(v));
      sumSq += v * v;
    }
  }
  const rms = Math.sqrt(sumSq / (f.length * FRAME_SAMPLES * CHANNELS));
  console.log(`${f.length} frames of ${FRAME_BYTES} bytes in ${ms.toFixed(0)} ms; peak ${peak}, rms ${rms.toFixed(0)}`);
}
