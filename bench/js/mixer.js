'use strict';
/**
 * Mixing 32 stereo 20 ms s16 sources (48 kHz, 960 frames) with a gain per source and a limit to
 * the s16 range, side by side, each contender in a fresh process:
 *   voxpool-sync   Mixer#push per source + Mixer#mix on the calling thread (gains, soft limiter)
 *   voxpool-pushMany  Mixer#pushMany (one native call for all 32 pushes) + Mixer#mix
 *   voxpool-mixWith   Mixer#mixWith: the 32 pushes and the tick in one native call
 *   voxpool-async  the same with Mixer#mixAsync on the pool (main-thread cost and latency)
 *   typed-array    a JS loop over Int16Array views accumulating in a Float32Array, then clamping
 *   readInt16LE    prism-media's VolumeTransformer style: Buffer#readInt16LE / writeInt16LE
 * Prints a Markdown table; writes bench/out/mixer.json. About 10-20 s (--quick: about 5 s).
 *   node bench/js/mixer.js [--quick] [--seconds S]
 */
const path = require('node:path');
const common = require('./common');

const SOURCES = 32;
const FRAMES = 960;
const CHANNELS = 2;
const SAMPLES = FRAMES * CHANNELS;

function makeInputs() {
  const inputs = [];
  for (let s = 0; s < SOURCES; s++) {
    const b = Buffer.alloc(SAMPLES * 2);
    for (let i = 0; i < SAMPLES; i++) b.writeInt16LE(Math.round(6000 * Math.sin((i + s * 37) * 0.011 * (1 + s / 16))), i * 2);
    inputs.push(b);
  }
  return inputs;
}
const GAINS = Array.from({ length: SOURCES }, (_, s) => 10 ** ((-3 - (s % 7)) / 20));

function contenders(inputs) {
  return {
    'voxpool-sync': () => {
      const { Mixer } = require(common.ROOT);
      const m = new Mixer({ sampleRate: 48000, channels: 2, frameSize: FRAMES, maxSources: SOURCES });
      const ids = GAINS.map((g) => m.addSource({ gain: g }));
      return () => {
        for (let s = 0; s < SOURCES; s++) m.push(ids[s], inputs[s]);
        return m.mix();
      };
    },
    'voxpool-pushMany': () => {
      const { Mixer } = require(common.ROOT);
      const m = new Mixer({ sampleRate: 48000, channels: 2, frameSize: FRAMES, maxSources: SOURCES });
      const ids = GAINS.map((g) => m.addSource({ gain: g }));
      return () => {
        m.pushMany(ids, inputs);
        return m.mix();
      };
    },
    'voxpool-mixWith': () => {
      const { Mixer } = require(common.ROOT);
      const m = new Mixer({ sampleRate: 48000, channels: 2, frameSize: FRAMES, maxSources: SOURCES });
      const ids = GAINS.map((g) => m.addSource({ gain: g }));
      return () => m.mixWith(ids, inputs);
    },
    'typed-array': () => {
      const views = inputs.map((b) => new Int16Array(b.buffer, b.byteOffset, SAMPLES));
      const acc = new Float32Array(SAMPLES);
      return () => {
        acc.fill(0);
        for (let s = 0; s < SOURCES; s++) {
          const v = views[s];
          const g = GAINS[s];
          for (let i = 0; i < SAMPLES; i++) acc[i] += v[i] * g;
        }
        const out = Buffer.allocUnsafe(SAMPLES * 2);
        const o = new Int16Array(out.buffer, out.byteOffset, SAMPLES);
        for (let i = 0; i < SAMPLES; i++) {
          const x = Math.round(acc[i]);
          o[i] = x > 32767 ? 32767 : x < -32768 ? -32768 : x;
        }
        return out;
      };
    },
    readInt16LE: () => {
      const acc = new Float64Array(SAMPLES);
      return () => {
        acc.fill(0);
        for (let s = 0; s < SOURCES; s++) {
          const b = inputs[s];
          const g = GAINS[s];
          for (let i = 0; i < SAMPLES; i++) acc[i] += b.readInt16LE(i * 2) * g;
        }
        const out = Buffer.allocUnsafe(SAMPLES * 2);
        for (let i = 0; i < SAMPLES; i++) out.writeInt16LE(Math.min(32767, Math.max(-32768, Math.floor(acc[i]))), i * 2);
        return out;
      };
    },
  };
}

