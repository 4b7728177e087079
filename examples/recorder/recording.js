'use strict';
// Records a voice channel with voxpool/voice: each speaker decoded on the pool into their own WAV
// file (48 kHz stereo), and everyone mixed into one (16 kHz mono, what speech-to-text wants).
// Knows nothing of discord.js: index.js hands it a VoiceConnection.
const path = require('node:path');
const { subscribeDecoded, createSpeakerMix } = require('voxpool/voice');
const { WavWriter } = require('./wav');

const USER = Object.freeze({ sampleRate: 48000, channels: 2 });
const MIX = Object.freeze({ outputRate: 16000, outputChannels: 1 });
const RTP_HZ = 48000;  // a frame's timestamp counts 48 kHz samples at any output rate

class Recording {
  #dir;
  #receiver;
  #users = new Map();  // userId -> { stream, wav, nextTimestamp }
  #mix;
  #mixWav;
  #onStart;

  /**
   * Starts recording now: the mix at once, a speaker from their first packet.
   * @param {import('@discordjs/voice').VoiceConnection} connection (joined with selfDeaf: false)
   * @param {string} dir where the WAV files go (it must exist)
   */
  constructor(connection, dir) {
    this.#dir = dir;
    this.#receiver = connection.receiver;
    this.#mixWav = new WavWriter(path.join(dir, 'mixed.wav'), { sampleRate: MIX.outputRate, channels: MIX.outputChannels });
    this.#mix = createSpeakerMix(connection, MIX);
    this.#mix.on('data', (pcm) => this.#mixWav.write(pcm));
    this.#mix.on('warning', (err) => console.warn(`mix: ${err.message}`));
    // Discord says who speaks (op 5) before their audio; the receiver emits 'start' per speaker.
    this.#onStart = (userId) => this.#addUser(userId);
    this.#receiver.speaking.on('start', this.#onStart);
  }

  #addUser(userId) {
    if (this.#users.has(userId)) return;
    const wav = new WavWriter(path.join(this.#dir, `${userId}.wav`), USER);
    // Manual end: one file per user for the whole recording, pauses included.
    const stream = subscribeDecoded(this.#receiver, userId, USER);
    const user = { stream, wav, nextTimestamp: null, kinds: { decoded: 0, concealed: 0, recovered: 0 } };
    stream.on('data', (frame) => {
      // The timestamp jumps over a pause: write it as silence so the file keeps real time.
      if (user.nextTimestamp !== null) {
        const gap = (frame.timestamp - user.nextTimestamp) >>> 0;
        if (gap > 0 && gap < 60 * RTP_HZ) wav.writeSilence(gap / RTP_HZ);
      }
      user.nextTimestamp = (frame.timestamp + 960) >>> 0;
      user.kinds[frame.kind]++;
      wav.write(frame.pcm);
    });
    stream.on('warning', (err) => console.warn(`${userId}: ${err.message}`));
    this.#users.set(userId, user);
  }

  /**
   * Stops: ends the subscriptions and the mix, closes the files.
   * @returns {Promise<{ mixed: { file: string, seconds: number }, users: { userId: string, file: string,
   *   seconds: number, frames: { decoded: number, concealed: number, recovered: number } }[] }>}
   */
  async stop() {
    this.#receiver.speaking.off('start', this.#onStart);
    const ended = new Promise((resolve) => this.#mix.once('close', resolve));
    this.#mix.end();  // plays out its jitter buffer, then ends
    await ended;
    this.#mixWav.close();
    const users = [];
    for (const [userId, { stream, wav, kinds }] of this.#users) {
      stream.destroy();
      wav.close();
      users.push({ userId, file: wav.file, seconds: wav.seconds, frames: kinds });
    }
    return { mixed: { file: this.#mixWav.file, seconds: this.#mixWav.seconds }, users };
  }
}

module.exports = { Recording, USER, MIX };
