'use strict';
/**
 * Ogg Opus (or, with --format webm, WebM Opus) demuxing: voxpool's OggDemuxer / WebmDemuxer
 * (libogg / libwebm on the pool) against prism-media's OggDemuxer / WebmDemuxer (JS on the event
 * loop), on the same file, each round in a fresh process per contender, interleaved. The file is
 * a 128 kbps stereo encode (opusenc for Ogg, ffmpeg's libopus for WebM) of sox-made audio (made
 * once and kept in the OS temp folder): 60 minutes by default (--minutes N; --quick: 5).
 *
 * Each contender reads the whole file into memory first (the disk is not measured), then pipes
 * it in 64 KiB chunks (fs.createReadStream's size) through its demuxer and counts packets.
 * Reported: MB/s of input, wall time, main-thread CPU (/proc/thread-self/schedstat: what the
 * event loop pays) and process CPU (all threads).
 *
 * Usage: node bench/js/demux.js [--quick] [--minutes 60] [--rounds 3] [--format ogg|webm]
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { Readable } = require('node:stream');
const common = require('./common');

const CHUNK = 64 * 1024;

function makeFile(minutes, format) {
  const file = path.join(os.tmpdir(), `voxpool-bench-demux-${minutes}min.${format === 'webm' ? 'webm' : 'opus'}`);
  if (fs.existsSync(file)) return file;
  const tmp = `${file}.tmp`;
  // Two detuned sines with a slow tremolo: steady CBR packets, no silence for the encoder to skip.
  const encode = format === 'webm'
    ? `ffmpeg -hide_banner -loglevel error -y -f wav -i - -c:a libopus -b:a 128k -vbr off -f webm ${JSON.stringify(tmp)}`
    : `opusenc --quiet --hard-cbr --bitrate 128 --serial 1 - ${JSON.stringify(tmp)}`;
  const sh = `sox -n -r 48000 -c 2 -b 16 -t wav - synth ${minutes * 60} sine 220 sine 331 tremolo 3 40 | ${encode}`;
  const r = spawnSync('bash', ['-o', 'pipefail', '-c', sh], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`making the ${minutes}-minute file failed (needs sox and opusenc)`);
  fs.renameSync(tmp, file);
  return file;
}

async function child({ contender, file, format }) {
  const bytes = fs.readFileSync(file);
  const name = format === 'webm' ? 'WebmDemuxer' : 'OggDemuxer';
  const demuxer = contender === 'voxpool'
    ? new (require(common.ROOT)[name])()
    : new (require('prism-media').opus[name])();
  const source = Readable.from((function* chunks() {
    for (let i = 0; i < bytes.length; i += CHUNK) yield bytes.subarray(i, i + CHUNK);
  })(), { objectMode: false });
  let packets = 0;
  let packetBytes = 0;
  const cpu0 = process.cpuUsage();
  const main0 = common.threadCpuNs();
  const t0 = process.hrtime.bigint();
  await new Promise((resolve, reject) => {
    demuxer.on('data', (p) => {
      packets++;
      packetBytes += p.length;
    });
    demuxer.on('end', resolve);
    demuxer.on('error', reject);
    source.pipe(demuxer);
  });
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const cpu = process.cpuUsage(cpu0);
  const mainMs = (common.threadCpuNs() - main0) / 1e6;
  return {
    contender, packets, packetBytes, inputBytes: bytes.length, wallMs,
    mainMs, processMs: (cpu.user + cpu.system) / 1000,
  };
}

async function main() {
  const args = common.parseArgs();
  if (await common.runAsChild(args, child, (p) => ({ contender: p.contender }))) return;
  const minutes = Number(args.minutes ?? (args.quick ? 5 : 60));
  const rounds = Number(args.rounds ?? (args.quick ? 1 : 3));
  if (!args['no-header']) console.log(`## Machine\n\n${common.machineMarkdown(common.machine())}\n`);
  const format = args.format ?? 'ogg';
  if (format !== 'ogg' && format !== 'webm') throw new Error(`--format is ogg or webm, not ${format}`);
  const file = makeFile(minutes, format);
  const label = format === 'webm' ? 'Webm' : 'Ogg';
  const results = { voxpool: [], prism: [] };
  for (let round = 0; round < rounds; round++) {
    for (const contender of round % 2 === 0 ? ['voxpool', 'prism'] : ['prism', 'voxpool']) {
      const r = common.runChild(__filename, { contender, file, format }, { timeoutMs: 600000 });
      if (r.error) throw new Error(`${contender}: ${r.error}`);
      results[contender].push(r);
      process.stderr.write(`  round ${round + 1} ${contender}: ${common.fmt(r.wallMs, 0)} ms wall, ${common.fmt(r.mainMs, 0)} ms main thread, ${r.packets} packets\n`);
    }
  }
  const v = results.voxpool;
  const p = results.prism;
  // prism's WebmDemuxer reads SimpleBlocks only: it misses the BlockGroup that ends ffmpeg's file.
  const missed = format === 'webm' ? 1 : 0;
  if (v[0].packets - p[0].packets > missed || v[0].packets < p[0].packets || (missed === 0 && v[0].packetBytes !== p[0].packetBytes)) {
    throw new Error(`the demuxers disagree: voxpool ${v[0].packets} packets / ${v[0].packetBytes} bytes, prism ${p[0].packets} / ${p[0].packetBytes}`);
  }
  const median = (rs, key) => common.percentile(rs.map((r) => r[key]), 50);
  const mb = v[0].inputBytes / 1e6;
  const row = (name, rs) => [name, common.fmt(mb / (median(rs, 'wallMs') / 1000), 0), common.fmt(median(rs, 'wallMs'), 0),
    common.fmt(median(rs, 'mainMs'), 0), common.fmt(median(rs, 'processMs'), 0), rs.map((r) => common.fmt(r.wallMs, 0)).join(' / ')];
  console.log(`${minutes}-minute ${label === 'Webm' ? 'WebM' : 'Ogg'} Opus file (${common.fmt(mb, 1)} MB, ${v[0].packets} packets), 64 KiB chunks, medians of ${rounds} interleaved rounds:\n`);
  console.log(common.table(['demuxer', 'MB/s', 'wall ms', 'main-thread CPU ms', 'process CPU ms', 'wall ms per round'],
    [row(`voxpool ${label}Demuxer`, v), row(`prism-media ${label}Demuxer`, p)]));
  const speed = median(p, 'wallMs') / median(v, 'wallMs');
  const mainShare = median(v, 'mainMs') / median(p, 'mainMs');
  console.log(`\nvoxpool: ${common.fmt(speed, 2)}× prism's throughput, ${common.fmt(100 * mainShare, 1)} % of its main-thread CPU `
    + '(targets: ≥ 10× and ≤ 5 %).');
  common.writeOut(format === 'webm' ? 'demux-webm.json' : 'demux.json', { minutes, format, rounds, results });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
