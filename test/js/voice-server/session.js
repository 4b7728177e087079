'use strict';
// One client's voice session on the loopback server: what Discord keeps per SSRC. It records
// every RTP packet the client sends (opened with the session key), and it can play another user
// back to the client (Speaking op 5, then sealed RTP to the address IP discovery saw).
const { EventEmitter } = require('node:events');
const crypto = require('node:crypto');
const { performance } = require('node:perf_hooks');
const { createTransportCipher } = require('./transport-cipher');

const OPUS_PAYLOAD_TYPE = 0x78;
const SAMPLES_PER_FRAME = 960;
// Discord relays audio with an RFC 8285 one-byte header extension (profile 0xBEDE) of one word:
// here an audio-level element (ID 1, one byte) and padding. Without it, @discordjs/voice 0.19
// still reads bytes 12-13 as an extension profile: they are then ciphertext, and 1 packet in
// 65536 whose ciphertext starts 0xBE 0xDE lost 4 x (bytes 14-15) bytes, mostly all of them.
const RELAY_EXTENSION = Object.freeze({ profile: 0xbede, data: Buffer.from([0x10, 0x7f, 0, 0]) });

/**
 * Events: 'audio' (record) for each packet opened, 'discovered' ({ address, port }),
 * 'described' (mode) once the key is sent, 'speaking' (d) for each op 5 from the client,
 * 'error' is never emitted: failures are kept in `errors` for the test to assert on.
 */
class VoiceSession extends EventEmitter {
  #send;
  #socket;
  #openCipher = null;
  #sendCipher = null;
  #timers = new Map();  // pending streamAs timer -> its step (run once more on close to resolve)

  /**
   * @param {{ ssrc: number, identify: object, version: number, send: (op: number, d: unknown) => void,
   *   socket: import('node:dgram').Socket }} init
   */
  constructor({ ssrc, identify, version, send, socket }) {
    super();
    this.#send = send;
    this.#socket = socket;
    this.ssrc = ssrc;
    this.version = version;
    this.guildId = identify.server_id;
    this.userId = identify.user_id;
    this.sessionId = identify.session_id;
    this.token = identify.token;
    this.identify = identify;
    /** @type {string | null} */
    this.mode = null;
    /** @type {Buffer | null} */
    this.secretKey = null;
    /** @type {{ address: string, port: number } | null} where IP discovery came from */
    this.clientAddress = null;
    /** @type {object | null} Select Protocol's `data` */
    this.selected = null;
    /** @type {{ at: number, sequence: number, timestamp: number, ssrc: number, nonce: number, opus: Buffer }[]} */
    this.packets = [];
    /** @type {{ at: number, reason: string }[]} */
    this.errors = [];
    /** @type {{ at: number, d: object }[]} */
    this.speaking = [];
    /** @type {{ at: number, d: unknown, lastSeq: number }[]} */
    this.heartbeats = [];
    this.keepAlives = 0;
    this.closed = false;
  }

  /** @internal the gateway rebinds the session after a Resume */
  rebind(send) {
    this.#send = send;
  }

  /** @internal Select Protocol accepted: make the key, answer with Session Description. */
  describe(selected, mode) {
    this.selected = selected;
    this.mode = mode;
    this.secretKey = crypto.randomBytes(32);
    this.#openCipher = createTransportCipher(mode, this.secretKey);
    this.#sendCipher = createTransportCipher(mode, this.secretKey);
    const d = { mode, secret_key: [...this.secretKey] };
    // DAVE version 0: the client keeps its DAVE session in passthrough and sends plain Opus.
    if (this.version >= 8) d.dave_protocol_version = 0;
    this.#send(4, d);
    this.emit('described', mode);
  }

  /** @internal an IP discovery request from this SSRC */
  discovered(address) {
    this.clientAddress = address;
    this.emit('discovered', address);
  }

  /** @internal an RTP datagram with this session's SSRC; `at` is performance.now() on arrival */
  receive(msg, at) {
    if (this.#openCipher === null) {
      this.errors.push({ at, reason: 'RTP before Session Description' });
      return;
    }
    let frame;
    try {
      frame = this.#openCipher.openFrame(msg);
    } catch (err) {
      this.errors.push({ at, reason: `open failed: ${err.message}` });
      return;
    }
    // What @discordjs/voice sends: payload type 0x78, no CSRCs, no extension, no padding.
    if (frame.payloadType !== OPUS_PAYLOAD_TYPE || frame.csrcs.length || frame.extension || frame.padding) {
      this.errors.push({ at, reason: `unexpected RTP header: ${JSON.stringify({ ...frame, payload: undefined })}` });
      return;
    }
    const record = { at, sequence: frame.sequence, timestamp: frame.timestamp, ssrc: frame.ssrc, nonce: frame.nonce, opus: frame.payload };
    this.packets.push(record);
    this.emit('audio', record);
  }

  /**
   * Announces another user speaking on `ssrc` (op 5), as Discord does before relaying their
   * audio; @discordjs/voice maps the SSRC to the user from this.
   * @param {{ userId: string, ssrc: number, speaking?: number }} user
   */
  speak({ userId, ssrc, speaking = 1 }) {
    this.#send(5, { user_id: userId, ssrc, speaking });
  }

  /**
   * Sends one Opus packet to the client as RTP from `ssrc`, sealed with the session key.
   * @param {Uint8Array} opus
   * @param {{ ssrc: number, sequence: number, timestamp: number }} header
   */
  sendOpus(opus, header) {
    if (this.#sendCipher === null || this.clientAddress === null) {
      throw new Error('sendOpus before IP discovery and Session Description');
    }
    const packet = this.#sendCipher.sealFrame(header, opus);
    this.#socket.send(packet, this.clientAddress.port, this.clientAddress.address);
  }

  /**
   * Plays `packets` to the client as user `userId`: Speaking, then one packet every
   * `intervalMs` on a drift-corrected clock. Resolves with the number sent; close() stops it.
   * @param {{ userId: string, ssrc: number, packets: Uint8Array[], intervalMs?: number,
   *   sequence?: number, timestamp?: number }} options
   * @returns {Promise<number>}
   */
  streamAs({ userId, ssrc, packets, intervalMs = 20, sequence = crypto.randomInt(65536), timestamp = crypto.randomInt(2 ** 32) }) {
    this.speak({ userId, ssrc });
    return new Promise((resolve, reject) => {
      let sent = 0;
      const start = performance.now();
      const step = () => {
        if (this.closed || sent === packets.length) {
          resolve(sent);
          return;
        }
        try {
          this.sendOpus(packets[sent], {
            ssrc,
            extension: RELAY_EXTENSION,
            sequence: (sequence + sent) % 65536,
            timestamp: (timestamp + sent * SAMPLES_PER_FRAME) % 2 ** 32,
          });
        } catch (err) {
          reject(err);
          return;
        }
        sent++;
        const timer = setTimeout(() => {
          this.#timers.delete(timer);
          step();
        }, Math.max(0, start + sent * intervalMs - performance.now()));
        this.#timers.set(timer, step);
      };
      step();
    });
  }

  /** @internal stops any streamAs and wipes the keys */
  close() {
    this.closed = true;
    const pending = [...this.#timers];
    this.#timers.clear();
    for (const [timer, step] of pending) {
      clearTimeout(timer);
      step();
    }
    this.#openCipher?.destroy();
    this.#sendCipher?.destroy();
  }
}

module.exports = { VoiceSession };
