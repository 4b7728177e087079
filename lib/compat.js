'use strict';
// A drop-in for @discordjs/opus 0.10's OpusEncoder: same constructor, methods, lazy creation and
// error types/messages for misuse, so `npm i @discordjs/opus@npm:voxpool` makes prism-media and
// @discordjs/voice use voxpool unchanged. Differences, all deliberate:
//  - libopus failures throw VoxpoolError with opus_strerror's text and a stable code (the original
//    uses a hand-written table with wrong texts, and crashes on a negative encode result);
//  - encodeAsync()/decodeAsync() run on the voxpool pool.
const { guardReceiver } = require('./receiver-guard');
const binding = require('./binding');
const validate = require('./validate');

const APPLICATION_AUDIO = binding.opusConstants.APPLICATION_AUDIO;
const MAX_FRAME_SAMPLES = binding.opusConstants.MAX_FRAME_SAMPLES;
const FRAME_DURATIONS_MS = binding.opusConstants.FRAME_DURATIONS_MS;

// @discordjs/opus accepts any ArrayBuffer view (Node-API's napi_is_buffer) and reads its bytes
// as s16le; do the same by viewing the bytes without copying.
function asBytes(args) {
  if (args.length < 1) throw new RangeError('Expected 1 argument');
  const view = args[0];
  // isView first: it reads no property of a Proxy, where Buffer.isBuffer's instanceof would.
  if (!ArrayBuffer.isView(view)) throw new TypeError('Provided input needs to be a buffer');
  if (Buffer.isBuffer(view)) return view;
  // A zero-length view may sit on a detached ArrayBuffer, which Buffer.from refuses to wrap.
  return view.byteLength === 0 ? Buffer.alloc(0) : Buffer.from(view.buffer, view.byteOffset, view.byteLength);
}

// The original hands any length to libopus (and misbehaves on the error it gets back); here a
// PCM length that is not one whole Opus frame is refused with the library's uniform message.
function wholeFrame(pcm, rate, channels) {
  const per = 2 * channels;
  if (!FRAME_DURATIONS_MS.some((ms) => pcm.length === (rate * ms / 1000) * per)) {
    throw validate.invalidRange(`one whole 2.5-120 ms frame (s16, ${channels} channel${channels > 1 ? 's' : ''}: 20 ms = ${rate / 50 * per} bytes)`, 'pcm', pcm);
  }
  return pcm;
}

function checkCtl(args) {
  if (args.length < 2) throw new RangeError('Expected 2 arguments');
  if (typeof args[0] !== 'number' || typeof args[1] !== 'number') throw new TypeError('Expected ctl and value to be numbers');
}

/** setCtl on a native encoder or decoder; @discordjs/opus's one TypeError for whatever libopus refuses. */
function applyCtl(native, ctl, value) {
  try {
    native.setCtl(ctl, value);
  } catch {
    throw new TypeError('Invalid ctl / value');
  }
}

/** @discordjs/opus-compatible encoder + decoder (one object does both, as in the original). */
class OpusEncoder {
  #rate;
  #channels;
  #encoder = null;
  #decoder = null;

  /**
   * @param {number} rate sample rate in Hz
   * @param {number} channels 1 or 2
   * (a third argument, the application, is ignored, as in @discordjs/opus: always AUDIO)
   */
  constructor(rate, channels) {
    if (arguments.length < 2) throw new RangeError('Expected 2 arguments');
    if (typeof rate !== 'number' || typeof channels !== 'number') throw new TypeError('Expected rate and channels to be numbers');
    this.#rate = rate | 0;
    this.#channels = channels | 0;
  }

  #ensureEncoder() {
    if (this.#encoder) return this.#encoder;
    try {
      this.#encoder = new binding.NativeEncoder({ sampleRate: this.#rate, channels: this.#channels, application: APPLICATION_AUDIO });
    } catch {
      throw new Error('Could not create encoder. Check the encoder parameters');
    }
    return this.#encoder;
  }

  #ensureDecoder() {
    if (this.#decoder) return this.#decoder;
    try {
      this.#decoder = new binding.NativeDecoder({ sampleRate: this.#rate, channels: this.#channels });
    } catch {
      throw new Error('Could not create decoder. Check the decoder parameters');
    }
    return this.#decoder;
  }

  /**
   * Encodes interleaved s16le PCM; frame size = pcm.length / 2 / channels.
   * (prism-media passes a frame size as a second argument; it is accepted and ignored.)
   * @param {Buffer} pcm
   * @returns {Buffer}
   */
  encode(pcm) { // eslint-disable-line no-unused-vars
    const encoder = this.#ensureEncoder();
    return encoder.encode(wholeFrame(asBytes(arguments), this.#rate, this.#channels));
  }

  /**
   * Decodes an Opus packet to interleaved s16le PCM (at most 120 ms).
   * @param {Buffer} packet
   * @returns {Buffer}
   */
  decode(packet) { // eslint-disable-line no-unused-vars
    const bytes = asBytes(arguments);
    return this.#ensureDecoder().decode(bytes, 0, false);
  }

  /** As encode(), on the voxpool pool. @returns {Promise<Buffer>} */
  encodeAsync(pcm) {
    const encoder = this.#ensureEncoder();
    return encoder.encodeAsync(wholeFrame(asBytes(arguments), this.#rate, this.#channels));
  }

  /** As decode(), on the voxpool pool. @returns {Promise<Buffer>} */
  decodeAsync(packet) {
    const bytes = asBytes(arguments);
    return this.#ensureDecoder().decodeAsync(bytes, 0, false);
  }

  /** Applies an encoder CTL (e.g. 4002 bitrate, 4012 inband FEC, 4014 packet loss %). */
  applyEncoderCTL(ctl, value) {
    checkCtl(arguments);
    applyCtl(this.#ensureEncoder(), ctl, value);
  }

  /** Applies a decoder CTL (e.g. 4034 gain). */
  applyDecoderCTL(ctl, value) {
    checkCtl(arguments);
    applyCtl(this.#ensureDecoder(), ctl, value);
  }

  /** @param {number} bitrate bits per second */
  setBitrate(bitrate) {
    if (arguments.length < 1) throw new RangeError('Expected 1 argument');
    if (typeof bitrate !== 'number') throw new TypeError('Expected bitrate to be a number');
    const encoder = this.#ensureEncoder();
    try {
      encoder.setCtl(4002, bitrate);
    } catch {
      throw new TypeError('Invalid bitrate');
    }
  }

  /** @returns {number} bits per second */
  getBitrate() {
    return this.#ensureEncoder().getCtl(4003);
  }

  static {
    guardReceiver(this, (o) => #rate in o);
  }
}

// Kept for parity with the original's internal limit (120 ms at 48 kHz).
OpusEncoder.MAX_FRAME_SIZE = MAX_FRAME_SAMPLES;

module.exports = { OpusEncoder };
