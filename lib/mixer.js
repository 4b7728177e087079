'use strict';
// Mixer: many PCM sources into one frame per tick, natively (fixed frames, float accumulation,
// per-source gain ramps, mute/solo/pan, ducking, master gain, soft limiter). Sources at other
// rates or channel counts are converted on push (libsoxr). `mix()` runs on the calling thread;
// `mixAsync()` runs on the voxpool pool, ticks of one mixer in order.
const { rejecting } = require('./promise-api');
const binding = require('./binding');
const validate = require('./validate');
const { guardReceiver } = require('./receiver-guard');
const { queueOptions } = require('./queue-options');
const { CHANNELS, dbToLinear, withCallerStack } = require('./mixer-util');

const C = binding.mixerConstants;

/** Mixer limits, read from native code so they are never typed twice. */
const mixerConstants = Object.freeze({
  MIN_SAMPLE_RATE: C.MIN_SAMPLE_RATE,
  MAX_SAMPLE_RATE: C.MAX_SAMPLE_RATE,
  MAX_SOURCES: C.MAX_SOURCES,
  MAX_FRAME_SIZE: C.MAX_FRAME_SIZE,
  MAX_QUEUE_FRAMES: C.MAX_QUEUE_FRAMES,
  MAX_PUSH_FRAMES: C.MAX_PUSH_FRAMES,
  MIN_GAIN_DB: C.MIN_GAIN_DB,
  MAX_GAIN_DB: C.MAX_GAIN_DB,
  MAX_RAMP_MS: C.MAX_RAMP_MS,
  SWITCH_RAMP_MS: C.SWITCH_RAMP_MS,
  MAX_SPEAKERS: C.MAX_SPEAKERS,
  MAX_JITTER_FRAMES: C.MAX_JITTER_FRAMES,
  MAX_PACKET_FRAMES: C.MAX_PACKET_FRAMES,
  MAX_VOLUME: C.MAX_VOLUME,
  RESAMPLER: C.RESAMPLER,
});

const MAX_LINEAR = 10 ** (C.MAX_GAIN_DB / 20);

function sampleRate(value, name = 'sampleRate') {
  return validate.integer(value, name, C.MIN_SAMPLE_RATE, C.MAX_SAMPLE_RATE);
}

function rampMs(options) {
  const o = validate.options(options);
  return o.rampMs === undefined ? 0 : validate.number(o.rampMs, 'rampMs', 0, C.MAX_RAMP_MS);
}

/**
 * Mixes PCM sources into one stream of fixed frames.
 *
 * Push frames per source with {@link Mixer#push}; each {@link Mixer#mix} takes one frame
 * (`frameSize` samples per channel) from every source that has one. A source without a full
 * frame is silent for that tick. Output is interleaved `format` PCM at `sampleRate`/`channels`,
 * limited to `ceilingDb` unless `limiter: false`.
 */
class Mixer {
  #native;
  #sampleRate;
  #channels;
  #frameSize;
  #format;
  #queueFrames;
  #frameBytes = new Map();  // source id -> bytes per pushed frame

  /**
   * @param {object} [options]
   * @param {number} [options.sampleRate=48000] Hz, 8000-48000
   * @param {1|2} [options.channels=2]
   * @param {number} [options.frameSize] samples per channel per tick (default 20 ms)
   * @param {'s16le'|'f32le'} [options.format='s16le'] output format and default source format
   * @param {number} [options.maxSources=32] sources allocated up front
   * @param {number} [options.queueFrames=8] FIFO depth per source, in frames
   * @param {boolean} [options.limiter=true] soft limiter on the output
   * @param {number} [options.ceilingDb=-0.1] limiter ceiling, dBFS (-24..0)
   * @param {number} [options.limiterReleaseMs=60] limiter recovery time constant
   * @param {number} [options.maxQueue] most mixAsync() ticks queued
   * @param {'reject'|'drop-oldest'} [options.overflow='reject'] what a full queue does
   */
  constructor(options) {
    const o = validate.options(options);
    const rate = o.sampleRate === undefined ? C.DEFAULT_SAMPLE_RATE : sampleRate(o.sampleRate);
    const native = {
      sampleRate: rate,
      channels: o.channels === undefined ? C.DEFAULT_CHANNELS : validate.oneOf(o.channels, 'channels', CHANNELS),
      frameSize: o.frameSize === undefined ? Math.round(rate / 50) : validate.integer(o.frameSize, 'frameSize', 1, C.MAX_FRAME_SIZE),
      format: validate.pcmFormat(o.format),
      maxSources: o.maxSources === undefined ? C.DEFAULT_MAX_SOURCES : validate.integer(o.maxSources, 'maxSources', 1, C.MAX_SOURCES),
      queueFrames: o.queueFrames === undefined ? C.DEFAULT_QUEUE_FRAMES : validate.integer(o.queueFrames, 'queueFrames', C.MIN_QUEUE_FRAMES, C.MAX_QUEUE_FRAMES),
      limiter: o.limiter === undefined ? true : validate.boolean(o.limiter, 'limiter'),
      ceilingDb: o.ceilingDb === undefined ? -0.1 : validate.number(o.ceilingDb, 'ceilingDb', C.MIN_CEILING_DB, 0),
      limiterReleaseMs: o.limiterReleaseMs === undefined ? C.DEFAULT_LIMITER_RELEASE_MS : validate.number(o.limiterReleaseMs, 'limiterReleaseMs', C.MIN_LIMITER_RELEASE_MS, C.MAX_LIMITER_RELEASE_MS),
    };
    queueOptions(o, native);
    this.#native = new binding.NativeMixer(native);
    this.#sampleRate = native.sampleRate;
    this.#channels = native.channels;
    this.#frameSize = native.frameSize;
    this.#format = native.format;
    this.#queueFrames = native.queueFrames;
  }

