'use strict';
// One reply streamed to a device: TTS PCM cut into 20 ms frames, each encoded on the pool just
// before it is due and sent about `leadMs` ahead of the device's playout. Pacing instead of
// sending the whole reply at once keeps what a barge-in has to take back small (the device has
// at most `leadMs` queued), keeps the socket's send buffer bounded, and spreads the encodes.
const { performance } = require('node:perf_hooks');
const { FRAME_MS } = require('./protocol');

/**
 * Streams one reply. Not restartable: a new reply is a new Reply.
 */
class Reply {
  #encoder;
  #pcm;
  #frameBytes;
  #frames;
  #leadMs;
  #send;
  #onEnd;
  #t0 = 0;
  #submitted = 0;  // frames handed to the encoder
  #sent = 0;       // frames sent
  #timer = null;
  #state = 'idle';  // 'idle' | 'sending' | 'complete' | 'stopped' | 'failed'

  /**
   * @param {object} options
   * @param {import('../..').Encoder} options.encoder the session's (24 kHz mono); shared by its replies
   * @param {Buffer} options.pcm mono s16 at the encoder's rate; a partial last frame is padded with silence
   * @param {number} options.leadMs how far ahead of real time frames are sent
   * @param {(packet: Buffer, timestampMs: number, last: boolean) => void} options.send
   * @param {(state: 'complete' | 'stopped' | 'failed', err?: Error) => void} options.onEnd called
   *   once, when the last frame is sent, stop() is called, or an encode fails
   */
  constructor({ encoder, pcm, leadMs, send, onEnd }) {
    this.#encoder = encoder;
    this.#frameBytes = encoder.sampleRate * FRAME_MS / 1000 * 2;
    const padded = Math.ceil(pcm.length / this.#frameBytes) * this.#frameBytes;
    this.#pcm = padded === pcm.length ? pcm : Buffer.concat([pcm, Buffer.alloc(padded - pcm.length)]);
    this.#frames = padded / this.#frameBytes;
    this.#leadMs = leadMs;
    this.#send = send;
    this.#onEnd = onEnd;
  }

  /** Frames in the reply. */
  get frames() { return this.#frames; }
  /** Frames sent so far. */
  get sent() { return this.#sent; }
  /** 'idle', 'sending', 'complete', 'stopped' or 'failed'. */
  get state() { return this.#state; }
  /** The reply's length, ms. */
  get durationMs() { return this.#frames * FRAME_MS; }

  /** Starts sending: frame k goes out at start + k * 20 ms - leadMs. */
  start() {
    if (this.#state !== 'idle') return;
    this.#state = this.#frames === 0 ? 'complete' : 'sending';
    if (this.#state === 'complete') {
      this.#onEnd('complete');
      return;
    }
    this.#t0 = performance.now();
    this.#tick();
  }

  /**
   * Stops: nothing more is sent, encodes in flight are discarded when they settle.
   * @returns {boolean} whether it was sending
   */
  stop() {
    if (this.#state !== 'sending') return false;
    this.#end('stopped');
    return true;
  }

  // Submits every frame that is due, then sleeps until the next one is.
  #tick() {
    this.#timer = null;
    const now = performance.now();
    while (this.#submitted < this.#frames && now >= this.#dueAt(this.#submitted) - this.#leadMs) {
      this.#submit(this.#submitted++);
    }
    if (this.#submitted < this.#frames && this.#state === 'sending') {
      this.#timer = setTimeout(() => this.#tick(), Math.max(1, this.#dueAt(this.#submitted) - this.#leadMs - now));
    }
  }

  #dueAt(k) { return this.#t0 + k * FRAME_MS; }

  #submit(k) {
    const frame = this.#pcm.subarray(k * this.#frameBytes, (k + 1) * this.#frameBytes);
    // Due at the pool's default (20 ms): the packet is sent as soon as it is ready. The lead is
    // the device's margin against the network, not time for the pool to spend (a dueMs of the
    // playout time would let 100 ms of other work go first).
    this.#encoder.encodeAsync(frame).then((packet) => {
      if (this.#state !== 'sending') return;
      const last = k === this.#frames - 1;
      this.#sent++;
      this.#send(packet, k * FRAME_MS, last);
      // send() may have stopped it (the session closed on a full socket).
      if (last && this.#state === 'sending') this.#end('complete');
    }, (err) => {
      if (this.#state === 'sending') this.#end('failed', err);
    });
  }

  #end(state, err) {
    this.#state = state;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    this.#onEnd(state, err);
  }
}

module.exports = { Reply };
