'use strict';
/**
 * voxpool/voice: @discordjs/voice with its codec work on voxpool's pool.
 *
 * - createAudioResource(input, options): @discordjs/voice's, returning a genuine AudioResource
 *   whose encoder, decoder, volume and Ogg/WebM demuxer stages are voxpool's (FFmpeg stays
 *   prism-media's, as in @discordjs/voice).
 * - demuxProbe(stream, probeSize, validator): @discordjs/voice's, telling Ogg Opus from WebM Opus
 *   from anything else with voxpool's demuxers (no prism-media), for createAudioResource's inputType.
 * - subscribeDecoded(connection, userId, options): a user's audio as decoded 20 ms frames with
 *   loss concealment; createSpeakerMix(connection, options): every speaker mixed;
 *   createUtteranceReceiver(connection, options): every speaker's utterances for speech-to-text.
 *
 * The module-level functions bind lazily to require('@discordjs/voice'); withVoice(voice) binds
 * to a copy you pass (another version, or one of several copies in node_modules).
 */
const validate = require('../validate');
const { loadVoice, prismFor, checkVoice, checkPrism } = require('./resolve');
const { audioResourceFactory } = require('./audio-resource');
const { StreamType, TransformerType } = require('./input-type');
const { VoiceEncoderStream } = require('./encoder-stream');
const { VoiceTranscodeStream } = require('./transcode');
const { DecodedReceiveStream, subscribeDecoded, createDecodedStream } = require('./receive');
const { SpeakerMixStream, createSpeakerMix } = require('./speaker-mix');
const { UtteranceReceiver, createUtteranceReceiver } = require('./utterances');
const { demuxProbe, validateDiscordOpusHead } = require('./demux-probe');

const bound = new WeakMap();  // voice module -> its API

/**
 * The voxpool/voice API bound to one @discordjs/voice module object.
 * @param {object} voice the @discordjs/voice module (0.18 or later), e.g. require('@discordjs/voice')
 * @param {{ prism?: object }} [options] `prism`: the prism-media that copy uses, if voxpool cannot
 *   find it next to it
 * @returns {{ voice: object, createAudioResource: Function, subscribeDecoded: Function, createSpeakerMix: Function, createUtteranceReceiver: Function, createDecodedStream: Function, StreamType: object, TransformerType: object }}
 */
function withVoice(voice, options) {
  checkVoice(voice);
  const o = validate.options(options);
  const prism = o.prism === undefined ? undefined : checkPrism(o.prism);
  if (prism === undefined && bound.has(voice)) return bound.get(voice);
  const api = Object.freeze({
    voice,
    createAudioResource: audioResourceFactory(voice, prism === undefined ? prismFor(voice) : prism),
    subscribeDecoded,
    createSpeakerMix,
    createUtteranceReceiver,
    createDecodedStream,
    StreamType,
    TransformerType,
  });
  if (prism === undefined) bound.set(voice, api);
  return api;
}

let defaultApi = null;

/** The API bound to require('@discordjs/voice'), loaded on first use. */
function defaultVoice() {
  defaultApi ??= withVoice(loadVoice());
  return defaultApi;
}

/**
 * @discordjs/voice's createAudioResource (same signature and semantics) with the stages on the
 * pool. Binds to require('@discordjs/voice') on first call.
 * @param {string | import('node:stream').Readable} input
 * @param {{ inputType?: string, inlineVolume?: boolean, metadata?: unknown, silencePaddingFrames?: number }} [options]
 */
function createAudioResource(input, options) {
  return defaultVoice().createAudioResource(input, options);
}

module.exports = {
  createAudioResource,
  subscribeDecoded,
  createSpeakerMix,
  createUtteranceReceiver,
  createDecodedStream,
  withVoice,
  demuxProbe,
  validateDiscordOpusHead,
  StreamType,
  TransformerType,
  VoiceEncoderStream,
  VoiceTranscodeStream,
  DecodedReceiveStream,
  SpeakerMixStream,
  UtteranceReceiver,
};
