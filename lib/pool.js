'use strict';
const binding = require('./binding');
const validate = require('./validate');

const P = binding.poolConstants;

/**
 * Configures the process-wide pool shared by the main thread and all worker_threads.
 * `threads` must be set before the first async call (the pool starts then); changing it later
 * throws a VoxpoolError with code ERR_VOXPOOL_ALREADY_STARTED. `capacity` (the most jobs queued
 * across the pool; more are rejected with ERR_VOXPOOL_QUEUE_FULL) applies immediately.
 * The VOXPOOL_THREADS environment variable sets the default thread count.
 * @param {{ threads?: number, capacity?: number }} [options]
 */
function configure(options) {
  const o = validate.options(options);
  const threads = o.threads === undefined ? 0 : validate.integer(o.threads, 'threads', 1, P.MAX_THREADS);
  const capacity = o.capacity === undefined ? 0 : validate.integer(o.capacity, 'capacity', 1, P.MAX_CAPACITY);
  binding.configure(threads, capacity);
}

/**
 * Pool counters and latency summaries (microseconds): submitted, completed, failed, rejected,
 * dropped, queued (current depth), queueWait and serviceTime percentiles, and this
 * environment's wake-ups / settled Promises.
 * @returns {import('./index').PoolStats}
 */
function stats() {
  return binding.stats();
}

/** Clears the latency histograms (the counters keep counting). */
function resetStats() {
  binding.resetStats();
}

module.exports = { configure, stats, resetStats };
