'use strict';
/**
 * What a `voxpool/voice` audio resource costs the event loop per packet, against the floor of a
 * resource that is already Opus (@discordjs/voice's StreamType.Opus), with nothing else in the
 * process: no voice connection, no UDP, no server. bench:discord measures the same difference end
 * to end, where the transport's own per-packet work and the loopback server sharing the 2 cores
 * add their noise; this isolates the part voxpool owns (issue 7's "main-thread cost within 15 µs
 * per packet of the pre-encoded floor").
 *
 * Each point is a fresh process: N resources made by the real @discordjs/voice createAudioResource
 * (voxpool/voice's for `voxpool`, raw 48 kHz stereo s16le in 16 KiB chunks as a file or FFmpeg pipe
 * hands it over; ready packets for `pre-encoded`), then every 20 ms one read() of each, as the
 * AudioPlayer's cycle does, for --seconds. Reported: main-thread CPU per packet read
 * (/proc/thread-self/schedstat: that thread only, the pool's threads excluded) and empty reads
 * (the player's "missed frames"). The first 0.5 s (the streams' prebuffer) is not measured.
 *
 * Then the same cost taken apart, for N encoders without streams: submitting one
 * encodeAsync() per encoder per tick, and settling their Promises (the completion drain, the
 * resolution and its reaction).
 *
 * Usage: node bench/js/read-cost.js [--quick] [--streams 40,80] [--seconds 6] [--rounds 3]
 */
const path = require('node:path');
const { Readable } = require('node:stream');
const common = require('./common');
const audio = require('./audio');

const CHUNK_BYTES = 16384;
const WARMUP_MS = 500;
const CONTENDERS = ['voxpool', 'pre-encoded'];

const list = (s) => String(s).split(',').map(Number).filter((n) => n > 0);

// ---- the child: one point ------------------------------------------------------------------------

function pcmSource(pcm, frames) {
  let left = frames * audio.FRAME_BYTES;
  let at = 0;
  return new Readable({
    read() {
      if (left === 0) {
        this.push(null);
        return;
      }
      const n = Math.min(CHUNK_BYTES, left, pcm.length - at);
      left -= n;
      this.push(pcm.subarray(at, at + n));
      at = (at + n) % pcm.length;
    },
  });
}

function packetSource(packets, frames) {
  let k = 0;
  return new Readable({
    objectMode: true,
    read() { this.push(k < frames ? packets[k++ % packets.length] : null); },
  });
}

/** 2 s of the music-like source as one PCM Buffer, and voxpool's packets of it. */
function sources(voxpool) {
  const pcm = audio.generatePcm({ seconds: 2 });
  const frames = audio.frames({ seconds: 2 });
  const encoder = new voxpool.Encoder({ sampleRate: audio.SAMPLE_RATE, channels: audio.CHANNELS, application: 'audio' });
  const packets = frames.map((f) => encoder.encode(f));
  encoder.destroy();
  return { pcm, packets };
}

async function readPoint({ contender, streams, seconds }) {
  const voxpool = require(common.ROOT);
  const voice = require(path.join(common.ROOT, 'node_modules', '@discordjs', 'voice'));
  const vox = require(path.join(common.ROOT, 'lib', 'voice')).withVoice(voice);
  const { pcm, packets } = sources(voxpool);
  const ticks = Math.round((seconds * 1000) / audio.FRAME_MS);
  const frames = ticks + Math.ceil(WARMUP_MS / audio.FRAME_MS) + 10;
  const resources = [];
  for (let i = 0; i < streams; i++) {
    resources.push(contender === 'voxpool'
      ? vox.createAudioResource(pcmSource(pcm, frames), { inputType: vox.StreamType.Raw })
      : voice.createAudioResource(packetSource(packets, frames), { inputType: voice.StreamType.Opus }));
  }
  const readAll = () => {
    let got = 0;
    for (const r of resources) if (r.read() !== null) got++;
    return got;
  };
  // The prebuffer: read as the player would, unmeasured.
  const warm = setInterval(readAll, audio.FRAME_MS);
  await new Promise((resolve) => setTimeout(resolve, WARMUP_MS));
  clearInterval(warm);
  let packetsRead = 0;
  let empty = 0;
  const cpu0 = common.threadCpuNs();
  await new Promise((resolve) => {
    let k = 0;
    const timer = setInterval(() => {
      const got = readAll();
      packetsRead += got;
      empty += streams - got;
      if (++k === ticks) {
        clearInterval(timer);
        resolve();
      }
    }, audio.FRAME_MS);
  });
  const cpuNs = common.threadCpuNs() - cpu0;
  return { contender, streams, packets: packetsRead, empty, usPerPacket: cpuNs / 1000 / packetsRead };
}

