'use strict';
/**
 * Per-frame Opus cost, each contender in a fresh child process (like better-sqlite3's
 * benchmark/): sync encode and decode of the same generated 20 ms frames, 48 kHz stereo, 64 kbps,
 * complexity 10, with voxpool, @discordjs/opus, opusscript (wasm), mediaplex and @evan/opus.
 * voxpool runs once per binary it has here (VOXPOOL_BINDING in the child): the source build
 * (build/Release, normally the system's shared libopus) and the prebuild (prebuilds/, the tuned
 * static libopus), so one run compares the two libopus builds. The contenders are run in
 * interleaved rounds (--rounds, default 3; --quick 1): round 1 runs every contender once, then
 * round 2, ...; each run times several passes over the frames and keeps the median pass (a pass
 * hit by the noisy host's other work does not move it), and the table gives the median of the
 * rounds' medians.
 *
 * Then voxpool's async throughput: frames/s with K jobs in flight over S encoders, and the
 * main-thread cost per async frame. process.cpuUsage() sums all threads, so the main thread's
 * share is measured two ways:
 *   - event-loop busy time: performance.eventLoopUtilization() over the run × wall time ÷ frames
 *     (time the loop was not waiting in epoll: JS, native callbacks, Promise resolution, GC on
 *     the main thread; it also counts time the main thread was runnable but descheduled, so on a
 *     busy 2-core box it overstates CPU);
 *   - main-thread CPU from /proc/thread-self/schedstat (Linux; true on-CPU time of that thread).
 *
 * Decode: every library decodes the same packets (made once by @discordjs/opus from the same
 * frames, written to a file the children read), so decode is compared on identical input; the
 * bytes/packet column is each library's own encoder's output. Before timing, each child runs
 * one whole untimed pass of encode and of decode: a warm-up of a few frames left the first timed
 * pass cold (caches, branch predictors, the CPU's clock), which is what made a parity result in
 * one warm process read as 2-7 % apart here.
 *
 * Usage: node bench/js/opus-frame.js [--quick] [--json] [--rounds N]
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const audio = require('./audio');
const common = require('./common');

const OPTS = { sampleRate: 48000, channels: 2, bitrate: 64000, complexity: 10 };
const CTL_SET_BITRATE = 4002;
const CTL_SET_COMPLEXITY = 4010;

/** Each factory returns { encode(pcm), decode(packet), close() } configured identically. */
const CONTENDERS = {
  voxpool() {
    const vp = common.loadVoxpool();
    const enc = vp.createEncoder(OPTS);
    const dec = vp.createDecoder({ sampleRate: 48000, channels: 2 });
    return {
      note: vp.missing.includes('Encoder') ? 'binding NativeEncoder (public Encoder missing)' : opusNote(),
      encode: (pcm) => enc.encode(pcm),
      decode: (pkt) => dec.decode(pkt),
      close() {
        enc.destroy();
        if (dec.destroy) dec.destroy();
      },
    };
  },
  'voxpool OpusEncoder'() {
    const vp = common.loadVoxpool();
    if (!vp.OpusEncoder) return null;
    const o = new vp.OpusEncoder(48000, 2);
    o.applyEncoderCTL(CTL_SET_BITRATE, 64000);
    o.applyEncoderCTL(CTL_SET_COMPLEXITY, 10);
    return {
      note: 'compat facade',
      encode: (pcm) => o.encode(pcm),
      decode: (pkt) => o.decode(pkt),
      close() {},
    };
  },
  '@discordjs/opus'() {
    const { OpusEncoder } = require('@discordjs/opus');
    const o = new OpusEncoder(48000, 2);
    o.applyEncoderCTL(CTL_SET_BITRATE, 64000);
    o.applyEncoderCTL(CTL_SET_COMPLEXITY, 10);
    return { note: '0.10.0', encode: (p) => o.encode(p), decode: (p) => o.decode(p), close() {} };
  },
  opusscript() {
    const OpusScript = require('opusscript');
    const o = new OpusScript(48000, 2, OpusScript.Application.AUDIO);
    o.encoderCTL(CTL_SET_BITRATE, 64000);
    o.encoderCTL(CTL_SET_COMPLEXITY, 10);
    return {
      note: 'wasm 0.0.8',
      encode: (p) => o.encode(p, audio.FRAME_SAMPLES),
      decode: (p) => o.decode(p),
      close: () => o.delete(),
    };
  },
  '@evan/opus'() {
    const { Encoder, Decoder } = require('@evan/opus');
    const enc = new Encoder({ channels: 2, sample_rate: 48000, application: 'audio' });
    enc.bitrate = 64000;
    enc.complexity = 10;
    const dec = new Decoder({ channels: 2, sample_rate: 48000 });
    return { note: '1.0.3', encode: (p) => enc.encode(p), decode: (p) => dec.decode(p), close() {} };
  },
  mediaplex() {
    const { OpusEncoder } = require('mediaplex');
    const o = new OpusEncoder(48000, 2);
    o.applyEncoderCtl(CTL_SET_BITRATE, 64000);
    o.applyEncoderCtl(CTL_SET_COMPLEXITY, 10);
    return { note: o.version, encode: (p) => o.encode(p), decode: (p) => o.decode(p), close() {} };
  },
};

