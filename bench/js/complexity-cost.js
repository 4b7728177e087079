'use strict';
/**
 * What each Opus complexity costs, relative to complexity 10: the bench audio (48 kHz stereo,
 * 64 kbps, 10 s) encoded synchronously at each complexity, several rounds interleaved, the
 * median time per frame. AdaptiveComplexity's prior (kAdaptivePriorCost in
 * include/voxpool/opus/adaptive_complexity.h) comes from this; the controller replaces it with
 * its own measurements as it runs each level.
 *
 * Usage: node bench/js/complexity-cost.js [--rounds 5]
 */
const { performance } = require('node:perf_hooks');
const audio = require('./audio');
const common = require('./common');

function main() {
  const args = common.parseArgs(process.argv.slice(2));
  const rounds = Number(args.rounds || 5);
  const vp = require(common.ROOT);
  const frames = audio.frames({ seconds: 10 });
  const times = Array.from({ length: 11 }, () => []);
  for (let r = 0; r < rounds; r++) {
    for (let c = 0; c <= 10; c++) {
      const enc = new vp.Encoder({ sampleRate: 48000, channels: 2, bitrate: 64000, complexity: c });
      for (let i = 0; i < 25; i++) enc.encode(frames[i]);  // warm up
      const t = performance.now();
      for (const f of frames) enc.encode(f);
      times[c].push(((performance.now() - t) * 1000) / frames.length);
      enc.destroy();
    }
  }
  const med = times.map((t) => [...t].sort((a, b) => a - b)[Math.floor(t.length / 2)]);
  console.log(common.table(['complexity', 'µs / frame (median)', 'relative to 10', 'rounds'],
    med.map((m, c) => [c, common.fmt(m, 1), common.fmt(m / med[10], 3), times[c].map((x) => common.fmt(x, 1)).join(' / ')])));
}

main();
