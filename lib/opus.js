'use strict';
// First-class Opus API: Encoder and Decoder with options objects, sync and pool-backed async
// methods, batches, and the constants libopus defines (exported from native code).
const { rejecting } = require('./promise-api');
const binding = require('./binding');
const validate = require('./validate');
const { guardReceiver } = require('./receiver-guard');
const { adaptiveNative } = require('./adaptive');
const { queueOptions, maxQueueOf } = require('./queue-options');
const { AttachedFilters } = require('./attached-filters');

// A CTL request and value as libopus takes them (opus_int32; requests are positive).
const INT32_MIN = -0x80000000;
const INT32_MAX = 0x7fffffff;
const ctlRequest = (request) => validate.integer(request, 'request', 0, INT32_MAX);
const ctlValue = (value) => validate.integer(value, 'value', INT32_MIN, INT32_MAX);

const C = binding.opusConstants;

/** Opus limits and values, read from native code so they are never typed twice. */
const constants = Object.freeze({
  SAMPLE_RATES: Object.freeze([...C.SAMPLE_RATES]),
  FRAME_DURATIONS_MS: Object.freeze([...C.FRAME_DURATIONS_MS]),
  MAX_PACKET_BYTES: C.MAX_PACKET_BYTES,
  MAX_FRAME_SAMPLES: C.MAX_FRAME_SAMPLES,
  MIN_BITRATE: C.MIN_BITRATE,
  MAX_BITRATE: C.MAX_BITRATE,
  OPUS_VERSION: C.OPUS_VERSION,
  APPLICATION: Object.freeze({ voip: C.APPLICATION_VOIP, audio: C.APPLICATION_AUDIO, lowdelay: C.APPLICATION_RESTRICTED_LOWDELAY }),
  SIGNAL: Object.freeze({ auto: C.SIGNAL_AUTO, voice: C.SIGNAL_VOICE, music: C.SIGNAL_MUSIC }),
  // Encoder/decoder CTL request numbers (opus_defines.h), for ctl()/getCtl() and applyEncoderCTL().
  CTL: Object.freeze({ ...C.CTL }),
  MAX_COMPLEXITY: C.MAX_COMPLEXITY,
  // AdaptiveComplexity's defaults and limits (lib/adaptive.js).
  ADAPTIVE: Object.freeze({ ...C.ADAPTIVE }),
});


const P = binding.poolConstants;

// Channel counts libopus accepts: 1..MAX_CHANNELS.
const CHANNELS = Object.freeze(Array.from({ length: C.MAX_CHANNELS }, (_, i) => i + 1));

/**
 * The validated `sampleRate` and `channels` of an Encoder's or Decoder's options, libopus's
 * defaults where absent.
 */
function rateAndChannels(o) {
  return {
    sampleRate: o.sampleRate === undefined ? C.DEFAULT_SAMPLE_RATE : validate.oneOf(o.sampleRate, 'sampleRate', constants.SAMPLE_RATES),
    channels: o.channels === undefined ? C.DEFAULT_CHANNELS : validate.oneOf(o.channels, 'channels', CHANNELS),
  };
}

/**
 * The validated `dueMs` of an async call's options (undefined: the pool's default, DEFAULT_DUE_MS
 * after submission). The pool serves the earliest-due work first across objects.
 */
function dueMsOf(options) {
  const o = validate.options(options);
  return o.dueMs === undefined ? undefined : validate.number(o.dueMs, 'options.dueMs', 0, P.MAX_DUE_MS);
}

/** Valid byte lengths of one PCM frame for every Opus frame duration (s16 and f32). */
function frameByteSizes(sampleRate, channels, bytesPerSample) {
  return new Set(constants.FRAME_DURATIONS_MS.map((ms) => (sampleRate * ms / 1000) * channels * bytesPerSample));
}