// Which libopus the loaded binary runs: "libopus 1.5.2, static, -O3 ... (prebuild)".
function opusNote() {
  const { report } = require(path.join(common.ROOT, 'lib', 'report'));
  const r = report();
  const o = r.libraries.opus;
  const flags = o.build && o.build.cflags ? `, ${o.build.cflags.replace(/ -f(PIC|stack-protector-strong)| -g\b/g, '')}` : '';
  return `${o.version}, ${o.linkage}${flags}; ${r.binary.kind}`;
}

// The voxpool binaries to compare: the source build and the prebuild, where they exist (or
// whatever VOXPOOL_BINDING names).
function voxpoolBinaries() {
  if (process.env.VOXPOOL_BINDING) return [process.env.VOXPOOL_BINDING];
  const candidates = [
    path.join(common.ROOT, 'build', 'Release', 'voxpool.node'),
    path.join(common.ROOT, 'prebuilds', `${process.platform}-${process.arch}`, 'voxpool.napi.glibc.node'),
  ].filter((f) => fs.existsSync(f));
  return candidates.length ? candidates : [null];
}

const median = (a) => [...a].sort((x, y) => x - y)[(a.length - 1) >> 1];

/** µs per input over `passes` timed passes, after one untimed pass (the warm-up). */
function timeLoop(fn, inputs, passes) {
  for (let i = 0; i < inputs.length; i++) fn(inputs[i]);
  const perPass = [];
  for (let r = 0; r < passes; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < inputs.length; i++) fn(inputs[i]);
    perPass.push(Number(process.hrtime.bigint() - t0) / 1e3 / inputs.length);
  }
  return { median: median(perPass), best: Math.min(...perPass), passes: perPass.length };
}

/** The shared decode input: `packets` as one file of 2-byte big-endian lengths + bytes. */
function writePackets(file, packets) {
  const parts = [];
  for (const p of packets) {
    const len = Buffer.alloc(2);
    len.writeUInt16BE(p.length);
    parts.push(len, p);
  }
  fs.writeFileSync(file, Buffer.concat(parts));
}

function readPackets(file) {
  const data = fs.readFileSync(file);
  const packets = [];
  for (let off = 0; off < data.length; off += 2 + data.readUInt16BE(off)) {
    packets.push(Buffer.from(data.subarray(off + 2, off + 2 + data.readUInt16BE(off))));
  }
  return packets;
}

/** The packets every contender decodes: the frames of a run, encoded once by @discordjs/opus. */
function sharedPackets(quick) {
  const { OpusEncoder } = require('@discordjs/opus');
  const o = new OpusEncoder(48000, 2);
  o.applyEncoderCTL(CTL_SET_BITRATE, 64000);
  o.applyEncoderCTL(CTL_SET_COMPLEXITY, 10);
  const file = path.join(os.tmpdir(), `voxpool-opus-frame-${process.pid}.packets`);
  writePackets(file, audio.frames({ seconds: quick ? 5 : 10 }).map((f) => o.encode(f)));
  return file;
}

function childSync({ name, quick, binding, packetsFile }) {
  if (binding) process.env.VOXPOOL_BINDING = binding;
  const c = CONTENDERS[name]();
  if (!c) return { name, skipped: 'not exported' };
  const frames = audio.frames({ seconds: quick ? 5 : 10 });
  const passes = quick ? 3 : 8;
  const bytes = common.mean(frames.slice(0, 100).map((f) => c.encode(f).length));
  const encode = timeLoop(c.encode, frames, passes);
  const decode = timeLoop(c.decode, readPackets(packetsFile), passes);
  c.close();
  return { name, note: c.note, frames: frames.length, meanPacketBytes: bytes, encode, decode };
}

