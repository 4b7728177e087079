'use strict';
// The bound on jobs in flight that a stream's delivery queue keeps, and the callbacks waiting for
// room: the part InOrderQueue (Promises) and SinkQueue (a native sink) share. Each subclass counts
// its jobs and exposes the count as `inflight` (added and not yet delivered or discarded).

class InFlightLimit {
  #limit;
  /** @type {Array<{ most: number, cb: () => void }>} */
  #waiters = [];

  /** @param {number} limit most jobs in flight: `hasRoom` is false while this many are */
  constructor(limit) {
    this.#limit = limit;
  }

  /** Whether fewer than `limit` jobs are in flight. */
  get hasRoom() { return this.inflight < this.#limit; }

  /** Calls `cb` once fewer than `limit` jobs are in flight (now, or when one is delivered). */
  whenRoom(cb) {
    this.#wait(this.#limit - 1, cb);
  }

  /** Calls `cb` once every job added so far has been delivered or discarded. */
  whenIdle(cb) {
    this.#wait(0, cb);
  }

  // Calls `cb` once at most `most` jobs are in flight.
  #wait(most, cb) {
    if (this.inflight <= most) cb();
    else this.#waiters.push({ most, cb });
  }

  /** For the subclass, after jobs are delivered: runs the callbacks whose condition now holds. */
  wakeWaiters() {
    if (this.#waiters.length === 0) return;
    const ready = this.#waiters.filter((w) => this.inflight <= w.most);
    if (ready.length === 0) return;
    this.#waiters = this.#waiters.filter((w) => this.inflight > w.most);
    for (const w of ready) w.cb();
  }
}

module.exports = { InFlightLimit };