async function splitPoint({ streams, seconds }) {
  const voxpool = require(common.ROOT);
  const encoders = Array.from({ length: streams }, () => new voxpool.Encoder({ sampleRate: audio.SAMPLE_RATE, channels: audio.CHANNELS, application: 'audio' }));
  const [pcm] = audio.frames({ seconds: 1 });
  const ticks = Math.round((seconds * 1000) / audio.FRAME_MS);
  let submitNs = 0;
  let settleNs = 0;
  for (let k = 0; k < ticks + 25; k++) {
    const t0 = common.threadCpuNs();
    const pending = encoders.map((e) => e.encodeAsync(pcm, { dueMs: audio.FRAME_MS }));
    const t1 = common.threadCpuNs();
    await Promise.all(pending);
    const t2 = common.threadCpuNs();
    if (k >= 25) {  // the first half second warms up, as in readPoint
      submitNs += t1 - t0;
      settleNs += t2 - t1;
    }
  }
  const n = ticks * streams;
  return { streams, submitUs: submitNs / 1000 / n, settleUs: settleNs / 1000 / n };
}

const child = (p) => (p.split ? splitPoint(p) : readPoint(p));

// ---- the parent ------------------------------------------------------------------------------

async function main() {
  const args = common.parseArgs();
  if (await common.runAsChild(args, child, (p) => ({ contender: p.contender, streams: p.streams }))) return;
  const quick = !!args.quick;
  const streamCounts = list(args.streams ?? (quick ? '40' : '40,80'));
  const seconds = Number(args.seconds ?? (quick ? 2 : 6));
  const rounds = Number(args.rounds ?? (quick ? 1 : 3));
  if (!args['no-header']) console.log(`## Machine\n\n${common.machineMarkdown(common.machine())}\n`);
  const results = [];
  for (let round = 1; round <= rounds; round++) {
    for (const streams of streamCounts) {
      const order = round % 2 ? CONTENDERS : [...CONTENDERS].reverse();
      for (const contender of order) {
        const r = common.runChild(__filename, { contender, streams, seconds }, { timeoutMs: seconds * 1000 * 4 + 60000 });
        if (r.error) throw new Error(`${contender} × ${streams}: ${r.error}`);
        results.push({ round, ...r });
        process.stderr.write(`  r${round} ${contender} × ${streams}: ${common.fmt(r.usPerPacket, 2)} µs/packet, ${r.empty} empty reads\n`);
      }
      const s = common.runChild(__filename, { split: true, streams, seconds }, { timeoutMs: seconds * 1000 * 4 + 60000 });
      if (s.error) throw new Error(`split × ${streams}: ${s.error}`);
      results.push({ round, contender: 'split', ...s });
    }
  }
  const med = (rows, key) => common.percentile(rows.map((r) => r[key]), 50);
  const perRound = (rows, key, digits) => rows.map((r) => common.fmt(r[key], digits)).join(' / ');
  const rows = [];
  for (const streams of streamCounts) {
    const at = (c) => results.filter((r) => r.contender === c && r.streams === streams);
    const vox = at('voxpool');
    const floor = at('pre-encoded');
    const split = at('split');
    const diffs = vox.map((r, i) => r.usPerPacket - floor[i].usPerPacket);
    rows.push([String(streams), common.fmt(med(vox, 'usPerPacket'), 2), common.fmt(med(floor, 'usPerPacket'), 2),
      `**${common.fmt(common.percentile(diffs, 50), 2)}**`, diffs.map((d) => common.fmt(d, 2)).join(' / '),
      perRound(vox, 'empty', 0), common.fmt(med(split, 'submitUs'), 2), common.fmt(med(split, 'settleUs'), 2)]);
  }
  console.log(`Main-thread CPU per packet read at a 20 ms cadence, ${seconds} s per point, medians of ${rounds} interleaved rounds (a fresh process per point):\n`);
  console.log(common.table(['streams', 'voxpool µs/packet', 'pre-encoded µs/packet', 'voxpool − floor', 'per round',
    'voxpool empty reads', 'encodeAsync submit µs', 'encodeAsync settle µs'], rows));
  console.log(`\nTarget (issue 7): voxpool − floor ≤ 15 µs/packet. The last two columns take an async encode apart (N encoders, one frame each per tick, no stream).`);
  common.writeOut('read-cost.json', { seconds, rounds, results });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
