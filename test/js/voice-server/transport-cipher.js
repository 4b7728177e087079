'use strict';
// The server's side of the transport encryption. voxpool's VoiceCipher does the work (it is
// checked against @discordjs/voice's own algorithm in voice-cipher.test.js); libsodium runs
// AES-256-GCM only with AES-NI, so without it that mode falls back to node:crypto, as
// @discordjs/voice itself does.
const crypto = require('node:crypto');
const { VoiceCipher } = require('../../../lib/voice-cipher');
const { createRtpPacket, parseRtpHeader, parseRtpPacket } = require('../../../lib/rtp');

const GCM = 'aead_aes256_gcm_rtpsize';
const XCHACHA = 'aead_xchacha20_poly1305_rtpsize';
const MODES = Object.freeze([GCM, XCHACHA]);

/** node:crypto AES-256-GCM with the same wire layout as VoiceCipher. */
class NodeGcmCipher {
  #key;
  #nonce = 0;

  constructor(key) {
    this.#key = Buffer.from(key);
  }

  sealFrame(header, payload) {
    const clear = createRtpPacket(header, payload);
    this.#nonce = (this.#nonce + 1) >>> 0;
    const iv = Buffer.alloc(12);
    iv.writeUInt32BE(this.#nonce, 0);
    const cipher = crypto.createCipheriv('aes-256-gcm', this.#key, iv);
    // rtpsize: the fixed header, CSRCs and the extension's own header are clear and authenticated.
    const { headerBytes } = parseRtpHeader(clear);
    const aad = clear.subarray(0, headerBytes);
    cipher.setAAD(aad);
    const body = Buffer.concat([cipher.update(clear.subarray(headerBytes)), cipher.final(), cipher.getAuthTag()]);
    return Buffer.concat([aad, body, iv.subarray(0, 4)]);
  }

  openFrame(packet) {
    const headerBytes = (packet[0] >> 4) & 1 ? 16 : 12;
    const iv = Buffer.alloc(12);
    packet.copy(iv, 0, packet.length - 4);
    const decipher = crypto.createDecipheriv('aes-256-gcm', this.#key, iv);
    decipher.setAAD(packet.subarray(0, headerBytes));
    decipher.setAuthTag(packet.subarray(packet.length - 20, packet.length - 4));
    const body = Buffer.concat([decipher.update(packet.subarray(headerBytes, packet.length - 20)), decipher.final()]);
    const parsed = parseRtpPacket(Buffer.concat([packet.subarray(0, headerBytes), body]));
    parsed.nonce = iv.readUInt32BE(0);
    return parsed;
  }

  destroy() {}
}

/**
 * @param {string} mode one of MODES
 * @param {Uint8Array} key 32 bytes
 * @returns {{ sealFrame(header: object, payload: Uint8Array): Buffer, openFrame(packet: Buffer): object, destroy(): void }}
 */
function createTransportCipher(mode, key) {
  if (mode === GCM && !VoiceCipher.aesAvailable) return new NodeGcmCipher(key);
  return new VoiceCipher(mode, key);
}

module.exports = { createTransportCipher, MODES, GCM, XCHACHA };
