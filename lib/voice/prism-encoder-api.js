'use strict';
// prism-media's opus.Encoder setters (setBitrate, setFEC, setPLP), for voxpool's streams that
// stand in for it as `resource.encoder`. They act on the stream's `encoder` (a voxpool Encoder).
const validate = require('../validate');

// prism-media 1.3.5 (src/opus/Opus.js) clamps what it hands libopus to these ranges.
const PRISM_MIN_BITRATE = 16000;
const PRISM_MAX_BITRATE = 128000;

function finite(value, name) {
  if (typeof value !== 'number' || Number.isNaN(value)) throw validate.invalidType('a number', name, value);
  return value;
}

/**
 * Adds setBitrate, setFEC and setPLP to `proto`, whose instances have an `encoder` getter
 * returning a voxpool Encoder. Call before guardReceiver, so the added methods are guarded too.
 * @param {object} proto
 */
function definePrismEncoderApi(proto) {
  Object.defineProperties(proto, {
    setBitrate: {
      /** prism's setBitrate: bits per second, clamped to 16000..128000. @param {number} bitrate */
      value: function setBitrate(bitrate) {
        const clamped = Math.min(PRISM_MAX_BITRATE, Math.max(PRISM_MIN_BITRATE, finite(bitrate, 'bitrate')));
        this.encoder.setBitrate(Math.trunc(clamped));
      },
      writable: true,
      configurable: true,
    },
    setFEC: {
      /** prism's setFEC: in-band forward error correction on (truthy) or off. @param {boolean} enabled */
      value: function setFEC(enabled) {
        this.encoder.setFec(Boolean(enabled));
      },
      writable: true,
      configurable: true,
    },
    setPLP: {
      /** prism's setPLP: expected packet loss as a fraction 0..1 (clamped; libopus takes whole percent). @param {number} percentage */
      value: function setPLP(percentage) {
        const percent = Math.min(100, Math.max(0, finite(percentage, 'percentage') * 100));
        this.encoder.setPacketLoss(Math.trunc(percent));
      },
      writable: true,
      configurable: true,
    },
  });
}

module.exports = { definePrismEncoderApi, PRISM_MIN_BITRATE, PRISM_MAX_BITRATE };
