'use strict';
/**
 * Real-time capacity: N streams of 48 kHz stereo, 64 kbps, complexity 10. One global 20 ms tick
 * (like @discordjs/voice's send loop: next += 20; setTimeout(next - now)) makes one 20 ms frame
 * per stream due at the tick's scheduled time. A frame is on time when its Opus packet is back in
 * JS within 20 ms of when it was due; a late timer (blocked loop) therefore counts against it.
 *
 * Contenders, each point (contender × N) in a fresh child process:
 *   voxpool-many    voxpool, one Encoder per stream, one encodeMany() per tick
 *   voxpool-async   voxpool, one Encoder per stream, encodeAsync() per stream per tick
 *   discordjs-sync  @discordjs/opus encode() on the main thread inside the tick
 *   workers         worker_threads pool (os.availableParallelism() workers) running
 *                   @discordjs/opus, stream s pinned to worker s % W, one postMessage per frame
 *                   each way (the common incumbent pattern)
 *   voxpool-adaptive  voxpool-many with the encoders sharing an AdaptiveComplexity (5..10): it
 *                   steps complexity down as far as the ticks need; the point reports the mean
 *                   complexity, the share of frames at >= 8 and a quality figure (below)
 *   voxpool-many-prebuild  voxpool-many on the prebuilt binary (its tuned static libopus), run
 *                   when prebuilds/<platform>-<arch>/ exists: beside voxpool-many on the source
 *                   build (the system's libopus) it shows what the tuned libopus buys in streams
 *
 * Per point: on-time %, packet latency p50/p99/max, event-loop delay p50/p99/max
 * (perf_hooks.monitorEventLoopDelay, resolution 10 ms, minus the resolution: Node 20 records the
 * whole timer interval), process CPU % (process.cpuUsage() over
 * wall; 100 % = one core), main-thread CPU % (/proc/thread-self/schedstat) and main-thread µs
 * per frame (schedstat, and event-loop utilization × wall). A sweep stops early once a point is
 * below 50 % on time or two points in a row are below 90 %. Pass = ≥ 99.9 % on time and loop p99 ≤ 5 ms.
 *
 * Usage: node bench/js/opus-realtime.js [--quick] [--seconds 8] [--streams 60,120,...]
 *                                       [--contenders voxpool-many,workers,...]
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { performance, monitorEventLoopDelay } = require('node:perf_hooks');
const { Worker, isMainThread, parentPort } = require('node:worker_threads');
const audio = require('./audio');
const common = require('./common');
const svg = require('./svg');

const PERIOD_MS = 20;
const DEADLINE_MS = 20;
const PASS_ON_TIME = 99.9;
const PASS_LOOP_P99_MS = 5;
const STOP_BELOW_ON_TIME = 90;
// Node 20's monitorEventLoopDelay records the whole interval between its timer's callbacks
// (resolution + delay; an idle loop reads ≈ 10.1 ms at resolution 10), so the resolution is
// subtracted to report the delay itself.
const LOOP_RESOLUTION_MS = 10;
const OPTS = { sampleRate: 48000, channels: 2, bitrate: 64000, complexity: 10 };

const LABELS = {
  'voxpool-many': 'voxpool (encodeMany per tick)',
  'voxpool-async': 'voxpool (encodeAsync per stream)',
  'discordjs-sync': '@discordjs/opus sync, main thread',
  workers: '@discordjs/opus in worker_threads pool',
  'voxpool-many-prebuild': 'voxpool (encodeMany per tick), prebuild (tuned libopus)',
  'voxpool-adaptive': 'voxpool (encodeMany per tick), adaptive complexity 5-10',
};
const PREBUILD = path.join(common.ROOT, 'prebuilds', `${process.platform}-${process.arch}`, 'voxpool.napi.glibc.node');

function discordEncoder() {
  const { OpusEncoder } = require('@discordjs/opus');
  const o = new OpusEncoder(48000, 2);
  o.applyEncoderCTL(4002, OPTS.bitrate);
  o.applyEncoderCTL(4010, OPTS.complexity);
  return o;
}

// ---------------------------------------------------------------------------------------------
// worker_threads body for the "workers" contender
if (!isMainThread) {
  const encoders = new Map();
  let stopFlag = null;
  parentPort.on('message', (m) => {
    if (m.drain) {
      parentPort.postMessage({ drained: true });
      return;
    }
    // Once the run is over, skip the backlog: terminating a worker while @discordjs/opus is inside
    // encode() aborts the process (FATAL napi_throw, a known defect of that package).
    if (stopFlag && Atomics.load(stopFlag, 0)) return;
    if (m.init) {
      stopFlag = new Int32Array(m.stop);
      for (const s of m.streams) {
        const e = discordEncoder();
        e.encode(Buffer.alloc(audio.FRAME_BYTES));
        encoders.set(s, e);
      }
      parentPort.postMessage({ ready: true });
      return;
    }
    const pcm = Buffer.from(m.pcm.buffer, m.pcm.byteOffset, m.pcm.byteLength);
    const packet = encoders.get(m.s).encode(pcm);
    parentPort.postMessage({ due: m.due, packet });
  });
  return; // eslint-disable-line no-useless-return
}

// ---------------------------------------------------------------------------------------------
// Contender set-ups. Each returns { tick(due, frameOf), close() }; they call done(due, n) when n
// packets for the tick due at `due` are back in JS, and fail(n) for errors.

const SETUPS = {
  async 'voxpool-async'(n, done, fail) {
    const vp = common.loadVoxpool();
    const encs = Array.from({ length: n }, () => vp.createEncoder(OPTS));
    await Promise.all(encs.map((e) => e.encodeAsync(Buffer.alloc(audio.FRAME_BYTES))));
    const onFail = () => fail(1);
    return {
      vp,
      tick(due, frameOf) {
        const onDone = () => done(due, 1);
        for (let s = 0; s < n; s++) encs[s].encodeAsync(frameOf(s)).then(onDone, onFail);
      },
      close: () => encs.forEach((e) => e.destroy()),
    };
  },
  async 'voxpool-many'(n, done, fail, extra = {}) {
    const vp = common.loadVoxpool();
    const encs = Array.from({ length: n }, () => vp.createEncoder({ ...OPTS, ...extra }));
    await vp.encodeMany(encs, encs.map(() => Buffer.alloc(audio.FRAME_BYTES)));
    const batch = new Array(n);
    return {
      vp,
      tick(due, frameOf) {
        for (let s = 0; s < n; s++) batch[s] = frameOf(s);
        vp.encodeMany(encs, batch).then(
          (results) => {
            let errors = 0;
            for (let i = 0; i < results.length; i++) if (results[i] instanceof Error) errors++;
            if (errors) fail(errors);
            done(due, n - errors);
          },
          () => fail(n),
        );
      },
      close: () => encs.forEach((e) => e.destroy()),
    };
  },
  async 'discordjs-sync'(n, done, fail) {
    const encs = Array.from({ length: n }, discordEncoder);
    for (const e of encs) e.encode(Buffer.alloc(audio.FRAME_BYTES));
    return {
      tick(due, frameOf) {
        for (let s = 0; s < n; s++) {
          try {
            encs[s].encode(frameOf(s));
            done(due, 1);
          } catch {
            fail(1);
          }
        }
      },
      close() {},
    };
  },
  async workers(n, done) {
    const w = os.availableParallelism();
    const workers = [];
    const ready = [];
    const stop = new Int32Array(new SharedArrayBuffer(4));
    for (let i = 0; i < w; i++) {
      const worker = new Worker(__filename);
      const streams = [];
      for (let s = i; s < n; s += w) streams.push(s);
      ready.push(
        new Promise((resolve, reject) => {
          worker.once('error', reject);
          worker.once('message', resolve);
        }),
      );
      worker.postMessage({ init: true, streams, stop: stop.buffer });
      workers.push(worker);
    }
    await Promise.all(ready);
    for (const worker of workers) worker.on('message', (m) => m.packet && done(m.due, 1));
    return {
      workers: w,
      tick(due, frameOf) {
        for (let s = 0; s < n; s++) workers[s % w].postMessage({ s, due, pcm: frameOf(s) });
      },
      async close() {
        Atomics.store(stop, 0, 1);
        await Promise.all(
          workers.map(
            (x) =>
              new Promise((resolve) => {
                x.on('message', (m) => m.drained && resolve());
                x.postMessage({ drain: true });
              }),
          ),
        );
        await Promise.all(workers.map((x) => x.terminate()));
      },
    };
  },
};
// The same set-up; childPoint loads the prebuilt binary for it.
SETUPS['voxpool-many-prebuild'] = SETUPS['voxpool-many'];
SETUPS['voxpool-adaptive'] = async (n, done, fail) => {
  const { AdaptiveComplexity } = require(common.ROOT);
  const adaptive = new AdaptiveComplexity({ minComplexity: 5 });
  const impl = await SETUPS['voxpool-many'](n, done, fail, { adaptive });
  return { ...impl, adaptive };
};

/**
 * Quality per complexity: the bench audio (10 s) encoded at each complexity, decoded, and compared
 * with the decoded complexity-10 encoding of the same audio (SNR in dB, cx10 itself: Infinity).
 * An adaptive point's quality figure is the frame-weighted mean over its complexity histogram.
 */
