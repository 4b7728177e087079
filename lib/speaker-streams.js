'use strict';
// Streams over the receive-side SpeakerMixer: one Readable of mixed frames (e.g. for recording)
// and, on request, one Readable per speaker (e.g. 16 kHz mono for speech-to-text), all aligned
// frame for frame. Ticks run on the pool with SpeakerMixer#mixAsync, one at a time, in order.
const { Readable } = require('node:stream');
const validate = require('./validate');
const { guardReceiver } = require('./receiver-guard');
const { SpeakerMixer } = require('./speaker-mixer');

/** @returns {Error} a Node-style stream error with `code` */
function streamError(message, code) {
  const err = new Error(message);
  err.code = code;
  return err;
}

/**
 * A Readable of mixed PCM frames (`frameBytes` each) from a {@link SpeakerMixer}.
 *
 * Feed it decoded packets with {@link SpeakerMixerStream#push} (or {@link
 * SpeakerMixerStream#attach} a VoiceReceiver). Pacing:
 * - `tick: false` (default, "by demand"): each read of this stream or of a speaker stream pulls
 *   one tick; the fastest reader sets the pace and the other outputs buffer.
 * - `tick: true` ("real time"): an unref'd timer runs one tick every frameSize / outputRate
 *   seconds of wall-clock time (catching up after a late timer, so the count does not drift),
 *   whether or not anyone reads; unread frames buffer.
 *
 * Every output gets exactly one frame per tick from the moment it exists, so frame k of a speaker
 * stream lines up with the mixed frame of the same tick; a speaker that is absent (not arrived
 * yet, or forgotten after idleFrames) gives silence.
 *
 * {@link SpeakerMixerStream#end} stops input, plays out the jitter buffer (jitterFrames more
 * ticks) and then ends every output. destroy() stops at once; queued ticks are discarded.
 */
class SpeakerMixerStream extends Readable {
  #realtime;
  #speakers = new Map();  // ssrc -> Readable
  #ticking = false;       // a tick is in flight (by-demand mode)
  #tail = Promise.resolve();  // delivery order (real-time mode)
  #timer = null;
  #start = 0;
  #issued = 0;
  #ending = false;
  #ended = false;
  #detach = new Set();

  /**
   * @param {object} [options] SpeakerMixer options, plus:
   * @param {boolean} [options.tick=false] true: real-time pacing by a timer; false: by demand
   * @param {number} [options.highWaterMark] bytes buffered ahead of the reader (default: 0 by
   *   demand, so each read pulls exactly one tick; 4 frames in real time)
   */
  constructor(options) {
    const o = validate.options(options);
    const { tick, highWaterMark, ...mixerOptions } = o;
    const realtime = tick === undefined ? false : validate.boolean(tick, 'tick');
    const mixer = new SpeakerMixer(mixerOptions);
    const hwm = highWaterMark === undefined
      ? (realtime ? mixer.frameBytes * 4 : 0)
      : validate.integer(highWaterMark, 'highWaterMark', 0, 2 ** 31 - 1);
    super({ highWaterMark: hwm });
    this.#realtime = realtime;
    /** @type {SpeakerMixer} the mixer (options, speakers(), speakerStats()) */
    this.mixer = mixer;
    if (realtime) {
      const periodMs = (mixer.options.frameSize * 1000) / mixer.options.outputRate;
      this.#start = performance.now();
      this.#timer = setInterval(() => this.#onTimer(periodMs), periodMs);
      this.#timer.unref();
    }
  }

  /** @type {number} bytes of one output frame (mixed or per speaker) */
  get frameBytes() { return this.mixer.frameBytes; }

