'use strict';
// Every speaker of a voice connection, decoded on the pool and mixed by SpeakerMixer (aligned by
// RTP timestamp, gaps concealed, resampled): one Readable of PCM, e.g. 16 kHz mono for
// speech-to-text.
const validate = require('../validate');
const { CLOCK_RATE } = require('../binding').voiceConstants;
const { SpeakerMixerStream } = require('../speaker-streams');
const { DecodedReceiveStream, receiverOf, decodedOptions } = require('./receive');

/**
 * A SpeakerMixerStream fed by a VoiceReceiver: each user is subscribed when they start speaking
 * (and those speaking already at the start), decoded with a DecodedReceiveStream, and pushed into
 * the mixer by SSRC. `end()` and `destroy()` stop the subscriptions this stream made.
 */
class SpeakerMixStream extends SpeakerMixerStream {
  #receiver;
  #users;
  #decode;
  #decoders = new Map();  // userId -> DecodedReceiveStream
  #onStart;
  #stopped = false;

  /**
   * @param {object} receiver a @discordjs/voice VoiceReceiver
   * @param {object} options (see createSpeakerMix)
   */
  constructor(receiver, options) {
    const o = validate.options(options);
    const { users, window, fec, maxConcealFrames, ...rest } = o;
    if (users !== undefined && (!validate.isArray(users) || users.some((u) => typeof u !== 'string'))) {
      throw validate.invalidType('an array of user ids (strings)', 'options.users', users);
    }
    if (rest.inputRate !== undefined && rest.inputRate !== CLOCK_RATE) {
      throw validate.invalidRange(`${CLOCK_RATE} (the RTP clock: packets are decoded at ${CLOCK_RATE / 1000} kHz)`, 'options.inputRate', rest.inputRate);
    }
    const outputChannels = rest.outputChannels === undefined ? 2 : validate.oneOf(rest.outputChannels, 'options.outputChannels', [1, 2]);
    const inputChannels = rest.inputChannels === undefined ? outputChannels : validate.oneOf(rest.inputChannels, 'options.inputChannels', [1, 2]);
    const decode = { channels: inputChannels, window, fec, maxConcealFrames };
    for (const k of Object.keys(decode)) if (decode[k] === undefined) delete decode[k];
    decodedOptions(decode);  // bad decoding options throw now, not at the first speaker
    super({ tick: true, ...rest, inputRate: CLOCK_RATE, inputChannels });
    this.#receiver = receiver;
    this.#users = users === undefined ? null : new Set(users);
    this.#decode = decode;
    this.#onStart = (userId) => this.#subscribe(userId);
    receiver.speaking.on('start', this.#onStart);
    for (const userId of receiver.speaking.users.keys()) this.#subscribe(userId);
    this.once('close', () => this.#stop());
  }

  /** @type {string[]} users being decoded now */
  get users() { return [...this.#decoders.keys()]; }

  /**
   * Stops subscribing, plays out what the jitter buffer holds and ends (SpeakerMixerStream#end).
   * @returns {this}
   */
  end() {
    this.#stop();
    return super.end();
  }

  #subscribe(userId) {
    if (this.#stopped || this.#decoders.has(userId) || (this.#users && !this.#users.has(userId))) return;
    const receiver = this.#receiver;
    const created = !receiver.subscriptions.has(userId);
    const decoded = new DecodedReceiveStream(receiver.subscribe(userId), { ...this.#decode, userId, ownsSource: created });
    this.#decoders.set(userId, decoded);
    decoded.on('data', (f) => {
      const ssrc = f.ssrc ?? receiver.ssrcMap.get(userId)?.audioSSRC;
      if (ssrc === undefined || this.destroyed || this.#stopped) return;
      try {
        this.push(ssrc, f.timestamp, f.sequence, f.pcm);
      } catch (err) {
        this.emit('warning', err);
      }
    });
    decoded.on('warning', (err) => this.emit('warning', err));
    decoded.on('error', (err) => this.emit('warning', err));
    decoded.once('close', () => {
      if (this.#decoders.get(userId) === decoded) this.#decoders.delete(userId);
    });
  }

  #stop() {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#receiver.speaking.removeListener('start', this.#onStart);
    for (const d of this.#decoders.values()) d.destroy();
    this.#decoders.clear();
  }
}

/**
 * Mixes every speaker of a connection into one Readable of PCM (s16le by default), paced in real
 * time. For speech-to-text: `{ outputRate: 16000, outputChannels: 1 }`.
 * @param {object} connection a VoiceConnection (or its VoiceReceiver)
 * @param {object} [options] SpeakerMixerStream options (outputRate, outputChannels, frameSize,
 *   format, jitterFrames, tick (default true), …), plus `users` (only these user ids) and the
 *   decoding options `window`, `fec`, `maxConcealFrames` (see DecodedReceiveStream). Packets are
 *   decoded at 48 kHz with `inputChannels` (default: outputChannels).
 * @returns {SpeakerMixStream}
 */
function createSpeakerMix(connection, options) {
  return new SpeakerMixStream(receiverOf(connection), options);
}

module.exports = { SpeakerMixStream, createSpeakerMix };