function complexitySnr() {
  const vp = require(common.ROOT);
  const frames = audio.frames({ seconds: 10 });
  const decodeAll = (complexity) => {
    const enc = new vp.Encoder({ ...OPTS, complexity });
    const dec = new vp.Decoder();
    const out = Buffer.concat(frames.map((f) => dec.decode(enc.encode(f))));
    enc.destroy();
    dec.destroy();
    return out;
  };
  const ref = decodeAll(10);
  const snr = [];
  for (let c = 0; c <= 10; c++) {
    const got = c === 10 ? ref : decodeAll(c);
    let sig = 0;
    let err = 0;
    for (let i = 0; i < ref.length; i += 2) {
      const r = ref.readInt16LE(i);
      const d = got.readInt16LE(i) - r;
      sig += r * r;
      err += d * d;
    }
    snr.push(err === 0 ? Infinity : 10 * Math.log10(sig / err));
  }
  return snr;
}

async function childPoint({ contender, streams: n, seconds, warmup }) {
  const frames = audio.frames({ seconds: 10 });
  const measuredTicks = Math.round((seconds * 1000) / PERIOD_MS);
  const expected = measuredTicks * n;
  const latencies = new Float64Array(expected);
  let recorded = 0;
  let onTime = 0;
  let failed = 0;
  let t0 = Infinity;
  let tEnd = Infinity;

  function done(due, count) {
    if (due < t0 || due >= tEnd) return;
    const lat = performance.now() - due;
    if (lat <= DEADLINE_MS) onTime += count;
    for (let i = 0; i < count && recorded < expected; i++) latencies[recorded++] = lat;
  }
  function fail(count) {
    failed += count;
  }

  if (contender.endsWith('-prebuild')) process.env.VOXPOOL_BINDING = PREBUILD;
  const impl = await SETUPS[contender](n, done, fail);
  const histogram = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  let meter = null;
  let result = null;

  await new Promise((resolve) => {
    let k = 0;
    let next = performance.now() + PERIOD_MS;
    t0 = next + Math.ceil((warmup * 1000) / PERIOD_MS) * PERIOD_MS;
    tEnd = t0 + measuredTicks * PERIOD_MS;
    const frameOf = (s) => frames[(s * 7 + k) % frames.length];
    const loop = () => {
      const due = next;
      const now = performance.now();
      if ((due >= t0 || now > tEnd + 1000) && !meter) {
        histogram.enable();
        meter = {
          t: now,
          cpu: process.cpuUsage(),
          thread: common.threadCpuNs(),
          elu: performance.eventLoopUtilization(),
          ticksIssued: 0,
        };
        if (impl.vp) impl.vp.resetStats();
        if (impl.adaptive) meter.adaptive = impl.adaptive.stats();
      }
      // Stop after the window, or when ticks have fallen so far behind (sync overload) that the
      // window's remaining frames can only be late: they count as missed.
      if (due >= tEnd || now > tEnd + 1000) {
        finish(resolve);
        return;
      }
      impl.tick(due, frameOf);
      if (meter) meter.ticksIssued++;
      k++;
      next += PERIOD_MS;
      setTimeout(loop, Math.max(0, next - performance.now()));
    };
    setTimeout(loop, Math.max(0, next - performance.now()));
  });

  function finish(resolve) {
    const now = performance.now();
    histogram.disable();
    const wallMs = now - meter.t;
    const cpu = process.cpuUsage(meter.cpu);
    const thread = common.threadCpuNs();
    const elu = performance.eventLoopUtilization(meter.elu);
    const ms = (ns) => Math.max(0, ns / 1e6 - LOOP_RESOLUTION_MS);
    result = {
      contender,
      streams: n,
      seconds,
      ticks: measuredTicks,
      ticksIssued: meter.ticksIssued,
      expected,
      processCpuPercent: ((cpu.user + cpu.system) / 1000 / wallMs) * 100,
      mainThreadCpuPercent: thread !== null && meter.thread !== null ? ((thread - meter.thread) / 1e6 / wallMs) * 100 : null,
      // Main-thread cost per frame due in the window: on-CPU time (schedstat), and event-loop busy
      // time (ELU × wall; also counts time the thread was runnable but waiting for a core).
      mainThreadCpuUsPerFrame: thread !== null && meter.thread !== null ? (thread - meter.thread) / 1e3 / expected : null,
      loopBusyUsPerFrame: (elu.utilization * wallMs * 1e3) / expected,
      eventLoopUtilization: elu.utilization,
      loopDelayMs: {
        p50: ms(histogram.percentile(50)),
        p99: ms(histogram.percentile(99)),
        max: ms(histogram.max),
        mean: ms(histogram.mean),
      },
    };
    // Give stragglers up to one second to land (their latency is still recorded; they are late).
    const deadline = now + 1000;
    const wait = () => {
      if (recorded + failed >= expected || performance.now() > deadline) resolve();
      else setTimeout(wait, 5);
    };
    wait();
  }

  const lat = latencies.subarray(0, recorded);
  result.completed = recorded;
  result.failed = failed;
  result.onTime = onTime;
  result.onTimePercent = (onTime / expected) * 100;
  result.latencyMs = {
    p50: common.percentile(lat, 50),
    p99: common.percentile(lat, 99),
    max: recorded ? lat.reduce((a, b) => (b > a ? b : a), -Infinity) : NaN,
  };
  if (impl.vp) {
    const st = impl.vp.stats();
    result.pool = { threads: st.threads, queueWait: st.queueWait, serviceTime: st.serviceTime, dropped: st.dropped, rejected: st.rejected };
  }
  if (impl.workers) result.workers = impl.workers;
  if (impl.adaptive) {
    // The window's frames per complexity (those of the warm-up subtracted).
    const st = impl.adaptive.stats();
    const frames = st.frames.map((f, c) => f - meter.adaptive.frames[c]);
    const total = frames.reduce((a, b) => a + b, 0);
    result.adaptive = {
      frames,
      meanComplexity: total ? frames.reduce((a, f, c) => a + f * c, 0) / total : NaN,
      atLeast8Percent: total ? (frames.slice(8).reduce((a, b) => a + b, 0) / total) * 100 : NaN,
      downgrades: st.downgrades - meter.adaptive.downgrades,
      upgrades: st.upgrades - meter.adaptive.upgrades,
      level: st.level,
    };
  }
  result.pass = result.onTimePercent >= PASS_ON_TIME && result.loopDelayMs.p99 <= PASS_LOOP_P99_MS;
  await impl.close();
  return result;
}

