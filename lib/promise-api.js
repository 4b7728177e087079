'use strict';
// A Promise API rejects; it does not throw once its arguments are checked (docs/LIMITS.md). The
// native side throws synchronously when the object is destroyed (ERR_VOXPOOL_DESTROYED), so
// every async method starts its native call through rejecting().

/**
 * What `start` returns, or a Promise rejected with what it threw.
 * @template T
 * @param {() => Promise<T>} start the native call
 * @returns {Promise<T>}
 */
function rejecting(start) {
  try {
    return start();
  } catch (err) {
    return Promise.reject(err);
  }
}

module.exports = { rejecting };