// Child: times one contender; prints { usPerFrame, p50, p99, frames } as its last line.
async function child(payload) {
  const inputs = makeInputs();
  const { name, seconds } = payload;
  if (name === 'voxpool-async') {
    const { Mixer } = require(common.ROOT);
    const m = new Mixer({ sampleRate: 48000, channels: 2, frameSize: FRAMES, maxSources: SOURCES });
    const ids = GAINS.map((g) => m.addSource({ gain: g }));
    const lat = [];
    let main = 0;
    const end = Date.now() + seconds * 1000;
    let frames = 0;
    while (Date.now() < end) {
      const t0 = process.hrtime.bigint();
      for (let s = 0; s < SOURCES; s++) m.push(ids[s], inputs[s]);
      const p = m.mixAsync();
      const t1 = process.hrtime.bigint();
      await p;
      const t2 = process.hrtime.bigint();
      main += Number(t1 - t0);
      lat.push(Number(t2 - t0) / 1000);
      frames++;
    }
    lat.sort((a, b) => a - b);
    return { usPerFrame: main / frames / 1000, p50: common.percentile(lat, 50), p99: common.percentile(lat, 99), frames, note: 'main-thread µs (push + submit); p50/p99 = µs until the Promise settles' };
  }
  const run = contenders(inputs)[name]();
  for (let i = 0; i < 200; i++) run();  // warm-up (JIT, caches)
  const per = [];
  const end = Date.now() + seconds * 1000;
  let frames = 0;
  let total = 0;
  while (Date.now() < end) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < 20; i++) run();
    const dt = Number(process.hrtime.bigint() - t0) / 1000 / 20;
    per.push(dt);
    total += dt * 20;
    frames += 20;
  }
  per.sort((a, b) => a - b);
  return { usPerFrame: total / frames, p50: common.percentile(per, 50), p99: common.percentile(per, 99), frames };
}

// Checks the contenders agree (voxpool rounds to nearest and soft-limits; the JS loops do not
// limit): the mixes stay within a few LSB of each other on this quiet input.
function agreement() {
  const inputs = makeInputs();
  const c = contenders(inputs);
  const a = c['voxpool-sync']()();
  const b = c['typed-array']()();
  for (const name of ['voxpool-pushMany', 'voxpool-mixWith']) {
    if (!c[name]()().equals(a)) throw new Error(`${name} does not produce voxpool-sync's bytes`);
  }
  let worst = 0;
  for (let i = 0; i < SAMPLES; i++) worst = Math.max(worst, Math.abs(a.readInt16LE(i * 2) - b.readInt16LE(i * 2)));
  return worst;
}

async function main() {
  const args = common.parseArgs();
  if (await common.runAsChild(args, child)) return;
  const seconds = Number(args.seconds || (args.quick ? 1 : 3));
  const names = ['voxpool-sync', 'voxpool-pushMany', 'voxpool-mixWith', 'voxpool-async', 'typed-array', 'readInt16LE'];
  const results = {};
  for (const name of names) results[name] = common.runChildRetrying(path.join(__dirname, 'mixer.js'), { name, seconds }, { timeoutMs: 60000 });
  const base = results['readInt16LE'].usPerFrame;
  const rows = names.map((n) => {
    const r = results[n];
    if (r.error) return [n, r.error, '', '', '', ''];
    return [n, common.fmt(r.usPerFrame, 2), common.fmt(r.p50, 2), common.fmt(r.p99, 2), base ? `${common.fmt(base / r.usPerFrame, 1)}×` : '–', String(r.frames)];
  });
  const worst = agreement();
  console.log(`32 stereo 20 ms s16 sources (48 kHz, 960 frames), gain per source; µs per mixed frame, each contender in a fresh process, ${seconds} s each.\n`);
  console.log(common.table(['contender', 'µs/frame', 'p50 µs', 'p99 µs', 'vs readInt16LE', 'frames'], rows));
  console.log(`\nvoxpool-async: µs/frame is main-thread time (32 pushes + submit); p50/p99 are µs until the Promise settles. voxpool and the typed-array loop agree within ${worst} LSB.`);
  common.writeOut('mixer.json', { machine: common.machine(), seconds, sources: SOURCES, frames: FRAMES, channels: CHANNELS, results, maxDifferenceLsb: worst });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
