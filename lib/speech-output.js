'use strict';
// createSpeechOutput: the text-to-speech side of a voice agent. Replies (TTS PCM at the rate the
// TTS service speaks, e.g. 22.05 or 24 kHz mono) are queued and mixed one after another into one
// continuous output, resampled by the mixer on the pool. Each reply is a ducker source, so the
// music and whatever else is mixed in goes down under it. When a user starts speaking while a
// reply plays (barge-in) the reply is stopped (faded out and dropped, with those queued behind
// it) or faded down until nobody speaks; a `bargein` event says which. The bookkeeping is JS;
// the audio work (resampling, gain ramps, ducking, mixing) is the mixer's.
const validate = require('./validate');
const { guardReceiver } = require('./receiver-guard');
const { MixerStream } = require('./mixer-streams');
const { VoxpoolError } = require('./errors');
const { mixerConstants: C } = require('./mixer');

/** Defaults of createSpeechOutput's own options. */
const SPEECH_OUTPUT_DEFAULTS = Object.freeze({
  speechRate: 24000,   // Hz of replies' PCM (what most TTS services return)
  speechChannels: 1,
  bargeIn: 'stop',
  fadeMs: 100,         // the reply's fade on barge-in, either way
  fadeDepthDb: 20,     // how far 'fade' lowers the reply while someone speaks
});
const BARGE_IN_MODES = Object.freeze(['stop', 'fade', 'none']);
// The longest reply speak() takes as one Buffer (a longer one comes as a Readable): checked
// before the copy is made.
const MAX_REPLY_MS = 120000;
// One more frame than the fade lasts before a stopped reply is cut, so the ramp has reached 0.
const FADE_GUARD_FRAMES = 1;

function dbToLinear(db) { return 10 ** (db / 20); }

function isReadable(value) {
  return value !== null && typeof value === 'object' && !validate.isRevoked(value) && !ArrayBuffer.isView(value) &&
    typeof value.pipe === 'function' && typeof value.on === 'function' && typeof value.destroy === 'function';
}

function destroyedError() {
  return new VoxpoolError('The speech output has been destroyed', 'ERR_VOXPOOL_DESTROYED');
}

/**
 * A MixerStream (idle: 'silence' unless set) with a queue of spoken replies. `speak()` queues a
 * reply; `listen()` follows the `speechstart` / `speechend` events of an utterance stream or
 * receiver for barge-in; `interrupt()` stops the replies now. Events: `speakstart` `{ id }`,
 * `speakend` `{ id, status }`, `bargein` `{ action, userId? , replies }`.
 */
class SpeechOutput extends MixerStream {
  #queue = [];           // replies not started: { id, speech, format, resolve, done }
  #current = null;       // the reply playing: + { input, stopping, framesLeft }
  #nextId = 1;
  #speechFormat;
  #mode;
  #fadeMs;
  #fadeGain;
  #fadeFrames;
  #speakers = new Set(); // who is speaking now, by userId (or by source when it has none)
  #unlisten = new Set();
  #endRequested = false;

  /**
   * @param {object} [options] MixerStream options (the output: sampleRate, channels, format,
   *   frameSize, …; idle defaults to 'silence') plus `speechRate`, `speechChannels`,
   *   `speechFormat` (replies' default PCM), `bargeIn` ('stop' | 'fade' | 'none'), `fadeMs`,
   *   `fadeDepthDb` and `ducking` (Mixer#setDucking's options)
   */
  constructor(options) {
    const o = validate.options(options);
    const { speechRate, speechChannels, speechFormat, bargeIn, fadeMs, fadeDepthDb, ducking, ...mixer } = o;
    const D = SPEECH_OUTPUT_DEFAULTS;
    const format = {
      sampleRate: speechRate === undefined ? D.speechRate : validate.integer(speechRate, 'speechRate', C.MIN_SAMPLE_RATE, C.MAX_SAMPLE_RATE),
      channels: speechChannels === undefined ? D.speechChannels : validate.oneOf(speechChannels, 'speechChannels', [1, 2]),
      format: speechFormat === undefined ? undefined : validate.pcmFormat(speechFormat),
    };
    const mode = bargeIn === undefined ? D.bargeIn : validate.oneOf(bargeIn, 'bargeIn', BARGE_IN_MODES);
    const fade = fadeMs === undefined ? D.fadeMs : validate.number(fadeMs, 'fadeMs', 0, C.MAX_RAMP_MS);
    const depth = fadeDepthDb === undefined ? D.fadeDepthDb : validate.number(fadeDepthDb, 'fadeDepthDb', 0, -C.MIN_GAIN_DB);
    if (ducking !== undefined) validate.options(ducking, 'ducking');
    super({ idle: 'silence', ...mixer });
    if (ducking !== undefined) this.mixer.setDucking(ducking);
    this.#speechFormat = format;
    this.#mode = mode;
    this.#fadeMs = fade;
    this.#fadeGain = dbToLinear(-depth);
    this.#fadeFrames = Math.ceil(fade / (1000 * this.mixer.frameSize / this.mixer.sampleRate)) + FADE_GUARD_FRAMES;
  }

