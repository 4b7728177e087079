'use strict';
// Node streams over the pool. Each keeps up to `readAhead` frames in flight, so a consumer that
// pulls synchronously every 20 ms (@discordjs/voice's AudioPlayer calls read()) finds a packet
// ready, while the event loop only copies frames in and packets out.
const { Transform } = require('node:stream');
const { Encoder, Decoder } = require('./opus');
const validate = require('./validate');

const DEFAULT_READ_AHEAD = 8;

/**
 * Runs async jobs and pushes their results in submission order. While more than `limit` are in
 * flight the writable side waits (backpressure).
 */
class InOrderPipeline {
  #stream;
  #limit;
  #inflight = 0;
  #tail = Promise.resolve();
  #waiting = null;

  constructor(stream, limit) {
    this.#stream = stream;
    this.#limit = limit;
  }

  add(promise) {
    this.#inflight++;
    this.#tail = this.#tail.then(() => promise).then(
      (out) => {
        this.#inflight--;
        if (!this.#stream.destroyed) this.#stream.push(out);
        this.#wake();
      },
      (err) => {
        this.#inflight--;
        this.#stream.destroy(err);
        this.#wake();
      },
    );
  }

  /** Calls `cb` once at most `limit` jobs are in flight. */
  whenBelowLimit(cb) {
    if (this.#inflight <= this.#limit) cb();
    else this.#waiting = cb;
  }

  /** Calls `cb` once everything submitted has been pushed. */
  whenIdle(cb) {
    this.#tail.then(() => cb(), cb);
  }

  #wake() {
    if (this.#waiting && this.#inflight <= this.#limit) {
      const cb = this.#waiting;
      this.#waiting = null;
      cb();
    }
  }
}

function readAheadOption(o) {
  return o.readAhead === undefined ? DEFAULT_READ_AHEAD : validate.integer(o.readAhead, 'readAhead', 1, 1024);
}

/**
 * PCM (s16le bytes, any chunking) in, Opus packets out (object mode), encoded on the pool.
 * Options: the Encoder options plus `frameSize` (samples per channel, default 20 ms) and
 * `readAhead` (frames in flight, default 8). A partial frame at the end is padded with silence.
 */
class OpusEncoderStream extends Transform {
  #encoder;
  #frameBytes;
  #pipeline;
  #carry = Buffer.alloc(0);

  /** @param {import('./index').EncoderStreamOptions} [options] */
  constructor(options) {
    const o = validate.options(options);
    const { frameSize, readAhead, ...encoderOptions } = o;
    const encoder = new Encoder(encoderOptions);
    const samples = frameSize === undefined ? encoder.frameSize : validate.oneOf(frameSize, 'frameSize',
      [2.5, 5, 10, 20, 40, 60, 80, 100, 120].map((ms) => encoder.sampleRate * ms / 1000));
    super({ readableObjectMode: true });
    this.#encoder = encoder;
    this.#frameBytes = samples * encoder.channels * 2;
    this.#pipeline = new InOrderPipeline(this, readAheadOption(o));
  }

  /** The underlying Encoder (to change bitrate, FEC, ... while streaming). */
  get encoder() { return this.#encoder; }

  _transform(chunk, _encoding, callback) {
    let data = this.#carry.length ? Buffer.concat([this.#carry, chunk]) : chunk;
    let offset = 0;
    try {
      while (data.length - offset >= this.#frameBytes) {
        // subarray is safe: encodeAsync copies the frame before returning.
        this.#pipeline.add(this.#encoder.encodeAsync(data.subarray(offset, offset + this.#frameBytes)));
        offset += this.#frameBytes;
      }
    } catch (err) {
      callback(err);
      return;
    }
    this.#carry = Buffer.from(data.subarray(offset));
    this.#pipeline.whenBelowLimit(callback);
  }

  _flush(callback) {
    if (this.#carry.length > 0) {
      const last = Buffer.alloc(this.#frameBytes);
      this.#carry.copy(last);
      this.#carry = Buffer.alloc(0);
      this.#pipeline.add(this.#encoder.encodeAsync(last));
    }
    this.#pipeline.whenIdle(callback);
  }

  _destroy(err, callback) {
    this.#encoder.destroy();
    callback(err);
  }
}

/**
 * Opus packets in (object mode; `null` is not allowed in streams, so a lost packet is signalled
 * with an empty Buffer and concealed), PCM out, decoded on the pool in order.
 * Options: the Decoder options plus `readAhead`.
 */
class OpusDecoderStream extends Transform {
  #decoder;
  #pipeline;

  /** @param {import('./index').DecoderStreamOptions} [options] */
  constructor(options) {
    const o = validate.options(options);
    const { readAhead, ...decoderOptions } = o;
    const decoder = new Decoder(decoderOptions);
    super({ writableObjectMode: true });
    this.#decoder = decoder;
    this.#pipeline = new InOrderPipeline(this, readAheadOption(o));
  }

  get decoder() { return this.#decoder; }

  _transform(packet, _encoding, callback) {
    if (!ArrayBuffer.isView(packet)) {
      callback(validate.invalidType('an Opus packet (Buffer or Uint8Array)', 'chunk', packet));
      return;
    }
    this.#pipeline.add(this.#decoder.decodeAsync(packet.length === 0 ? null : packet));
    this.#pipeline.whenBelowLimit(callback);
  }

  _flush(callback) {
    this.#pipeline.whenIdle(callback);
  }

  _destroy(err, callback) {
    this.#decoder.destroy();
    callback(err);
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
