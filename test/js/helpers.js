'use strict';
// Shared test helpers: deterministic test signals, an SNR measure, and packets as a Discord
// client sends them.
const { setTimeout: sleep } = require('node:timers/promises');

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

// --- receive: packets as a Discord client sends them ------------------------------------------

/** The key the receive tests seal with (aead_aes256_gcm_rtpsize). */
const KEY = Buffer.alloc(32, 7);

/** Sealed UDP packets as Discord sends them: RTP-numbered from `firstSequence`, 20 ms apart. */
function sealAll(ssrc, packets, firstSequence = 100) {
  const voxpool = require('../..');  // eslint-disable-line global-require
  const cipher = new voxpool.VoiceCipher('aead_aes256_gcm_rtpsize', KEY);
  const out = packets.map((p, i) => cipher.seal(voxpool.createRtpPacket({
    sequence: (firstSequence + i) & 0xffff, timestamp: (5000 + i * 960) >>> 0, ssrc,
  }, p)));
  cipher.destroy();
  return out;
}

/** Calls fn(i) for i in 0..count-1 every 20 ms on a drift-free schedule. */
async function every20ms(count, fn) {
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    const wait = start + i * 20 - performance.now();
    if (wait > 0) await sleep(wait);  // eslint-disable-line no-await-in-loop
    fn(i);
  }
}

module.exports = { sineMix, frames, snr, KEY, sealAll, every20ms };
