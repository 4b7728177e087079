'use strict';
// How a stream over the pool delivers its jobs' results: in order, a bounded number in flight,
// with a cushion before the first. Shared by the Opus streams and the transcode stream.
const validate = require('./validate');
const { SinkQueue } = require('./sink-queue');
const binding = require('./binding');

const MAX_DUE_MS = binding.poolConstants.MAX_DUE_MS;

const DEFAULT_READ_AHEAD = 8;
const MAX_READ_AHEAD = 1024;
// Packets held back before the first one is delivered (60 ms of 20 ms frames): see Delivery.
const DEFAULT_PREBUFFER = 3;

/**
 * How a stream delivers its pool jobs: in submission order (SinkQueue), at most `readAhead`
 * in flight; the first failure destroys the stream and, once it is destroyed, late results are
 * dropped. At the start, results are held until `prebuffer` are ready (or the input ends): a
 * consumer that starts pulling on the first 'readable', as @discordjs/voice's AudioPlayer does,
 * then has a cushion instead of one packet, and an empty read() on its next 20 ms tick (a
 * "missed frame"; five end the track) needs the pool to fall `prebuffer` frames behind.
 */
class Delivery {
  #stream;
  #prebuffer;
  #held = [];  // null once delivery has started
  /** Results the pool did not produce because their job started too late (`deadlineMs`). */
  skipped = 0;

  /**
   * @param {import('node:stream').Transform} stream
   * @param {{ readAhead: number, prebuffer: number }} options
   */
  constructor(stream, { readAhead, prebuffer }) {
    this.#stream = stream;
    this.#prebuffer = prebuffer;
    if (prebuffer === 0) this.#held = null;
    /** The in-order queue the stream submits its jobs through (SinkQueue#submit). */
    this.jobs = new SinkQueue({
      limit: readAhead,
      onValue: (out) => this.#deliver(out),
      onError: (err) => { if (!stream.destroyed) stream.destroy(err); },
      // With deadlineMs, a frame too late to be of use is skipped: the stream goes on without it.
      skip: (err) => {
        if (err?.code !== 'ERR_VOXPOOL_DEADLINE_EXCEEDED') return false;
        this.skipped++;
        return true;
      },
    });
  }

  /**
   * Makes `native` (the binding object the stream's jobs run on) deliver to this stream's queue:
   * the stream then submits with toSink, through `jobs.submit`.
   * @param {{ setSink(fn: Function): void }} native
   */
  attach(native) {
    native.setSink(this.jobs.sink);
  }

  // A job's result: one chunk, or (a job whose filters time-stretch) an array of 0..n chunks; an
  // empty byte chunk (a time-stretch still filling up) is nothing to deliver.
  #deliver(out) {
    if (Array.isArray(out)) {
      for (const one of out) this.#deliver(one);
      return;
    }
    if (this.#stream.destroyed || (out.length === 0 && !this.#stream.readableObjectMode)) return;
    if (this.#held === null) {
      this.#stream.push(out);
      return;
    }
    this.#held.push(out);
    if (this.#held.length >= this.#prebuffer) this.release();
  }

  /**
   * When the next job's result will be needed, in ms from now, for a consumer that takes one
   * result every `frameMs`: after everything it already has (buffered, held back) and every job
   * ahead in flight. The pool serves the earliest-due work first, so a stream about to run dry
   * goes ahead of one with audio in hand.
   * @param {number} frameMs duration of one result
   * @param {number} [bytesPerResult] for a byte-mode readable side: bytes of one result
   * @returns {number}
   */
  dueMs(frameMs, bytesPerResult) {
    const stream = this.#stream;
    const buffered = bytesPerResult === undefined ? stream.readableLength : Math.floor(stream.readableLength / bytesPerResult);
    const held = this.#held === null ? 0 : this.#held.length;
    return Math.min((buffered + held + this.jobs.inflight) * frameMs, MAX_DUE_MS);
  }

  /** Starts delivery now with whatever is held (the input ended before the cushion filled). */
  release() {
    const held = this.#held;
    this.#held = null;
    if (held === null) return;
    for (const out of held) if (!this.#stream.destroyed) this.#stream.push(out);
  }

  /**
   * At the end of the input: submits `lastJob` (when given: the native call, with toSink, of a
   * job that gives what the stage still holds, e.g. a time-stretch's tail) once there is room,
   * then calls `callback` once every job has been delivered; an error submitting it fails the
   * stream in its turn, as any job's.
   * @param {(() => void) | null} lastJob
   * @param {(err?: Error) => void} callback
   */
  finish(lastJob, callback) {
    if (!lastJob) {
      this.whenDone(callback);
      return;
    }
    const submit = () => {
      this.jobs.submit(lastJob);
      this.whenDone(callback);
    };
    if (this.jobs.hasRoom) submit();
    else this.jobs.whenRoom(submit);
  }

  /**
   * The stream's `_destroy`: closes the queue first, because the queued jobs reject as `owners`
   * (what runs them: a codec, a chain) are destroyed and those rejections are not errors; then
   * destroys each owner, in order, and calls `callback` with the stream's error.
   * @param {Error | null} err
   * @param {(err?: Error | null) => void} callback
   * @param {...{ destroy(): void }} owners
   */
  destroy(err, callback, ...owners) {
    this.jobs.close();
    for (const owner of owners) owner.destroy();
    callback(err);
  }

  /** Calls `callback` once every job has been delivered (held results included). */
  whenDone(callback) {
    this.jobs.whenIdle(() => {
      this.release();
      callback();
    });
  }
}

/** readAhead (1..MAX_READ_AHEAD) and prebuffer (0..readAhead, default min(3, readAhead)). */
function deliveryOptions(o) {
  const readAhead = o.readAhead === undefined ? DEFAULT_READ_AHEAD : validate.integer(o.readAhead, 'readAhead', 1, MAX_READ_AHEAD);
  const prebuffer = o.prebuffer === undefined ? Math.min(DEFAULT_PREBUFFER, readAhead) : validate.integer(o.prebuffer, 'prebuffer', 0, readAhead);
  return { readAhead, prebuffer };
}

module.exports = { Delivery, deliveryOptions };
