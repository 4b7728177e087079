'use strict';
// OggMuxer: Opus packets in (object mode; no re-encode), Ogg Opus bytes out, written natively
// (libogg) on the pool. For recording received voice: what it writes is a valid .opus file at
// every page boundary (a page at least every second), ending with an EOS page on end().
const { Transform } = require('node:stream');
const binding = require('./binding');
const validate = require('./validate');
const { rejecting } = require('./promise-api');
const { guardReceiver } = require('./receiver-guard');
const { VoxpoolError } = require('./errors');

const C = binding.containerConstants;
const GAP_MODES = ['silence', 'jump'];
// Packets handed to the pool before the writer waits: a live recording has one or two in flight;
// an offline file keeps the pool busy without an unbounded queue.
const IN_FLIGHT = 32;
const SAMPLES_PER_MS = C.GRANULE_RATE / 1000;

// A gap travels through the writable queue in order with the packets. It is a class of this
// module, told from a packet by its private brand: a brand check runs no trap of a caller's Proxy.
class Gap {
  #samples;
  constructor(samples) { this.#samples = samples; }
  /** @returns {number|undefined} the gap's samples, or undefined for anything gap() did not make */
  static samplesOf(o) { return o !== null && typeof o === 'object' && #samples in o ? o.#samples : undefined; }
}

class OggMuxer extends Transform {
  #native;
  #granule = 0;
  #inflight = 0;
  #waiting = null;

  /**
   * @param {object} [options]
   * @param {1|2} [options.channels=2]
   * @param {number} [options.preSkip=0] 48 kHz samples players drop at the start (an Encoder's
   *   lookahead: 312 for libopus at 48 kHz)
   * @param {number} [options.inputSampleRate=0] Hz of the original audio, informational (0: unknown)
   * @param {number} [options.outputGain=0] Q7.8 dB players apply
   * @param {number} [options.serial=1] the stream's serial number (0..2^32-1)
   * @param {number} [options.flushMs=1000] the longest a page waits (1..10000 ms)
   * @param {'silence'|'jump'} [options.gap='silence'] how {@link OggMuxer#gap} is written
   * @param {{ vendor?: string, comments?: Record<string, string> }} [options.tags]
   */
  constructor(options) {
    const o = validate.options(options);
    const native = {};
    if (o.channels !== undefined) native.channels = validate.oneOf(o.channels, 'options.channels', [1, 2]);
    if (o.preSkip !== undefined) native.preSkip = validate.integer(o.preSkip, 'options.preSkip', 0, 0xffff);
    if (o.inputSampleRate !== undefined) native.inputSampleRate = validate.integer(o.inputSampleRate, 'options.inputSampleRate', 0, 0xffffffff);
    if (o.outputGain !== undefined) native.outputGain = validate.integer(o.outputGain, 'options.outputGain', -32768, 32767);
    if (o.serial !== undefined) native.serial = validate.integer(o.serial, 'options.serial', 0, 0xffffffff);
    if (o.flushMs !== undefined) {
      native.flushSamples = validate.integer(o.flushMs, 'options.flushMs', 1, C.MAX_FLUSH_SAMPLES / SAMPLES_PER_MS) * SAMPLES_PER_MS;
    }
    if (o.gap !== undefined) native.gap = validate.oneOf(o.gap, 'options.gap', GAP_MODES);
    if (o.tags !== undefined) {
      const tags = validate.options(o.tags, 'options.tags');
      if (tags.vendor !== undefined) {
        if (typeof tags.vendor !== 'string') throw validate.invalidType('a string', 'options.tags.vendor', tags.vendor);
        native.vendor = tags.vendor;
      }
      if (tags.comments !== undefined) {
        const comments = validate.options(tags.comments, 'options.tags.comments');
        native.comments = Object.entries(comments).map(([key, value]) => {
          if (key === '' || key.includes('=')) throw validate.invalidRange('a key without "="', 'options.tags.comments key', key);
          if (typeof value !== 'string') throw validate.invalidType('a string', `options.tags.comments.${key}`, value);
          return `${key}=${value}`;
        });
      }
    }
    super({ writableObjectMode: true });
    this.#native = new binding.NativeOggMuxer(native);
  }

  /** @type {number} the granule position after the last packet written (48 kHz samples) */
  get granule() { return this.#granule; }

  /**
   * Marks `samples` (48 kHz) of nothing before the next packet: a speaker who stopped talking.
   * Written as silence packets or a granule jump (options.gap), in order with the packets.
   * @param {number} samples 0..containerConstants.MAX_GAP_SAMPLES
   * @returns {boolean} what write() returned
   */
  gap(samples) {
    const n = validate.integer(samples, 'samples', 0, C.MAX_GAP_SAMPLES);
    if (this.destroyed) throw new VoxpoolError('The Ogg muxer has been destroyed', 'ERR_VOXPOOL_DESTROYED');
    return this.write(new Gap(n));
  }

  _transform(chunk, encoding, callback) {
    let job;
    if (ArrayBuffer.isView(chunk)) {
      job = rejecting(() => this.#native.writeAsync(chunk));
    } else if (Gap.samplesOf(chunk) !== undefined) {
      job = rejecting(() => this.#native.gapAsync(Gap.samplesOf(chunk)));
    } else {
      callback(validate.invalidType('an Opus packet (Buffer or Uint8Array)', 'chunk', chunk));
      return;
    }
    this.#inflight++;
    // The pool settles one object's jobs in submission order, so bytes are pushed in file order.
    job.then((r) => {
      this.#deliver(r);
      this.#inflight--;
      const next = this.#waiting;
      this.#waiting = null;
      if (next) next();
    }, (err) => this.destroy(err));
    if (this.#inflight < IN_FLIGHT) callback();
    else this.#waiting = callback;
  }

  _flush(callback) {
    rejecting(() => this.#native.finishAsync()).then((r) => {
      this.#deliver(r);
      callback();
    }, callback);
  }

  _destroy(err, callback) {
    this.#native.destroy();
    callback(err);
  }

  #deliver({ bytes, granule }) {
    this.#granule = granule;
    if (bytes.length > 0) this.push(bytes);
  }

  static {
    guardReceiver(this, (o) => #native in o);
  }
}

module.exports = { OggMuxer };
