'use strict';
// The filter chain an Encoder or an OpusTranscodeStream runs inside its own pool jobs: made by
// the `filters` option or the first setFilters() / fade(), and attached to the native codec
// object, which from then on filters each frame in the same job as its encode.
const { FilterChain, nativeFilterChainOf, fadeArgs, checkFilters } = require('./filter-chain');
const validate = require('./validate');

const NO_FILTERS = Object.freeze({});

class AttachedFilters {
  #chain = null;
  #sampleRate;
  #channels;
  #attach;

  /**
   * @param {number} sampleRate the codec's
   * @param {number} channels the codec's
   * @param {(nativeChain: object) => void} attach hands a chain's native object to the codec
   */
  constructor(sampleRate, channels, attach) {
    this.#sampleRate = sampleRate;
    this.#channels = channels;
    this.#attach = attach;
  }

  /**
   * Whether timescale is allowed: it changes the amount of audio, so only a stream (whose jobs
   * settle with 0..n packets) takes it; an Encoder's encodeAsync() settles with one packet.
   */
  stretchable = false;

  /** FilterChain#setFilters, making and attaching the chain the first time. */
  set(filters, name = 'filters') {
    if (!this.stretchable) {
      const { canonical } = checkFilters(filters, name);
      const t = canonical.timescale;
      const changed = t && ['speed', 'pitch', 'rate'].find((key) => t[key] !== 1);
      if (changed) {
        throw validate.invalidRange('1 here (timescale changes the amount of audio: use it on an OpusEncoderStream, ' +
          'createAudioResource or a FilterChain / createFilterStream)', `${name}.timescale.${changed}`, t[changed]);
      }
    }
    if (this.#chain) this.#chain.setFilters(filters);
    else this.#create(filters);
  }

  /** FilterChain#fade; its arguments are checked before a chain is made for it. */
  fade(to, options) {
    fadeArgs(to, options);
    (this.#chain ?? this.#create({})).fade(to, options);
  }

  /** Whether a chain is attached (the codec's jobs run it). */
  get attached() { return this.#chain !== null; }

  /** The filters set (frozen); {} for none. */
  get filters() { return this.#chain ? this.#chain.filters : NO_FILTERS; }

  destroy() { this.#chain?.destroy(); }

  #create(filters) {
    const chain = new FilterChain({ sampleRate: this.#sampleRate, channels: this.#channels, filters });
    try {
      this.#attach(nativeFilterChainOf(chain));
    } catch (err) {
      chain.destroy();
      throw err;
    }
    this.#chain = chain;
    return chain;
  }
}

module.exports = { AttachedFilters };
