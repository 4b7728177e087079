'use strict';
// The filter chain an Encoder or an OpusTranscodeStream runs inside its own pool jobs: made by
// the `filters` option or the first setFilters() / fade(), and attached to the native codec
// object, which from then on filters each frame in the same job as its encode.
const { FilterChain, nativeFilterChainOf, fadeArgs } = require('./filter-chain');

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

  /** FilterChain#setFilters, making and attaching the chain the first time. */
  set(filters) {
    if (this.#chain) this.#chain.setFilters(filters);
    else this.#create(filters);
  }

  /** FilterChain#fade; its arguments are checked before a chain is made for it. */
  fade(to, options) {
    fadeArgs(to, options);
    (this.#chain ?? this.#create({})).fade(to, options);
  }

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
