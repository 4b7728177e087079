'use strict';
/**
 * Fused sender throughput: PCM frame in, UDP-ready Discord voice packet out (Opus encode, RTP
 * header, aead_aes256_gcm_rtpsize seal), 48 kHz stereo 64 kbps complexity 10, on the generated
 * music of audio.js. Each contender runs in a fresh child process:
 *   (a) voxpool VoiceSender: encode + header + seal as one pool job per packet, S senders with K
 *       packets in flight (each completion submits the next);
 *   (b) @discordjs/opus encode + node:crypto aes-256-gcm on the main thread, exactly as
 *       @discordjs/voice 0.18 builds a packet (12-byte header, new cipher per packet, nonce
 *       counter incremented before use, written BE into a 12-byte nonce, 4 bytes appended);
 *   (c) voxpool Encoder.encodeAsync on the pool, then the RTP header and VoiceCipher.sealInto in
 *       JS on the main thread, S encoders with K frames in flight.
 * Reported: packets/s over the measured window, main-thread CPU µs/packet (the main thread's
 * /proc/thread-self/schedstat delta, as bench/js/opus-frame.js), process CPU % (all threads).
 *
 * Usage: node bench/js/voice-sender.js [--quick]  (Markdown table; JSON in bench/out/voice-sender.json)
 */
const crypto = require('node:crypto');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const audio = require('./audio');
const common = require('./common');

const MODE = 'aead_aes256_gcm_rtpsize';
const KEY = Buffer.alloc(32, 0x3c);
const OPUS = { sampleRate: 48000, channels: 2, bitrate: 64000, complexity: 10 };
const WARMUP_MS = 300;

const CONTENDERS = [
  { id: 'a', kind: 'voxpool-sender', label: 'voxpool VoiceSender (fused job)', streams: 16, inFlight: 32 },
  { id: 'a', kind: 'voxpool-sender', label: 'voxpool VoiceSender (fused job)', streams: 64, inFlight: 128 },
  { id: 'b', kind: 'discordjs', label: '@discordjs/opus + node:crypto GCM, main thread', streams: 1, inFlight: 1 },
  { id: 'c', kind: 'voxpool-split', label: 'voxpool encodeAsync + sealInto in JS', streams: 16, inFlight: 32 },
  { id: 'c', kind: 'voxpool-split', label: 'voxpool encodeAsync + sealInto in JS', streams: 64, inFlight: 128 },
];

const lib = (name) => require(path.join(common.ROOT, 'lib', name));

