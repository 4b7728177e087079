'use strict';
// AdaptiveComplexity: a controller that encoders share ({ adaptive }) so that, when the pool would
// finish a tick's frames too late, their complexity steps down only as far as needed, and back up
// with hysteresis when load falls (the model is in include/voxpool/opus/adaptive_complexity.h).
// It applies to encodes on the pool (encodeAsync, encodeBatch, encodeMany, the encoder stream);
// a synchronous encode() uses the complexity the last pool encode set.
const binding = require('./binding');
const validate = require('./validate');
const { guardReceiver } = require('./receiver-guard');

const O = binding.opusConstants;
const A = O.ADAPTIVE;

/** @type {(value: unknown) => object | undefined} */
let nativeOf;

class AdaptiveComplexity {
  #native;

  /**
   * @param {object} [options]
   * @param {number} [options.minComplexity=ADAPTIVE.DEFAULT_MIN_COMPLEXITY] the lowest it steps
   *   down to (0..maxComplexity)
   * @param {number} [options.maxComplexity=10] where it starts and the highest it steps up to
   * @param {number} [options.targetSlackMs=ADAPTIVE.DEFAULT_TARGET_SLACK_MS] how long before its
   *   due time a tick's last frame should finish (0..ADAPTIVE.MAX_TARGET_SLACK_MS)
   */
  constructor(options) {
    const o = validate.options(options);
    const max = o.maxComplexity === undefined ? O.MAX_COMPLEXITY : validate.integer(o.maxComplexity, 'options.maxComplexity', 0, O.MAX_COMPLEXITY);
    const min = o.minComplexity === undefined
      ? Math.min(A.DEFAULT_MIN_COMPLEXITY, max)
      : validate.integer(o.minComplexity, 'options.minComplexity', 0, max);
    const slack = o.targetSlackMs === undefined
      ? A.DEFAULT_TARGET_SLACK_MS
      : validate.number(o.targetSlackMs, 'options.targetSlackMs', 0, A.MAX_TARGET_SLACK_MS);
    this.#native = new binding.NativeAdaptiveComplexity({ minComplexity: min, maxComplexity: max, targetSlackNs: Math.round(slack * 1e6) });
  }

  /**
   * What it has done: `frames[c]` frames encoded at complexity c, `downgrades` / `upgrades`
   * (windows of 200 ms that lowered / raised the level), `lateFrames` (finished with less than
   * targetSlackMs to spare), `level` (7.3: 30 % of the streams at 8, the rest at 7), `scale` (the
   * budget's feedback factor, 0.25..1), `streamsPerTick` as last measured, and the pool `threads`
   * it budgets for.
   * @returns {{frames: number[], downgrades: number, upgrades: number, lateFrames: number, level: number, scale: number, streamsPerTick: number, threads: number}}
   */
  stats() {
    return this.#native.stats();
  }

  static {
    nativeOf = (value) => (typeof value === 'object' && value !== null && #native in value ? value.#native : undefined);
    guardReceiver(this, (o) => #native in o);
  }
}

/** The native controller of an AdaptiveComplexity, or a TypeError naming `name`. */
function adaptiveNative(value, name) {
  const native = nativeOf(value);
  if (native === undefined) throw validate.invalidType('an AdaptiveComplexity', name, value);
  return native;
}

module.exports = { AdaptiveComplexity, adaptiveNative };
