'use strict';
// What the server measured, reduced to numbers a test can assert on: arrival cadence, RTP
// continuity, silence frames, and how well the decoded audio matches the source sine.
const { performance } = require('node:perf_hooks');
const { Decoder } = require('../../../lib/opus');
const { schedDuring } = require('./loop-watch');

const SILENCE_FRAME = Buffer.from([0xf8, 0xff, 0xfe]);
const FRAME_MS = 20;

function quantile(sorted, q) {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/**
 * Arrival cadence of `packets` (server clock, performance.now() ms), and for each gap over two
 * frames its likely cause:
 * - 'transit': the client sent the two packets at most 40 ms apart (`sent`); the delay was in
 *   delivery or on the server, i.e. the loaded machine's;
 * - 'load': the client sent them further apart, but the excess over 40 ms is covered by time its
 *   main thread (`clientLoop`) spent waiting for a CPU, or asleep beyond one frame (its timer
 *   fired late with no work to blame: the VM's vCPU descheduled, a page-in), i.e. the machine's;
 * - 'client': neither: the client's main thread was busy for the excess, its own doing.
 * Without `sent` and `clientLoop` every long gap counts as the client's.
 * @param {{ at: number, sequence: number }[]} packets
 * @param {{ sent?: [number, number][], clientLoop?: import('./loop-watch').LoopSamples,
 *   serverLoop?: import('./loop-watch').LoopSamples }} [context] `sent`: [sequence, epoch ms]
 *   per packet as the client sent it
 */
function timingOf(packets, { sent = [], clientLoop, serverLoop } = {}) {
  const sentAt = new Map(sent);
  const gaps = [];
  const longGaps = [];
  for (let i = 1; i < packets.length; i++) {
    const gap = packets[i].at - packets[i - 1].at;
    gaps.push(gap);
    if (gap <= 2 * FRAME_MS) continue;
    const sendFrom = sentAt.get(packets[i - 1].sequence);
    const sendTo = sentAt.get(packets[i].sequence);
    const sendGapMs = sendTo - sendFrom;  // NaN where unknown
    const arrivedFrom = performance.timeOrigin + packets[i - 1].at;
    const client = clientLoop ? schedDuring(clientLoop, sendFrom, sendTo) : { cpuMs: NaN, waitMs: NaN, gcMs: NaN, gcs: [] };
    const server = serverLoop ? schedDuring(serverLoop, arrivedFrom, arrivedFrom + gap) : { cpuMs: NaN, waitMs: NaN };
    client.sleptMs = sendGapMs - client.cpuMs - client.waitMs;
    const machineMs = client.waitMs + Math.max(0, client.sleptMs - FRAME_MS);
    let cause = 'client';
    if (sendGapMs <= 2 * FRAME_MS) cause = 'transit';
    else if (machineMs >= sendGapMs - 2 * FRAME_MS) cause = 'load';
    longGaps.push({ index: i, gapMs: gap, sendGapMs, cause, client, server });
  }
  const durationMs = packets.length > 1 ? packets[packets.length - 1].at - packets[0].at : 0;
  const sorted = [...gaps].sort((a, b) => a - b);
  return {
    count: packets.length,
    durationMs,
    packetsPerSecond: durationMs > 0 ? ((packets.length - 1) * 1000) / durationMs : 0,
    maxGapMs: sorted.length ? sorted[sorted.length - 1] : 0,
    p50GapMs: quantile(sorted, 0.5),
    p99GapMs: quantile(sorted, 0.99),
    gapsOver40Ms: longGaps.length,
    /** the long gaps that were the client's own (see above) */
    clientGapsOver40Ms: longGaps.filter((g) => g.cause === 'client').length,
    /** each gap over 40 ms: packet index, send gap, cause, and each main thread's ms run / waited for a CPU (/ slept) */
    longGaps,
  };
}

/**
 * Steps that are not +1 sequence (mod 2^16), +960 timestamp (mod 2^32), +1 nonce.
 * @param {{ sequence: number, timestamp: number, nonce: number }[]} packets
 */
function continuityOf(packets) {
  let sequenceBreaks = 0;
  let timestampBreaks = 0;
  let nonceBreaks = 0;
  for (let i = 1; i < packets.length; i++) {
    const a = packets[i - 1];
    const b = packets[i];
    if (b.sequence !== ((a.sequence + 1) & 0xffff)) sequenceBreaks++;
    if (b.timestamp !== (a.timestamp + 960) % 2 ** 32) timestampBreaks++;
    if (b.nonce !== a.nonce + 1) nonceBreaks++;
  }
  return { sequenceBreaks, timestampBreaks, nonceBreaks, firstNonce: packets[0]?.nonce };
}

/**
 * Silence frames (f8 ff fe) at the end, and anywhere before that run (missed reads).
 * @param {{ opus: Buffer }[]} packets
 */
function silenceOf(packets) {
  let trailing = 0;
  while (trailing < packets.length && packets[packets.length - 1 - trailing].opus.equals(SILENCE_FRAME)) trailing++;
  let inner = 0;
  for (let i = 0; i < packets.length - trailing; i++) if (packets[i].opus.equals(SILENCE_FRAME)) inner++;
  return { trailing, inner, audio: packets.length - trailing - inner };
}

/**
 * Decodes the packets in arrival order (one decoder, as a listener would).
 * @param {{ opus: Buffer }[]} packets
 * @returns {Int16Array} interleaved
 */
function decodeOpus(packets, { sampleRate = 48000, channels = 2 } = {}) {
  const decoder = new Decoder({ sampleRate, channels });
  const parts = packets.map((p) => decoder.decode(p.opus));
  decoder.destroy();
  const pcm = Buffer.concat(parts);
  return new Int16Array(pcm.buffer, pcm.byteOffset, pcm.length / 2);
}

/**
 * Fits one sine per channel (amplitude and phase free, frequency fixed) over frames
 * [fromFrame, toFrame) of `pcm`: a constant codec delay only moves the phase, while a lost,
 * repeated or silent frame breaks the fit from there on.
 * @param {Int16Array} pcm interleaved
 * @param {import('./signal').Signal} signal
 * @returns {{ frequency: number, amplitude: number, snrDb: number, worstFrameSnrDb: number }[]}
 *   amplitude as a fraction of full scale
 */
function fitSines(pcm, signal, fromFrame, toFrame) {
  const channels = signal.frequencies.length;
  const frame = signal.sampleRate / 50;
  const start = fromFrame * frame;
  const end = Math.min(toFrame * frame, pcm.length / channels);
  return signal.frequencies.map((frequency, c) => {
    const w = (2 * Math.PI * frequency) / signal.sampleRate;
    let ss = 0; let cc = 0; let sc = 0; let xs = 0; let xc = 0;
    for (let n = start; n < end; n++) {
      const s = Math.sin(w * n);
      const k = Math.cos(w * n);
      const x = pcm[n * channels + c];
      ss += s * s; cc += k * k; sc += s * k; xs += x * s; xc += x * k;
    }
    const det = ss * cc - sc * sc;
    const a = (xs * cc - xc * sc) / det;
    const b = (xc * ss - xs * sc) / det;
    let signalEnergy = 0;
    let noiseEnergy = 0;
    let worstFrameSnrDb = Infinity;
    for (let f = start; f < end; f += frame) {
      let fs = 0;
      let fn = 0;
      for (let n = f; n < Math.min(f + frame, end); n++) {
        const y = a * Math.sin(w * n) + b * Math.cos(w * n);
        const e = pcm[n * channels + c] - y;
        fs += y * y;
        fn += e * e;
      }
      signalEnergy += fs;
      noiseEnergy += fn;
      worstFrameSnrDb = Math.min(worstFrameSnrDb, 10 * Math.log10(fs / Math.max(fn, 1)));
    }
    return {
      frequency,
      amplitude: Math.hypot(a, b) / 32767,
      snrDb: 10 * Math.log10(signalEnergy / Math.max(noiseEnergy, 1)),
      worstFrameSnrDb,
    };
  });
}

module.exports = { timingOf, continuityOf, silenceOf, decodeOpus, fitSines, SILENCE_FRAME };
