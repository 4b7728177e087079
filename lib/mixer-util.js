'use strict';
// Small helpers shared by the mixer modules (not part of the public API).
const binding = require('./binding');

/** Channel counts the mixer modules accept: 1..mixerConstants.MAX_CHANNELS. */
const CHANNELS = Object.freeze(Array.from({ length: binding.mixerConstants.MAX_CHANNELS }, (_, i) => i + 1));

/** @returns {number} linear amplitude for `db` decibels */
function dbToLinear(db) {
  return 10 ** (db / 20);
}

/**
 * Keeps the caller's stack on an async failure: the Error is made here, at the call site, and
 * the native message and code stay on the rejected error.
 * @template T
 * @param {Promise<T>} promise
 * @returns {Promise<T>}
 */
function withCallerStack(promise) {
  const site = new Error();
  return promise.catch((err) => {
    if (err instanceof Error && site.stack) {
      err.stack = `${err.name}: ${err.message}\n${site.stack.split('\n').slice(1).join('\n')}`;
    }
    throw err;
  });
}

module.exports = { CHANNELS, dbToLinear, withCallerStack };
