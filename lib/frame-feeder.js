'use strict';
// Cuts a byte stream into jobs of whole frames for a stream over the pool: a chunk's whole frames
// are submitted, never more than the queue's limit in flight (a large chunk waits for room frame
// by frame, and its callback, the writer's backpressure, runs once all are submitted); the rest
// is carried to the next chunk. Shared by the encoder stream and the filter stream.

// The carry of a stream with no partial frame: one shared empty Buffer, so a chunk of whole
// frames (the common case: prism and ffmpeg write 20 ms multiples) allocates nothing for it.
const EMPTY = Buffer.alloc(0);

class FrameFeeder {
  #carry = EMPTY;
  #stream;
  #jobs;
  #submitOne;

  /**
   * @param {import('node:stream').Duplex} stream the owner (nothing is submitted once destroyed)
   * @param {import('./sink-queue').SinkQueue} jobs its delivery queue
   * @param {(bytes: Buffer) => void} submitOne submits one job with toSink (through
   *   `jobs.submit`); it must copy `bytes` before it returns (they are a view of the writer's
   *   chunk)
   */
  constructor(stream, jobs, submitOne) {
    this.#stream = stream;
    this.#jobs = jobs;
    this.#submitOne = submitOne;
  }

  /** Submits the carried bytes and `chunk` in jobs of `size` bytes; carries the remainder. */
  write(chunk, size, callback) {
    const data = this.#carry.length ? Buffer.concat([this.#carry, chunk]) : chunk;
    this.#carry = EMPTY;
    this.#submit(data, 0, size, callback);
  }

  /** The bytes carried (less than one job), which are no longer carried. */
  takeCarry() {
    const carry = this.#carry;
    this.#carry = EMPTY;
    return carry;
  }

  #submit(data, offset, size, callback) {
    while (data.length - offset >= size) {
      if (this.#stream.destroyed) {  // destroyed while waiting for room: the rest is dropped
        callback();
        return;
      }
      if (!this.#jobs.hasRoom) {
        this.#jobs.whenRoom(() => this.#submit(data, offset, size, callback));
        return;
      }
      this.#jobs.submit(this.#submitOne, data.subarray(offset, offset + size));
      offset += size;
    }
    // Copied: the writer may reuse its chunk once the callback has run.
    this.#carry = offset === data.length ? EMPTY : Buffer.from(data.subarray(offset));
    callback();
  }
}

module.exports = { FrameFeeder };
