'use strict';
// Node streams over the pool. Each keeps up to `readAhead` frames in flight, so a consumer that
// pulls synchronously every 20 ms (@discordjs/voice's AudioPlayer calls read()) finds a packet
// ready, while the event loop only copies frames in and packets out.
const { Transform } = require('node:stream');
const { Encoder, Decoder, opus, streamFiltersOf, nativeEncoderOf, nativeDecoderOf } = require('./opus');
const validate = require('./validate');
const { guardReceiver } = require('./receiver-guard');
const { Delivery, deliveryOptions } = require('./delivery');
const { FrameFeeder } = require('./frame-feeder');

/**
 * PCM (s16le bytes, any chunking) in, Opus packets out (object mode), encoded on the pool.
 * Options: the Encoder options plus `frameSize` (samples per channel, default 20 ms),
 * `readAhead` (frames in flight, default 8) and `prebuffer` (packets ready before the first is
 * delivered, default 3; see Delivery). A partial frame at the end is padded with silence.
 */
class OpusEncoderStream extends Transform {
  #encoder;
  #attached;  // the encoder's AttachedFilters
  #frameBytes;
  #frameMs;
  #delivery;
  #jobs;
  #feeder;

  /** @param {import('./index').EncoderStreamOptions} [options] */
  constructor(options) {
    const o = validate.options(options);
    const { frameSize, readAhead, prebuffer, filters, ...encoderOptions } = o;
    const encoder = new Encoder(encoderOptions);
    // Its filters may time-stretch: each job settles with the 0..n packets they make.
    const attached = streamFiltersOf(encoder);
    if (filters !== undefined) {
      try {
        encoder.setFilters(filters);
      } catch (err) {
        encoder.destroy();
        throw err;
      }
    }
    const samples = frameSize === undefined ? encoder.frameSize : validate.oneOf(frameSize, 'frameSize',
      opus.FRAME_DURATIONS_MS.map((ms) => encoder.sampleRate * ms / 1000));
    const delivery = deliveryOptions(o);
    super({ readableObjectMode: true });
    this.#encoder = encoder;
    this.#attached = attached;
    this.#frameBytes = samples * encoder.channels * 2;
    this.#frameMs = samples * 1000 / encoder.sampleRate;
    this.#delivery = new Delivery(this, delivery);
    this.#jobs = this.#delivery.jobs;
    const native = nativeEncoderOf(encoder);
    this.#delivery.attach(native);
    // encodeAsync copies the frame before it returns; each frame is due after those ahead of it.
    // The frames are whole by construction, so the Encoder's own checks are not repeated.
    this.#feeder = new FrameFeeder(this, this.#jobs,
      (frame) => native.encodeAsync(frame, this.#delivery.dueMs(this.#frameMs), false, true));
  }

  /** The underlying Encoder (to change bitrate, FEC, ... while streaming). */
  get encoder() { return this.#encoder; }

  /**
   * Sets the filters every frame runs through before it is encoded, in the same pool job
   * (Encoder#setFilters): Lavalink's `filters` object, from the next frame submitted.
   * @param {import('./index').LavalinkFilters} filters
   */
  setFilters(filters) { this.#encoder.setFilters(filters); }

  /** The filters set (Lavalink-shaped, frozen); {} for none. */
  get filters() { return this.#encoder.filters; }

  /** Fades from the next frame submitted (Encoder#fade). */
  fade(to, options) { this.#encoder.fade(to, options); }

  /** Frames not encoded because their job started more than `deadlineMs` after it was due. */
  get skippedFrames() { return this.#delivery.skipped; }

  _transform(chunk, _encoding, callback) {
    // An empty chunk adds nothing (and a detached one reads as empty: slicing it would throw).
    if (chunk.byteLength === 0) {
      callback();
      return;
    }
    this.#feeder.write(chunk, this.#frameBytes, callback);
  }

  _flush(callback) {
    const carry = this.#feeder.takeCarry();
    // What a time-stretch still holds, its last frame padded with silence (the frame given is
    // not encoded; without timescale the job gives no packet).
    const end = () => nativeEncoderOf(this.#encoder).encodeAsync(Buffer.alloc(this.#frameBytes), 0, true, true);
    const finish = (err) => (err ? callback(err) : this.#delivery.finish(this.#attached.attached ? end : null, callback));
    if (carry.length === 0) {
      finish();
      return;
    }
    // The last partial frame, padded with silence.
    const last = Buffer.alloc(this.#frameBytes);
    carry.copy(last);
    this.#feeder.write(last, this.#frameBytes, finish);
  }

  _destroy(err, callback) {
    this.#delivery.destroy(err, callback, this.#encoder);
  }

  static {
    guardReceiver(this, (o) => #encoder in o);
  }
}

/**
 * Opus packets in (object mode; `null` is not allowed in streams, so a lost packet is signalled
 * with an empty Buffer and concealed), PCM out, decoded on the pool in order.
 * Options: the Decoder options plus `readAhead` and `prebuffer` (as for the encoder stream).
 */
class OpusDecoderStream extends Transform {
  #decoder;
  #bytesPer20Ms;
  #delivery;
  #jobs;
  #submit;

  /** @param {import('./index').DecoderStreamOptions} [options] */
  constructor(options) {
    const o = validate.options(options);
    const { readAhead, prebuffer, ...decoderOptions } = o;
    const decoder = new Decoder(decoderOptions);
    const delivery = deliveryOptions(o);
    super({ writableObjectMode: true });
    this.#decoder = decoder;
    this.#bytesPer20Ms = (decoder.sampleRate / 50) * decoder.channels * (decoderOptions.format === 'f32le' ? 4 : 2);
    this.#delivery = new Delivery(this, delivery);
    this.#jobs = this.#delivery.jobs;
    const native = nativeDecoderOf(decoder);
    this.#delivery.attach(native);
    // Due by the PCM already waiting for the reader, counted in 20 ms frames (packets are 20 ms
    // in voice; a longer one only makes the estimate conservative). An empty packet is a loss.
    this.#submit = (packet) => native.decodeAsync(packet.length === 0 ? null : packet, 0, false,
      this.#delivery.dueMs(20, this.#bytesPer20Ms), true);
  }

  get decoder() { return this.#decoder; }

  /** Packets not decoded because their job started more than `deadlineMs` after it was due. */
  get skippedFrames() { return this.#delivery.skipped; }

  _transform(packet, _encoding, callback) {
    if (!ArrayBuffer.isView(packet)) {
      callback(validate.invalidType('an Opus packet (Buffer or Uint8Array)', 'chunk', packet));
      return;
    }
    this.#jobs.submit(this.#submit, packet);
    // The next packet is accepted once fewer than readAhead are in flight.
    this.#jobs.whenRoom(callback);
  }

  _flush(callback) {
    this.#delivery.whenDone(callback);
  }

  _destroy(err, callback) {
    this.#delivery.destroy(err, callback, this.#decoder);
  }

  static {
    guardReceiver(this, (o) => #decoder in o);
  }
}

/** @param {import('./index').EncoderStreamOptions} [options] */
function createEncoderStream(options) {
  return new OpusEncoderStream(options);
}

/** @param {import('./index').DecoderStreamOptions} [options] */
function createDecoderStream(options) {
  return new OpusDecoderStream(options);
}

module.exports = { OpusEncoderStream, OpusDecoderStream, createEncoderStream, createDecoderStream };
