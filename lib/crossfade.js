'use strict';
// Crossfade: the end of one source into the start of the next (two tracks, a TTS reply over the
// music), with an equal-power, linear or S curve. Synchronous: a multiply-add per sample costs
// less than a pool round trip.
const binding = require('./binding');
const validate = require('./validate');
const { guardReceiver } = require('./receiver-guard');

const F = binding.filterConstants;

/**
 * Mixes an outgoing and an incoming source over `durationMs`: out = outgoing x g_out(t) +
 * incoming x g_in(t); once the fade is over, the incoming source alone. Feed both sources the
 * same number of frames per call.
 */
class Crossfade {
  #native;
  #frameBytes;

  /**
   * @param {object} [options]
   * @param {number} [options.sampleRate=48000]
   * @param {1|2} [options.channels=2]
   * @param {'s16le'|'f32le'} [options.format='s16le']
   * @param {number} [options.durationMs=3000] 1..MAX_FADE_MS
   * @param {'equal-power'|'linear'|'s-curve'} [options.curve='equal-power'] equal power keeps the
   *   loudness of two different tracks; linear keeps the amplitude of the same material
   */
  constructor(options) {
    const o = validate.options(options);
    const sampleRate = o.sampleRate === undefined ? 48000 : validate.integer(o.sampleRate, 'sampleRate', F.MIN_SAMPLE_RATE, F.MAX_SAMPLE_RATE);
    const channels = o.channels === undefined ? 2 : validate.integer(o.channels, 'channels', 1, F.MAX_CHANNELS);
    const format = validate.pcmFormat(o.format);
    const durationMs = o.durationMs === undefined ? 3000 : validate.number(o.durationMs, 'durationMs', 1, F.MAX_FADE_MS);
    const curve = o.curve === undefined ? 'equal-power' : validate.oneOf(o.curve, 'curve', F.FADE_CURVES);
    this.#native = new binding.NativeCrossfade({ sampleRate, channels, format, durationMs, curve: F.FADE_CURVES.indexOf(curve) });
    this.#frameBytes = channels * (format === 'f32le' ? 4 : 2);
  }

  /**
   * Mixes the next frames of both sources.
   * @param {Buffer|TypedArray} outgoing
   * @param {Buffer|TypedArray} incoming as many bytes as `outgoing`
   * @returns {Buffer}
   */
  process(outgoing, incoming) {
    validate.bytes(outgoing, 'outgoing');
    validate.bytes(incoming, 'incoming');
    if (outgoing.byteLength % this.#frameBytes !== 0) {
      throw validate.invalidRange(`whole frames of ${this.#frameBytes} bytes`, 'outgoing', outgoing);
    }
    if (incoming.byteLength !== outgoing.byteLength) {
      throw validate.invalidRange(`${outgoing.byteLength} bytes (as many as outgoing)`, 'incoming', incoming);
    }
    return this.#native.process(outgoing, incoming);
  }

  /** Progress of the fade, 0..1. */
  get progress() { return this.#native.position() / this.#native.length(); }
  /** Whether the fade is over (process() now returns the incoming source). */
  get done() { return this.#native.position() >= this.#native.length(); }
  /** Back to the start of the fade. */
  reset() { this.#native.reset(); }

  static {
    guardReceiver(this, (x) => #native in x);
  }
}

module.exports = { Crossfade };
