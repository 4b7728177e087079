'use strict';
// The test signal: one sine per channel, at frequencies that are not whole cycles per 20 ms
// frame (441 Hz is 8.82 cycles), so a dropped, repeated or silence-filled frame shifts the phase
// and shows up against one sine fitted over the whole track.

/** @typedef {{ sampleRate: number, frequencies: number[], amplitude: number }} Signal */

/** @type {Signal} */
const SINE = Object.freeze({ sampleRate: 48000, frequencies: Object.freeze([441, 689]), amplitude: 0.5 });

/**
 * Interleaved s16le samples [offset, offset + samples) of `signal`.
 * @param {Signal} signal
 * @returns {Buffer}
 */
function sinePcm(signal, offset, samples) {
  const { sampleRate, frequencies, amplitude } = signal;
  const channels = frequencies.length;
  const out = Buffer.alloc(samples * channels * 2);
  for (let i = 0; i < samples; i++) {
    for (let c = 0; c < channels; c++) {
      const v = amplitude * Math.sin((2 * Math.PI * frequencies[c] * (offset + i)) / sampleRate);
      out.writeInt16LE(Math.round(v * 32767), (i * channels + c) * 2);
    }
  }
  return out;
}

/** Tracks made so far, by signal and duration: one per process however many guilds play it. */
const tracks = new Map();

/**
 * `durationMs` of `signal` in 20 ms chunks, each its own copy. The whole track is made on the
 * first call, not as chunks are read: made per chunk it was 40 % of the voice client's
 * main-thread time while playing (measured with --cpu-prof), time that is the test's, not the
 * pipeline's under test, and that delayed the players' sends on a loaded machine.
 * @param {Signal} signal
 * @param {number} durationMs a multiple of 20
 */
function sineChunks(signal, durationMs) {
  const frame = signal.sampleRate / 50;
  const frames = durationMs / 20;
  const key = JSON.stringify([signal, durationMs]);
  if (!tracks.has(key)) tracks.set(key, sinePcm(signal, 0, frames * frame));
  const track = tracks.get(key);
  const bytes = frame * signal.frequencies.length * 2;
  return (function* chunks() {
    for (let k = 0; k < frames; k++) yield Buffer.from(track.subarray(k * bytes, (k + 1) * bytes));
  })();
}

module.exports = { SINE, sinePcm, sineChunks };
