'use strict';
// The Opus encoder stage of an AudioResource: voxpool's OpusEncoderStream (encoding on the pool)
// with prism-media's method names, so `resource.encoder.setBitrate(…)` works as users call it.
const { OpusEncoderStream } = require('../opus-streams');
const validate = require('../validate');
const { CLOCK_RATE } = require('../binding').voiceConstants;
const { guardReceiver } = require('../receiver-guard');
const { definePrismEncoderApi } = require('./prism-encoder-api');

/**
 * 48 kHz stereo s16le PCM in, 20 ms Opus packets out (object mode), encoded on the pool; plus
 * prism-media's opus.Encoder setters (setBitrate, setFEC, setPLP). `encoder` is the voxpool
 * Encoder (every other setting).
 */
class VoiceEncoderStream extends OpusEncoderStream {
  #brand = true;

  /** @param {import('../index').EncoderStreamOptions} [options] */
  constructor(options) {
    super({ sampleRate: CLOCK_RATE, channels: 2, ...validate.options(options) });
  }

  static {
    definePrismEncoderApi(this.prototype);
    guardReceiver(this, (o) => #brand in o);
  }
}

module.exports = { VoiceEncoderStream };