// Module-private access to an Encoder's or Decoder's native handle and checks, for the
// many-stream calls below. Set by the classes' static blocks: nothing outside this file can reach
// a native handle (it would skip every check).
let encoderNative;
let encoderStreamFilters;
let encoderCheck;
let isEncoder;
let decoderNative;
let decoderCheck;
let isDecoder;

/**
 * Refuses a batch longer than `most` as a whole, before looking at its items (a sparse array of
 * length 2**32 - 1 costs nothing to refuse).
 */
function checkBatch(items, what, name, most, why) {
  if (!validate.isArray(items)) throw validate.invalidType(`an array of ${what}`, name, items);
  if (items.length > most) throw validate.invalidRange(`an array of at most ${most} ${what} (${why})`, name, items);
}

function checkPcm(pcm, sizes, channels, name = 'pcm') {
  if (!ArrayBuffer.isView(pcm)) throw validate.invalidType('PCM as a Buffer, Int16Array or Float32Array', name, pcm);
  const isFloat = pcm instanceof Float32Array;
  if (!(isFloat ? sizes.f32 : sizes.s16).has(pcm.byteLength)) {
    const per = (isFloat ? 4 : 2) * channels;
    throw validate.invalidRange(`one whole 2.5-120 ms frame (${isFloat ? 'f32' : 's16'}, ${channels} channel${channels > 1 ? 's' : ''}: 20 ms = ${sizes.twentyMs * per} bytes)`, name, pcm);
  }
}

/**
 * An Opus encoder. Sync methods run on the calling thread; *Async methods run on the voxpool
 * thread pool, in submission order per encoder, in parallel across encoders.
 */
class Encoder {
  #native;
  #filters;  // AttachedFilters: the chain every encode job runs first, once there is one
  #maxQueue;
  #sizes;
  #channels;
  #sampleRate;

  /**
   * @param {import('./index').EncoderOptions} [options]
   */
  constructor(options) {
    const o = validate.options(options);
    const { sampleRate, channels } = rateAndChannels(o);
    const native = { sampleRate, channels, application: constants.APPLICATION.audio };
    if (o.application !== undefined) {
      native.application = constants.APPLICATION[validate.oneOf(o.application, 'application', Object.keys(constants.APPLICATION))];
    }
    if (o.bitrate !== undefined) native.bitrate = validate.integer(o.bitrate, 'bitrate', constants.MIN_BITRATE, constants.MAX_BITRATE);
    if (o.complexity !== undefined) native.complexity = validate.integer(o.complexity, 'complexity', 0, C.MAX_COMPLEXITY);
    if (o.signal !== undefined) native.signal = constants.SIGNAL[validate.oneOf(o.signal, 'signal', Object.keys(constants.SIGNAL))];
    if (o.vbr !== undefined) native.vbr = validate.boolean(o.vbr, 'vbr');
    if (o.vbrConstraint !== undefined) native.vbrConstraint = validate.boolean(o.vbrConstraint, 'vbrConstraint');
    if (o.fec !== undefined) native.fec = validate.boolean(o.fec, 'fec');
    if (o.packetLoss !== undefined) native.packetLoss = validate.integer(o.packetLoss, 'packetLoss', 0, C.MAX_PACKET_LOSS_PERC);
    if (o.dtx !== undefined) native.dtx = validate.boolean(o.dtx, 'dtx');
    if (o.adaptive !== undefined) native.adaptive = adaptiveNative(o.adaptive, 'adaptive');
    queueOptions(o, native);
    const nativeEncoder = new binding.NativeEncoder(native);
    // A stream's encoder (stretchable) attaches in packets mode: its jobs settle with Arrays.
    const filters = new AttachedFilters(sampleRate, channels, (chain) => nativeEncoder.attachFilters(chain, filters.stretchable));
    try {
      if (o.filters !== undefined) filters.set(o.filters);  // validates them
    } catch (err) {
      nativeEncoder.destroy();  // bad filters: the codec goes now, not at GC
      throw err;
    }
    this.#native = nativeEncoder;
    this.#filters = filters;
    this.#maxQueue = maxQueueOf(native);
    this.#sampleRate = sampleRate;
    this.#channels = channels;
    this.#sizes = { s16: frameByteSizes(sampleRate, channels, 2), f32: frameByteSizes(sampleRate, channels, 4), twentyMs: sampleRate / 50 };
  }

