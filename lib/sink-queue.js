'use strict';
// Delivers the results of a stream's pool jobs in submission order, with a bound on how many are
// in flight, without a Promise per job: the native object calls `sink(error, value)` once per job
// submitted with toSink, in submission order (its strand runs them in order and the environment
// delivers by submission sequence). A Promise per 20 ms frame costs its creation, its resolution
// and a microtask for the reaction (docs/ARCHITECTURE.md, "Results to a sink").
//
// The same contract as InOrderQueue (which settles Promises): every job submitted is delivered or
// discarded exactly once, the first failure closes the queue, waiters run as room is made.

const { InFlightLimit } = require('./in-flight-limit');

class SinkQueue extends InFlightLimit {
  #submitted = 0;
  #delivered = 0;
  #onValue;
  #onError;
  #skip;
  #closed = false;
  /** Submissions that threw, each delivered as a failure at its turn: `at` is its position. */
  #refused = [];

  /**
   * @param {object} options
   * @param {number} options.limit most jobs in flight: `hasRoom` is false and `whenRoom` waits
   *   while this many are
   * @param {(value: unknown) => void} options.onValue called per fulfilled job, in order
   * @param {(err: unknown) => void} options.onError called for the first failed job, in order;
   *   the queue is closed after it (later results are discarded)
   * @param {(err: unknown) => boolean} [options.skip] a failed job for which this is true is
   *   passed over (neither delivered nor an error): a frame the pool did not run because it was
   *   too late
   */
  constructor({ limit, onValue, onError, skip }) {
    super(limit);
    this.#onValue = onValue;
    this.#onError = onError;
    this.#skip = skip;
    /** What the native object is given with setSink(): called once per job, in order. */
    this.sink = (err, value) => this.#arrive(err, value);
  }

  /** Jobs submitted and not yet delivered (or discarded). */
  get inflight() { return this.#submitted - this.#delivered; }

  /** Whether results are still delivered. */
  get closed() { return this.#closed; }

  /**
   * Submits one job: `start(arg)` makes the native call with toSink (an argument instead of a
   * closure, so a frame costs no allocation here). When it throws (bad input, the object
   * destroyed, a full queue), the error is delivered as that job's failure at its turn, after the
   * results of the jobs before it.
   * @template A
   * @param {(arg: A) => void} start
   * @param {A} [arg]
   */
  submit(start, arg) {
    try {
      start(arg);
    } catch (err) {
      this.#refused.push({ at: this.#submitted++, err });
      this.#flushRefused();
      this.wakeWaiters();
      return;
    }
    this.#submitted++;
  }

  /**
   * Stops delivering: results that arrive later are dropped (a destroyed stream). Waiters are
   * released as their jobs arrive, so a pending callback still runs once.
   */
  close() {
    this.#closed = true;
    this.wakeWaiters();
  }

  // A native result: that of the oldest job not refused. The counts move before anything is
  // called, so a consumer that throws (reported as uncaught by the binding) leaves them right.
  #arrive(err, value) {
    this.#flushRefused();
    this.#delivered++;
    try {
      this.#hand(err, value);
    } finally {
      this.#flushRefused();
      this.wakeWaiters();
    }
  }

  #flushRefused() {
    while (this.#refused.length > 0 && this.#refused[0].at === this.#delivered) {
      const { err } = this.#refused.shift();
      this.#delivered++;
      this.#hand(err, undefined);
    }
  }

  #hand(err, value) {
    if (this.#closed) return;
    if (err === undefined) {
      this.#onValue(value);
    } else if (!this.#skip?.(err)) {
      this.#closed = true;
      this.#onError(err);
    }
  }
}

module.exports = { SinkQueue };
