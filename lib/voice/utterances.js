'use strict';
// Utterances from a voice connection, per speaker, for speech-to-text: each user's audio decoded
// on the pool straight to 16 kHz mono (libopus decodes at that rate), cleaned and segmented by an
// utterance stream of their own, tagged with the user id.
const { Readable } = require('node:stream');
const validate = require('../validate');
const { createUtteranceStream, utteranceOptions, UTTERANCE_DEFAULTS } = require('../utterance-stream');
const { DecodedReceiveStream, receiverOf, decodedOptions } = require('./receive');

/**
 * An object-mode Readable of `{ userId, pcm, startMs, endMs, preRollMs }` (pcm: 16 kHz mono s16le
 * by default; startMs and endMs on that user's own audio clock: the audio received from them,
 * pauses included), with `speechstart` `{ userId, startMs }` and `speechend`
 * `{ userId, startMs, endMs }` events. Discord sends nothing while a user is silent, so when a
 * user's packets stop for `hangoverMs` their utterance stream is given that much silence, which
 * ends the utterance.
 */
class UtteranceReceiver extends Readable {
  #receiver;
  #users;
  #decode;
  #utterance;
  #hangoverMs;
  #speakers = new Map();  // userId -> { decoded, utterances, timer, silenceBytes }
  #onStart;
  #stopped = false;
  #open = 0;              // utterance streams not yet ended

  /**
   * @param {object} receiver a @discordjs/voice VoiceReceiver
   * @param {object} options (see createUtteranceReceiver)
   */
  constructor(receiver, options) {
    const o = validate.options(options);
    const { users, window, fec, maxConcealFrames, sampleRate, ...utterance } = o;
    if (users !== undefined && (!validate.isArray(users) || users.some((u) => typeof u !== 'string'))) {
      throw validate.invalidType('an array of user ids (strings)', 'options.users', users);
    }
    const decode = { sampleRate: sampleRate === undefined ? 16000 : sampleRate, channels: 1, window, fec, maxConcealFrames };
    for (const k of Object.keys(decode)) if (decode[k] === undefined) delete decode[k];
    decodedOptions(decode);  // bad options throw now, not at the first speaker
    const segmenter = { ...utterance, sampleRate: decode.sampleRate };
    utteranceOptions(segmenter);  // the same for the segmenter's and the processor's options
    super({ objectMode: true, read() {} });
    this.#receiver = receiver;
    this.#users = users === undefined ? null : new Set(users);
    this.#decode = decode;
    this.#utterance = segmenter;
    this.#hangoverMs = utterance.hangoverMs === undefined ? UTTERANCE_DEFAULTS.hangoverMs : utterance.hangoverMs;
    this.#onStart = (userId) => this.#subscribe(userId);
    receiver.speaking.on('start', this.#onStart);
    for (const userId of receiver.speaking.users.keys()) this.#subscribe(userId);
    this.once('close', () => this.#stop(true));
  }

  /** @type {string[]} users with an utterance stream now */
  get users() { return [...this.#speakers.keys()]; }

  /**
   * Stops subscribing, ends every user's utterance (what was said so far comes out) and ends.
   * @returns {this}
   */
  end() {
    this.#stop(false);
    if (this.#open === 0) this.push(null);
    return this;
  }

  _destroy(err, callback) {
    this.#stop(true);
    callback(err);
  }

  #subscribe(userId) {
    if (this.#stopped || this.#speakers.has(userId) || (this.#users && !this.#users.has(userId))) return;
    const receiver = this.#receiver;
    const created = !receiver.subscriptions.has(userId);
    const decoded = new DecodedReceiveStream(receiver.subscribe(userId), { ...this.#decode, userId, ownsSource: created });
    const utterances = createUtteranceStream(this.#utterance);
    const frameBytes = utterances.processor.chunkBytes * 2;
    const speaker = { decoded, utterances, timer: null, silence: Buffer.alloc(Math.ceil(this.#hangoverMs / 20 + 1) * frameBytes) };
    this.#speakers.set(userId, speaker);
    this.#open++;
    decoded.on('data', (f) => {
      if (this.#stopped) return;
      utterances.write(f.pcm);
      // A pause: Discord stops sending. The silence it stands for ends the utterance.
      clearTimeout(speaker.timer);
      speaker.timer = setTimeout(() => { if (!this.#stopped) utterances.write(speaker.silence); }, this.#hangoverMs);
    });
    decoded.on('warning', (err) => this.emit('warning', err));
    decoded.on('error', (err) => this.emit('warning', err));
    utterances.on('speechstart', (e) => this.emit('speechstart', { userId, startMs: e.startMs }));
    utterances.on('speechend', (e) => this.emit('speechend', { userId, ...e }));
    utterances.on('data', (u) => { if (!this.destroyed) this.push({ userId, ...u }); });
    utterances.on('error', (err) => this.emit('warning', err));
    utterances.once('close', () => {
      clearTimeout(speaker.timer);
      if (this.#speakers.get(userId) === speaker) this.#speakers.delete(userId);
      if (--this.#open === 0 && this.#stopped && !this.destroyed) this.push(null);
    });
  }

  // Unsubscribes; `abort` destroys the utterance streams, otherwise they are ended (flushed).
  #stop(abort) {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#receiver.speaking.removeListener('start', this.#onStart);
    for (const s of this.#speakers.values()) {
      clearTimeout(s.timer);
      s.decoded.destroy();
      if (abort) s.utterances.destroy();
      else s.utterances.end();
    }
  }
}

/**
 * Utterances of every speaker of a connection (or only `users`), decoded on the pool at
 * `sampleRate` (default 16000) mono, cleaned and segmented per speaker.
 * @param {object} connection a VoiceConnection (or its VoiceReceiver)
 * @param {object} [options] createUtteranceStream options (preRollMs, hangoverMs, minSpeechMs,
 *   maxUtteranceMs, speech, sampleRate), `users`, and the decoding options `window`, `fec`,
 *   `maxConcealFrames` (see DecodedReceiveStream)
 * @returns {UtteranceReceiver}
 */
function createUtteranceReceiver(connection, options) {
  return new UtteranceReceiver(receiverOf(connection), options);
}

module.exports = { UtteranceReceiver, createUtteranceReceiver };
