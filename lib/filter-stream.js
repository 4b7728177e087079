'use strict';
// createFilterStream: a PCM Transform that runs a FilterChain on the pool, 20 ms frames at a
// time, delivered in order with a bounded number in flight (the Opus streams' Delivery). Output
// bytes equal input bytes until timescale runs; then whole output frames of the same size.
const { Transform } = require('node:stream');
const validate = require('./validate');
const { FilterChain, filterConstants, nativeFilterChainOf } = require('./filter-chain');
const { Delivery, deliveryOptions } = require('./delivery');
const { FrameFeeder } = require('./frame-feeder');
const { guardReceiver } = require('./receiver-guard');

const EMPTY = Buffer.alloc(0);

/**
 * Interleaved PCM in, the same PCM filtered out (byte streams). Without timescale, output bytes
 * equal input bytes; with it, output comes in whole frames of `frameSize` (about input /
 * (speed × rate)), and the end of the input brings out what the stretch still holds. Options: FilterChain's
 * (sampleRate, channels, format, filters, maxQueue, overflow, deadlineMs) plus `frameSize`
 * (frames per pool job, default 20 ms), `readAhead` and `prebuffer` (as the Opus streams).
 */
class FilterStream extends Transform {
  #chain;
  #frameBytes;
  #delivery;
  #jobs;
  #feeder;
  #samples;

  /** @param {import('./index').FilterStreamOptions} [options] */
  constructor(options) {
    const o = validate.options(options);
    const { frameSize, readAhead, prebuffer, highWaterMark, ...chainOptions } = o;
    const delivery = deliveryOptions({ readAhead, prebuffer });
    const chain = new FilterChain(chainOptions);
    let samples;
    try {
      samples = frameSize === undefined
        ? chain.sampleRate / 50 : validate.integer(frameSize, 'frameSize', 1, filterConstants.MAX_FRAMES);
    } catch (err) {
      chain.destroy();
      throw err;
    }
    super(highWaterMark === undefined ? {} : { highWaterMark });
    this.#chain = chain;
    this.#frameBytes = samples * chain.frameBytes;
    this.#delivery = new Delivery(this, delivery);
    this.#jobs = this.#delivery.jobs;
    // Whole frames of `frameSize` come out, also when timescale changes the amount of audio.
    const native = nativeFilterChainOf(chain);
    this.#delivery.attach(native);
    this.#feeder = new FrameFeeder(this, this.#jobs, (frames) => native.processAsync(frames, samples, false, true));
    this.#samples = samples;
  }

  /** The FilterChain (setFilters, filters, active, ...). */
  get chain() { return this.#chain; }
  /** Replaces every filter from the next frame submitted (FilterChain#setFilters). */
  setFilters(filters) { this.#chain.setFilters(filters); }
  /** The filters set (Lavalink-shaped, frozen). */
  get filters() { return this.#chain.filters; }
  /** Fades from the next frame submitted (FilterChain#fade). */
  fade(to, options) { this.#chain.fade(to, options); }
  /** Frames not filtered because their job started more than `deadlineMs` after it was due. */
  get skippedFrames() { return this.#delivery.skipped; }

  _transform(chunk, encoding, callback) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, encoding) : chunk;
    if (bytes.byteLength === 0) {
      callback();
      return;
    }
    this.#feeder.write(bytes, this.#frameBytes, callback);
  }

  _flush(callback) {
    const tail = this.#feeder.takeCarry();
    const whole = tail.length - (tail.length % this.#chain.frameBytes);
    if (whole !== tail.length) {
      callback(validate.invalidRange(`whole frames of ${this.#chain.frameBytes} bytes`, 'the stream\'s input', tail));
      return;
    }
    // What timescale still holds comes out last, its last frame padded with silence.
    const end = () => nativeFilterChainOf(this.#chain).processAsync(EMPTY, this.#samples, true, true);
    const finish = (err) => (err ? callback(err) : this.#delivery.finish(this.#chain.stretching ? end : null, callback));
    if (whole === 0) finish();
    else this.#feeder.write(tail, whole, finish);
  }

  _destroy(err, callback) {
    this.#delivery.destroy(err, callback, this.#chain);
  }

  static {
    guardReceiver(this, (x) => #chain in x);
  }
}

/** @param {import('./index').FilterStreamOptions} [options] */
function createFilterStream(options) {
  return new FilterStream(options);
}

module.exports = { FilterStream, createFilterStream };
