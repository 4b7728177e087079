'use strict';
/**
 * Filter cost per 20 ms stereo 48 kHz s16 frame (issue 11), each contender in a fresh child
 * process, interleaved rounds (--rounds, default 3; --quick 1), on the benchmarks' music-like
 * audio (bench/js/audio.js):
 *
 *   EQ, voxpool              FilterChain.process(), 15 bands set (a "bass boost + presence" preset)
 *   EQ, @discord-player/eq   discord-player's JS port of Lavalink's equalizer (EqualizerStream's
 *                            per-chunk work, on the event loop, as its FiltersChain builds it),
 *                            same bands
 *   Lavalink set, voxpool    equalizer + karaoke + tremolo + vibrato + rotation + lowPass + volume
 *                            (every Lavalink filter but timescale)
 *   nightcore, voxpool       Lavalink's "nightcore" preset: timescale (speed 1.165, pitch 1.125,
 *                            rate 1.05, libSoundTouch) + the EQ; per input frame
 *   full chain + encode cx10 the Lavalink set plus nightcore's timescale, then every whole 20 ms
 *                            frame it has ready encoded (what an encoder stream's job does)
 *   loudness, voxpool        FilterChain.process() with loudness normalization (EBU R128 via
 *                            libebur128: K-weighting and 4x true peak every frame, a 400 ms block
 *                            read every 100 ms)
 *   encode cx10              voxpool Encoder.encode() alone (64 kbps, complexity 10)
 *   EQ + encode cx10         FilterChain.process() then encode(): the cost a filtered stream adds
 *   Lavalink set + encode    the full set then encode()
 *
 * Each call is timed alone (process.hrtime.bigint), so the table gives the median, mean, p99 and
 * max µs per frame; streams per core = 20 ms ÷ the mean. Ratios are taken within one round.
 *
 * Usage: node bench/js/filters.js [--quick] [--rounds N] [--seconds S]
 */
const path = require('node:path');
const audio = require('./audio');
const common = require('./common');

const EQ = [0.2, 0.15, 0.1, 0.05, 0, -0.05, -0.05, 0, 0.05, 0.1, 0.15, 0.1, 0.05, 0.05, 0.1]
  .map((gain, band) => ({ band, gain }));
const LAVALINK_SET = {
  volume: 0.8,
  equalizer: EQ,
  karaoke: {},
  tremolo: { frequency: 4, depth: 0.3 },
  vibrato: { frequency: 4, depth: 0.3 },
  rotation: { rotationHz: 0.2 },
  lowPass: { smoothing: 2 },
};
const NIGHTCORE = { timescale: { speed: 1.165, pitch: 1.125, rate: 1.05 }, equalizer: EQ };
const FULL_CHAIN = { ...LAVALINK_SET, timescale: NIGHTCORE.timescale };
// Output frames per input frame under nightcore's timescale: 1 / (speed x rate).
const OUTPUT_PER_INPUT = 1 / (NIGHTCORE.timescale.speed * NIGHTCORE.timescale.rate);
const CONTENDERS = ['EQ, voxpool', 'EQ, @discord-player/eq', 'Lavalink set, voxpool', 'nightcore, voxpool', 'loudness, voxpool', 'encode cx10',
  'EQ + encode cx10', 'Lavalink set + encode cx10', 'full chain + encode cx10'];

function timeEach(frames, seconds, step) {
  // One untimed pass warms caches, JIT and the CPU clock.
  for (const f of frames) step(f);
  const times = [];
  const end = process.hrtime.bigint() + BigInt(Math.round(seconds * 1e9));
  for (let i = 0; process.hrtime.bigint() < end; i++) {
    const f = frames[i % frames.length];
    const t0 = process.hrtime.bigint();
    step(f);
    times.push(Number(process.hrtime.bigint() - t0) / 1000);
  }
  const mean = times.reduce((a, t) => a + t, 0) / times.length;
  times.sort((a, b) => a - b);
  return {
    frames: times.length,
    mean,
    median: common.percentile(times, 50),
    p99: common.percentile(times, 99),
    max: times[times.length - 1],
  };
}