  /**
   * Hands over one decoded packet of a speaker (see SpeakerMixer#push). Late, early and duplicate
   * packets are dropped and counted in `mixer.speakerStats(ssrc)`.
   *
   * Called with one argument this is Readable#push (stream internals use it), so `push(null)` is
   * not a way to end: use {@link SpeakerMixerStream#end}.
   * @param {number} ssrc u32
   * @param {number} timestamp RTP timestamp of the first sample, u32
   * @param {number} sequence RTP sequence number, u16
   * @param {Buffer|Int16Array|Float32Array} pcm whole frames at inputRate/inputChannels
   * @returns {boolean} true
   */
  push(ssrc, timestamp, sequence, pcm) {
    if (typeof ssrc !== 'number' && arguments.length < 4) return super.push(ssrc, timestamp);
    if (this.destroyed) throw streamError('Cannot push after the stream was destroyed', 'ERR_STREAM_DESTROYED');
    if (this.#ending) throw streamError('Cannot push after end()', 'ERR_STREAM_WRITE_AFTER_END');
    this.mixer.push(ssrc, timestamp, sequence, pcm);
    return true;
  }

  /**
   * The aligned frames of one speaker, from the next tick on: a Readable created on the first
   * call for `ssrc` and returned again by later calls until it is destroyed. It may be asked for
   * before the speaker's first packet (silence until then). Frames are not limited.
   * @param {number} ssrc u32
   * @returns {import('node:stream').Readable}
   */
  speakerStream(ssrc) {
    validate.integer(ssrc, 'ssrc', 0, 0xffffffff);
    const existing = this.#speakers.get(ssrc);
    if (existing) return existing;
    if (this.destroyed) throw streamError('Cannot add a speaker stream after the stream was destroyed', 'ERR_STREAM_DESTROYED');
    if (this.#ending) throw streamError('Cannot add a speaker stream after end()', 'ERR_STREAM_ALREADY_FINISHED');
    const owner = this;
    const stream = new Readable({
      highWaterMark: this.readableHighWaterMark,
      read() { owner.#demand(); },
      destroy(err, cb) {
        if (owner.#speakers.get(ssrc) === stream) owner.#speakers.delete(ssrc);
        cb(err);
      },
    });
    stream.ssrc = ssrc;
    this.#speakers.set(ssrc, stream);
    return stream;
  }

  /**
   * Feeds this stream from a VoiceReceiver's 'frame' events (or anything emitting
   * `{ ssrc, timestamp, sequence, pcm }` as 'frame'). A packet the mixer refuses (a new speaker
   * beyond maxSpeakers) is reported as a 'warning' event, not thrown into the emitter. Detached
   * automatically on end() and destroy().
   * @param {import('node:events').EventEmitter} receiver
   * @returns {() => void} detaches
   */
  attach(receiver) {
    if (receiver === null || typeof receiver !== 'object' || validate.isRevoked(receiver) || typeof receiver.on !== 'function') {
      throw validate.invalidType('an EventEmitter', 'receiver', receiver);
    }
    if (this.destroyed) throw streamError('Cannot attach after the stream was destroyed', 'ERR_STREAM_DESTROYED');
    if (this.#ending) throw streamError('Cannot attach after end()', 'ERR_STREAM_ALREADY_FINISHED');
    const onFrame = (f) => {
      if (this.#ending || this.destroyed) return;
      try {
        this.push(f.ssrc, f.timestamp, f.sequence, f.pcm);
      } catch (err) {
        this.emit('warning', err);
      }
    };
    receiver.on('frame', onFrame);
    const detach = () => {
      receiver.removeListener('frame', onFrame);
      this.#detach.delete(detach);
    };
    this.#detach.add(detach);
    return detach;
  }

  /**
   * Stops input, plays out what the jitter buffer holds (jitterFrames more ticks, whatever the
   * pacing) and then ends the mixed stream and every speaker stream. Idempotent.
   * @returns {this}
   */
  end() {
    if (this.#ending || this.destroyed) return this;
    this.#ending = true;
    for (const detach of [...this.#detach]) detach();
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    const drain = this.mixer.options.jitterFrames;
    // After every tick already submitted (#tail), jitterFrames more, one after another.
    this.#tail = this.#tail.then(async () => {
      for (let i = 0; i < drain && !this.destroyed; i++) {
        // eslint-disable-next-line no-await-in-loop
        await this.#tick();
      }
      this.#finish();
    });
    return this;
  }

  _read() {
    if (!this.#realtime) this.#demand();
  }

  _destroy(err, cb) {
    this.#ending = true;
    for (const detach of [...this.#detach]) detach();
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    // Destroyed early: free the mixer now (queued ticks reject with ERR_VOXPOOL_DESTROYED and are
    // ignored). After a natural end it stays readable for speakerStats() until collected.
    if (!this.#ended) this.mixer.destroy();
    // After end() the speaker streams hold their last frames and end by themselves once read;
    // before it, they go down with this one.
    if (!this.#ended) for (const s of [...this.#speakers.values()]) s.destroy(err || undefined);
    this.#speakers.clear();
    cb(err);
  }

  // ---- ticks ----

  // By demand: one tick in flight at a time; its frame satisfies every output that asked.
  #demand() {
    if (this.#ticking || this.#ending || this.destroyed) return;
    this.#ticking = true;
    this.#tail = this.#tail.then(() => this.#tick()).finally(() => { this.#ticking = false; });
  }

  // Real time: as many ticks as wall-clock time calls for since the start.
  #onTimer(periodMs) {
    if (this.#ending || this.destroyed) return;
    const due = Math.floor((performance.now() - this.#start) / periodMs);
    // Catch up at most 10 ticks at once (a stalled loop must not flood the pool).
    const n = Math.min(due - this.#issued, 10);
    if (due - this.#issued > 10) this.#issued = due - 10;
    for (let i = 0; i < n; i++) this.#enqueue();
  }

  // Submits a tick now (the SpeakerMixer's strand keeps ticks in order) and delivers it after
  // every earlier one.
  #enqueue() {
    this.#issued++;
    const ticked = this.#submit();
    this.#tail = this.#tail.then(() => ticked).then((outcome) => this.#settle(outcome));
    return this.#tail;
  }

  #tick() {
    return this.#submit().then((outcome) => this.#settle(outcome));
  }

  // Submits a tick. The Promise it returns never rejects: its handlers are attached here, at
  // once, because a destroy() rejects every queued tick while earlier ones may still be pending,
  // and an unhandled rejection would end the process.
  #submit() {
    try {
      return this.mixer.mixAsync(this.#speakers.size > 0 ? { perSpeaker: true } : undefined)
        .then((value) => ({ ok: true, value }), (error) => ({ ok: false, error }));
    } catch (error) {
      return Promise.resolve({ ok: false, error });
    }
  }

  #settle(outcome) {
    if (outcome.ok) this.#deliver(outcome.value);
    else this.#fail(outcome.error);
  }

  #deliver(result) {
    if (this.destroyed || this.#ended) return;
    if (Buffer.isBuffer(result)) {
      super.push(result);
      for (const s of this.#speakers.values()) s.push(Buffer.alloc(result.length));
      return;
    }
    super.push(result.mixed);
    const bySsrc = new Map(result.speakers.map((s) => [s.ssrc, s.pcm]));
    for (const [ssrc, s] of this.#speakers) s.push(bySsrc.get(ssrc) || Buffer.alloc(result.mixed.length));
  }

  #fail(err) {
    if (!this.destroyed) this.destroy(err);
  }

  #finish() {
    if (this.destroyed || this.#ended) return;
    this.#ended = true;
    for (const s of this.#speakers.values()) s.push(null);
    super.push(null);
  }

  static {
    guardReceiver(this, (o) => #realtime in o);
  }
}

/**
 * Creates a Readable of mixed speaker frames with per-speaker streams on request (see
 * SpeakerMixerStream). For speech-to-text: `{ outputRate: 16000, outputChannels: 1 }`.
 * @param {object} [options] SpeakerMixer options plus `tick` and `highWaterMark`
 * @returns {SpeakerMixerStream}
 */
function createSpeakerMixerStream(options) {
  return new SpeakerMixerStream(options);
}

module.exports = { SpeakerMixerStream, createSpeakerMixerStream };
