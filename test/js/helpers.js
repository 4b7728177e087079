'use strict';
// Shared test helpers: deterministic test signals and an SNR measure.

/** Interleaved s16le: a sum of sines (<= 3 kHz) per channel, `samples` per channel. */
function sineMix(sampleRate, channels, samples, offset = 0) {
  const buf = Buffer.alloc(samples * channels * 2);
  for (let i = 0; i < samples; i++) {
    const t = (i + offset) / sampleRate;
    for (let c = 0; c < channels; c++) {
      const v = 0.3 * Math.sin(2 * Math.PI * (440 + 110 * c) * t) + 0.2 * Math.sin(2 * Math.PI * 660 * t) + 0.1 * Math.sin(2 * Math.PI * 1500 * t);
      buf.writeInt16LE(Math.round(v * 32767), (i * channels + c) * 2);
    }
  }
  return buf;
}

/** Consecutive frames of sineMix. */
function frames(sampleRate, channels, frameSize, count) {
  return Array.from({ length: count }, (_, k) => sineMix(sampleRate, channels, frameSize, k * frameSize));
}

/**
 * Best SNR (dB) of `output` against `input` (both s16le) over delays 0..maxDelay samples per
 * channel: Opus adds a fixed lookahead delay, so compare at the best alignment.
 */
function snr(input, output, channels, maxDelay = 1000) {
  const a = new Int16Array(input.buffer, input.byteOffset, input.length / 2);
  const b = new Int16Array(output.buffer, output.byteOffset, output.length / 2);
  let best = -Infinity;
  for (let d = 0; d <= maxDelay; d++) {
    let sig = 0;
    let noise = 0;
    const start = d * channels;
    for (let i = start + 2000 * channels; i < Math.min(a.length, b.length); i++) {
      const x = a[i - start];
      sig += x * x;
      const e = b[i] - x;
      noise += e * e;
    }
    if (sig === 0) continue;
    const v = 10 * Math.log10(sig / Math.max(noise, 1));
    if (v > best) best = v;
  }
  return best;
}

module.exports = { sineMix, frames, snr };
