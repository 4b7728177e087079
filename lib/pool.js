'use strict';
const binding = require('./binding');
const validate = require('./validate');

const P = binding.poolConstants;

/**
 * Configures the process-wide pool shared by the main thread and all worker_threads.
 * `threads` must be set before the first async call (the pool starts then); changing it later
 * throws a VoxpoolError with code ERR_VOXPOOL_ALREADY_STARTED. `capacity` (the most jobs queued
 * across the pool; more are rejected with ERR_VOXPOOL_QUEUE_FULL) applies immediately.
 * `workerNice` (0..19, default 0) lowers the workers' scheduling priority, so that when the
 * cores are saturated the event loop runs first (10 suits a host that runs the bot alone; see
 * docs/ARCHITECTURE.md for why the default is 0); like `threads` it is fixed once the pool starts. The VOXPOOL_THREADS and VOXPOOL_WORKER_NICE environment variables
 * set the defaults.
 * @param {{ threads?: number, capacity?: number, workerNice?: number }} [options]
 */
function configure(options) {
  const o = validate.options(options);
  const threads = o.threads === undefined ? 0 : validate.integer(o.threads, 'threads', 1, P.MAX_THREADS);
  const capacity = o.capacity === undefined ? 0 : validate.integer(o.capacity, 'capacity', 1, P.MAX_CAPACITY);
  const nice = o.workerNice === undefined ? -1 : validate.integer(o.workerNice, 'workerNice', 0, P.MAX_WORKER_NICE);
  binding.configure(threads, capacity, nice);
}

/**
 * Pool counters and latency summaries (microseconds): submitted, completed, failed, rejected,
 * dropped, queued (current depth), queueWait and serviceTime percentiles, and this
 * environment's wake-ups / settled results (Promises and stream sinks).
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
