'use strict';
/**
 * Streaming authenticated encryption with libsodium's crypto_secretstream_xchacha20poly1305,
 * for service-to-service links and data at rest.
 *
 * Stream format written by createEncryptStream and read by createDecryptStream:
 *   header (24 bytes) ‖ frame* where frame = length (u32 BE, ciphertext bytes) ‖ ciphertext
 * Every input chunk becomes one or more MESSAGE frames (split at `chunkSize`); the end of input
 * writes an empty FINAL frame. The decrypting side rejects altered, reordered, dropped or
 * repeated frames (ERR_VOXPOOL_CRYPTO_AUTH_FAILED), data after FINAL
 * (ERR_VOXPOOL_MALFORMED_PACKET) and a stream that ends without FINAL
 * (ERR_VOXPOOL_STREAM_TRUNCATED).
 */
const { Transform } = require('node:stream');
const { rejecting } = require('./promise-api');
const binding = require('./binding');
const { VoxpoolError } = require('./errors');
const validate = require('./validate');
const { guardReceiver } = require('./receiver-guard');

const C = binding.cryptoConstants;
const HEADER_BYTES = C.SECRETSTREAM_HEADER_BYTES;
const OVERHEAD = C.SECRETSTREAM_OVERHEAD_BYTES;
const FRAME_PREFIX = 4;

/** Sizes and tags from libsodium. */
const secretStream = Object.freeze({
  KEY_BYTES: C.SECRETSTREAM_KEY_BYTES,
  HEADER_BYTES,
  OVERHEAD_BYTES: OVERHEAD,
  MAX_MESSAGE_BYTES: C.SECRETSTREAM_MAX_MESSAGE_BYTES,
  TAG_MESSAGE: C.TAG_MESSAGE,
  TAG_PUSH: C.TAG_PUSH,
  TAG_REKEY: C.TAG_REKEY,
  TAG_FINAL: C.TAG_FINAL,
});
const TAGS = [C.TAG_MESSAGE, C.TAG_PUSH, C.TAG_REKEY, C.TAG_FINAL];

function keyArg(key) {
  validate.bytes(key, 'key');
  if (key.byteLength !== C.SECRETSTREAM_KEY_BYTES) {
    throw validate.invalidRange(`a ${C.SECRETSTREAM_KEY_BYTES}-byte Buffer or Uint8Array`, 'key', key);
  }
  return key;
}

function messageArg(message, max) {
  validate.bytes(message, 'message');
  if (message.byteLength > max) throw validate.invalidRange(`a Buffer of at most ${max} bytes`, 'message', message);
  return message;
}

function streamOptions(options) {
  const o = validate.options(options);
  return {
    chunkSize: o.chunkSize === undefined ? 64 * 1024
      : validate.integer(o.chunkSize, 'options.chunkSize', 1, C.SECRETSTREAM_MAX_MESSAGE_BYTES),
    asyncThreshold: o.asyncThreshold === undefined ? 16 * 1024
      : validate.integer(o.asyncThreshold, 'options.asyncThreshold', 0, Number.MAX_SAFE_INTEGER),
  };
}

/** The encrypting end of a secretstream. Messages must be pushed in order. */
class SecretStreamEncryptor {
  #native;

  /** @param {Uint8Array} key 32 bytes */
  constructor(key) {
    this.#native = new binding.NativeSecretStreamPush(keyArg(key));
    /** @type {Buffer} the 24-byte header the decrypting end needs first */
    this.header = this.#native.header();
  }

  /**
   * Encrypts one message synchronously.
   * @param {Uint8Array} message
   * @param {number} [tag=TAG_MESSAGE] TAG_MESSAGE, TAG_PUSH, TAG_REKEY or TAG_FINAL
   * @returns {Buffer} message.length + 17 bytes
   */
  push(message, tag = C.TAG_MESSAGE) {
    messageArg(message, C.SECRETSTREAM_MAX_MESSAGE_BYTES);
    validate.oneOf(tag, 'tag', TAGS);
    return this.#native.push(message, tag);
  }