async function child({ contender, seconds }) {
  const frames = audio.frames({ seconds: 10 });
  const voxpool = require(common.ROOT);
  if (contender === 'EQ, @discord-player/eq') {
    const { EqualizerStream } = require('@discord-player/equalizer');
    // As discord-player's FiltersChain makes it (channels left at its default of 1: the
    // interleaved stereo frame goes through one channel processor, 1920 samples per frame, the
    // same work per sample as two). Its _transform filters a chunk in place and pushes it; a
    // copy per frame, as a stream would receive a fresh chunk.
    const eq = new EqualizerStream({ bandMultiplier: EQ });
    eq.on('data', () => {});
    const noop = () => {};
    return { contender, ...timeEach(frames, seconds, (f) => eq._transform(Buffer.from(f), 'buffer', noop)) };
  }
  const filters = contender.startsWith('EQ') ? { equalizer: EQ }
    : contender.startsWith('nightcore') ? NIGHTCORE : contender.startsWith('full chain') ? FULL_CHAIN
    : contender.startsWith('loudness') ? { loudness: { targetLufs: -14 } } : LAVALINK_SET;
  const chain = new voxpool.FilterChain({ filters });
  const encoder = new voxpool.Encoder({ sampleRate: 48000, channels: 2, bitrate: 64000, complexity: 10 });
  const withEncode = contender.includes('encode');
  if (contender === 'encode cx10') return { contender, ...timeEach(frames, seconds, (f) => encoder.encode(f)) };
  if (contender === 'full chain + encode cx10') {
    // timescale returns the frames ready: encode each whole 20 ms frame, carry the rest.
    const frameBytes = frames[0].length;
    let carry = Buffer.alloc(0);
    return {
      contender,
      ...timeEach(frames, seconds, (f) => {
        const out = chain.process(f);
        let data = carry.length ? Buffer.concat([carry, out]) : out;
        for (; data.length >= frameBytes; data = data.subarray(frameBytes)) encoder.encode(data.subarray(0, frameBytes));
        carry = Buffer.from(data);
      }),
    };
  }
  if (withEncode) return { contender, ...timeEach(frames, seconds, (f) => encoder.encode(chain.process(f))) };
  return { contender, ...timeEach(frames, seconds, (f) => chain.process(f)) };
}

async function main() {
  const args = common.parseArgs();
  if (await common.runAsChild(args, child, (p) => ({ contender: p.contender }))) return;
  const rounds = Number(args.rounds || (args.quick ? 1 : 3));
  const seconds = Number(args.seconds || (args.quick ? 1 : 3));
  if (!args['no-header']) console.log(`## Machine\n\n${common.machineMarkdown(common.machine())}\n`);
  const byRound = [];
  for (let r = 0; r < rounds; r++) {
    const row = {};
    for (const contender of CONTENDERS) {
      row[contender] = common.runChildRetrying(path.join(__dirname, 'filters.js'), { contender, seconds });
    }
    byRound.push(row);
  }
  const med = (xs) => common.percentile(xs, 50);
  const rows = CONTENDERS.map((c) => {
    const runs = byRound.map((row) => row[c]).filter((x) => !x.error);
    if (runs.length === 0) return [c, `error: ${common.oneLine(byRound[0][c].error)}`, '', '', '', ''];
    const m = med(runs.map((x) => x.median));
    const mean = med(runs.map((x) => x.mean));
    return [c, common.fmt(m, 2), common.fmt(mean, 2), common.fmt(med(runs.map((x) => x.p99)), 2), common.fmt(Math.max(...runs.map((x) => x.max)), 1),
      common.fmt(20000 / mean, 0), String(runs.reduce((a, x) => a + x.frames, 0))];
  });
  console.log(`Per 20 ms stereo 48 kHz s16 frame, ${rounds} interleaved round(s) of ${seconds} s per contender:\n`);
  // timescale works in bursts (libSoundTouch processes a whole sequence at a time, and most calls
  // only buffer), so its cost is the mean; streams per core come from the mean for every row.
  console.log(common.table(['contender', 'median µs', 'mean µs', 'p99 µs', 'max µs', 'frames per 20 ms per core', 'frames timed'], rows));
  const ratio = (a, b, key = 'median') => med(byRound.filter((row) => !row[a].error && !row[b].error).map((row) => row[a][key] / row[b][key]));
  console.log('');
  console.log(`- @discord-player/equalizer ÷ voxpool EQ (same round, median of rounds): ${common.fmt(ratio('EQ, @discord-player/eq', 'EQ, voxpool'), 1)}×`);
  console.log(`- EQ + encode ÷ encode: ${common.fmt(ratio('EQ + encode cx10', 'encode cx10'), 3)}×; Lavalink set + encode ÷ encode: ${common.fmt(ratio('Lavalink set + encode cx10', 'encode cx10'), 3)}×; ` +
    `full chain (with timescale) + encode ÷ encode: ${common.fmt(ratio('full chain + encode cx10', 'encode cx10', 'mean'), 3)}× per input frame (means), ` +
    `${common.fmt(ratio('full chain + encode cx10', 'encode cx10', 'mean') / OUTPUT_PER_INPUT, 3)}× per 20 ms played ` +
    `(timescale plays ${common.fmt(1 / OUTPUT_PER_INPUT, 4)}× faster, so an input frame makes ${common.fmt(OUTPUT_PER_INPUT, 3)} output frames)`);
  common.writeOut('filters.json', { rounds: byRound });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
