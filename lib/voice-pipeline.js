'use strict';
/**
 * Fused voice pipelines on the pool.
 *
 * VoiceSender: 20 ms PCM in, UDP-ready Discord voice packets out. Opus encode, RTP header and
 * transport encryption run as ONE job on the sender's strand, so sequence, timestamp and nonce
 * advance in submission order. For an end-to-end layer (DAVE, @snazzah/davey) the sender can
 * run "encode on the pool → your JS transform (sync or async) → seal on the pool" instead,
 * still in order.
 *
 * VoiceReceiver: sealed packets from many SSRCs in, PCM per SSRC out (with sequence, timestamp
 * and whether the frame was decoded, concealed or FEC-recovered), after opening, stripping RTP
 * extension/padding, reordering within a small window, and packet-loss concealment.
 */
const { EventEmitter } = require('node:events');
const { randomInt } = require('node:crypto');
const { rejecting } = require('./promise-api');
const binding = require('./binding');
const { VoxpoolError } = require('./errors');
const validate = require('./validate');
const { guardReceiver } = require('./receiver-guard');
const { queueOptions } = require('./queue-options');
const { VoiceCipher, VOICE_MODES } = require('./voice-cipher');
const { parseRtpPacket } = require('./rtp');

const C = binding.cryptoConstants;
const O = binding.opusConstants;
const APPLICATIONS = { voip: O.APPLICATION_VOIP, audio: O.APPLICATION_AUDIO, lowdelay: O.APPLICATION_RESTRICTED_LOWDELAY };
const SIGNALS = { auto: O.SIGNAL_AUTO, voice: O.SIGNAL_VOICE, music: O.SIGNAL_MUSIC };
const V = binding.voiceConstants;
const RTP_RATE = V.CLOCK_RATE;

function keyArg(key) {
  validate.bytes(key, 'key');
  if (key.byteLength !== C.KEY_BYTES) throw validate.invalidRange(`a ${C.KEY_BYTES}-byte Buffer or Uint8Array`, 'key', key);
  return key;
}

function transformArg(options) {
  if (options === undefined) return null;
  const o = validate.options(options);
  if (o.transform === undefined) return null;
  if (typeof o.transform !== 'function') throw validate.invalidType('a function', 'options.transform', o.transform);
  return o.transform;
}

// Serialises work that must reach the native strand in call order even when some of it waits
// on JS (a transform). Work with nothing chained ahead goes straight to the strand.
class Chain {
  #tail = Promise.resolve();
  #pending = 0;

