'use strict';
// Opus packets in, Opus packets out, with a volume between: each frame is one pool job
// (decode -> gain -> encode), so an AudioResource with inlineVolume over Opus input costs the
// event loop a copy in and a packet out, not prism's decoder, VolumeTransformer and encoder.
const { Transform } = require('node:stream');
const binding = require('./binding');
const validate = require('./validate');
const { Encoder, nativeEncoderOf } = require('./opus');
const { Delivery, deliveryOptions } = require('./delivery');
const { defineVolumeApi } = require('./volume-api');
const { queueOptions } = require('./queue-options');
const { guardReceiver } = require('./receiver-guard');
const { AttachedFilters } = require('./attached-filters');

const C = binding.mixerConstants;
const DEFAULT_RAMP_MS = 20;

/**
 * Object mode both ways: an Opus packet per write (an empty Buffer is a lost packet, concealed),
 * a re-encoded packet per read. Options: the Encoder options (for the output) plus `volume`
 * (initial, linear), `rampMs` (how long later changes take; 0 steps), `readAhead`, `prebuffer`,
 * `maxQueue`. Volume methods are prism's VolumeTransformer's (setVolume, setVolumeDecibels,
 * setVolumeLogarithmic, volume, ...); `encoder` is the output Encoder (setBitrate, setFec, ...).
 */
class OpusTranscodeStream extends Transform {
  #encoder;
  #native;
  #filters;  // AttachedFilters: the chain run between decode and encode, once there is one
  #delivery;
  #submit;
  #rampMs;
  // The last volume change, sent with every frame; the native side applies a new generation at
  // the next frame it processes, so changes land in submission order.
  #volume = { generation: 0, target: 1, rampMs: 0 };

  /** @param {import('./index').TranscodeStreamOptions} [options] */
  constructor(options) {
    const o = validate.options(options);
    const { volume, rampMs, readAhead, prebuffer, maxQueue, overflow, deadlineMs, filters, ...encoderOptions } = o;
    const initial = volume === undefined ? 1 : validate.number(volume, 'volume', 0, C.MAX_VOLUME);
    const ramp = rampMs === undefined ? DEFAULT_RAMP_MS : validate.number(rampMs, 'rampMs', 0, C.MAX_RAMP_MS);
    const delivery = deliveryOptions(o);
    const native = { volume: initial };
    queueOptions({ maxQueue, overflow, deadlineMs }, native);
    const encoder = new Encoder(encoderOptions);
    let transcoder;
    let attached;
    try {
      transcoder = new binding.NativeTranscoder(nativeEncoderOf(encoder), native);
      attached = new AttachedFilters(encoder.sampleRate, encoder.channels, (chain) => transcoder.attachFilters(chain));
      if (filters !== undefined) attached.set(filters);
    } catch (err) {
      transcoder?.destroy();
      encoder.destroy();
      throw err;
    }
    // Small buffers on both sides: the volume is read when a frame is taken from the writable
    // buffer, so every frame buffered after that point delays a change (Node's default of 16
    // objects each side added ~0.6 s). readAhead frames in flight plus 4 ready still give a
    // 20 ms reader a cushion of readAhead + 4 frames.
    super({ objectMode: true, writableHighWaterMark: 1, readableHighWaterMark: 4 });
    this.#encoder = encoder;
    this.#native = transcoder;
    this.#filters = attached;
    this.#rampMs = ramp;
    this.#volume.target = initial;
    this.#delivery = new Delivery(this, delivery);
    this.#delivery.attach(transcoder);
    // Packets are 20 ms in voice; a longer one only makes the due time conservative.
    this.#submit = (packet) => {
      const v = this.#volume;
      transcoder.processAsync(packet, v.generation, v.target, v.rampMs, this.#delivery.dueMs(20), true);
    };
  }

  /** The output Encoder (bitrate, FEC, packet loss, ... while streaming). */
  get encoder() { return this.#encoder; }

  /**
   * Sets the filters every frame runs through between decode and encode, in the same pool job
   * (Lavalink's `filters` object; see FilterChain). Replaces all filters, from the next frame.
   * @param {import('./index').LavalinkFilters} filters
   */
  setFilters(filters) { this.#filters.set(filters); }

  /**
   * Fades from the next packet written (FilterChain#fade), between decode and encode.
   * @param {number} to linear gain 0..1
   * @param {{ durationMs?: number, curve?: 'linear' | 'equal-power' | 's-curve' }} [options]
   */
  fade(to, options) { this.#filters.fade(to, options); }

  /** The filters set (Lavalink-shaped, defaults filled in, frozen); {} for none. */
  get filters() { return this.#filters.filters; }

  /** Frames not transcoded because their job started more than `deadlineMs` after it was due. */
  get skippedFrames() { return this.#delivery.skipped; }

  /**
   * Sets the volume relative to the input (1 unchanged); takes effect from the next frame
   * written, over `rampMs`.
   * @param {number} volume 0..MAX_VOLUME
   * @param {{ rampMs?: number }} [options]
   */
  setVolume(volume, options) {
    validate.number(volume, 'volume', 0, C.MAX_VOLUME);
    const o = validate.options(options);
    const ramp = o.rampMs === undefined ? this.#rampMs : validate.number(o.rampMs, 'rampMs', 0, C.MAX_RAMP_MS);
    this.#volume = { generation: this.#volume.generation + 1, target: volume, rampMs: ramp };
  }

  /** @type {number} the volume last set (reached after its ramp) */
  get volume() { return this.#volume.target; }
  set volume(value) { this.setVolume(value); }

  _transform(packet, _encoding, callback) {
    if (!ArrayBuffer.isView(packet)) {
      callback(validate.invalidType('an Opus packet (Buffer or Uint8Array)', 'chunk', packet));
      return;
    }
    const jobs = this.#delivery.jobs;
    jobs.submit(this.#submit, packet);
    // The next packet is accepted once fewer than readAhead are in flight.
    jobs.whenRoom(callback);
  }

  _flush(callback) {
    this.#delivery.whenDone(callback);
  }

  _destroy(err, callback) {
    this.#delivery.destroy(err, callback, this.#native, this.#encoder, this.#filters);
  }

  static {
    defineVolumeApi(this.prototype);
    guardReceiver(this, (o) => #native in o);
  }
}

/** @param {import('./index').TranscodeStreamOptions} [options] */
function createOpusTranscodeStream(options) {
  return new OpusTranscodeStream(options);
}

module.exports = { OpusTranscodeStream, createOpusTranscodeStream };
