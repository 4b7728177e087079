'use strict';
// Test material: real speech, so the gateway's voice activity detection and utterance segmenter
// run on what they run on in production, not on tones. Sentences are spoken by Debian's espeak-ng
// (22.05 kHz WAV, read by sox into raw samples), resampled by voxpool's Resampler to 16 kHz (what
// devices send) and 24 kHz (what the default TTS returns), and cut to where the speech is, so a
// device script knows to the sample where each sentence starts and ends. Everything is made once
// per process, in memory.
const { spawnSync } = require('node:child_process');
const { Resampler } = require('../..');

const DEVICE_RATE = 16000;
const REPLY_RATE = 24000;
// Background noise: uniform white noise of this peak, about -45 dBFS rms (a quiet room through a
// device's microphone). Much quieter and the segmenter hears espeak-ng's faint word tails above
// the floor (ends up to 130 ms after the speech bounds below); at this level they are within 50 ms.
const NOISE_PEAK = 320;

/** What the simulated devices say: short voice-assistant requests, 1.5-2.5 s each. */
const SENTENCES = Object.freeze([
  'Turn on the kitchen lights please.',
  'What is the weather like tomorrow?',
  'Play some music in the living room.',
  'Set a timer for ten minutes.',
]);

/** What the default TTS answers with. */
const REPLIES = Object.freeze([
  'Sure, the lights are on.',
  'Tomorrow will be sunny.',
  'Playing music now.',
  'Your timer is set.',
]);

// espeak-ng's own rate for its English voices; sox converts its WAV to raw samples at this rate.
const ESPEAK_RATE = 22050;

/**
 * Mono s16 from one rate to another through voxpool's Resampler, at most a second per call (its
 * limit), then the held tail.
 * @param {Int16Array} samples
 */
function resample(samples, inputRate, outputRate) {
  const r = new Resampler({ inputRate, outputRate, channels: 1 });
  try {
    const parts = [];
    const bytes = Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
    for (let at = 0; at < bytes.length; at += inputRate * 2) parts.push(r.process(bytes.subarray(at, at + inputRate * 2)));
    parts.push(r.flush());
    const out = Buffer.concat(parts);
    return new Int16Array(out.buffer, out.byteOffset, out.length / 2);
  } finally {
    r.destroy();
  }
}

/**
 * [first, last) sample of the speech: the 5 ms windows whose peak is within 35 dB of the clip's,
 * so espeak-ng's leading and trailing silence and its faintest tails are not counted as speech.
 */
function speechBounds(x, rate) {
  const win = rate / 200;
  let peak = 0;
  for (const v of x) peak = Math.max(peak, Math.abs(v));
  const threshold = peak * 10 ** (-35 / 20);
  let first = -1;
  let last = -1;
  for (let i = 0; i + win <= x.length; i += win) {
    let m = 0;
    for (let k = 0; k < win; k++) m = Math.max(m, Math.abs(x[i + k]));
    if (m > threshold) {
      if (first < 0) first = i;
      last = i + win;
    }
  }
  return [first, last];
}

const spoken = new Map();  // `${text}@${rate}` -> Int16Array
/**
 * `text` spoken by espeak-ng (English, 160 words a minute) at `rate`, cut to the speech.
 * @param {string} text
 * @param {number} rate 16000 or 24000
 * @returns {Int16Array}
 */
function speak(text, rate) {
  const key = `${text}@${rate}`;
  let x = spoken.get(key);
  if (x) return x;
  // A sanitizer build's LD_PRELOAD hangs espeak-ng (see test/js/speech.test.js).
  const env = { ...process.env };
  delete env.LD_PRELOAD;
  const run = (cmd, args, input) => {
    const r = spawnSync(cmd, args, { env, input, timeout: 60000, maxBuffer: 64 << 20 });
    if (r.error || r.status !== 0) {
      throw new Error(`${cmd} could not run (apt-get install espeak-ng sox): ${r.error ? r.error.message : r.stderr}`);
    }
    return r.stdout;
  };
  const wav = run('espeak-ng', ['-v', 'en', '-s', '160', '--stdout', text]);
  // sox reads the WAV; raw s16le mono comes out, aligned for an Int16Array view.
  const raw = Buffer.from(run('sox', ['-t', 'wav', '-', '-t', 'raw', '-e', 'signed-integer', '-b', '16', '-c', '1', '-r', String(ESPEAK_RATE), '-'], wav));
  const samples = new Int16Array(raw.buffer, raw.byteOffset, raw.length >> 1);
  const all = resample(samples, ESPEAK_RATE, rate);
  const [a, b] = speechBounds(all, rate);
  x = all.slice(a, b);
  spoken.set(key, x);
  return x;
}

/** A seeded uniform generator (xorshift32): every run hears the same noise. */
function random(seed) {
  let s = (seed >>> 0) || 0x9e3779b9;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 0x100000000;
  };
}

const scripts = new Map();
/**
 * What one simulated device says: `leadMs` of background noise, then sentences (SENTENCES from
 * index `first` on, round robin) each followed by `gapMs` of noise, for at most `seconds` (a
 * sentence that would not finish with its gap is left out). Speech starts on a 20 ms frame edge,
 * so frame k is [20k, 20k + 20) ms. White noise (NOISE_PEAK) runs under everything: the
 * segmenter measures its floor between utterances, as it would a room's.
 * @param {{ seconds: number, first?: number, leadMs?: number, gapMs?: number }} options
 * @returns {{ pcm: Int16Array, sentences: Array<{ text: string, startMs: number, endMs: number }>, durationMs: number }}
 *   16 kHz mono; startMs/endMs: where each sentence's speech is (truth for the tests)
 */
function deviceScript({ seconds, first = 0, leadMs = 1000, gapMs = 3000 }) {
  const key = `${seconds}/${first}/${leadMs}/${gapMs}`;
  let script = scripts.get(key);
  if (script) return script;
  const perMs = DEVICE_RATE / 1000;
  const total = Math.round(seconds * 1000) * perMs;
  const pcm = new Int16Array(total);
  const rand = random(0x5eed + first);
  for (let i = 0; i < total; i++) pcm[i] = Math.round((rand() - 0.5) * 2 * NOISE_PEAK);
  const sentences = [];
  let at = leadMs * perMs;
  for (let k = first; ; k++) {
    const text = SENTENCES[k % SENTENCES.length];
    const x = speak(text, DEVICE_RATE);
    if (at + x.length + gapMs * perMs > total) break;
    for (let i = 0; i < x.length; i++) pcm[at + i] = Math.max(-32768, Math.min(32767, pcm[at + i] + x[i]));
    sentences.push({ text, startMs: at / perMs, endMs: (at + x.length) / perMs });
    // The next sentence starts on a frame edge after the gap.
    at = Math.ceil((at + x.length + gapMs * perMs) / (perMs * 20)) * perMs * 20;
  }
  script = Object.freeze({ pcm, sentences: Object.freeze(sentences), durationMs: seconds * 1000 });
  scripts.set(key, script);
  return script;
}

/**
 * A reply clip at 24 kHz mono for `text`: one of REPLIES, picked by a hash of the text (the
 * default TTS: a real one would speak the text).
 * @param {string} text
 * @returns {Int16Array}
 */
function replyClip(text) {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (h * 31 + text.charCodeAt(i)) >>> 0;
  return speak(REPLIES[h % REPLIES.length], REPLY_RATE);
}

module.exports = { DEVICE_RATE, REPLY_RATE, SENTENCES, REPLIES, resample, speak, deviceScript, replyClip, random };