  /**
   * Encrypts one message on the pool (for large chunks). Calls are applied in call order; a
   * synchronous `push` while one is pending throws.
   * @param {Uint8Array} message
   * @param {number} [tag=TAG_MESSAGE]
   * @returns {Promise<Buffer>}
   */
  pushAsync(message, tag = C.TAG_MESSAGE) {
    messageArg(message, C.SECRETSTREAM_MAX_MESSAGE_BYTES);
    validate.oneOf(tag, 'tag', TAGS);
    return rejecting(() => this.#native.pushAsync(message, tag));
  }

  /** Wipes the stream state. */
  destroy() {
    this.#native.destroy();
  }

  static {
    guardReceiver(this, (o) => #native in o);
  }
}

/** The decrypting end of a secretstream. */
class SecretStreamDecryptor {
  #native;

  /**
   * @param {Uint8Array} key 32 bytes
   * @param {Uint8Array} header the 24-byte header from the encrypting end
   */
  constructor(key, header) {
    keyArg(key);
    validate.bytes(header, 'header');
    if (header.byteLength !== HEADER_BYTES) {
      throw validate.invalidRange(`a ${HEADER_BYTES}-byte Buffer or Uint8Array`, 'header', header);
    }
    this.#native = new binding.NativeSecretStreamPull(key, header);
  }

  /**
   * Decrypts one message synchronously.
   * @param {Uint8Array} message
   * @returns {{ message: Buffer, tag: number }}
   */
  pull(message) {
    return this.#native.pull(messageArg(message, C.SECRETSTREAM_MAX_MESSAGE_BYTES + OVERHEAD));
  }

  /**
   * Decrypts one message on the pool.
   * @param {Uint8Array} message
   * @returns {Promise<{ message: Buffer, tag: number }>}
   */
  pullAsync(message) {
    const sealed = messageArg(message, C.SECRETSTREAM_MAX_MESSAGE_BYTES + OVERHEAD);
    return rejecting(() => this.#native.pullAsync(sealed));
  }

  /** True once the FINAL message has been pulled. */
  get finished() {
    return this.#native.finished();
  }

  /** Throws ERR_VOXPOOL_STREAM_TRUNCATED unless the FINAL message was pulled. */
  finish() {
    this.#native.finish();
  }

  /** Wipes the stream state. */
  destroy() {
    this.#native.destroy();
  }

  static {
    guardReceiver(this, (o) => #native in o);
  }
}

/**
 * A Transform that encrypts everything written to it (see the file comment for the format).
 * @param {Uint8Array} key 32 bytes
 * @param {{ chunkSize?: number, asyncThreshold?: number }} [options] frames are at most
 *   `chunkSize` plaintext bytes (default 64 KiB); frames of at least `asyncThreshold` bytes
 *   (default 16 KiB) are encrypted on the pool, smaller ones inline.
 * @returns {Transform}
 */
function createEncryptStream(key, options) {
  const enc = new SecretStreamEncryptor(key);
  const { chunkSize, asyncThreshold } = streamOptions(options);
  let headerSent = false;

  async function pushFrame(stream, piece, tag) {
    const sealed = piece.length >= asyncThreshold ? await enc.pushAsync(piece, tag) : enc.push(piece, tag);
    const prefix = Buffer.allocUnsafe(FRAME_PREFIX);
    prefix.writeUInt32BE(sealed.length, 0);
    if (!headerSent) {
      stream.push(enc.header);
      headerSent = true;
    }
    stream.push(Buffer.concat([prefix, sealed]));
  }

  return new Transform({
    transform(chunk, encoding, callback) {
      const data = typeof chunk === 'string' ? Buffer.from(chunk, encoding) : chunk;
      (async () => {
        for (let at = 0; at < data.length; at += chunkSize) {
          await pushFrame(this, data.subarray(at, at + chunkSize), C.TAG_MESSAGE);
        }
      })().then(() => callback(), callback);
    },
    flush(callback) {
      pushFrame(this, Buffer.alloc(0), C.TAG_FINAL).then(() => {
        enc.destroy();
        callback();
      }, callback);
    },
    destroy(err, callback) {
      enc.destroy();
      callback(err);
    },
  });
}

/**
 * A Transform that decrypts a stream written by createEncryptStream. Errors (as
 * VoxpoolError): ERR_VOXPOOL_CRYPTO_AUTH_FAILED for altered/reordered/dropped frames or the
 * wrong key, ERR_VOXPOOL_MALFORMED_PACKET for an impossible frame length or data after FINAL,
 * ERR_VOXPOOL_STREAM_TRUNCATED when input ends before FINAL.
 * @param {Uint8Array} key 32 bytes
 * @param {{ asyncThreshold?: number }} [options]
 * @returns {Transform}
 */
function createDecryptStream(key, options) {
  keyArg(key);
  const { asyncThreshold } = streamOptions(options);
  const maxFrame = C.SECRETSTREAM_MAX_MESSAGE_BYTES + OVERHEAD;
  let dec = null;
  let pending = Buffer.alloc(0);
  let finished = false;

  async function drain(stream) {
    if (dec === null) {
      if (pending.length < HEADER_BYTES) return;
      dec = new SecretStreamDecryptor(key, pending.subarray(0, HEADER_BYTES));
      pending = pending.subarray(HEADER_BYTES);
    }
    while (pending.length > 0) {
      if (finished) throw new VoxpoolError('Data follows the FINAL message of the stream', 'ERR_VOXPOOL_MALFORMED_PACKET');
      if (pending.length < FRAME_PREFIX) return;
      const size = pending.readUInt32BE(0);
      if (size < OVERHEAD || size > maxFrame) {
        throw new VoxpoolError(`Invalid secretstream frame length ${size}`, 'ERR_VOXPOOL_MALFORMED_PACKET');
      }
      if (pending.length < FRAME_PREFIX + size) return;
      const frame = pending.subarray(FRAME_PREFIX, FRAME_PREFIX + size);
      pending = pending.subarray(FRAME_PREFIX + size);
      const { message, tag } = size >= asyncThreshold ? await dec.pullAsync(frame) : dec.pull(frame);
      if (message.length > 0) stream.push(message);
      if (tag === C.TAG_FINAL) finished = true;
    }
  }

  return new Transform({
    transform(chunk, encoding, callback) {
      const data = typeof chunk === 'string' ? Buffer.from(chunk, encoding) : chunk;
      pending = pending.length === 0 ? data : Buffer.concat([pending, data]);
      drain(this).then(() => callback(), callback);
    },
    flush(callback) {
      if (!finished || pending.length > 0) {
        callback(new VoxpoolError('The stream ended without its FINAL message', 'ERR_VOXPOOL_STREAM_TRUNCATED'));
        return;
      }
      if (dec) dec.destroy();
      callback();
    },
    destroy(err, callback) {
      if (dec) dec.destroy();
      callback(err);
    },
  });
}

module.exports = {
  SecretStreamEncryptor,
  SecretStreamDecryptor,
  createEncryptStream,
  createDecryptStream,
  secretStream,
};
