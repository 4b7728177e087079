'use strict';
// Records a voice channel to Ogg Opus with voxpool: each speaker's packets written as they arrived
// (no decode, no re-encode) into their own .opus file by an OggMuxer, and everyone mixed, encoded
// once and muxed into mixed.opus (16 kHz mono). The same interface as Recording (recording.js).
const fs = require('node:fs');
const path = require('node:path');
const { pipeline } = require('node:stream/promises');
const { EndBehaviorType } = require('@discordjs/voice');
const { OggMuxer, createEncoderStream } = require('voxpool');
const { createSpeakerMix } = require('voxpool/voice');

const MIX = Object.freeze({ outputRate: 16000, outputChannels: 1 });
const FRAME_MS = 20;
const FRAME_SAMPLES = 960;  // an Ogg Opus granule counts 48 kHz samples, whatever the input rate
// libopus's lookahead at 48 kHz, and at 16 kHz scaled to 48 kHz (104 × 3): what a player drops
// first. Received packets come from Discord clients' libopus at 48 kHz.
const PRE_SKIP = 312;

class OggRecording {
  #dir;
  #receiver;
  #users = new Map();  // userId -> { muxer, done, packets, gaps, lastArrival }
  #mix;
  #mixDone;
  #mixMuxer;
  #onStart;

  /**
   * Starts recording now: the mix at once, a speaker from their first packet.
   * @param {import('@discordjs/voice').VoiceConnection} connection (joined with selfDeaf: false)
   * @param {string} dir where the .opus files go (it must exist)
   */
  constructor(connection, dir) {
    this.#dir = dir;
    this.#receiver = connection.receiver;
    this.#mix = createSpeakerMix(connection, MIX);
    this.#mix.on('warning', (err) => console.warn(`mix: ${err.message}`));
    this.#mixMuxer = new OggMuxer({ channels: MIX.outputChannels, preSkip: PRE_SKIP, inputSampleRate: MIX.outputRate });
    this.#mixDone = pipeline(
      this.#mix,
      createEncoderStream({ sampleRate: MIX.outputRate, channels: MIX.outputChannels }),
      this.#mixMuxer,
      fs.createWriteStream(path.join(dir, 'mixed.opus')),
    );
    this.#onStart = (userId) => this.#addUser(userId);
    this.#receiver.speaking.on('start', this.#onStart);
  }

  #addUser(userId) {
    if (this.#users.has(userId)) return;
    const file = path.join(this.#dir, `${userId}.opus`);
    const muxer = new OggMuxer({ channels: 2, preSkip: PRE_SKIP, tags: { comments: { ARTIST: userId } } });
    const user = { file, muxer, done: pipeline(muxer, fs.createWriteStream(file)), packets: 0, gapSamples: 0, lastArrival: null };
    // Manual end: one file per user for the whole recording. @discordjs/voice hands out packets
    // without their RTP timestamps, so a pause is seen by arrival time and written as a gap
    // (silence packets) so that the file keeps real time.
    const source = this.#receiver.subscribe(userId, { end: { behavior: EndBehaviorType.Manual } });
    source.on('data', (packet) => {
      const now = performance.now();
      if (user.lastArrival !== null) {
        const missed = Math.round((now - user.lastArrival) / FRAME_MS) - 1;
        if (missed > 1) {
          muxer.gap(missed * FRAME_SAMPLES);
          user.gapSamples += missed * FRAME_SAMPLES;
        }
      }
      user.lastArrival = now;
      user.packets++;
      muxer.write(packet);
    });
    user.source = source;
    this.#users.set(userId, user);
  }

  /**
   * Stops: ends the subscriptions and the mix, writes each file's last page (EOS).
   * @returns {Promise<{ mixed: { file: string, seconds: number }, users: { userId: string, file: string,
   *   seconds: number, packets: number, gapSeconds: number }[] }>}
   */
  async stop() {
    this.#receiver.speaking.off('start', this.#onStart);
    this.#mix.end();  // plays out its jitter buffer, then ends; the pipeline writes the last page
    await this.#mixDone;
    const users = [];
    for (const [userId, user] of this.#users) {
      user.source.destroy();
      user.muxer.end();
      await user.done;
      users.push({ userId, file: user.file, seconds: (user.muxer.granule - PRE_SKIP) / 48000, packets: user.packets, gapSeconds: user.gapSamples / 48000 });
    }
    return { mixed: { file: path.join(this.#dir, 'mixed.opus'), seconds: (this.#mixMuxer.granule - PRE_SKIP) / 48000 }, users };
  }
}

module.exports = { OggRecording, MIX, PRE_SKIP };
