'use strict';
/**
 * Discord voice transport encryption: the `aead_aes256_gcm_rtpsize` and
 * `aead_xchacha20_poly1305_rtpsize` modes, with libsodium, byte-for-byte what @discordjs/voice
 * sends and expects: packet = RTP header ‖ ciphertext ‖ tag(16) ‖ nonce counter(4, BE); the
 * header (plus the 4-byte extension header when X is set) is the additional data.
 */
const { rejecting } = require('./promise-api');
const binding = require('./binding');
const validate = require('./validate');
const { guardReceiver } = require('./receiver-guard');
const { createRtpPacket, parseRtpPacket } = require('./rtp');

const C = binding.cryptoConstants;
const OVERHEAD = C.OVERHEAD_BYTES;

/** Mode names, Discord's spelling. */
const VOICE_MODES = Object.freeze([...C.MODES]);

/** Sizes and flags from the native core. */
const voiceCrypto = Object.freeze({
  MODES: VOICE_MODES,
  AES_GCM_AVAILABLE: C.AES_GCM_AVAILABLE,
  KEY_BYTES: C.KEY_BYTES,
  TAG_BYTES: C.TAG_BYTES,
  NONCE_BYTES_ON_WIRE: C.NONCE_BYTES_ON_WIRE,
  OVERHEAD_BYTES: C.OVERHEAD_BYTES,
  MAX_NONCE: C.MAX_NONCE,
  MAX_PACKET_BYTES: C.MAX_PACKET_BYTES,
  MAX_BATCH_PACKETS: C.MAX_BATCH_PACKETS,
  RTP_HEADER_BYTES: C.RTP_HEADER_BYTES,
  RTP_PAYLOAD_TYPE: C.RTP_PAYLOAD_TYPE,
  RTP_TIMESTAMP_STEP: C.RTP_TIMESTAMP_STEP,
  SODIUM_VERSION: C.SODIUM_VERSION,
});

function key32(value, name) {
  validate.bytes(value, name);
  if (value.byteLength !== C.KEY_BYTES) {
    throw validate.invalidRange(`a ${C.KEY_BYTES}-byte Buffer or Uint8Array`, name, value);
  }
  return value;
}

function packetArg(value, name) {
  if (!ArrayBuffer.isView(value)) throw validate.invalidType('a Buffer or TypedArray', name, value);
  if (value.byteLength > C.MAX_PACKET_BYTES) {
    throw validate.invalidRange(`a Buffer of at most ${C.MAX_PACKET_BYTES} bytes`, name, value);
  }
  return value;
}

function outArg(value, min) {
  if (!ArrayBuffer.isView(value)) throw validate.invalidType('a Buffer or TypedArray', 'out', value);
  if (value.byteLength < min) throw validate.invalidRange(`a Buffer of at least ${min} bytes`, 'out', value);
  return value;
}

/**
 * The two directions of a VoiceCipher: the native call that writes a packet's result into `out`,
 * and the bytes it writes for a packet of `n` bytes.
 */
const SEAL = {
  into: (native, packet, out) => native.sealInto(packet, out),
  bytes: (n) => n + OVERHEAD
};
const OPEN = {
  into: (native, packet, out) => native.openInto(packet, out),
  bytes: (n) => Math.max(0, n - OVERHEAD)
};

/**
 * One side of a Discord voice connection's transport encryption. The nonce counter lives here:
 * each seal takes the next one (the first packet carries 1); after 2^32 - 1 packets sealing
 * fails with ERR_VOXPOOL_CRYPTO_NONCE_EXHAUSTED and the session must be rekeyed. The key is
 * copied into native memory and wiped by `destroy()` (or garbage collection).
 */
/** A batch: an array of at most MAX_BATCH_PACKETS packets, holes refused (checked before work). */
function batchArg(packets) {
  if (!validate.isArray(packets)) throw validate.invalidType('an array of Buffers', 'packets', packets);
  if (packets.length > C.MAX_BATCH_PACKETS) {
    throw validate.invalidRange(`an array of at most ${C.MAX_BATCH_PACKETS} Buffers`, 'packets', packets);
  }
  for (let i = 0; i < packets.length; i++) packetArg(packets[i], `packets[${i}]`);
}

class VoiceCipher {
  #native;

  /**
   * @param {'aead_aes256_gcm_rtpsize' | 'aead_xchacha20_poly1305_rtpsize'} mode
   * @param {Uint8Array} key 32 bytes (Discord's `secret_key`)
   */
  constructor(mode, key) {
    validate.oneOf(mode, 'mode', VOICE_MODES);
    key32(key, 'key');
    this.#native = new binding.NativeVoiceCipher(mode, key);
    /** @type {string} */
    this.mode = mode;
  }