// ---------------------------------------------------------------------------------------------

/** Largest N such that it and every smaller tested N passed. */
function maxPassing(points) {
  let best = 0;
  for (const p of [...points].sort((a, b) => a.streams - b.streams)) {
    if (p.error || !p.pass) break;
    best = p.streams;
  }
  return best;
}

function streamsOf(result, c) {
  return (result.sweeps[c] || []).map((p) => p.streams);
}

/** Picks which voxpool mode is the headline: more passing streams, then better at the top N. */
function pickMain(sweeps) {
  const a = sweeps['voxpool-many'];
  const b = sweeps['voxpool-async'];
  if (!a || !b) return a ? 'voxpool-many' : b ? 'voxpool-async' : null;
  const ma = maxPassing(a);
  const mb = maxPassing(b);
  if (ma !== mb) return ma > mb ? 'voxpool-many' : 'voxpool-async';
  const score = (pts) => {
    const ok = pts.filter((p) => !p.error);
    return ok.reduce((s, p) => s + p.onTimePercent - p.loopDelayMs.p99, 0) / Math.max(1, ok.length);
  };
  return score(a) >= score(b) ? 'voxpool-many' : 'voxpool-async';
}

function render(result) {
  const out = [];
  out.push(
    `### Real-time capacity (48 kHz stereo 64 kbps complexity 10, 20 ms tick, ${result.seconds} s per point, ` +
      `deadline ${DEADLINE_MS} ms after due)\n`,
  );
  const rows = [];
  for (const c of result.contenders) {
    for (const p of result.sweeps[c] || []) {
      if (p.error) {
        rows.push([LABELS[c], p.streams, common.oneLine(p.error), '', '', '', '', '', '', '']);
        continue;
      }
      rows.push([
        LABELS[c] + (c === result.main ? ' ★' : ''),
        p.streams,
        common.fmt(p.onTimePercent, 2),
        `${common.fmt(p.latencyMs.p50, 1)} / ${common.fmt(p.latencyMs.p99, 1)}`,
        `${common.fmt(p.loopDelayMs.p50, 2)} / ${common.fmt(p.loopDelayMs.p99, 2)} / ${common.fmt(p.loopDelayMs.max, 1)}`,
        common.fmt(p.processCpuPercent, 0),
        common.fmt(p.mainThreadCpuPercent, 1),
        `${common.fmt(p.mainThreadCpuUsPerFrame, 2)} / ${common.fmt(p.loopBusyUsPerFrame, 2)}`,
        p.failed,
        p.pass ? 'yes' : 'no',
      ]);
    }
  }
  out.push(
    common.table(
      ['contender', 'streams', 'on time %', 'latency p50 / p99 ms', 'loop delay p50 / p99 / max ms', 'CPU %', 'main thread CPU %', 'main thread µs/frame: CPU / loop busy', 'errors', 'pass'],
      rows,
    ),
  );
  out.push(`\n### Real-time capacity summary (pass: ≥ ${PASS_ON_TIME} % on time and loop p99 ≤ ${PASS_LOOP_P99_MS} ms)\n`);
  out.push(
    common.table(
      ['contender', 'max streams passing', 'tested'],
      result.contenders.map((c) => [
        LABELS[c] + (c === result.main ? ' ★ main line' : ''),
        result.maxPassing[c] ? String(result.maxPassing[c]) : `< ${Math.min(...streamsOf(result, c))}`,
        (result.sweeps[c] || []).map((p) => p.streams).join(', '),
      ]),
    ),
  );
  const adaptive = (result.sweeps['voxpool-adaptive'] || []).filter((p) => p.adaptive);
  if (adaptive.length) {
    const snr = result.complexitySnrDb;
    const quality = (p) => {
      // Frames at a complexity whose decode equals cx10's are identical; the others' SNR is
      // averaged, weighted by frames.
      const f = p.adaptive.frames;
      const total = f.reduce((a, b) => a + b, 0);
      const differing = snr ? f.reduce((a, n, c) => a + (Number.isFinite(snr[c]) ? n : 0), 0) : 0;
      if (!snr || differing === 0) return 'every frame decodes as at cx10';
      const mean = f.reduce((a, n, c) => a + (Number.isFinite(snr[c]) ? n * snr[c] : 0), 0) / differing;
      return `${common.fmt((differing / total) * 100, 1)} % of frames differ from cx10's decode, at ${common.fmt(mean, 1)} dB SNR`;
    };
    out.push('\n### Adaptive complexity (voxpool-adaptive points)\n');
    out.push(common.table(
      ['streams', 'on time %', 'mean complexity', 'frames at ≥ 8 %', 'level at end', 'down / up steps', 'quality'],
      adaptive.map((p) => [p.streams, common.fmt(p.onTimePercent, 2), common.fmt(p.adaptive.meanComplexity, 2), common.fmt(p.adaptive.atLeast8Percent, 1),
        common.fmt(p.adaptive.level, 2), `${p.adaptive.downgrades} / ${p.adaptive.upgrades}`, quality(p)]),
    ));
    if (snr) {
      out.push(`\nSNR of each complexity's decode against complexity 10's (dB, 0..9; ∞: the same bitstream): ` +
        `${snr.slice(0, 10).map((x) => (Number.isFinite(x) ? common.fmt(x, 1) : '∞')).join(', ')}.`);
    }
  }
  out.push(
    '\nCPU % is process.cpuUsage() over wall (100 % = one core, all threads); main-thread CPU from ' +
      '/proc/thread-self/schedstat; loop busy = performance.eventLoopUtilization() × wall (overstates CPU ' +
      'when the main thread waits for a core). Per-frame figures divide by the frames due in the window. ' +
      '★ = the better voxpool mode, used as the headline.',
  );
  return out.join('\n');
}

