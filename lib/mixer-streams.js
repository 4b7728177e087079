'use strict';
// Streams over the mixer core: a mixing Readable with one Writable per input, a native
// replacement for prism-media's VolumeTransformer (with ramped changes), and a resampling
// Transform.
const { Readable, Transform, Writable } = require('node:stream');
const binding = require('./binding');
const validate = require('./validate');
const { guardReceiver } = require('./receiver-guard');
const { Mixer } = require('./mixer');
const { VoxpoolError } = require('./errors');
const { Resampler } = require('./resampler');
const { defineVolumeApi } = require('./volume-api');
const { CHANNELS } = require('./mixer-util');

const C = binding.mixerConstants;

/** What a MixerStream does when the consumer wants a frame and no input has one. */
const IDLE_MODES = ['wait', 'silence'];

/**
 * A Readable of mixed frames. Add inputs with {@link MixerStream#addInput}; each is a Writable
 * whose PCM feeds one mixer source. A frame is produced (on the pool) whenever the consumer wants
 * data and at least one input has a whole frame queued; inputs without one are silent for that
 * tick. With `idle: 'silence'` a frame is mixed even when no input has one (silence, with ramps
 * and ducking going on), so a real-time consumer such as an AudioPlayer never runs dry. The
 * stream ends once every input has ended and drained (with `idle: 'silence'`, only after
 * `end()`); an input emits 'drained' when its last frame has been mixed. Every sample written
 * to an input is mixed (its last partial frame padded with silence), and an input added and
 * written from the previous one's 'drained' follows it with no frame of silence between them
 * (a playlist, queued replies). `mixer` exposes gains,
 * mute, solo, pan, ducking and stats. `destroy(err)` destroys every input with `err`;
 * `destroy()` closes them without an 'error' event (a write waiting for room gets
 * ERR_STREAM_DESTROYED in its callback).
 */
class MixerStream extends Readable {
  #inputs = new Set();
  #ticking = false;
  #deferred = false;  // a setImmediate pump is scheduled
  #wanted = false;
  #ending = false;
  #added = false;
  #idleSilence;
  #endCalled = false;

  /**
   * @param {object} [options] Mixer options (see Mixer) plus Readable's highWaterMark and
   *   `idle` ('wait', the default, or 'silence')
   */
  constructor(options) {
    const o = validate.options(options);
    const { highWaterMark, idle, ...mixerOptions } = o;
    const idleSilence = idle !== undefined && validate.oneOf(idle, 'idle', IDLE_MODES) === 'silence';
    const mixer = new Mixer(mixerOptions);
    super({ highWaterMark: highWaterMark === undefined ? mixer.frameBytes * 4 : validate.integer(highWaterMark, 'highWaterMark', 1, 2 ** 31 - 1) });
    /** @type {Mixer} */
    this.mixer = mixer;
    this.#idleSilence = idleSilence;
  }

  /**
   * Takes no more inputs: the stream ends once every input has ended and drained (at once if
   * there are none). Needed to end a stream with `idle: 'silence'`; optional otherwise.
   * @returns {this}
   */
  end() {
    this.#endCalled = true;
    this.#pump();
    return this;
  }

