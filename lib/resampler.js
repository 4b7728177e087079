'use strict';
// Resampler: streaming sample-rate conversion (libsoxr, chosen by measurement: docs/RESAMPLER.md).
// State is kept between calls, so a stream can be fed in chunks of any size.
const binding = require('./binding');
const validate = require('./validate');
const { guardReceiver } = require('./receiver-guard');
const { CHANNELS } = require('./mixer-util');

const C = binding.mixerConstants;

/**
 * Converts interleaved PCM from one rate to another, chunk by chunk.
 *
 * Output per call varies around the nominal ratio (libsoxr releases output in blocks); the total
 * over a stream plus {@link Resampler#flush} matches the ratio. {@link Resampler#delay} is what is
 * held inside right now.
 */
class Resampler {
  #native;
  #inputRate;
  #outputRate;
  #channels;
  #format;

  /**
   * @param {object} options
   * @param {number} options.inputRate Hz, 8000-48000
   * @param {number} options.outputRate Hz, 8000-48000
   * @param {1|2} [options.channels=2]
   * @param {'s16le'|'f32le'} [options.format='s16le']
   */
  constructor(options) {
    const o = validate.options(options);
    this.#inputRate = validate.integer(o.inputRate, 'inputRate', C.MIN_SAMPLE_RATE, C.MAX_SAMPLE_RATE);
    this.#outputRate = validate.integer(o.outputRate, 'outputRate', C.MIN_SAMPLE_RATE, C.MAX_SAMPLE_RATE);
    this.#channels = o.channels === undefined ? C.DEFAULT_CHANNELS : validate.oneOf(o.channels, 'channels', CHANNELS);
    this.#format = validate.pcmFormat(o.format);
    this.#native = new binding.NativeResampler({
      inputRate: this.#inputRate, outputRate: this.#outputRate, channels: this.#channels, format: this.#format,
    });
  }

  /** @type {number} */ get inputRate() { return this.#inputRate; }
  /** @type {number} */ get outputRate() { return this.#outputRate; }
  /** @type {1|2} */ get channels() { return this.#channels; }
  /** @type {'s16le'|'f32le'} */ get format() { return this.#format; }
  /** @type {number} bytes of one input frame (all channels) */
  get frameBytes() { return this.#channels * (this.#format === 'f32le' ? 4 : 2); }
  /** @type {number} output frames held inside the converter right now */
  get delay() { return this.#native.delay(); }

  /**
   * Converts a chunk: whole frames, at most one second of input.
   * @param {Buffer|Int16Array|Float32Array} pcm
   * @returns {Buffer} what is ready (may be shorter or longer than the nominal ratio)
   */
  process(pcm) {
    validate.bytes(pcm, 'pcm');
    const frame = this.frameBytes;
    if (pcm.byteLength % frame !== 0 || pcm.byteLength / frame > this.#inputRate) {
      throw validate.invalidRange(`whole frames of ${frame} bytes, at most one second`, 'pcm', pcm);
    }
    return this.#native.process(pcm);
  }

  /** Ends the stream: returns the held tail and resets for a new stream. @returns {Buffer} */
  flush() {
    return this.#native.flush();
  }

  /** Drops held samples and starts a new stream. */
  reset() {
    this.#native.reset();
  }

  /**
   * Frees the converter (about 0.1-0.4 MB of libsoxr state) now instead of at garbage
   * collection. Later calls throw ERR_VOXPOOL_DESTROYED. Idempotent.
   */
  destroy() {
    this.#native.destroy();
  }

  static {
    guardReceiver(this, (o) => #native in o);
  }
}

module.exports = { Resampler };