async function main() {
  const args = common.parseArgs();
  if (await common.runAsChild(args, childPoint, (p) => ({ contender: p.contender, streams: p.streams }))) return;
  const quick = !!args.quick;
  const seconds = args.seconds ? Number(args.seconds) : quick ? 2 : 8;
  const warmup = args.warmup ? Number(args.warmup) : quick ? 0.5 : 1;
  const streamList = args.streams
    ? String(args.streams).split(',').map(Number)
    : quick
      ? [60, 120, 180, 240, 300, 360]
      : [60, 120, 180, 240, 300, 330, 360, 400];
  const contenders = args.contenders
    ? String(args.contenders).split(',')
    : Object.keys(SETUPS).filter((c) => !c.endsWith('-prebuild') || fs.existsSync(PREBUILD));
  for (const c of contenders) if (!SETUPS[c]) throw new Error(`unknown contender ${c}; known: ${Object.keys(SETUPS).join(', ')}`);

  const result = { machine: common.machine(), quick, seconds, warmup, streams: streamList, contenders, sweeps: {}, maxPassing: {} };
  if (contenders.includes('voxpool-adaptive')) result.complexitySnrDb = complexitySnr();
  if (!args['no-header']) console.log(`## Machine\n\n${common.machineMarkdown(result.machine)}\n`);
  for (const c of contenders) {
    result.sweeps[c] = [];
    for (const n of streamList) {
      const p = common.runChildRetrying(__filename, { contender: c, streams: n, seconds, warmup }, { timeoutMs: (seconds + warmup + 30) * 1000 });
      if (p.error) Object.assign(p, { contender: c, streams: n });
      result.sweeps[c].push(p);
      process.stderr.write(
        p.error
          ? `  ${c} N=${n}: ${p.error}\n`
          : `  ${c} N=${n}: ${p.onTimePercent.toFixed(2)} % on time, loop p99 ${p.loopDelayMs.p99.toFixed(2)} ms, CPU ${p.processCpuPercent.toFixed(0)} %\n`,
      );
      // Stop once the contender clearly fails: an error, a point below 50 %, or two points in a row
      // below 90 % (one bad point on a shared machine may be noise).
      const prev = result.sweeps[c][result.sweeps[c].length - 2];
      const bad = (q) => q && !q.error && q.onTimePercent < STOP_BELOW_ON_TIME;
      if (p.error || p.onTimePercent < 50 || (bad(p) && bad(prev))) break;
    }
    result.maxPassing[c] = maxPassing(result.sweeps[c]);
  }
  result.main = pickMain(result.sweeps);
  console.log(render(result));
  const file = common.writeOut('opus-realtime.json', result);
  const chart = common.writeOut(
    'realtime.svg',
    svg.realtimeChart({
      title: 'voxpool real-time capacity: 48 kHz stereo Opus, 64 kbps, complexity 10, 20 ms tick',
      subtitle: `${result.machine.cpu}, ${result.machine.cores} cores, Node ${result.machine.node}, ${seconds} s per point`,
      series: contenders.map((c) => ({
        label: `${LABELS[c]}: max ${result.maxPassing[c] || `< ${Math.min(...streamsOf(result, c))}`} streams`,
        main: c === result.main,
        secondary: c.startsWith('voxpool') && c !== result.main,
        key: c,
        points: result.sweeps[c]
          .filter((p) => !p.error)
          .map((p) => ({ x: p.streams, onTime: p.onTimePercent, loopP99: p.loopDelayMs.p99 })),
      })),
      passOnTime: PASS_ON_TIME,
      passLoopP99: PASS_LOOP_P99_MS,
    }),
  );
  console.log(`\nJSON: ${file}\nChart: ${chart}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