  /** Sample rate in Hz. */
  get sampleRate() { return this.#sampleRate; }
  /** 1 or 2. */
  get channels() { return this.#channels; }
  /** Samples per channel in a 20 ms frame at this rate. */
  get frameSize() { return this.#sampleRate / 50; }
  /** Jobs queued on the pool for this encoder (not counting one running). */
  get pending() { return this.#native.pending(); }

  /**
   * Sets the filters every frame runs through before it is encoded, in the same pool job
   * (Lavalink's `filters` object; see FilterChain). Replaces all filters; takes effect from the
   * next frame encoded, without clicks. The first call attaches a filter chain to the encoder.
   * @param {import('./index').LavalinkFilters} filters
   */
  setFilters(filters) { this.#filters.set(filters); }

  /**
   * Fades the encoder's input from the next frame (FilterChain#fade): a track fading out or in
   * on its own encode jobs.
   * @param {number} to linear gain 0..1
   * @param {{ durationMs?: number, curve?: 'linear' | 'equal-power' | 's-curve' }} [options]
   */
  fade(to, options) { this.#filters.fade(to, options); }

  /** The filters set (Lavalink-shaped, defaults filled in, frozen); {} for none. */
  get filters() { return this.#filters.filters; }

  /**
   * Encodes one frame synchronously on the calling thread.
   * @param {Buffer | Int16Array | Float32Array} pcm interleaved s16le (or float) PCM, one frame of 2.5-120 ms
   * @returns {Buffer} the Opus packet
   */
  encode(pcm) {
    checkPcm(pcm, this.#sizes, this.#channels);
    return this.#native.encode(pcm);
  }

  /**
   * Encodes one frame on the pool. The PCM is copied at the call, so the caller may reuse it.
   * Rejects with VoxpoolError (ERR_VOXPOOL_QUEUE_FULL, ERR_VOXPOOL_DESTROYED, ...).
   * @param {Buffer | Int16Array | Float32Array} pcm
   * @param {{ dueMs?: number }} [options] `dueMs`: when the packet is needed, in ms from now
   *   (default 20): the pool starts the earliest-due work first
   * @returns {Promise<Buffer>}
   */
  encodeAsync(pcm, options) {
    checkPcm(pcm, this.#sizes, this.#channels);
    const due = dueMsOf(options);
    return rejecting(() => this.#native.encodeAsync(pcm, due));
  }

  /**
   * Encodes many frames of this stream in one call; settles once, in order. A frame that failed
   * holds a VoxpoolError in its slot instead of a Buffer.
   * @param {Array<Buffer | Int16Array | Float32Array>} frames
   * @returns {Promise<Array<Buffer | Error>>}
   */
  encodeBatch(frames) {
    checkBatch(frames, 'PCM frames', 'frames', this.#maxQueue, "this encoder's maxQueue");
    for (let i = 0; i < frames.length; i++) checkPcm(frames[i], this.#sizes, this.#channels, `frames[${i}]`);
    return rejecting(() => this.#native.encodeBatch(frames));
  }

  /** @param {number} bitrate bits per second */
  setBitrate(bitrate) { this.#native.setCtl(constants.CTL.SET_BITRATE, validate.integer(bitrate, 'bitrate', constants.MIN_BITRATE, constants.MAX_BITRATE)); }
  /** @returns {number} bits per second */
  getBitrate() { return this.#native.getCtl(constants.CTL.GET_BITRATE); }
  /** The complexity the next frame is encoded at (an adaptive encoder's changes with load). */
  get complexity() { return this.#native.getCtl(constants.CTL.GET_COMPLEXITY); }
  /** @param {number} complexity 0-10 */
  setComplexity(complexity) { this.#native.setCtl(constants.CTL.SET_COMPLEXITY, validate.integer(complexity, 'complexity', 0, C.MAX_COMPLEXITY)); }
  /** @param {boolean} enabled in-band forward error correction */
  setFec(enabled) { this.#native.setCtl(constants.CTL.SET_INBAND_FEC, validate.boolean(enabled, 'fec') ? 1 : 0); }
  /** @param {number} percent expected packet loss 0-100 */
  setPacketLoss(percent) { this.#native.setCtl(constants.CTL.SET_PACKET_LOSS_PERC, validate.integer(percent, 'packetLoss', 0, C.MAX_PACKET_LOSS_PERC)); }
  /** @param {boolean} enabled discontinuous transmission */
  setDtx(enabled) { this.#native.setCtl(constants.CTL.SET_DTX, validate.boolean(enabled, 'dtx') ? 1 : 0); }
  /** @param {'auto' | 'voice' | 'music'} signal */
  setSignal(signal) { this.#native.setCtl(constants.CTL.SET_SIGNAL, constants.SIGNAL[validate.oneOf(signal, 'signal', Object.keys(constants.SIGNAL))]); }
  /** @param {boolean} enabled variable bitrate */
  setVbr(enabled) { this.#native.setCtl(constants.CTL.SET_VBR, validate.boolean(enabled, 'vbr') ? 1 : 0); }

  /**
   * Applies a SET-type libopus CTL (see constants.CTL). GET requests are refused with
   * ERR_VOXPOOL_OPUS_UNIMPLEMENTED instead of being passed to libopus.
   */
  ctl(request, value) {
    this.#native.setCtl(ctlRequest(request), ctlValue(value));
  }
  /** Reads a GET-type libopus CTL (see constants.CTL). */
  getCtl(request) { return this.#native.getCtl(ctlRequest(request)); }

  /**
   * Frees the encoder. Queued async jobs reject with ERR_VOXPOOL_DESTROYED after the running one
   * finishes. Later synchronous calls throw ERR_VOXPOOL_DESTROYED; later async calls return a
   * Promise that rejects with it. Idempotent.
   */
  destroy() {
    this.#native.destroy();
    this.#filters.destroy();
  }

  static {
    encoderNative = (encoder) => encoder.#native;
    encoderStreamFilters = (encoder) => {
      encoder.#filters.stretchable = true;
      return encoder.#filters;
    };
    isEncoder = (o) => o !== null && typeof o === 'object' && #native in o;
    encoderCheck = (encoder, pcm, name) => checkPcm(pcm, encoder.#sizes, encoder.#channels, name);
  }

  static {
    guardReceiver(this, (o) => #native in o);
  }
}

/**
 * An Opus decoder with packet-loss concealment (null packet) and FEC recovery.
 */
class Decoder {
  #native;
  #maxQueue;
  #sampleRate;
  #channels;

  /**
   * @param {import('./index').DecoderOptions} [options]
   */
  constructor(options) {
    const o = validate.options(options);
    const { sampleRate, channels } = rateAndChannels(o);
    const format = validate.pcmFormat(o.format);
    const native = queueOptions(o, { sampleRate, channels, format });
    this.#native = new binding.NativeDecoder(native);
    this.#maxQueue = maxQueueOf(native);
    this.#sampleRate = sampleRate;
    this.#channels = channels;
  }

  get sampleRate() { return this.#sampleRate; }
  get channels() { return this.#channels; }
  /** Samples per channel of the last decoded or concealed frame (0 before the first). */
  get lastFrameSize() { return this.#native.lastFrameSize(); }
  get pending() { return this.#native.pending(); }

  #frameSize(opts) {
    if (opts === undefined) return 0;
    const o = validate.options(opts);
    if (o.frameSize === undefined) return 0;
    const valid = constants.FRAME_DURATIONS_MS.map((ms) => this.#sampleRate * ms / 1000);
    return validate.oneOf(o.frameSize, 'frameSize', valid);
  }

  #packet(packet, name = 'packet') {
    if (packet !== null && packet !== undefined && !ArrayBuffer.isView(packet)) {
      throw validate.invalidType('an Opus packet (Buffer or Uint8Array) or null', name, packet);
    }
    return packet ?? null;
  }

  // A batch item: a packet or null (a loss); a hole or undefined is a mistake, not a loss.
  static #item(packet, name) {
    if (packet !== null && !ArrayBuffer.isView(packet)) {
      throw validate.invalidType('an Opus packet (Buffer or Uint8Array) or null', name, packet);
    }
  }

  /**
   * Decodes one packet synchronously. `null` conceals a lost packet (PLC) for `frameSize`
   * samples per channel (default: the last frame's size).
   * @param {Buffer | Uint8Array | null} packet
   * @param {{ frameSize?: number }} [options]
   * @returns {Buffer} interleaved PCM (s16le, or f32le with format 'f32le')
   */
  decode(packet, options) {
    return this.#native.decode(this.#packet(packet), this.#frameSize(options), false);
  }

  /**
   * Recovers a lost frame from the in-band FEC data carried by the packet that followed it.
   * @param {Buffer | Uint8Array} nextPacket
   * @param {{ frameSize?: number }} [options] the lost frame's duration in samples per channel
   */
  decodeFec(nextPacket, options) {
    if (!ArrayBuffer.isView(nextPacket)) throw validate.invalidType('an Opus packet (Buffer or Uint8Array)', 'nextPacket', nextPacket);
    if (nextPacket.byteLength === 0) throw validate.invalidRange('a non-empty Opus packet (the one after the loss)', 'nextPacket', nextPacket);
    return this.#native.decode(nextPacket, this.#frameSize(options), true);
  }

  /**
   * Decodes on the pool, in order per decoder.
   * @param {Buffer | Uint8Array | null} packet
   * @param {{ frameSize?: number, fec?: boolean, dueMs?: number }} [options] `dueMs` as for
   *   Encoder#encodeAsync
   * @returns {Promise<Buffer>}
   */
  decodeAsync(packet, options) {
    const o = validate.options(options);
    const fec = o.fec === undefined ? false : validate.boolean(o.fec, 'options.fec');
    if (fec && !ArrayBuffer.isView(packet)) throw validate.invalidType('an Opus packet (Buffer or Uint8Array)', 'packet', packet);
    if (fec && packet.byteLength === 0) throw validate.invalidRange('a non-empty Opus packet (the one after the loss)', 'packet', packet);
    const due = dueMsOf(o);
    return rejecting(() => this.#native.decodeAsync(this.#packet(packet), this.#frameSize(options), fec, due));
  }

  /**
   * Decodes many packets of this stream in one call; settles once, in order.
   * @param {Array<Buffer | Uint8Array | null>} packets
   * @param {{ frameSize?: number }} [options]
   * @returns {Promise<Array<Buffer | Error>>}
   */
  decodeBatch(packets, options) {
    checkBatch(packets, 'Opus packets', 'packets', this.#maxQueue, "this decoder's maxQueue");
    for (let i = 0; i < packets.length; i++) Decoder.#item(packets[i], `packets[${i}]`);
    return rejecting(() => this.#native.decodeBatch(packets, this.#frameSize(options)));
  }

  /** Applies a SET-type decoder CTL (SET_GAIN, RESET_STATE, SET_PHASE_INVERSION_DISABLED). */
  ctl(request, value) {
    this.#native.setCtl(ctlRequest(request), ctlValue(value));
  }
  /** Reads a GET-type decoder CTL. */
  getCtl(request) { return this.#native.getCtl(ctlRequest(request)); }

  /** Frees the decoder; queued async jobs reject with ERR_VOXPOOL_DESTROYED. Idempotent. */
  destroy() { this.#native.destroy(); }

  static {
    decoderNative = (decoder) => decoder.#native;
    isDecoder = (o) => o !== null && typeof o === 'object' && #native in o;
    decoderCheck = (decoder, packet, name) => Decoder.#item(packet, name);
  }

  static {
    guardReceiver(this, (o) => #native in o);
  }
}

function checkPairs(items, what, Class, isInstance, nativeOf, values, valuesName) {
  const most = binding.poolCapacity();
  checkBatch(items, `${what}s`, `${what}s`, most, "the pool's capacity");
  checkBatch(values, valuesName, valuesName, most, "the pool's capacity");
  if (values.length !== items.length) {
    throw validate.invalidRange(`an array of ${items.length} ${valuesName} (one per ${what})`, valuesName, values);
  }
  const natives = new Array(items.length);
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (!isInstance(item)) throw validate.invalidType(`${/^[AEIOU]/.test(Class.name) ? 'an' : 'a'} ${Class.name}`, `${what}s[${i}]`, item);
    natives[i] = nativeOf(item);
  }
  return natives;
}

/**
 * Encodes one frame for each of many encoders in a single call (a gateway tick): one crossing
 * into native code, one settlement. Frames of different encoders run in parallel. At most the
 * pool's capacity of items (a longer batch is refused whole, with a RangeError).
 * @param {Encoder[]} encoders
 * @param {Array<Buffer | Int16Array | Float32Array>} frames frames[i] goes to encoders[i]
 * @returns {Promise<Array<Buffer | Error>>} a Buffer, or a VoxpoolError for a failed item
 */
function encodeMany(encoders, frames) {
  const natives = checkPairs(encoders, 'encoder', Encoder, isEncoder, encoderNative, frames, 'frames');
  for (let i = 0; i < frames.length; i++) encoderCheck(encoders[i], frames[i], `frames[${i}]`);
  return rejecting(() => binding.encodeMany(natives, frames));
}

/**
 * Decodes one packet for each of many decoders in a single call.
 * @param {Decoder[]} decoders
 * @param {Array<Buffer | Uint8Array | null>} packets null conceals a loss
 * @returns {Promise<Array<Buffer | Error>>}
 */
function decodeMany(decoders, packets) {
  const natives = checkPairs(decoders, 'decoder', Decoder, isDecoder, decoderNative, packets, 'packets');
  for (let i = 0; i < packets.length; i++) decoderCheck(decoders[i], packets[i], `packets[${i}]`);
  return rejecting(() => binding.decodeMany(natives, packets));
}

module.exports = { Encoder, Decoder, encodeMany, decodeMany, opus: constants };
// For lib/transcode-stream.js only (it re-encodes with an Encoder's native codec, and takes
// `dueMs` like encodeAsync). Not enumerable, so index.js's spread does not publish a way around
// the Encoder's checks.
Object.defineProperty(module.exports, 'nativeEncoderOf', { value: (encoder) => encoderNative(encoder) });
Object.defineProperty(module.exports, 'dueMsOf', { value: dueMsOf });
// For lib/opus-streams.js only: the decoder stream submits to its Decoder's native codec with
// toSink (its packets are checked there).
Object.defineProperty(module.exports, 'nativeDecoderOf', { value: (decoder) => decoderNative(decoder) });
// For lib/opus-streams.js only: an encoder stream's filters may time-stretch, since its jobs
// settle with Arrays of 0..n packets (attachFilters' packets mode), which Delivery pushes one by
// one. Called before any filters are set.
Object.defineProperty(module.exports, 'streamFiltersOf', { value: (encoder) => encoderStreamFilters(encoder) });
