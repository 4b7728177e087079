'use strict';
/**
 * Playing a file that is already Opus: passthrough (demux only; the packets go out as they are)
 * against what a bot without a native demuxer does, FFmpeg decoding to PCM and voxpool encoding
 * it again (@discordjs/voice's path for any input it cannot demux). Per stream, for one track,
 * each contender in a fresh process per round, interleaved.
 *
 * The track is a 128 kbps stereo opusenc encode of sox-made audio (made once and kept in the OS
 * temp folder): 5 minutes by default (--minutes N; --quick: 1). Measured: CPU of the whole
 * process (all threads) and of any FFmpeg child (bash's `times`), from the first byte read to
 * the last packet out, unpaced (the CPU a track costs, not how long it plays).
 *
 *   voxpool OggDemuxer   the file → OggDemuxer (pool) → packets
 *   prism OggDemuxer     the file → prism-media's OggDemuxer (event loop) → packets
 *   ffmpeg + encode      ffmpeg -i file -f s16le → createEncoderStream() (pool) → packets
 *
 * Usage: node bench/js/passthrough.js [--quick] [--minutes 5] [--rounds 3]
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn, spawnSync } = require('node:child_process');
const { Readable } = require('node:stream');
const common = require('./common');

const CHUNK = 64 * 1024;
const CONTENDERS = ['voxpool OggDemuxer', 'prism OggDemuxer', 'ffmpeg + encode'];

function makeFile(minutes) {
  const file = path.join(os.tmpdir(), `voxpool-bench-track-${minutes}min.opus`);
  if (fs.existsSync(file)) return file;
  const tmp = `${file}.tmp`;
  const sh = `sox -n -r 48000 -c 2 -b 16 -t wav - synth ${minutes * 60} sine 220 sine 331 tremolo 3 40 `
    + `| opusenc --quiet --bitrate 128 - ${JSON.stringify(tmp)}`;
  const r = spawnSync('bash', ['-o', 'pipefail', '-c', sh], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`making the ${minutes}-minute track failed (needs sox and opusenc)`);
  fs.renameSync(tmp, file);
  return file;
}

/** bash's `times` second line: the children's user and system time, e.g. "0m1.234s 0m0.056s". */
function childrenCpuMs(timesOutput) {
  const line = timesOutput.trim().split('\n').pop();
  const parts = [...line.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60000 + Number(m[2]) * 1000);
  if (parts.length !== 2) throw new Error(`unexpected \`times\` output: ${timesOutput}`);
  return parts[0] + parts[1];
}

function fileSource(file) {
  const bytes = fs.readFileSync(file);
  return Readable.from((function* chunks() {
    for (let i = 0; i < bytes.length; i += CHUNK) yield bytes.subarray(i, i + CHUNK);
  })(), { objectMode: false });
}

async function child({ contender, file }) {
  const voxpool = require(common.ROOT);
  let source;
  let stage;
  let ffmpeg = null;
  let ffmpegTimes = '';
  if (contender === 'ffmpeg + encode') {
    // @discordjs/voice's FFmpeg arguments for PCM, then bash reports the child's CPU.
    ffmpeg = spawn('bash', ['-c', 'ffmpeg -analyzeduration 0 -loglevel 0 -i "$1" -f s16le -ar 48000 -ac 2 - ; times >&2', '_', file],
      { stdio: ['ignore', 'pipe', 'pipe'] });
    ffmpeg.stderr.on('data', (d) => { ffmpegTimes += d; });
    source = ffmpeg.stdout;
    stage = voxpool.createEncoderStream({ sampleRate: 48000, channels: 2 });
  } else {
    source = fileSource(file);
    stage = contender === 'voxpool OggDemuxer' ? new voxpool.OggDemuxer() : new (require('prism-media').opus.OggDemuxer)();
  }
  let packets = 0;
  const cpu0 = process.cpuUsage();
  const main0 = common.threadCpuNs();
  const t0 = process.hrtime.bigint();
  await new Promise((resolve, reject) => {
    stage.on('data', () => { packets++; });
    stage.on('end', resolve);
    stage.on('error', reject);
    source.pipe(stage);
  });
  if (ffmpeg) await new Promise((resolve) => (ffmpeg.exitCode === null ? ffmpeg.on('close', resolve) : resolve()));
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const cpu = process.cpuUsage(cpu0);
  const processMs = (cpu.user + cpu.system) / 1000;
  const ffmpegMs = ffmpeg ? childrenCpuMs(ffmpegTimes) : 0;
  return {
    contender, packets, wallMs, mainMs: (common.threadCpuNs() - main0) / 1e6,
    processMs, ffmpegMs, totalMs: processMs + ffmpegMs,
  };
}

async function main() {
  const args = common.parseArgs();
  if (await common.runAsChild(args, child, (p) => ({ contender: p.contender }))) return;
  const minutes = Number(args.minutes ?? (args.quick ? 1 : 5));
  const rounds = Number(args.rounds ?? (args.quick ? 1 : 3));
  if (!args['no-header']) console.log(`## Machine\n\n${common.machineMarkdown(common.machine())}\n`);
  const file = makeFile(minutes);
  const results = Object.fromEntries(CONTENDERS.map((c) => [c, []]));
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? CONTENDERS : [...CONTENDERS].reverse();
    for (const contender of order) {
      const r = common.runChild(__filename, { contender, file }, { timeoutMs: 600000 });
      if (r.error) throw new Error(`${contender}: ${r.error}`);
      results[contender].push(r);
      process.stderr.write(`  round ${round + 1} ${contender}: ${common.fmt(r.totalMs, 0)} ms CPU, ${r.packets} packets\n`);
    }
  }
  const median = (rs, key) => common.percentile(rs.map((r) => r[key]), 50);
  const frames = minutes * 60 * 50;
  const reencode = median(results['ffmpeg + encode'], 'totalMs');
  const rows = CONTENDERS.map((c) => {
    const rs = results[c];
    return [c, String(rs[0].packets), common.fmt(median(rs, 'totalMs'), 0), common.fmt(median(rs, 'ffmpegMs'), 0),
      common.fmt(median(rs, 'mainMs'), 0), common.fmt((1000 * median(rs, 'totalMs')) / frames, 2),
      `${common.fmt((100 * median(rs, 'totalMs')) / reencode, 2)} %`, rs.map((r) => common.fmt(r.totalMs, 0)).join(' / ')];
  });
  console.log(`One ${minutes}-minute 128 kbps stereo Ogg Opus track, unpaced, medians of ${rounds} interleaved rounds:\n`);
  console.log(common.table(['path', 'packets', 'CPU ms (all)', 'of it FFmpeg', 'main-thread ms', 'µs per 20 ms frame', 'of ffmpeg + encode', 'CPU ms per round'], rows));
  const share = median(results['voxpool OggDemuxer'], 'totalMs') / reencode;
  console.log(`\nPassthrough with voxpool costs ${common.fmt(100 * share, 2)} % of FFmpeg decode + re-encode (target: ≤ 2 %).`);
  common.writeOut('passthrough.json', { minutes, rounds, results });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