/**
 * Async throughput. `mode` 'encodeAsync': K jobs in flight, spread round-robin over S encoders;
 * each completion submits the next. `mode` 'encodeMany': K/S batches in flight, each batch one
 * encodeMany() call with one frame per encoder.
 */
async function childAsync({ mode, streams, inFlight, seconds }) {
  const vp = common.loadVoxpool();
  const frames = audio.frames({ seconds: 5 });
  const encoders = Array.from({ length: streams }, () => vp.createEncoder(OPTS));
  let completed = 0;
  let failed = 0;
  let stop = false;
  let frameIdx = 0;
  const nextFrame = () => frames[frameIdx++ % frames.length];

  let done;
  const finished = new Promise((r) => (done = r));
  let outstanding = 0;
  let meter = null; // set once the warm-up is over
  const onSettle = () => {
    if (--outstanding === 0 && stop) done();
  };

  if (mode === 'encodeAsync') {
    let rr = 0;
    const submit = () => {
      const enc = encoders[rr++ % streams];
      outstanding++;
      enc.encodeAsync(nextFrame()).then(
        () => {
          completed++;
          onSettle();
          if (!stop) submit();
        },
        () => {
          failed++;
          onSettle();
          if (!stop) submit();
        },
      );
    };
    for (let k = 0; k < inFlight; k++) submit();
  } else {
    const batches = Math.max(1, Math.round(inFlight / streams));
    const submit = () => {
      outstanding++;
      const batch = encoders.map(nextFrame);
      vp.encodeMany(encoders, batch).then(
        (results) => {
          for (const r of results) {
            if (r instanceof Error) failed++;
            else completed++;
          }
          onSettle();
          if (!stop) submit();
        },
        () => {
          failed += streams;
          onSettle();
          if (!stop) submit();
        },
      );
    };
    for (let k = 0; k < batches; k++) submit();
  }

  // Warm-up, then measure a window.
  await new Promise((r) => setTimeout(r, 300));
  vp.resetStats();
  meter = {
    completed,
    t: performance.now(),
    elu: performance.eventLoopUtilization(),
    cpu: process.cpuUsage(),
    thread: common.threadCpuNs(),
  };
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const wallMs = performance.now() - meter.t;
  const elu = performance.eventLoopUtilization(meter.elu);
  const cpu = process.cpuUsage(meter.cpu);
  const thread = common.threadCpuNs();
  const n = completed - meter.completed;
  stop = true;
  if (outstanding > 0) await finished;
  for (const e of encoders) e.destroy();
  const stats = vp.stats();
  return {
    mode,
    streams,
    inFlight,
    frames: n,
    failed,
    framesPerSec: (n / wallMs) * 1000,
    eventLoopUtilization: elu.utilization,
    mainLoopBusyUsPerFrame: (elu.utilization * wallMs * 1000) / n,
    mainThreadCpuUsPerFrame: thread !== null && meter.thread !== null ? (thread - meter.thread) / 1000 / n : null,
    processCpuPercent: ((cpu.user + cpu.system) / 1000 / wallMs) * 100,
    processCpuUsPerFrame: (cpu.user + cpu.system) / n,
    pool: { threads: stats.threads, queueWait: stats.queueWait, serviceTime: stats.serviceTime },
  };
}

const SYNC_ORDER = ['voxpool', 'voxpool OpusEncoder', '@discordjs/opus', 'opusscript', 'mediaplex', '@evan/opus'];

// One run per contender and voxpool binary, `rounds` times interleaved; each entry keeps the
// median of the rounds' medians (and every round's median, for the record).
function runSync(quick, rounds) {
  const packetsFile = sharedPackets(quick);
  const runs = [];
  for (const name of SYNC_ORDER) {
    const binaries = name === 'voxpool' ? voxpoolBinaries() : [null];
    for (const binding of binaries) runs.push({ name, binding });
  }
  const rows = runs.map(() => []);
  for (let round = 0; round < rounds; round++) {
    runs.forEach((run, i) => {
      const r = common.runChildRetrying(__filename, { kind: 'sync', ...run, quick, packetsFile });
      if (r.error) r.name = run.name;
      rows[i].push(r);
    });
  }
  fs.rmSync(packetsFile, { force: true });
  return rows.map((results) => {
    const ok = results.filter((r) => !r.error && !r.skipped);
    if (ok.length === 0) return results[0];
    const merge = (key) => ({
      median: median(ok.map((r) => r[key].median)),
      best: Math.min(...ok.map((r) => r[key].best)),
      rounds: ok.map((r) => r[key].median),
    });
    return { ...ok[0], encode: merge('encode'), decode: merge('decode') };
  });
}