  /** @type {number} */ get sampleRate() { return this.#sampleRate; }
  /** @type {number} FIFO depth per source, in frames */ get queueFrames() { return this.#queueFrames; }
  /** @type {1|2} */ get channels() { return this.#channels; }
  /** @type {number} samples per channel per tick */ get frameSize() { return this.#frameSize; }
  /** @type {'s16le'|'f32le'} */ get format() { return this.#format; }
  /** @type {number} bytes of one mixed frame */
  get frameBytes() { return this.#frameSize * this.#channels * (this.#format === 'f32le' ? 4 : 2); }
  /** @type {number} mixAsync() ticks waiting */ get pending() { return this.#native.pending(); }

  /**
   * Adds a source and returns its id.
   * @param {object} [options]
   * @param {number} [options.sampleRate] Hz of pushed PCM (default: the mixer's; resampled if different)
   * @param {1|2} [options.channels] of pushed PCM (default: the mixer's; mapped if different)
   * @param {'s16le'|'f32le'} [options.format] of pushed PCM (default: the mixer's)
   * @param {number} [options.gainDb=0] initial gain in dB (MIN_GAIN_DB..MAX_GAIN_DB)
   * @param {number} [options.gain] initial linear gain (0..MAX_GAIN_DB as linear); overrides gainDb
   * @param {number} [options.pan=0] -1 (left) .. 1 (right), stereo mixers
   * @param {boolean} [options.muted=false]
   * @param {boolean} [options.ducker=false] lowers the other sources while active (setDucking)
   * @param {number} [options.prebufferFrames] frames collected before first use (default 0, or 2 when resampling)
   * @returns {number}
   */
  addSource(options) {
    const o = validate.options(options);
    const native = {};
    if (o.sampleRate !== undefined) native.sampleRate = sampleRate(o.sampleRate);
    if (o.channels !== undefined) native.channels = validate.oneOf(o.channels, 'channels', CHANNELS);
    if (o.format !== undefined) native.format = validate.oneOf(o.format, 'format', validate.PCM_FORMATS);
    if (o.gain !== undefined) native.gain = validate.number(o.gain, 'gain', 0, MAX_LINEAR);
    else if (o.gainDb !== undefined) native.gain = dbToLinear(validate.number(o.gainDb, 'gainDb', C.MIN_GAIN_DB, C.MAX_GAIN_DB));
    if (o.pan !== undefined) native.pan = validate.number(o.pan, 'pan', -1, 1);
    if (o.muted !== undefined) native.muted = validate.boolean(o.muted, 'muted');
    const ducker = o.ducker === undefined ? false : validate.boolean(o.ducker, 'ducker');
    if (o.prebufferFrames !== undefined) {
      native.prebufferFrames = validate.integer(o.prebufferFrames, 'prebufferFrames', 0, this.#queueFrames - 1);
    }
    const id = this.#native.addSource(native);
    if (ducker) this.#native.setDucker(id, true);
    const format = native.format === undefined ? this.#format : native.format;
    this.#frameBytes.set(id, (native.channels === undefined ? this.#channels : native.channels) * (format === 'f32le' ? 4 : 2));
    return id;
  }

  /** Removes a source; its queued audio is discarded. @param {number} id */
  removeSource(id) {
    this.#native.removeSource(sourceId(id));
    this.#frameBytes.delete(id);
  }

  /**
   * Queues PCM for a source: any whole number of frames (at most MAX_PUSH_FRAMES) in the
   * source's format, rate and channel count. Throws VoxpoolError ERR_VOXPOOL_QUEUE_FULL when the
   * source's FIFO (queueFrames frames) cannot take it.
   * @param {number} id
   * @param {Buffer|Int16Array|Float32Array} pcm
   */
  push(id, pcm) {
    sourceId(id);
    validate.bytes(pcm, 'pcm');
    const frame = this.#frameBytes.get(id);
    if (frame !== undefined && (pcm.byteLength % frame !== 0 || pcm.byteLength / frame > C.MAX_PUSH_FRAMES)) {
      throw validate.invalidRange(`at most ${C.MAX_PUSH_FRAMES} whole frames of ${frame} bytes`, 'pcm', pcm);
    }
    this.#native.push(id, pcm);  // an unknown id is a VoxpoolError from native code
  }

  /**
   * Queues one chunk per source in a single call into native code (a tick's worth of pushes):
   * `frames[i]` goes to source `ids[i]`, each as {@link Mixer#push} would take it. Every argument
   * is checked before anything is queued. A source whose FIFO cannot take its chunk refuses it
   * (counted in sourceStats().droppedFrames) while the others are queued.
   * @param {number[]} ids source ids (at most MAX_SOURCES entries)
   * @param {Array<Buffer|Int16Array|Float32Array>} frames one chunk per id
   * @returns {number} how many chunks were refused because their FIFO was full (usually 0)
   */
  pushMany(ids, frames) {
    this.#checkBatch(ids, frames);
    return this.#native.pushMany(ids, frames);
  }

  /**
   * {@link Mixer#pushMany} then {@link Mixer#mix}, in one call into native code.
   * @param {number[]} ids
   * @param {Array<Buffer|Int16Array|Float32Array>} frames
   * @returns {Buffer} frameBytes bytes
   */
  mixWith(ids, frames) {
    this.#checkBatch(ids, frames);
    return this.#native.mixWith(ids, frames);
  }

  /**
   * {@link Mixer#pushMany} now (the PCM is copied) then {@link Mixer#mixAsync}: one tick on the
   * pool, in order with earlier ticks. Argument errors throw; a destroyed mixer rejects.
   * @param {number[]} ids
   * @param {Array<Buffer|Int16Array|Float32Array>} frames
   * @returns {Promise<Buffer>}
   */
  mixAsyncWith(ids, frames) {
    this.#checkBatch(ids, frames);
    return rejecting(() => withCallerStack(this.#native.mixAsyncWith(ids, frames)));
  }

  // Same checks and messages as push(), per entry; element names are built only on failure.
  #checkBatch(ids, frames) {
    if (!validate.isArray(ids)) throw validate.invalidType('an array of source ids', 'ids', ids);
    if (ids.length > C.MAX_SOURCES) throw validate.invalidRange(`an array of at most ${C.MAX_SOURCES} source ids`, 'ids', ids);
    if (!validate.isArray(frames) || frames.length !== ids.length) {
      const what = `an array of ${ids.length} PCM chunks (one per id)`;
      throw validate.isArray(frames) ? validate.invalidRange(what, 'frames', frames) : validate.invalidType(what, 'frames', frames);
    }
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      if (!Number.isInteger(id) || id < 1 || id > 0xffffffff) validate.integer(id, `ids[${i}]`, 1, 0xffffffff);
      const pcm = frames[i];
      if (!ArrayBuffer.isView(pcm)) validate.bytes(pcm, `frames[${i}]`);
      const frame = this.#frameBytes.get(id);
      if (frame !== undefined && (pcm.byteLength % frame !== 0 || pcm.byteLength / frame > C.MAX_PUSH_FRAMES)) {
        throw validate.invalidRange(`at most ${C.MAX_PUSH_FRAMES} whole frames of ${frame} bytes`, `frames[${i}]`, pcm);
      }
    }
  }

  /**
   * Sets a source's gain in dB, ramped linearly over `rampMs` (click-free).
   * @param {number} id
   * @param {number} db MIN_GAIN_DB..MAX_GAIN_DB
   * @param {{ rampMs?: number }} [options]
   */
  setGain(id, db, options) {
    sourceId(id);
    const linear = dbToLinear(validate.number(db, 'db', C.MIN_GAIN_DB, C.MAX_GAIN_DB));
    this.#native.setGain(id, linear, rampMs(options));
  }

  /**
   * Sets a source's linear gain (1 = unity), ramped over `rampMs`.
   * @param {number} id
   * @param {number} gain 0..MAX_GAIN_DB as linear (about 15.85)
   * @param {{ rampMs?: number }} [options]
   */
  setGainLinear(id, gain, options) {
    sourceId(id);
    this.#native.setGain(id, validate.number(gain, 'gain', 0, MAX_LINEAR), rampMs(options));
  }

  /** Mutes or unmutes a source (5 ms fade). @param {number} id @param {boolean} muted */
  setMuted(id, muted) {
    sourceId(id);
    this.#native.setMuted(id, validate.boolean(muted, 'muted'));
  }

  /** While any source is soloed only soloed sources are heard. @param {number} id @param {boolean} solo */
  setSolo(id, solo) {
    sourceId(id);
    this.#native.setSolo(id, validate.boolean(solo, 'solo'));
  }

  /** Balance for stereo mixers: -1 left, 0 centre (unity), 1 right. @param {number} id @param {number} pan */
  setPan(id, pan) {
    sourceId(id);
    this.#native.setPan(id, validate.number(pan, 'pan', -1, 1));
  }

  /** Marks a source as a ducker (see setDucking). @param {number} id @param {boolean} ducker */
  setDucker(id, ducker) {
    sourceId(id);
    this.#native.setDucker(id, validate.boolean(ducker, 'ducker'));
  }

  /**
   * Ends a source's input: its resampler's tail and a last partial frame (padded with silence)
   * are queued, so every pushed sample is mixed; later pushes throw. Throws
   * ERR_VOXPOOL_QUEUE_FULL when the FIFO has no room for them yet (nothing changed: retry after
   * a tick). Ending twice does nothing.
   * @param {number} id
   */
  endSource(id) {
    this.#native.endSource(sourceId(id));
  }

  /** Drops a source's queued audio (e.g. on seek). @param {number} id */
  clearSource(id) {
    this.#native.clearSource(sourceId(id));
  }

  /**
   * Master gain in dB, ramped over `rampMs`.
   * @param {number} db
   * @param {{ rampMs?: number }} [options]
   */
  setMasterGain(db, options) {
    const linear = dbToLinear(validate.number(db, 'db', C.MIN_GAIN_DB, C.MAX_GAIN_DB));
    this.#native.setMasterGain(linear, rampMs(options));
  }

  /**
   * Ducking: while a ducker source is active (its frame's RMS >= thresholdDb and not muted), the
   * other sources are lowered by depthDb, reaching it in attackMs, staying holdMs after the ducker
   * goes quiet, and returning in releaseMs.
   * @param {{ depthDb?: number, attackMs?: number, releaseMs?: number, holdMs?: number, thresholdDb?: number }} options
   */
  setDucking(options) {
    const o = validate.options(options);
    const native = {};
    if (o.depthDb !== undefined) native.depthDb = validate.number(o.depthDb, 'depthDb', 0, C.MAX_DUCK_DEPTH_DB);
    if (o.attackMs !== undefined) native.attackMs = validate.number(o.attackMs, 'attackMs', 0, C.MAX_RAMP_MS);
    if (o.releaseMs !== undefined) native.releaseMs = validate.number(o.releaseMs, 'releaseMs', 0, C.MAX_RAMP_MS);
    if (o.holdMs !== undefined) native.holdMs = validate.number(o.holdMs, 'holdMs', 0, C.MAX_RAMP_MS);
    if (o.thresholdDb !== undefined) native.thresholdDb = validate.number(o.thresholdDb, 'thresholdDb', C.MIN_DUCK_THRESHOLD_DB, 0);
    this.#native.setDucking(native);
  }

  /** Mixes one frame on the calling thread. @returns {Buffer} frameBytes bytes */
  mix() {
    return this.#native.mix();
  }

  /** Mixes one frame on the pool (ticks of this mixer stay in order). @returns {Promise<Buffer>} */
  mixAsync() {
    return rejecting(() => withCallerStack(this.#native.mixAsync()));
  }

  /**
   * @param {number} id
   * @returns {{ mixedTicks: number, silentTicks: number, droppedFrames: number, queuedFrames: number, gain: number }}
   */
  sourceStats(id) {
    return this.#native.sourceStats(sourceId(id));
  }

  /** @returns {{ ticks: number, limitedTicks: number, gainReductionDb: number, sources: number, ducking: boolean }} */
  stats() {
    return this.#native.stats();
  }

  /** Frees the mixer; queued mixAsync() ticks reject with ERR_VOXPOOL_DESTROYED. Idempotent. */
  destroy() {
    this.#native.destroy();
  }

  static {
    guardReceiver(this, (o) => #native in o);
  }
}

function sourceId(id) {
  return validate.integer(id, 'id', 1, 0xffffffff);
}

module.exports = { Mixer, mixerConstants };
