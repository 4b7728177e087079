'use strict';
// SpeechProcessor: speech clean-up for voice agents on one mono stream — noise suppression,
// automatic gain control, voice activity detection and echo cancellation — by WebRTC's audio
// processing module, natively: `process()` on the calling thread, `processAsync()` on the voxpool
// pool (frames of one processor in order). Every limit, default and option name comes from the
// core (speechConstants).
const { rejecting } = require('./promise-api');
const binding = require('./binding');
const validate = require('./validate');
const { guardReceiver } = require('./receiver-guard');
const { queueOptions } = require('./queue-options');

const S = binding.speechConstants;
const D = S.DEFAULTS;

/** Rates, limits, option names and defaults, read from native code. */
const speechConstants = Object.freeze({
  SAMPLE_RATES: Object.freeze([...S.SAMPLE_RATES]),
  CHUNK_MS: S.CHUNK_MS,
  MAX_FRAME_MS: S.MAX_FRAME_MS,
  MAX_TARGET_LEVEL_DBFS: S.MAX_TARGET_LEVEL_DBFS,
  MAX_COMPRESSION_GAIN_DB: S.MAX_COMPRESSION_GAIN_DB,
  MAX_ECHO_DELAY_MS: S.MAX_ECHO_DELAY_MS,
  SILENCE_DBFS: S.SILENCE_DBFS,
  VAD_WARMUP_MS: S.VAD_WARMUP_MS,
  NOISE_LEVELS: Object.freeze([...S.NOISE_LEVELS]),
  GAIN_MODES: Object.freeze([...S.GAIN_MODES]),
  VAD_LIKELIHOODS: Object.freeze([...S.VAD_LIKELIHOODS]),
  ECHO_LEVELS: Object.freeze([...S.ECHO_LEVELS]),
  DEFAULTS: Object.freeze({ ...D }),
});

/**
 * One option group: `false` (off), a level name, or an object whose `key` holds the level (its
 * other fields are read by the caller; without `key` the level is `objectLevel`). Returns
 * [index of the level, the object or {}].
 */
function group(value, name, names, key, fallback, objectLevel = fallback) {
  if (value === undefined) return [names.indexOf(fallback), {}];
  if (value === false) return [0, {}];
  if (typeof value === 'string') return [names.indexOf(validate.oneOf(value, name, names)), {}];
  if (value === null || typeof value !== 'object' || validate.isRevoked(value) || validate.isArray(value)) {
    throw validate.invalidType(`false, one of ${names.map((n) => `'${n}'`).join(', ')} or an object`, name, value);
  }
  const level = value[key] === undefined ? objectLevel : value[key];
  return [names.indexOf(validate.oneOf(level, `${name}.${key}`, names)), value];
}

/**
 * SpeechProcessor's options validated, with the defaults filled in, as the native constructor
 * takes them (levels as indices into speechConstants' name lists). Makes no native object, so a
 * caller can check options before it subscribes or connects anything.
 * @param {object} [options]
 */
function nativeOptions(options) {
  const o = validate.options(options);
  const sampleRate = o.sampleRate === undefined ? D.sampleRate : validate.oneOf(o.sampleRate, 'sampleRate', S.SAMPLE_RATES);
  const [noise] = group(o.noiseSuppression, 'noiseSuppression', S.NOISE_LEVELS, 'level', D.noiseSuppression);
  const [gain, g] = group(o.gainControl, 'gainControl', S.GAIN_MODES, 'mode', D.gainControl);
  const [vad] = group(o.vad, 'vad', S.VAD_LIKELIHOODS, 'likelihood', D.vad);
  const [echo, e] = group(o.echoCancellation, 'echoCancellation', S.ECHO_LEVELS, 'level', D.echoCancellation, 'moderate');
  const native = {
    sampleRate,
    noiseSuppression: noise,
    gainControl: gain,
    targetLevelDbfs: g.targetLevelDbfs === undefined ? D.targetLevelDbfs
      : validate.integer(g.targetLevelDbfs, 'gainControl.targetLevelDbfs', 0, S.MAX_TARGET_LEVEL_DBFS),
    compressionGainDb: g.compressionGainDb === undefined ? D.compressionGainDb
      : validate.integer(g.compressionGainDb, 'gainControl.compressionGainDb', 0, S.MAX_COMPRESSION_GAIN_DB),
    limiter: g.limiter === undefined ? D.limiter : validate.boolean(g.limiter, 'gainControl.limiter'),
    vad,
    echoCancellation: echo,
    echoDelayMs: e.delayMs === undefined ? D.echoDelayMs
      : validate.integer(e.delayMs, 'echoCancellation.delayMs', 0, S.MAX_ECHO_DELAY_MS),
  };
  return queueOptions(o, native);
}

