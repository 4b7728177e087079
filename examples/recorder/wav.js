'use strict';
// A WAV file (PCM s16le) written as audio arrives: the header goes first with sizes of 0, and
// they are filled in on close, so a long recording never sits in memory.
const fs = require('node:fs');

const HEADER_BYTES = 44;

function header(sampleRate, channels, dataBytes) {
  const h = Buffer.alloc(HEADER_BYTES);
  h.write('RIFF', 0);
  h.writeUInt32LE(36 + dataBytes, 4);
  h.write('WAVE', 8);
  h.write('fmt ', 12);
  h.writeUInt32LE(16, 16);                       // fmt chunk size
  h.writeUInt16LE(1, 20);                        // PCM
  h.writeUInt16LE(channels, 22);
  h.writeUInt32LE(sampleRate, 24);
  h.writeUInt32LE(sampleRate * channels * 2, 28); // bytes per second
  h.writeUInt16LE(channels * 2, 32);             // block align
  h.writeUInt16LE(16, 34);                       // bits per sample
  h.write('data', 36);
  h.writeUInt32LE(dataBytes, 40);
  return h;
}

class WavWriter {
  #fd;
  #bytes = 0;

  /**
   * @param {string} file
   * @param {{ sampleRate: number, channels: 1 | 2 }} format
   */
  constructor(file, { sampleRate, channels }) {
    this.file = file;
    this.sampleRate = sampleRate;
    this.channels = channels;
    this.#fd = fs.openSync(file, 'w');
    fs.writeSync(this.#fd, header(sampleRate, channels, 0));
  }

  /** @type {number} seconds written */
  get seconds() { return this.#bytes / (this.sampleRate * this.channels * 2); }

  /** @param {Buffer} pcm interleaved s16le (small writes; sync keeps the example short) */
  write(pcm) {
    fs.writeSync(this.#fd, pcm);
    this.#bytes += pcm.length;
  }

  /** Appends `seconds` of silence (a pause in what was received). */
  writeSilence(seconds) {
    this.write(Buffer.alloc(Math.round(seconds * this.sampleRate) * this.channels * 2));
  }

  close() {
    fs.writeSync(this.#fd, header(this.sampleRate, this.channels, this.#bytes), 0, HEADER_BYTES, 0);
    fs.closeSync(this.#fd);
  }
}

module.exports = { WavWriter };