  /** @type {boolean} a reply is playing */
  get speaking() { return this.#current !== null; }
  /** @type {number} replies waiting behind the one playing */
  get queued() { return this.#queue.length; }

  /**
   * Queues a reply. PCM (Buffer or typed array) is copied; a Readable of PCM is piped and owned:
   * it is destroyed when the reply is interrupted or the output closes. Never rejects: resolves
   * `{ id, status }` with 'played' (all of it mixed into the output), 'interrupted' (barge-in or
   * interrupt()), 'failed' (the Readable errored; `error`) or 'cancelled' (the output was
   * destroyed first).
   * @param {Buffer|Int16Array|Float32Array|import('node:stream').Readable} speech
   * @param {{ sampleRate?: number, channels?: 1|2, format?: 's16le'|'f32le' }} [options] the
   *   reply's PCM (default: the output's speechRate, speechChannels, speechFormat)
   * @returns {Promise<{ id: number, status: 'played'|'interrupted'|'failed'|'cancelled', error?: Error }>}
   */
  speak(speech, options) {
    const o = validate.options(options);
    const f = this.#speechFormat;
    const format = {
      sampleRate: o.sampleRate === undefined ? f.sampleRate : validate.integer(o.sampleRate, 'options.sampleRate', C.MIN_SAMPLE_RATE, C.MAX_SAMPLE_RATE),
      channels: o.channels === undefined ? f.channels : validate.oneOf(o.channels, 'options.channels', [1, 2]),
      format: o.format === undefined ? f.format : validate.pcmFormat(o.format, 'options.format'),
    };
    if (format.format === undefined) delete format.format;
    if (!isReadable(speech)) {
      if (!ArrayBuffer.isView(speech)) throw validate.invalidType('a Buffer or TypedArray of PCM, or a Readable of it', 'speech', speech);
      const n = speech.byteLength;  // 0 once detached
      const max = format.sampleRate * format.channels * ((format.format ?? this.mixer.format) === 'f32le' ? 4 : 2) * MAX_REPLY_MS / 1000;
      if (n > max) throw validate.invalidRange(`at most ${MAX_REPLY_MS / 1000} s of PCM (${max} bytes) in one Buffer; a Readable for longer`, 'speech', speech);
      const copy = Buffer.allocUnsafe(n);
      if (n > 0) copy.set(new Uint8Array(speech.buffer, speech.byteOffset, n));
      speech = copy;
    }
    if (this.destroyed) return Promise.reject(destroyedError());
    if (this.#endRequested) throw new VoxpoolError('The speech output was ended: it takes no more replies', 'ERR_VOXPOOL_ENDED');
    const id = this.#nextId++;
    return new Promise((resolve) => {
      this.#queue.push({ id, speech, format, resolve, done: false, input: null, stopping: false, framesLeft: 0 });
      this.#next();
    });
  }

  /**
   * Follows an utterance stream's or receiver's `speechstart` / `speechend` events (per
   * `userId` when they carry one): someone starting to speak while a reply plays is a barge-in.
   * @param {import('node:events').EventEmitter} source
   * @returns {() => void} stops listening
   */
  listen(source) {
    if (source === null || typeof source !== 'object' || validate.isRevoked(source) ||
        typeof source.on !== 'function' || typeof source.removeListener !== 'function') {
      throw validate.invalidType('an EventEmitter (an utterance stream or receiver)', 'source', source);
    }
    if (this.destroyed) throw destroyedError();
    const keyOf = (e) => (e && typeof e.userId === 'string' ? e.userId : source);
    const keys = new Set();
    const onStart = (e) => {
      const key = keyOf(e);
      keys.add(key);
      this.#speakerStarted(key, e && typeof e.userId === 'string' ? e.userId : undefined);
    };
    const onEnd = (e) => {
      const key = keyOf(e);
      keys.delete(key);
      this.#speakerEnded(key);
    };
    const unlisten = () => {
      if (!this.#unlisten.delete(unlisten)) return;
      source.removeListener('speechstart', onStart);
      source.removeListener('speechend', onEnd);
      source.removeListener('close', unlisten);
      for (const key of keys) this.#speakerEnded(key);
      keys.clear();
    };
    source.on('speechstart', onStart);
    source.on('speechend', onEnd);
    source.on('close', unlisten);
    this.#unlisten.add(unlisten);
    return unlisten;
  }

  /**
   * Stops the reply playing (faded out over fadeMs) and drops those queued, whatever `bargeIn`
   * says. Their promises resolve 'interrupted'.
   * @returns {number} replies interrupted
   */
  interrupt() {
    if (this.destroyed) throw destroyedError();
    let n = 0;
    for (const reply of this.#queue.splice(0)) {
      this.#settle(reply, 'interrupted');
      n++;
    }
    const current = this.#current;
    if (current !== null && !current.stopping) {
      current.stopping = true;
      current.framesLeft = this.#fadeFrames;
      this.#setGain(current, 0);
      n++;
    }
    return n;
  }

  /**
   * Adds a mixer input (music, a second voice), as MixerStream#addInput.
   * @param {object} [options] Mixer#addSource options
   */
  addInput(options) {
    if (this.#endRequested) throw new VoxpoolError('The mixer stream was ended: it takes no more inputs', 'ERR_VOXPOOL_ENDED');
    return super.addInput(options);
  }

  /**
   * Takes no more replies or inputs: ends once the queued replies have played and every input
   * has drained.
   * @returns {this}
   */
  end() {
    this.#endRequested = true;
    if (this.#current === null && this.#queue.length === 0) super.end();
    return this;
  }

  // Counts mixed frames: a stopped reply is cut once its fade has run.
  _mixed() {
    const current = this.#current;
    if (current !== null && current.stopping && --current.framesLeft <= 0) this.#cut(current);
  }

  _destroy(err, cb) {
    for (const unlisten of [...this.#unlisten]) unlisten();
    const replies = [...this.#queue.splice(0), ...(this.#current ? [this.#current] : [])];
    this.#current = null;
    for (const reply of replies) this.#settle(reply, 'cancelled');
    super._destroy(err, cb);
  }

  #speakerStarted(key, userId) {
    const first = this.#speakers.size === 0;
    this.#speakers.add(key);
    if (this.#current === null && this.#queue.length === 0) return;
    let replies = 1 + this.#queue.length;
    if (this.#mode === 'stop') replies = this.interrupt();
    else if (this.#mode === 'fade' && first && this.#current !== null) this.#setGain(this.#current, this.#fadeGain);
    this.emit('bargein', { action: this.#mode, userId, replies });
  }

  #speakerEnded(key) {
    if (!this.#speakers.delete(key) || this.#speakers.size > 0) return;
    if (this.#mode === 'fade' && this.#current !== null && !this.#current.stopping) this.#setGain(this.#current, 1);
  }

  #setGain(reply, gain) {
    try {
      this.mixer.setGainLinear(reply.input.id, gain, { rampMs: this.#fadeMs });
    } catch { /* the source is gone: the reply is ending anyway */ }
  }

  #next() {
    if (this.#current !== null || this.destroyed) return;
    const reply = this.#queue.shift();
    if (reply === undefined) {
      if (this.#endRequested) super.end();
      return;
    }
    const faded = this.#mode === 'fade' && this.#speakers.size > 0;
    let input;
    try {
      input = super.addInput({ ...reply.format, ducker: true, gain: faded ? this.#fadeGain : 1 });
    } catch (err) {  // no room for another source: this reply fails, the next may fit
      this.#settle(reply, 'failed', err);
      process.nextTick(() => this.#next());
      return;
    }
    reply.input = input;
    this.#current = reply;
    input.once('drained', () => this.#finish(reply, 'played'));
    input.on('error', (err) => this.#finish(reply, 'failed', err));
    this.emit('speakstart', { id: reply.id });
    if (Buffer.isBuffer(reply.speech)) {
      input.end(reply.speech);
      return;
    }
    const source = reply.speech;
    source.once('error', (err) => {
      this.emit('warning', err);
      this.#cut(reply, 'failed', err);
    });
    source.pipe(input);
  }

  // Drops a reply's audio from the mix now (its fade, if any, has run).
  #cut(reply, status = 'interrupted', error = undefined) {
    if (reply.input === null) return;
    try { this.mixer.clearSource(reply.input.id); } catch { /* removed already */ }
    if (isReadable(reply.speech)) {
      reply.speech.unpipe(reply.input);
      reply.speech.destroy();
    }
    reply.input.destroy();
    this.#finish(reply, status, error);
  }

  #finish(reply, status, error) {
    if (reply.done) return;
    this.#settle(reply, status, error);
    if (this.#current === reply) {
      this.#current = null;
      // Not from inside the mixer stream's pump (which emitted 'drained'): the next reply's
      // input is added, and written, from a fresh tick.
      process.nextTick(() => this.#next());
    }
  }

  #settle(reply, status, error) {
    if (reply.done) return;
    reply.done = true;
    if (status !== 'played' && isReadable(reply.speech) && !reply.speech.destroyed) reply.speech.destroy();
    const result = error === undefined ? { id: reply.id, status } : { id: reply.id, status, error };
    if (reply.input !== null) this.emit('speakend', result);
    reply.resolve(result);
  }

  static {
    guardReceiver(this, (o) => #queue in o);
  }
}

/** createSpeechOutput's defaults and limits. */
const speechOutputConstants = Object.freeze({
  DEFAULTS: SPEECH_OUTPUT_DEFAULTS,
  BARGE_IN_MODES,
  MAX_REPLY_MS,
});

/**
 * Creates a SpeechOutput: replies spoken into a continuous mix, with ducking and barge-in.
 * @param {object} [options] see SpeechOutput
 * @returns {SpeechOutput}
 */
function createSpeechOutput(options) {
  return new SpeechOutput(options);
}

module.exports = { SpeechOutput, createSpeechOutput, speechOutputConstants };