  get idle() { return this.#pending === 0; }

  /** Makes `promise` the new tail; later work waits for it to settle. */
  add(promise) {
    this.#pending++;
    const done = () => { this.#pending--; };
    this.#tail = promise.then(done, done);
    return promise;
  }

  get tail() { return this.#tail; }
}

/**
 * The send half of a Discord voice connection.
 */
class VoiceSender {
  #native;
  #chain = new Chain();
  #transformTail = Promise.resolve();
  #channels;
  #frameBytes;

  /**
   * @param {object} options
   * @param {number} options.ssrc 0..4294967295, from Discord's Ready payload
   * @param {'aead_aes256_gcm_rtpsize' | 'aead_xchacha20_poly1305_rtpsize'} options.mode
   * @param {Uint8Array} options.key 32 bytes (`secret_key`)
   * @param {number} [options.sequence] first sequence number (default random, as Discord does)
   * @param {number} [options.timestamp] first timestamp, 48 kHz units (default random)
   * @param {1 | 2} [options.channels=2] the encoder runs at 48 kHz (the RTP clock)
   * @param {number} [options.bitrate] bits/s
   * @param {number} [options.complexity] 0..10
   * @param {'voip' | 'audio' | 'lowdelay'} [options.application='audio']
   * @param {'auto' | 'voice' | 'music'} [options.signal]
   * @param {boolean} [options.fec] in-band FEC (helps the far end recover lost packets)
   * @param {number} [options.packetLoss] expected loss, percent
   * @param {boolean} [options.dtx]
   * @param {number} [options.maxQueue] jobs queued on this sender's strand
   * @param {'reject' | 'drop-oldest'} [options.overflow='reject']
   */
  constructor(options) {
    const o = validate.options(options);
    const native = {
      ssrc: validate.integer(o.ssrc, 'ssrc', 0, 0xffffffff),
      mode: validate.oneOf(o.mode, 'mode', VOICE_MODES),
      key: keyArg(o.key),
      sequence: o.sequence === undefined ? randomInt(0, 0x10000) : validate.integer(o.sequence, 'sequence', 0, 0xffff),
      timestamp: o.timestamp === undefined ? randomInt(0, 0xffffffff) : validate.integer(o.timestamp, 'timestamp', 0, 0xffffffff),
      channels: o.channels === undefined ? 2 : validate.oneOf(o.channels, 'channels', [1, 2]),
    };
    if (o.application !== undefined) native.application = APPLICATIONS[validate.oneOf(o.application, 'application', Object.keys(APPLICATIONS))];
    if (o.signal !== undefined) native.signal = SIGNALS[validate.oneOf(o.signal, 'signal', Object.keys(SIGNALS))];
    if (o.bitrate !== undefined) native.bitrate = validate.integer(o.bitrate, 'bitrate', O.MIN_BITRATE, O.MAX_BITRATE);
    if (o.complexity !== undefined) native.complexity = validate.integer(o.complexity, 'complexity', 0, 10);
    if (o.fec !== undefined) native.fec = validate.boolean(o.fec, 'fec');
    if (o.packetLoss !== undefined) native.packetLoss = validate.integer(o.packetLoss, 'packetLoss', 0, 100);
    if (o.dtx !== undefined) native.dtx = validate.boolean(o.dtx, 'dtx');
    queueOptions(o, native);
    this.#native = new binding.NativeVoiceSender(native);
    this.#channels = native.channels;
    this.#frameBytes = new Set(O.FRAME_DURATIONS_MS.map((ms) => RTP_RATE * ms / 1000 * native.channels * 2));
    /** @type {number} */
    this.ssrc = native.ssrc;
    /** @type {string} */
    this.mode = native.mode;
  }

  /** Samples per channel in a 20 ms frame (960). */
  get frameSize() { return V.FRAME_SAMPLES; }

  #checkPcm(pcm) {
    if (!ArrayBuffer.isView(pcm) || pcm instanceof Float32Array) throw validate.invalidType('s16 PCM as a Buffer or Int16Array', 'pcm', pcm);
    if (!this.#frameBytes.has(pcm.byteLength)) {
      throw validate.invalidRange(`one whole Opus frame of ${RTP_RATE / 1000} kHz s16 PCM (20 ms = ${V.FRAME_SAMPLES * this.#channels * 2} bytes)`, 'pcm', pcm);
    }
  }

  /**
   * Encodes, packetises and seals one PCM frame on the pool (one job).
   * @param {Buffer | Int16Array} pcm interleaved s16le at 48 kHz, one Opus frame (20 ms: 3840 bytes stereo)
   * @returns {Promise<Buffer>} the UDP payload to send
   */
  send(pcm) {
    return this.sendAsync(pcm);
  }

  /**
   * As `send`; with `options.transform` the Opus frame goes through your function between
   * encoding and sealing (e.g. DAVE's `session.encryptOpus`). The transform may return a
   * Buffer or a Promise of one; packets still come out in call order.
   * @param {Buffer | Int16Array} pcm
   * @param {{ transform?: (opus: Buffer) => Uint8Array | Promise<Uint8Array> }} [options]
   * @returns {Promise<Buffer>}
   */
  sendAsync(pcm, options) {
    this.#checkPcm(pcm);
    const transform = transformArg(options);
    return rejecting(() => this.#send(pcm, transform));
  }

  #send(pcm, transform) {
    const frameSize = pcm.byteLength / 2 / this.#channels;
    if (!transform) {
      if (this.#chain.idle) return this.#native.send(pcm);
      const copy = Buffer.from(Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength)); // a copy
      return this.#chain.add(this.#chain.tail.then(() => this.#native.send(copy)));
    }
    const encoded = this.#native.encode(pcm); // queued now, in order, PCM copied
    const tail = this.#chain.tail;
    // Transforms are called one at a time in call order, as a stateful end-to-end layer
    // expects: each waits for the previous one's (possibly asynchronous) transform too.
    const transformed = Promise.allSettled([encoded, this.#transformTail]).then(([r]) => {
      if (r.status === 'rejected') throw r.reason;
      return transform(r.value);
    });
    const noop = () => {};
    this.#transformTail = transformed.then(noop, noop);
    return this.#chain.add(transformed.then((out) => {
      if (!ArrayBuffer.isView(out)) throw validate.invalidType('a Buffer or Uint8Array', 'the transform result', out);
      return tail.then(() => this.#native.sealOpus(out, frameSize));
    }));
  }

