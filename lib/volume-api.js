'use strict';
// prism-media's VolumeTransformer methods that derive from setVolume() and `volume`, shared by
// every voxpool class that stands in for it (VolumeTransformer, OpusTranscodeStream), so the
// curves and limits live in one place.
const validate = require('./validate');
const { dbToLinear } = require('./mixer-util');
const binding = require('./binding');

const MAX_VOLUME = binding.mixerConstants.MAX_VOLUME;
// prism's perceptual curve: volume = value ** LOG_EXPONENT.
const LOG_EXPONENT = 1.660964;

/**
 * Adds setVolumeDecibels, setVolumeLogarithmic, volumeDecibels and volumeLogarithmic to `proto`,
 * which must already define setVolume(linear, options) and a `volume` getter. Call before
 * guardReceiver, so the added methods are guarded too.
 * @param {object} proto
 */
function defineVolumeApi(proto) {
  Object.defineProperties(proto, {
    setVolumeDecibels: {
      /** Sets the volume in decibels. @param {number} db @param {{ rampMs?: number }} [options] */
      value: function setVolumeDecibels(db, options) {
        validate.number(db, 'db', binding.mixerConstants.MIN_GAIN_DB, binding.mixerConstants.MAX_GAIN_DB);
        this.setVolume(dbToLinear(db), options);
      },
      writable: true,
      configurable: true,
    },
    setVolumeLogarithmic: {
      /** Sets the volume on prism's perceptual scale. @param {number} value @param {{ rampMs?: number }} [options] */
      value: function setVolumeLogarithmic(value, options) {
        validate.number(value, 'value', 0, MAX_VOLUME ** (1 / LOG_EXPONENT));
        this.setVolume(value ** LOG_EXPONENT, options);
      },
      writable: true,
      configurable: true,
    },
    volumeDecibels: {
      get() { return Math.log10(this.volume) * 20; },
      configurable: true,
    },
    volumeLogarithmic: {
      get() { return this.volume ** (1 / LOG_EXPONENT); },
      configurable: true,
    },
  });
}

module.exports = { defineVolumeApi };
