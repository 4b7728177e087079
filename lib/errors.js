'use strict';

/**
 * The error voxpool raises for runtime failures (corrupt packet, destroyed object, full queue,
 * libopus or libsodium errors). `code` is stable and starts with `ERR_VOXPOOL_`; `message` is
 * for people. Invalid arguments raise plain TypeError / RangeError instead.
 */
class VoxpoolError extends Error {
  /**
   * @param {string} message
   * @param {string} code e.g. 'ERR_VOXPOOL_QUEUE_FULL'
   */
  constructor(message, code) {
    super(message);
    this.name = 'VoxpoolError';
    this.code = code;
  }
}

module.exports = { VoxpoolError };
