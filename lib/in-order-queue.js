'use strict';
// Delivers the results of pool jobs in submission order, with a bound on how many are in flight.
//
// Every Promise handed to `add` gets its handlers at once. Chaining them instead
// (`tail = tail.then(() => promise)`) leaves a later Promise without a handler until every
// earlier one settles: destroying the owner rejects its queued jobs (ERR_VOXPOOL_DESTROYED) while
// the running one is still busy, and Node ends the process with an unhandled rejection, even when
// the stream has an 'error' listener.

const { InFlightLimit } = require('./in-flight-limit');

/**
 * @template T
 */
class InOrderQueue extends InFlightLimit {
  /** @type {Array<{ settled: boolean, ok: boolean, value: any }>} */
  #slots = [];
  #head = 0;
  #onValue;
  #onError;
  #closed = false;
  #skip;

  /**
   * @param {object} options
   * @param {number} options.limit most jobs in flight: `hasRoom` is false and `whenRoom` waits
   *   while this many are
   * @param {(value: T) => void} options.onValue called per fulfilled job, in submission order
   * @param {(err: unknown) => void} options.onError called for the first rejected job, in order;
   *   the queue is closed after it (later results are discarded)
   * @param {(err: unknown) => boolean} [options.skip] a rejected job for which this is true is
   *   passed over (neither delivered nor an error): a frame the pool did not run because it was
   *   too late
   */
  constructor({ limit, onValue, onError, skip }) {
    super(limit);
    this.#onValue = onValue;
    this.#onError = onError;
    this.#skip = skip;
  }

  /** Jobs added and not yet delivered (or discarded). */
  get inflight() { return this.#slots.length - this.#head; }

  /** Whether results are still delivered. */
  get closed() { return this.#closed; }

  /**
   * Adds a job's Promise. Handlers are attached before this returns, so a rejection is never
   * unhandled, whatever happens to the queue afterwards.
   * @param {Promise<T>} promise
   */
  add(promise) {
    const slot = { settled: false, ok: false, value: undefined };
    this.#slots.push(slot);
    promise.then(
      (value) => { slot.settled = true; slot.ok = true; slot.value = value; this.#drain(); },
      (err) => { slot.settled = true; slot.value = err; this.#drain(); },
    );
  }

  /**
   * Stops delivering: results that arrive later are dropped (a destroyed stream). Waiters are
   * released as their jobs settle, so a pending callback still runs once.
   */
  close() {
    this.#closed = true;
    this.#drain();
  }

  #drain() {
    while (this.#head < this.#slots.length && this.#slots[this.#head].settled) {
      const slot = this.#slots[this.#head];
      this.#slots[this.#head++] = undefined;
      if (this.#closed) continue;
      if (slot.ok) {
        this.#onValue(slot.value);
      } else if (this.#skip?.(slot.value)) {
        continue;
      } else {
        this.#closed = true;
        this.#onError(slot.value);
      }
    }
    // Compact once the delivered prefix dominates, so the array stays O(limit).
    if (this.#head > 64 && this.#head * 2 > this.#slots.length) {
      this.#slots = this.#slots.slice(this.#head);
      this.#head = 0;
    }
    this.wakeWaiters();
  }
}

module.exports = { InOrderQueue };