  /** True when this CPU can run aead_aes256_gcm_rtpsize (AES-NI). */
  static get aesAvailable() {
    return C.AES_GCM_AVAILABLE;
  }

  /** The last nonce used by `seal` (0 before the first). */
  get nonce() {
    return this.#native.getNonce();
  }

  /** Sets the counter; the next seal uses `value + 1` (resume a session). */
  set nonce(value) {
    validate.integer(value, 'nonce', 0, C.MAX_NONCE);
    this.#native.setNonce(value);
  }

  /**
   * Seals a cleartext RTP packet (header, extension body if any, payload).
   * @param {Uint8Array} packet
   * @returns {Buffer} header ‖ ciphertext ‖ tag ‖ nonce (packet.length + 20 bytes)
   */
  seal(packet) {
    return this.#alloc(SEAL, packet);
  }

  /**
   * Seals into `out` without allocating.
   * @param {Uint8Array} packet cleartext RTP packet
   * @param {Uint8Array} out at least packet.length + 20 bytes; may be `packet`'s own memory
   * @returns {number} bytes written
   */
  sealInto(packet, out) {
    return this.#into(SEAL, packet, out);
  }

  /**
   * Opens a sealed packet. Throws VoxpoolError ERR_VOXPOOL_CRYPTO_AUTH_FAILED when it was
   * tampered with, truncated or sealed under another key, ERR_VOXPOOL_MALFORMED_PACKET when it
   * is too short or not RTP.
   * @param {Uint8Array} packet
   * @returns {Buffer} the cleartext RTP packet (packet.length - 20 bytes)
   */
  open(packet) {
    return this.#alloc(OPEN, packet);
  }

  /**
   * Opens into `out` without allocating.
   * @param {Uint8Array} packet
   * @param {Uint8Array} out at least packet.length - 20 bytes
   * @returns {number} bytes written
   */
  openInto(packet, out) {
    return this.#into(OPEN, packet, out);
  }

  /**
   * `direction` (SEAL or OPEN) of a checked packet into a new Buffer. Buffer.allocUnsafe carves
   * small Buffers out of Node's shared pool: far cheaper than a native Buffer allocation per
   * packet.
   */
  #alloc(direction, packet) {
    packetArg(packet, 'packet');
    const out = Buffer.allocUnsafe(direction.bytes(packet.byteLength));
    direction.into(this.#native, packet, out);
    return out;
  }

  /**
   * `direction` (SEAL or OPEN) into the caller's `out`. The hot path: native code re-checks
   * everything, so the uniform argument errors are built only once a call has failed (validating
   * up front cost ~80 ns of a ~450 ns call).
   */
  #into(direction, packet, out) {
    try {
      return direction.into(this.#native, packet, out);
    } catch (err) {
      packetArg(packet, 'packet');
      outArg(out, direction.bytes(packet.byteLength));
      throw err;
    }
  }

  /**
   * Builds the RTP packet for `payload` and seals it (what @discordjs/voice's createAudioPacket
   * does).
   * @param {Parameters<typeof createRtpPacket>[0]} header sequence, timestamp, ssrc, ...
   * @param {Uint8Array} payload e.g. an Opus packet
   * @returns {Buffer}
   */
  sealFrame(header, payload) {
    return this.seal(createRtpPacket(header, payload));
  }

  /**
   * Opens a packet and parses it, stripping the extension body and padding (what
   * @discordjs/voice's parsePacket does).
   * @param {Uint8Array} packet
   * @returns {ReturnType<typeof parseRtpPacket> & { nonce: number }}
   */
  openFrame(packet) {
    const clear = this.open(packet);
    const parsed = parseRtpPacket(clear);
    parsed.nonce = this.#native.lastOpenedNonce();
    return parsed;
  }

  /**
   * Seals many packets on the pool in one job, in order (nonces ascend with the array).
   * @param {Uint8Array[]} packets
   * @returns {Promise<Array<Buffer | import('./errors').VoxpoolError>>}
   */
  sealBatch(packets) {
    batchArg(packets);
    return rejecting(() => this.#native.sealBatch(packets));
  }

  /**
   * Opens many packets on the pool in one job.
   * @param {Uint8Array[]} packets
   * @returns {Promise<Array<Buffer | import('./errors').VoxpoolError>>}
   */
  openBatch(packets) {
    batchArg(packets);
    return rejecting(() => this.#native.openBatch(packets));
  }

  /** Wipes the key now; later calls throw ERR_VOXPOOL_DESTROYED. */
  destroy() {
    this.#native.destroy();
  }

  static {
    guardReceiver(this, (o) => #native in o);
  }
}

module.exports = { VoiceCipher, VOICE_MODES, voiceCrypto };
