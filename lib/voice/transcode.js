'use strict';
// Opus in, Opus out with a volume in between: what an AudioResource needs for Opus input with
// inlineVolume. One pool job per frame (decode → gain → encode, OpusTranscodeStream); the stream
// is both `resource.volume` and `resource.encoder`.
const { OpusTranscodeStream } = require('../transcode-stream');
const { CLOCK_RATE } = require('../binding').voiceConstants;
const { guardReceiver } = require('../receiver-guard');
const { definePrismEncoderApi } = require('./prism-encoder-api');

/**
 * OpusTranscodeStream (48 kHz stereo, prism's VolumeTransformer methods) plus prism-media's
 * opus.Encoder setters (setBitrate, setFEC, setPLP).
 */
class VoiceTranscodeStream extends OpusTranscodeStream {
  #brand = true;

  static {
    definePrismEncoderApi(this.prototype);
    guardReceiver(this, (o) => #brand in o);
  }
}

/**
 * Builds the decode → volume → encode stage(s). The one place that decides how, so
 * audio-resource.js does not change when this does.
 * @returns {{ streams: import('node:stream').Duplex[], volume: object, encoder: object }}
 *   `streams` in pipeline order; `volume` and `encoder` are what the resource exposes
 */
function createTranscodeStages() {
  const stream = new VoiceTranscodeStream({ sampleRate: CLOCK_RATE, channels: 2 });
  return { streams: [stream], volume: stream, encoder: stream };
}

module.exports = { createTranscodeStages, VoiceTranscodeStream };