function asyncConfigs(quick) {
  const all = [
    { mode: 'encodeAsync', streams: 1, inFlight: 1 },
    { mode: 'encodeAsync', streams: 2, inFlight: 2 },
    { mode: 'encodeAsync', streams: 16, inFlight: 16 },
    { mode: 'encodeAsync', streams: 64, inFlight: 64 },
    { mode: 'encodeAsync', streams: 64, inFlight: 256 },
    { mode: 'encodeMany', streams: 16, inFlight: 32 },
    { mode: 'encodeMany', streams: 64, inFlight: 128 },
    { mode: 'encodeMany', streams: 300, inFlight: 600 },
  ];
  return quick ? all.filter((c) => [2, 64, 300].includes(c.streams) && c.inFlight !== 256) : all;
}

function render(result) {
  const out = [];
  const ref = result.sync.find((r) => r.name === '@discordjs/opus' && !r.error && !r.skipped);
  const rel = (v, key) => (ref ? `${((v / ref[key].median) * 100).toFixed(0)} %` : '–');
  out.push(`### Per-frame cost, sync (48 kHz stereo 64 kbps complexity 10, 20 ms frames; median of ${result.rounds} interleaved rounds; every library decodes the same packets)\n`);
  out.push(
    common.table(
      ['library', 'encode µs/frame', 'best', 'rounds', 'vs @discordjs/opus', 'decode µs/frame', 'rounds', 'vs @discordjs/opus', 'bytes/packet'],
      result.sync.map((r) =>
        r.error || r.skipped
          ? [r.name, common.oneLine(r.error || r.skipped), '', '', '', '', '', '', '']
          : [
              `${r.name} (${r.note})`,
              common.fmt(r.encode.median),
              common.fmt(r.encode.best),
              (r.encode.rounds || []).map((v) => common.fmt(v)).join(' / '),
              rel(r.encode.median, 'encode'),
              common.fmt(r.decode.median),
              (r.decode.rounds || []).map((v) => common.fmt(v)).join(' / '),
              rel(r.decode.median, 'decode'),
              common.fmt(r.meanPacketBytes, 0),
            ],
      ),
    ),
  );
  out.push('\n### voxpool async encode throughput\n');
  out.push(
    common.table(
      ['call', 'encoders S', 'in flight K', 'frames/s', 'loop busy µs/frame', 'main-thread CPU µs/frame', 'process CPU %', 'queue wait p99 µs'],
      result.async.map((r) =>
        r.error
          ? [r.mode, r.streams, r.inFlight, common.oneLine(r.error), '', '', '', '']
          : [
              r.mode,
              r.streams,
              r.inFlight,
              common.fmt(r.framesPerSec, 0),
              common.fmt(r.mainLoopBusyUsPerFrame, 2),
              common.fmt(r.mainThreadCpuUsPerFrame, 2),
              common.fmt(r.processCpuPercent, 0),
              common.fmt(r.pool.queueWait && r.pool.queueWait.p99, 0),
            ],
      ),
    ),
  );
  out.push(
    '\nLoop busy = performance.eventLoopUtilization() × wall ÷ frames (includes time the main thread ' +
      'was runnable but descheduled); main-thread CPU = /proc/thread-self/schedstat delta ÷ frames.',
  );
  return out.join('\n');
}

async function main() {
  const args = common.parseArgs();
  if (await common.runAsChild(args, (p) => (p.kind === 'async' ? childAsync(p) : childSync(p)),
    (p) => ({ name: p.name || p.mode }))) return;
  const quick = !!args.quick;
  const result = { machine: common.machine(), quick, sync: [], async: [] };
  if (!args['no-header']) console.log(`## Machine\n\n${common.machineMarkdown(result.machine)}\n`);
  result.rounds = args.rounds ? Number(args.rounds) : quick ? 1 : 3;
  result.sync = runSync(quick, result.rounds);
  for (const cfg of asyncConfigs(quick)) {
    const r = common.runChildRetrying(__filename, { kind: 'async', ...cfg, seconds: quick ? 0.7 : 2 });
    result.async.push({ ...cfg, ...r });
  }
  console.log(render(result));
  const file = common.writeOut('opus-frame.json', result);
  console.log(`\nJSON: ${file}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
