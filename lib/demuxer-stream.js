'use strict';
// The shared shape of OggDemuxer and WebmDemuxer: container bytes in, one native job per chunk on
// the object's strand (so in order), and each job's events delivered by the subclass. A subclass
// gives its native object and implements [DELIVER](result), which emits one job's events (a throw
// there, from a listener, becomes the stream's error). [SEEK](position) tells the native demuxer
// that the chunks written after it come from another place in the input (lib/demux-file.js).
const SEEK = Symbol('seek');
// An option of WebmDemuxer that only lib/demux-file.js sets: read the SeekHead and Cues, and
// keep what they say in demuxer[INDEX] (byte positions are absolute in the input).
const INDEX = Symbol('index');

const { Transform } = require('node:stream');
const binding = require('./binding');
const validate = require('./validate');
const { rejecting } = require('./promise-api');
const { guardReceiver } = require('./receiver-guard');

const DELIVER = Symbol('deliver');

/**
 * The options both demuxers take alike, checked after their own: `timestamps` (default false)
 * and `startMs` (0..containerConstants.MAX_START_MS, undefined when not given; each demuxer turns
 * it into its own time unit).
 * @param {object} o the validated options object
 * @returns {{ timestamps: boolean, startMs: number | undefined }}
 */
function demuxOptions(o) {
  const timestamps =
      o.timestamps === undefined ? false : validate.boolean(o.timestamps, 'options.timestamps');
  const startMs = o.startMs === undefined ?
      undefined :
      validate.number(o.startMs, 'options.startMs', 0, binding.containerConstants.MAX_START_MS);
  return {timestamps, startMs};
}

class DemuxerStream extends Transform {
  #native;
  #input;

  /**
   * @param {{ pushAsync: Function, finishAsync: Function, destroy: Function }} native
   * @param {string} input what a chunk must be, for the TypeError ("a Buffer or Uint8Array of Ogg bytes")
   */
  constructor(native, input) {
    super({ readableObjectMode: true });
    this.#native = native;
    this.#input = input;
  }

  _transform(chunk, encoding, callback) {
    if (!ArrayBuffer.isView(chunk)) {
      callback(validate.invalidType(this.#input, 'chunk', chunk));
      return;
    }
    rejecting(() => this.#native.pushAsync(chunk)).then((r) => callback(this.#deliver(r)), callback);
  }

  /**
   * The chunks written after this come from byte `position` of the input. Call it only while no
   * chunk is being parsed (every write's callback has run): it goes straight to the native
   * object's strand. Resolves once the native demuxer has taken it; a failure destroys the stream.
   * @param {number} position
   * @returns {Promise<void>}
   */
  [SEEK](position) {
    return rejecting(() => this.#native.seekAsync(position)).then((r) => {
      const err = this.#deliver(r);
      if (err) throw err;
    }).catch((err) => {
      this.destroy(err);
      throw err;
    });
  }

  _flush(callback) {
    rejecting(() => this.#native.finishAsync()).then((r) => callback(this.#deliver(r)), callback);
  }

  _destroy(err, callback) {
    this.#native.destroy();
    callback(err);
  }

  /** Returns what the callback gets: undefined, or an error thrown by a listener. */
  #deliver(result) {
    try {
      this[DELIVER](result);
    } catch (err) {
      return err;
    }
    return undefined;
  }

  static {
    guardReceiver(this, (o) => #native in o);
  }
}

module.exports = {
  DemuxerStream,
  DELIVER,
  INDEX,
  SEEK,
  demuxOptions
};