  /**
   * Adds an input and returns its Writable. Write PCM in the input's format/rate/channels; any
   * chunk size. Ending it pads the last partial frame with silence.
   * @param {object} [options] Mixer#addSource options
   * @returns {Writable & { id: number }}
   */
  addInput(options) {
    if (this.#endCalled) throw new VoxpoolError('The mixer stream was ended: it takes no more inputs', 'ERR_VOXPOOL_ENDED');
    const id = this.mixer.addSource(options);
    const o = validate.options(options);
    const channels = o.channels === undefined ? this.mixer.channels : o.channels;
    const format = o.format === undefined ? this.mixer.format : o.format;
    const frameBytes = channels * (format === 'f32le' ? 4 : 2);
    // What one push may hold: half the source's FIFO, in the input's own frames. A larger push
    // could never fit (a 0.26 s push at 22.05 kHz is 13 mixer frames; the FIFO holds 8), and
    // half lets a write go on while the other half plays.
    const rate = o.sampleRate === undefined ? this.mixer.sampleRate : o.sampleRate;
    const m = this.mixer;
    const pushFrames = Math.min(C.MAX_PUSH_FRAMES, Math.max(1, Math.floor(Math.floor(m.queueFrames / 2) * m.frameSize * rate / m.sampleRate)));
    const input = { id, frameBytes, step: pushFrames * frameBytes, rest: Buffer.alloc(0), ended: false, waits: 0, blocked: null, blockedCb: null, writable: null };
    const stream = this;
    const writable = new Writable({
      write(chunk, encoding, cb) { stream.#write(input, chunk, cb); },
      final(cb) {
        if (input.rest.length > 0) {
          const frames = Math.ceil(input.rest.length / frameBytes);
          const padded = Buffer.alloc(frames * frameBytes);
          input.rest.copy(padded);
          input.rest = Buffer.alloc(0);
          stream.#write(input, padded, (err) => (err ? cb(err) : stream.#endInput(input, cb)));
          return;
        }
        stream.#endInput(input, cb);
      },
      destroy(err, cb) {
        // An input that ended normally stays until its queue drains (#pump removes it); one
        // destroyed early is removed now with whatever it had queued.
        if (!input.ended && stream.#inputs.delete(input) && !stream.destroyed) {
          try { stream.mixer.removeSource(id); } catch { /* mixer already destroyed */ }
          stream.#pump();
        }
        cb(err);
      },
    });
    writable.id = id;
    input.writable = writable;
    this.#inputs.add(input);
    this.#added = true;
    return writable;
  }

  // Pushes whole frames of `chunk` into the source; waits for a tick when the FIFO is full.
  #write(input, chunk, cb) {
    if (chunk.byteLength === 0) {  // nothing to add (a detached Buffer reads as empty)
      cb();
      return;
    }
    let data = input.rest.length > 0 ? Buffer.concat([input.rest, chunk]) : chunk;
    const whole = data.length - (data.length % input.frameBytes);
    input.rest = Buffer.from(data.subarray(whole));
    data = data.subarray(0, whole);
    this.#untilDone(input, () => {
      if (data.length > 0) {
        const piece = data.subarray(0, input.step);
        this.mixer.push(input.id, piece);
        data = data.subarray(piece.length);
      }
      return data.length === 0;
    }, cb);
  }

  // Ends the source natively (its resampler tail and last partial frame are queued, so all of
  // the input is mixed).
  #endInput(input, cb) {
    this.#untilDone(input, () => {
      this.mixer.endSource(input.id);
      input.ended = true;
      return true;
    }, cb);
  }

  // Runs `step` (one native call; returns true when nothing is left) until it is done, then
  // calls `cb`; while the source's FIFO is full, waits for a mixed tick to make room.
  #untilDone(input, step, cb) {
    const attempt = () => {
      try {
        while (!step());
      } catch (err) {
        if (err && err.code === 'ERR_VOXPOOL_QUEUE_FULL') {
          input.blocked = attempt;  // retried after the next tick
          input.blockedCb = cb;
          this.#pump();
          return;
        }
        cb(err);
        return;
      }
      input.blocked = null;
      cb();
      this.#pump();
    };
    attempt();
  }

  _read() {
    this.#wanted = true;
    this.#pump();
  }

  _destroy(err, cb) {
    const inputs = [...this.#inputs];
    this.#inputs.clear();
    this.mixer.destroy();
    // Inputs (some may be waiting for room) go down with the mix, with its error if it has one.
    // An input is destroyed before its waiting write fails, so that failure reaches the write's
    // callback without also becoming an 'error' event of an input destroyed without error.
    for (const input of inputs) {
      input.writable.destroy(err || undefined);
      if (input.blocked) {
        input.blocked = null;
        const gone = new Error('The mixer stream was destroyed');
        gone.code = 'ERR_STREAM_DESTROYED';
        input.blockedCb(gone);
      }
    }
    cb(err);
  }

  /** Called once per mixed frame, before it is pushed (a hook for subclasses). */
  _mixed() {}

  // One tick in flight at a time; Readable's buffer (highWaterMark) keeps frames ahead.
  #pump() {
    if (this.#ticking || this.#deferred || this.destroyed || this.#ending) return;
    let ready = false;
    let waiting = false;
    let drained = null;  // made only when an input drains: no allocation per tick
    for (const input of this.#inputs) {
      const queued = this.mixer.sourceStats(input.id).queuedFrames;
      if (queued >= this.mixer.frameSize) {
        ready = true;
      } else if (input.ended) {  // drained (endSource padded the last frame: nothing is left)
        this.#inputs.delete(input);
        this.mixer.removeSource(input.id);
        (drained ??= []).push(input);
      } else if (input.writable.writableEnding && input.waits < C.STREAM_END_WAITS) {
        input.waits++;  // its final() is on the way
        waiting = true;
      }
    }
    if (drained !== null || (waiting && !ready)) {
      // Waits a turn instead of mixing a frame of silence: an input whose end() was called gets
      // its last partial frame queued, and a 'drained' listener can add and write the next input
      // (a playlist, the next reply) or end() the stream. Listeners run with the pump deferred,
      // so whatever they call re-enters nothing. Bounded per input, so it never spins.
      this.#deferred = true;
      setImmediate(() => {
        this.#deferred = false;
        this.#pump();
      });
      if (drained !== null) for (const input of drained) input.writable.emit('drained');
      return;
    }
    if (!ready) {
      if (this.#inputs.size === 0 && (this.#endCalled || (this.#added && !this.#idleSilence))) {
        this.#ending = true;
        this.push(null);
        return;
      }
      if (!this.#idleSilence) return;
    }
    if (!this.#wanted) return;
    this.#ticking = true;
    this.mixer.mixAsync().then(
      (frame) => {
        this.#ticking = false;
        if (this.destroyed) return;
        this._mixed();
        this.#wanted = this.push(frame);
        for (const input of this.#inputs) if (input.blocked) input.blocked();
        this.#pump();
      },
      (err) => {
        this.#ticking = false;
        this.destroy(err);
      },
    );
  }

  static {
    guardReceiver(this, (o) => #inputs in o);
  }
}

/**
 * Creates a mixing Readable (see MixerStream).
 * @param {object} [options] Mixer options plus highWaterMark
 * @returns {MixerStream}
 */
function createMixerStream(options) {
  return new MixerStream(options);
}

/**
 * Native replacement for prism-media's VolumeTransformer: same role and methods (setVolume,
 * setVolumeDecibels, setVolumeLogarithmic, volume, volumeDecibels, volumeLogarithmic), same
 * rounding (floor, saturated) so a steady volume gives identical bytes, but changes ramp over
 * `rampMs` instead of stepping (a step on a loud signal clicks).
 */
class VolumeTransformer extends Transform {
  #native;
  #frameBytes;
  #sampleBytes;
  #rampMs;
  #rest = Buffer.alloc(0);

  /**
   * @param {object} [options]
   * @param {number} [options.highWaterMark] bytes buffered on each side (Node's default if unset)
   * @param {'s16le'|'f32le'} [options.type='s16le'] sample format (prism's name for it)
   * @param {number} [options.volume=1] initial linear volume (0..MAX_VOLUME)
   * @param {number} [options.rampMs=20] how long later volume changes take (0 = step, like prism)
   * @param {number} [options.sampleRate=48000] Hz (for ramp timing)
   * @param {1|2} [options.channels=2] (ramps move once per frame)
   */
  constructor(options) {
    const o = validate.options(options);
    const { type, volume, rampMs, sampleRate, channels, highWaterMark } = o;
    // Only the stream option a byte stream needs, checked here: anything else given to Node's
    // constructor would fail there with Node's own error shape.
    super(highWaterMark === undefined ? {} : { highWaterMark: validate.integer(highWaterMark, 'highWaterMark', 0, 2 ** 31 - 1) });
    const format = validate.pcmFormat(type, 'type');
    const ch = channels === undefined ? C.DEFAULT_CHANNELS : validate.oneOf(channels, 'channels', CHANNELS);
    this.#rampMs = rampMs === undefined ? 20 : validate.number(rampMs, 'rampMs', 0, C.MAX_RAMP_MS);
    this.#sampleBytes = format === 'f32le' ? 4 : 2;
    this.#frameBytes = ch * this.#sampleBytes;
    this.#native = new binding.NativeVolume({
      sampleRate: sampleRate === undefined ? C.DEFAULT_SAMPLE_RATE : validate.integer(sampleRate, 'sampleRate', C.MIN_SAMPLE_RATE, C.MAX_SAMPLE_RATE),
      channels: ch,
      format,
      volume: volume === undefined ? 1 : validate.number(volume, 'volume', 0, C.MAX_VOLUME),
    });
  }

  _transform(chunk, encoding, done) {
    if (chunk.byteLength === 0) {  // nothing to scale (a detached Buffer reads as empty)
      done();
      return;
    }
    const data = this.#rest.length > 0 ? Buffer.concat([this.#rest, chunk]) : chunk;
    const whole = data.length - (data.length % this.#frameBytes);
    this.#rest = Buffer.from(data.subarray(whole));
    if (whole > 0) this.push(this.#native.process(data.subarray(0, whole)));
    done();
  }

  _flush(done) {
    // A trailing partial frame: scale its whole samples (padded to a frame for the native call),
    // as prism does; a partial sample is dropped, as prism does.
    const usable = this.#rest.length - (this.#rest.length % this.#sampleBytes);
    if (usable > 0) {
      const padded = Buffer.alloc(this.#frameBytes);
      this.#rest.copy(padded, 0, 0, usable);
      this.push(this.#native.process(padded).subarray(0, usable));
    }
    this.#rest = Buffer.alloc(0);
    done();
  }

  /**
   * Sets the volume relative to the input: 1 is unchanged, 0.5 half, 2 double.
   * @param {number} volume 0..MAX_VOLUME
   * @param {{ rampMs?: number }} [options] override the default ramp for this change
   */
  setVolume(volume, options) {
    validate.number(volume, 'volume', 0, C.MAX_VOLUME);
    const o = validate.options(options);
    const ramp = o.rampMs === undefined ? this.#rampMs : validate.number(o.rampMs, 'rampMs', 0, C.MAX_RAMP_MS);
    this.#native.set(volume, ramp);
  }

  /** @type {number} the volume being moved to (what setVolume last set) */
  get volume() { return this.#native.target(); }
  set volume(value) { this.setVolume(value); }
  /** @type {number} the volume applied right now (mid-ramp values included) */
  get currentVolume() { return this.#native.value(); }
  // setVolumeDecibels, setVolumeLogarithmic, volumeDecibels, volumeLogarithmic: volume-api.js

  static {
    defineVolumeApi(this.prototype);
    guardReceiver(this, (o) => #native in o);
  }
}

/**
 * Creates a VolumeTransformer (native replacement for prism-media's).
 * @param {object} [options] see VolumeTransformer
 * @returns {VolumeTransformer}
 */
function createVolumeTransformer(options) {
  return new VolumeTransformer(options);
}

/**
 * A Transform that resamples PCM (any chunk sizes; partial frames are carried over). The tail the
 * converter holds is emitted when the stream ends.
 * @param {{ inputRate: number, outputRate: number, channels?: 1|2, format?: 's16le'|'f32le' }} options
 * @returns {Transform & { resampler: Resampler }}
 */
function createResampleStream(options) {
  const resampler = new Resampler(options);
  const frame = resampler.frameBytes;
  const maxChunk = resampler.inputRate * frame;  // one second per native call
  let rest = Buffer.alloc(0);
  const stream = new Transform({
    transform(chunk, encoding, done) {
      if (chunk.byteLength === 0) {  // nothing to convert (a detached Buffer reads as empty)
        done();
        return;
      }
      let data = rest.length > 0 ? Buffer.concat([rest, chunk]) : chunk;
      const whole = data.length - (data.length % frame);
      rest = Buffer.from(data.subarray(whole));
      data = data.subarray(0, whole);
      try {
        for (let at = 0; at < data.length; at += maxChunk) {
          const out = resampler.process(data.subarray(at, at + maxChunk));
          if (out.length > 0) this.push(out);
        }
      } catch (err) {
        done(err);
        return;
      }
      done();
    },
    flush(done) {
      try {
        const tail = resampler.flush();
        if (tail.length > 0) this.push(tail);
      } catch (err) {
        done(err);
        return;
      }
      done();
    },
    destroy(err, done) {
      resampler.destroy();
      done(err);
    },
  });
  stream.resampler = resampler;
  return stream;
}

module.exports = { MixerStream, createMixerStream, VolumeTransformer, createVolumeTransformer, createResampleStream };