/** Starts a measured window after the warm-up; `finish()` returns the window's figures. */
function meter(counter) {
  const m = {
    packets: counter(),
    t: performance.now(),
    cpu: process.cpuUsage(),
    thread: common.threadCpuNs(),
  };
  return () => {
    const wallMs = performance.now() - m.t;
    const n = counter() - m.packets;
    const cpu = process.cpuUsage(m.cpu);
    const thread = common.threadCpuNs();
    return {
      packets: n,
      wallMs,
      packetsPerSec: (n / wallMs) * 1000,
      mainThreadCpuUsPerPacket: thread !== null && m.thread !== null ? (thread - m.thread) / 1000 / n : null,
      processCpuPercent: ((cpu.user + cpu.system) / 1000 / wallMs) * 100,
    };
  };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Keeps K jobs in flight over S streams (round-robin); `submit(stream, frame)` returns a Promise
 * of one or more packets. Returns the window's figures once `seconds` have passed.
 */
async function pump(streams, inFlight, seconds, submit, check) {
  const frames = audio.frames({ seconds: 5 });
  let frameIdx = 0;
  let rr = 0;
  let completed = 0;
  let failed = 0;
  let firstError = null;
  let stop = false;
  let outstanding = 0;
  let done;
  const drained = new Promise((r) => (done = r));
  const next = () => {
    const s = rr++ % streams.length;
    outstanding++;
    submit(streams[s], frames[frameIdx++ % frames.length]).then(
      (packet) => {
        check(packet);
        completed++;
        if (--outstanding === 0 && stop) done();
        if (!stop) next();
      },
      (err) => {
        failed++;
        firstError = firstError || err;
        if (--outstanding === 0 && stop) done();
        if (!stop) next();
      },
    );
  };
  for (let k = 0; k < inFlight; k++) next();
  await sleep(WARMUP_MS);
  const finish = meter(() => completed);
  await sleep(seconds * 1000);
  const r = finish();
  stop = true;
  if (outstanding > 0) await drained;
  if (failed) throw new Error(`${failed} packets failed: ${firstError && firstError.message}`);
  return r;
}

/** A packet must be header ‖ ciphertext ‖ tag ‖ nonce: at least 12 + 1 + 16 + 4 bytes. */
function checkPacket(p) {
  if (!Buffer.isBuffer(p) || p.length < 33 || p[0] !== 0x80 || p[1] !== 0x78) throw new Error('not a voice packet');
}

async function runVoxpoolSender({ streams, inFlight, seconds }) {
  const { VoiceSender } = lib('voice-pipeline');
  const senders = Array.from({ length: streams }, (_, i) =>
    new VoiceSender({ ssrc: 1000 + i, mode: MODE, key: KEY, bitrate: OPUS.bitrate, complexity: OPUS.complexity, channels: 2 }));
  try {
    return await pump(senders, inFlight, seconds, (s, pcm) => s.send(pcm), checkPacket);
  } finally {
    for (const s of senders) s.destroy();
  }
}

async function runVoxpoolSplit({ streams, inFlight, seconds }) {
  const { Encoder } = lib('opus');
  const { VoiceCipher } = lib('voice-cipher');
  const list = Array.from({ length: streams }, (_, i) => ({
    encoder: new Encoder(OPUS),
    cipher: new VoiceCipher(MODE, KEY),
    ssrc: 1000 + i,
    sequence: 0,
    timestamp: 0,
    clear: Buffer.alloc(12 + 4000),
  }));
  // Each packet gets its own Buffer (a socket may still hold the previous one), carved from
  // Node's pool by allocUnsafe; sealInto itself allocates nothing.
  const submit = (st, pcm) => st.encoder.encodeAsync(pcm).then((opus) => {
    const h = st.clear;
    h[0] = 0x80;
    h[1] = 0x78;
    h.writeUInt16BE(st.sequence, 2);
    h.writeUInt32BE(st.timestamp, 4);
    h.writeUInt32BE(st.ssrc, 8);
    st.sequence = (st.sequence + 1) & 0xffff;
    st.timestamp = (st.timestamp + 960) >>> 0;
    opus.copy(h, 12);
    const out = Buffer.allocUnsafe(12 + opus.length + 20);
    st.cipher.sealInto(h.subarray(0, 12 + opus.length), out);
    return out;
  });
  try {
    return await pump(list, inFlight, seconds, submit, checkPacket);
  } finally {
    for (const st of list) {
      st.encoder.destroy();
      st.cipher.destroy();
    }
  }
}

/** @discordjs/voice's VoiceConnection#createAudioPacket + encryptOpusPacket, per packet. */
function runDiscordjs({ seconds }) {
  const { OpusEncoder } = require('@discordjs/opus');
  const enc = new OpusEncoder(48000, 2);
  enc.applyEncoderCTL(4002, OPUS.bitrate); // OPUS_SET_BITRATE
  enc.applyEncoderCTL(4010, OPUS.complexity); // OPUS_SET_COMPLEXITY
  const frames = audio.frames({ seconds: 5 });
  const conn = { sequence: 0, timestamp: 0, ssrc: 1000, nonce: 0, nonceBuffer: Buffer.alloc(12), secretKey: KEY };
  const packetFor = (pcm) => {
    const opusPacket = enc.encode(pcm);
    const rtpHeader = Buffer.alloc(12);
    rtpHeader[0] = 128;
    rtpHeader[1] = 120;
    rtpHeader.writeUIntBE(conn.sequence, 2, 2);
    rtpHeader.writeUIntBE(conn.timestamp, 4, 4);
    rtpHeader.writeUIntBE(conn.ssrc, 8, 4);
    conn.nonce++;
    if (conn.nonce > 2 ** 32 - 1) conn.nonce = 0;
    conn.nonceBuffer.writeUInt32BE(conn.nonce, 0);
    const cipher = crypto.createCipheriv('aes-256-gcm', conn.secretKey, conn.nonceBuffer);
    cipher.setAAD(rtpHeader);
    const encrypted = Buffer.concat([cipher.update(opusPacket), cipher.final(), cipher.getAuthTag()]);
    const packet = Buffer.concat([rtpHeader, encrypted, conn.nonceBuffer.subarray(0, 4)]);
    conn.sequence = (conn.sequence + 1) & 0xffff; // playAudioPacket
    conn.timestamp = (conn.timestamp + 960) >>> 0;
    return packet;
  };
  let completed = 0;
  let i = 0;
  const runFor = (ms) => {
    const end = performance.now() + ms;
    while (performance.now() < end) {
      for (let k = 0; k < 10; k++) checkPacket(packetFor(frames[i++ % frames.length]));
      completed += 10;
    }
  };
  runFor(WARMUP_MS);
  const finish = meter(() => completed);
  runFor(seconds * 1000);
  return finish();
}

async function child(payload) {
  const run = { 'voxpool-sender': runVoxpoolSender, 'voxpool-split': runVoxpoolSplit, discordjs: runDiscordjs }[payload.kind];
  const r = await run(payload);
  const { stats } = lib('pool');
  return { ...r, poolThreads: payload.kind === 'discordjs' ? 0 : stats().threads };
}

function render(results, m) {
  const rows = results.map((r) => [
    `(${r.id}) ${r.label}`,
    r.kind === 'discordjs' ? '1' : String(r.streams),
    r.kind === 'discordjs' ? '–' : String(r.inFlight),
    r.error ? common.oneLine(r.error) : common.fmt(r.packetsPerSec, 0),
    r.error ? '–' : common.fmt(r.mainThreadCpuUsPerPacket, 2),
    r.error ? '–' : common.fmt(r.processCpuPercent, 0),
    r.error ? '–' : common.fmt(r.packetsPerSec / (r.processCpuPercent / 100), 0),
    r.error ? '–' : String(r.poolThreads),
  ]);
  return [
    `### Fused sender: PCM → sealed Discord voice packet (${MODE}, 48 kHz stereo 64 kbps complexity 10), ${m.cores} cores`,
    '',
    common.table(['contender', 'streams S', 'in flight K', 'packets/s', 'main-thread CPU µs/packet', 'process CPU %',
      'packets per CPU-second', 'pool threads'], rows),
    '',
    `Best of ${results[0].rounds.length} interleaved round(s) per contender, each a fresh process. ` +
      'packets/s over the measured window; main-thread CPU = /proc/thread-self/schedstat delta ÷ packets; ' +
      'packets per CPU-second = packets/s ÷ (process CPU % / 100), the figure to compare when other load ' +
      `shares the cores (load average at start: ${m.loadavg.join(' / ')}). ` +
      '(b) runs on the main thread only, the way @discordjs/voice does it.',
  ].join('\n');
}

async function main() {
  const args = common.parseArgs();
  if (await common.runAsChild(args, child)) return;
  const started = Date.now();
  const quick = !!args.quick;
  const seconds = quick ? 1 : 3;
  const m = common.machine();
  // Rounds run every contender once each, interleaved, and the best round per contender is
  // kept: on a shared 2-core machine another process can take a core for a whole run, and the
  // best round is the one least disturbed. Every round is kept in the JSON.
  const rounds = quick ? 1 : 2;
  const runs = CONTENDERS.map(() => []);
  for (let round = 0; round < rounds; round++) {
    CONTENDERS.forEach((c, i) => {
      runs[i].push(common.runChildRetrying(__filename, { ...c, seconds }, { timeoutMs: 30000 }));
    });
  }
  const results = CONTENDERS.map((c, i) => {
    const ok = runs[i].filter((r) => !r.error);
    const best = ok.length ? ok.reduce((a, b) => (b.packetsPerSec > a.packetsPerSec ? b : a)) : runs[i][0];
    return { ...c, seconds, rounds: runs[i], ...best };
  });
  process.stdout.write(`${render(results, m)}\n`);
  const file = common.writeOut('voice-sender.json', {
    machine: m, quick, mode: MODE, opus: OPUS, seconds, results, totalSeconds: (Date.now() - started) / 1000,
  });
  process.stdout.write(`\nJSON: ${file}\n`);
}

main().catch((err) => {
  process.stderr.write(`${err.stack}\n`);
  process.exit(1);
});