/**
 * Speech clean-up on mono s16 PCM at 8, 16, 32 or 48 kHz, a whole number of 10 ms chunks per call
 * (a 20 ms frame is two), at most MAX_FRAME_MS. Each call returns the cleaned frame with what was
 * measured: `speech` (the VAD found voice in any 10 ms chunk), `voicedChunks` and `level` (RMS
 * of the cleaned frame, dBFS). The first VAD_WARMUP_MS (100 ms) are never speech: the VAD's noise
 * model starts from defaults and calls the first few frames of any noise voice.
 *
 * Echo cancellation removes what the device played from what its microphone heard: hand each
 * played frame to `processReverse()` before the microphone frame it echoes into, and set
 * `echoCancellation.delayMs` to the delay between playing and hearing.
 */
class SpeechProcessor {
  #native;
  #sampleRate;
  #chunkBytes;

  /**
   * @param {object} [options]
   * @param {8000|16000|32000|48000} [options.sampleRate=16000]
   * @param {false|'low'|'moderate'|'high'|'veryHigh'|{level}} [options.noiseSuppression='moderate']
   * @param {false|'adaptiveDigital'|'fixedDigital'|{mode, targetLevelDbfs, compressionGainDb, limiter}} [options.gainControl='adaptiveDigital']
   *   targetLevelDbfs: the level of the speech's peaks below full scale (3: -3 dBFS), 0..31;
   *   compressionGainDb: the most gain added, 0..90 (default 9); limiter (default true)
   * @param {false|'veryLow'|'low'|'moderate'|'high'|{likelihood}} [options.vad='low'] how likely
   *   voice must be to count (veryLow: fewest false alarms)
   * @param {false|'low'|'moderate'|'high'|{level, delayMs}} [options.echoCancellation=false] an
   *   object without `level` is 'moderate'; delayMs 0..MAX_ECHO_DELAY_MS (default 0)
   * @param {number} [options.maxQueue] most processAsync() frames queued
   * @param {'reject'|'drop-oldest'} [options.overflow='reject']
   * @param {number} [options.deadlineMs]
   */
  constructor(options) {
    const native = nativeOptions(options);
    this.#native = new binding.NativeSpeechProcessor(native);
    this.#sampleRate = native.sampleRate;
    this.#chunkBytes = native.sampleRate * S.CHUNK_MS / 1000 * 2;
  }

  #frame(pcm, name = 'pcm') {
    validate.bytes(pcm, name);
    const chunks = pcm.byteLength / this.#chunkBytes;
    if (!Number.isInteger(chunks) || chunks < 1 || chunks * S.CHUNK_MS > S.MAX_FRAME_MS) {
      throw validate.invalidRange(`1 to ${S.MAX_FRAME_MS / S.CHUNK_MS} whole ${S.CHUNK_MS} ms chunks of mono s16 (${this.#chunkBytes} bytes each)`, name, pcm);
    }
    return pcm;
  }

  /**
   * Cleans and measures one frame on the calling thread.
   * @param {Buffer|TypedArray} pcm mono s16
   * @returns {{pcm: Buffer, speech: boolean, voicedChunks: number, level: number}}
   */
  process(pcm) {
    return this.#native.process(this.#frame(pcm));
  }

  /**
   * The same on the pool; frames of one processor settle in submission order.
   * @param {Buffer|TypedArray} pcm
   * @returns {Promise<{pcm: Buffer, speech: boolean, voicedChunks: number, level: number}>}
   */
  processAsync(pcm) {
    return rejecting(() => this.#native.processAsync(this.#frame(pcm)));
  }

  /**
   * The far end for echo cancellation: a frame the device played, before the microphone frame
   * it echoes into. Ignored with echo cancellation off.
   * @param {Buffer|TypedArray} pcm mono s16 at the same rate
   */
  processReverse(pcm) {
    this.#native.processReverse(this.#frame(pcm));
  }

  get sampleRate() { return this.#sampleRate; }
  /** Bytes in one 10 ms chunk (a call takes whole chunks). */
  get chunkBytes() { return this.#chunkBytes; }
  /** Frames queued on the pool, not counting a running one. */
  get pending() { return this.#native.pending(); }
  /** Frees the processor; queued frames reject with ERR_VOXPOOL_DESTROYED. Idempotent. */
  destroy() { this.#native.destroy(); }

  static {
    guardReceiver(this, (x) => #native in x);
  }
}

module.exports = { SpeechProcessor, speechConstants, nativeOptions };
