'use strict';
// AdaptiveComplexity's API: options, what encoders sharing it record, and that its encodes stay
// valid Opus within the configured range. How it steps under load is proven by the native tests
// on simulated ticks (test/native/adaptive_complexity_test.cc) and measured by the benchmark
// (bench/js/opus-realtime.js, voxpool-adaptive); timing-dependent checks do not belong here.
const test = require('node:test');
const assert = require('node:assert/strict');
const voxpool = require('../..');
const { sineMix } = require('./helpers');

const { AdaptiveComplexity, Encoder, Decoder, encodeMany, opus: C } = voxpool;
const A = C.ADAPTIVE;
const pcm = sineMix(48000, 2, 960);

test('AdaptiveComplexity starts at maxComplexity with empty counters, sized for the pool', () => {
  const a = new AdaptiveComplexity();
  const s = a.stats();
  assert.equal(s.level, C.MAX_COMPLEXITY);
  assert.deepEqual(s.frames, new Array(C.MAX_COMPLEXITY + 1).fill(0));
  assert.equal(s.downgrades + s.upgrades + s.lateFrames, 0);
  assert.equal(s.scale, 1);
  assert.equal(s.threads, voxpool.stats().threads);
  assert.equal(new AdaptiveComplexity({ maxComplexity: 8 }).stats().level, 8);
  assert.equal(A.DEFAULT_MIN_COMPLEXITY, 5);
  assert.equal(A.DEFAULT_TARGET_SLACK_MS, 5);
});

test('pool encodes of adaptive encoders are counted per complexity and stay valid Opus', async () => {
  const a = new AdaptiveComplexity({ minComplexity: 6, maxComplexity: 9 });
  const encoders = [new Encoder({ adaptive: a }), new Encoder({ adaptive: a, complexity: 2 })];
  const decoder = new Decoder();
  for (let i = 0; i < 20; i++) {
    for (const p of await Promise.all(encoders.map((e) => e.encodeAsync(pcm)))) {
      assert.equal(decoder.decode(p).length, pcm.length);
    }
  }
  await encoders[0].encodeBatch([pcm, pcm, pcm]);
  await encodeMany(encoders, [pcm, pcm]);
  encoders[0].encode(pcm);  // synchronous: not the controller's
  const s = a.stats();
  assert.equal(s.frames.reduce((x, y) => x + y, 0), 40 + 3 + 2);
  s.frames.forEach((n, c) => { if (c < 6 || c > 9) assert.equal(n, 0, `frames at complexity ${c}`); });
  // Each encoder runs at what the controller chose for its last pool frame (6..9), whatever its
  // own complexity option said.
  for (const e of encoders) assert.ok(e.complexity >= 6 && e.complexity <= 9, `complexity ${e.complexity}`);
  // Without { adaptive } the option stands.
  assert.equal(new Encoder({ complexity: 2 }).complexity, 2);
});

test('AdaptiveComplexity and the adaptive option refuse what they cannot use, with exact errors', () => {
  assert.throws(() => new AdaptiveComplexity({ maxComplexity: 11 }), {
    name: 'RangeError', message: 'Expected an integer between 0 and 10 for options.maxComplexity but received 11 of type number',
  });
  assert.throws(() => new AdaptiveComplexity({ maxComplexity: 6, minComplexity: 7 }), {
    name: 'RangeError', message: 'Expected an integer between 0 and 6 for options.minComplexity but received 7 of type number',
  });
  assert.throws(() => new AdaptiveComplexity({ targetSlackMs: 16 }), {
    name: 'RangeError', message: `Expected a number between 0 and ${A.MAX_TARGET_SLACK_MS} for options.targetSlackMs but received 16 of type number`,
  });
  assert.throws(() => new Encoder({ adaptive: {} }), {
    name: 'TypeError', message: 'Expected an AdaptiveComplexity for adaptive but received [object Object] of type object',
  });
  assert.throws(() => new Encoder({ adaptive: true }), { name: 'TypeError' });
  // The native class refuses a foreign `this` and a foreign controller.
  assert.throws(() => AdaptiveComplexity.prototype.stats.call({}), { name: 'TypeError' });
});
