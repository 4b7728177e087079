'use strict';
// The shared shape of OggDemuxer and WebmDemuxer: container bytes in, one native job per chunk on
// the object's strand (so in order), and each job's events delivered by the subclass. A subclass
// gives its native object and implements [DELIVER](result), which emits one job's events (a throw
// there, from a listener, becomes the stream's error).
const { Transform } = require('node:stream');
const validate = require('./validate');
const { rejecting } = require('./promise-api');
const { guardReceiver } = require('./receiver-guard');

const DELIVER = Symbol('deliver');

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

module.exports = { DemuxerStream, DELIVER };