  /**
   * Seals `count` Opus silence frames (`f8 ff fe`), what Discord expects when audio stops.
   * @param {number} [count=5]
   * @returns {Promise<Buffer[]>}
   */
  silence(count = V.DEFAULT_SILENCE_FRAMES) {
    validate.integer(count, 'count', 1, V.MAX_SILENCE_FRAMES);
    try {
      if (this.#chain.idle) return this.#native.silence(count);
    } catch (err) {
      return Promise.reject(err);  // destroyed
    }
    return this.#chain.add(this.#chain.tail.then(() => this.#native.silence(count)));
  }

  /** Jobs queued on this sender's strand. */
  get pending() { return this.#native.pending(); }

  /** Wipes the key; queued jobs reject with ERR_VOXPOOL_DESTROYED. */
  destroy() {
    this.#native.destroy();
  }

  static {
    guardReceiver(this, (o) => #native in o);
  }
}

/**
 * The receive half: emits `'frame'` ({ ssrc, sequence, timestamp, kind, pcm }) per decoded,
 * concealed or recovered 20 ms frame, per SSRC, in sequence order.
 */
class VoiceReceiver extends EventEmitter {
  #native;
  #destroyed = false;
  #chain = new Chain();
  #cipher = null;
  #mode;
  #key;

  /**
   * @param {object} options
   * @param {'aead_aes256_gcm_rtpsize' | 'aead_xchacha20_poly1305_rtpsize'} options.mode
   * @param {Uint8Array} options.key 32 bytes
   * @param {number} [options.sampleRate=48000] output rate
   * @param {1 | 2} [options.channels=2] output channels
   * @param {number} [options.window=3] packets held back while one is missing (0..64)
   * @param {number} [options.maxSsrcs=256] SSRCs tracked at once
   * @param {number} [options.maxQueue]
   * @param {'reject' | 'drop-oldest'} [options.overflow='reject']
   */
  constructor(options) {
    super();
    const o = validate.options(options);
    const native = {
      mode: validate.oneOf(o.mode, 'mode', VOICE_MODES),
      key: keyArg(o.key),
      sampleRate: o.sampleRate === undefined ? V.DEFAULT_SAMPLE_RATE : validate.oneOf(o.sampleRate, 'sampleRate', O.SAMPLE_RATES),
      channels: o.channels === undefined ? V.DEFAULT_CHANNELS : validate.oneOf(o.channels, 'channels', [1, 2]),
      window: o.window === undefined ? V.DEFAULT_WINDOW : validate.integer(o.window, 'window', 0, V.MAX_WINDOW),
      maxSsrcs: o.maxSsrcs === undefined ? V.DEFAULT_MAX_SSRCS : validate.integer(o.maxSsrcs, 'maxSsrcs', 1, V.MAX_SSRCS),
    };
    queueOptions(o, native);
    this.#native = new binding.NativeVoiceReceiver(native);
    this.#mode = native.mode;
    this.#key = Buffer.from(native.key);
  }

  // Promises of one strand settle in call order (docs/ARCHITECTURE.md, "Settlement order"); the
  // emits are chained as well so 'frame' events keep call order when a step in between (a
  // transform) is asynchronous.
  #emitTail = Promise.resolve();

  #emitAll(promise) {
    const result = Promise.allSettled([promise, this.#emitTail]).then(([r]) => {
      if (r.status === 'rejected') throw r.reason;
      for (const f of r.value) this.emit('frame', f);
      return r.value;
    });
    const noop = () => {};
    this.#emitTail = result.then(noop, noop);
    return result;
  }

  /**
   * Opens, reorders and decodes one sealed packet on the pool. Resolves with the frames that
   * became ready (possibly none, possibly several after a gap) and emits each as 'frame'.
   * Rejects with VoxpoolError ERR_VOXPOOL_CRYPTO_AUTH_FAILED / ERR_VOXPOOL_MALFORMED_PACKET for
   * a bad packet (the receiver's state is unchanged).
   * With `options.transform` the packet is opened here, its Opus payload goes through your
   * function (e.g. DAVE's `session.decrypt`), then it is queued for decoding, in call order.
   * @param {Uint8Array} packet
   * @param {{ transform?: (opus: Buffer, info: { ssrc: number, sequence: number, timestamp: number }) => Uint8Array | Promise<Uint8Array> }} [options]
   * @returns {Promise<Array<{ ssrc: number, sequence: number, timestamp: number, kind: 'decoded' | 'concealed' | 'recovered', pcm: Buffer }>>}
   */
  push(packet, options) {
    validate.bytes(packet, 'packet');
    if (packet.byteLength > C.MAX_PACKET_BYTES) {
      throw validate.invalidRange(`a packet of at most ${C.MAX_PACKET_BYTES} bytes (a UDP datagram)`, 'packet', packet);
    }
    const transform = transformArg(options);
    if (!transform) {
      if (this.#chain.idle) {
        return rejecting(() => this.#emitAll(this.#native.push(packet)));
      }
      const copy = Buffer.from(packet);
      return this.#chain.add(this.#chain.tail.then(() => this.#emitAll(this.#native.push(copy))));
    }
    let frame;
    try {
      if (this.#destroyed) throw new VoxpoolError('The voice receiver has been destroyed', 'ERR_VOXPOOL_DESTROYED');
      if (this.#cipher === null) this.#cipher = new VoiceCipher(this.#mode, this.#key);
      frame = parseRtpPacket(this.#cipher.open(packet));
    } catch (err) {
      return Promise.reject(err);
    }
    const info = { ssrc: frame.ssrc, sequence: frame.sequence, timestamp: frame.timestamp };
    const tail = this.#chain.tail;
    return this.#chain.add(Promise.resolve()
      .then(() => transform(Buffer.from(frame.payload), info))
      .then((out) => {
        if (!ArrayBuffer.isView(out)) throw validate.invalidType('a Buffer or Uint8Array', 'the transform result', out);
        return tail.then(() => this.#emitAll(this.#native.pushOpus(info.ssrc, info.sequence, info.timestamp, out)));
      }));
  }

  /**
   * Plays out everything still held back (concealing gaps), e.g. when speakers stop.
   * @returns {Promise<Array<object>>} frames, also emitted as 'frame'
   */
  flush() {
    return this.#chain.add(this.#chain.tail.then(() => this.#emitAll(this.#native.flush())));
  }

  /**
   * Forgets an SSRC (its decoder and queue).
   * @param {number} ssrc
   * @returns {Promise<void>}
   */
  remove(ssrc) {
    validate.integer(ssrc, 'ssrc', 0, 0xffffffff);
    return this.#chain.add(this.#chain.tail.then(() => this.#native.remove(ssrc))).then(() => undefined);
  }

  /**
   * Counters: packets, decoded, concealed, recovered, late, duplicates, corrupt.
   * @returns {Promise<Record<string, number>>}
   */
  stats() {
    return this.#chain.add(this.#chain.tail.then(() => this.#native.stats()));
  }

  /** Wipes the key; queued jobs reject with ERR_VOXPOOL_DESTROYED. */
  destroy() {
    this.#destroyed = true;
    this.#native.destroy();
    if (this.#cipher) this.#cipher.destroy();
    this.#key.fill(0);
  }

  static {
    guardReceiver(this, (o) => #native in o);
  }
}

module.exports = { VoiceSender, VoiceReceiver };
