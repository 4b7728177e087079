'use strict';
// One guild's music: a queue played by an AudioPlayer, every track a voxpool/voice resource (its
// encoding and volume on voxpool's pool, off the event loop), with a volume that carries over
// from track to track. Knows nothing of discord.js: index.js hands it a VoiceConnection.
const fs = require('node:fs');
const { Readable } = require('node:stream');
const voice = require('@discordjs/voice');
const { createAudioResource, demuxProbe, StreamType } = require('voxpool/voice');

/**
 * 48 kHz stereo s16le sine, made as it is read: "generated audio" needs no file or FFmpeg.
 * @param {number} frequency Hz
 * @param {number} seconds
 * @param {number} [amplitude=0.5] fraction of full scale
 */
function tone(frequency, seconds, amplitude = 0.5) {
  let offset = 0;
  const total = Math.round(seconds * 48000);
  return Readable.from((function* frames() {
    while (offset < total) {
      const n = Math.min(960, total - offset);
      const pcm = Buffer.alloc(n * 4);
      for (let i = 0; i < n; i++) {
        const v = Math.round(amplitude * 32767 * Math.sin((2 * Math.PI * frequency * (offset + i)) / 48000));
        pcm.writeInt16LE(v, i * 4);
        pcm.writeInt16LE(v, i * 4 + 2);
      }
      offset += n;
      yield pcm;
    }
  })());
}

/**
 * A resource for what `play` accepts: `tone:<Hz>[:<seconds>]` (generated PCM), a file path
 * (Ogg/Opus and WebM/Opus demuxed by voxpool on the pool; anything else, e.g. MP3, decoded by FFmpeg), or
 * an http(s) URL (FFmpeg).
 * @returns {Promise<import('@discordjs/voice').AudioResource>}
 */
async function resourceFor(query, metadata, volume) {
  // inlineVolume on every track, so the volume can change while it plays: for Ogg/WebM Opus that
  // means decode → gain → encode as one pool job per frame, still off the event loop.
  const options = { inlineVolume: true, metadata };
  // The volume is set in the same tick as the resource is made: its pipeline starts flowing on
  // the next one, and frames it scales before a later setVolume() would play at the old level.
  const atVolume = (resource) => {
    resource.volume.setVolume(volume, { rampMs: 0 });
    return resource;
  };
  const generated = /^tone:(\d+(?:\.\d+)?)(?::(\d+(?:\.\d+)?))?$/.exec(query);
  if (generated) {
    return atVolume(createAudioResource(tone(Number(generated[1]), Number(generated[2] ?? 5)), { ...options, inputType: StreamType.Raw }));
  }
  if (/^https?:\/\//.test(query)) return atVolume(createAudioResource(query, options));
  // demuxProbe (@discordjs/voice's, on voxpool's demuxers) tells Ogg/Opus and WebM/Opus from
  // anything else.
  const { stream, type } = await demuxProbe(fs.createReadStream(query));
  return atVolume(createAudioResource(stream, { ...options, inputType: type }));
}

class GuildMusic {
  /** @type {{ query: string, title: string }[]} */
  queue = [];
  /** linear, 1 = as recorded */
  volume = 1;
  #connection;
  #starting = false;

  /**
   * @param {import('@discordjs/voice').VoiceConnection} connection
   * @param {{ log?: (line: string) => void }} [options]
   */
  constructor(connection, { log = console.log } = {}) {
    this.#connection = connection;
    this.log = log;
    this.player = voice.createAudioPlayer();
    connection.subscribe(this.player);
    this.player.on('stateChange', (from, to) => {
      if (to.status === voice.AudioPlayerStatus.Idle && from.status !== voice.AudioPlayerStatus.Idle) this.#next();
    });
    this.player.on('error', (err) => this.log(`error playing ${err.resource.metadata.title}: ${err.message}`));
  }

  /** @returns {{ title: string } | null} the track playing now */
  get current() {
    return this.player.state.status === voice.AudioPlayerStatus.Idle ? null : this.player.state.resource.metadata;
  }

  /** Adds a track; starts it if nothing plays. */
  enqueue(query) {
    this.queue.push({ query, title: query });
    this.log(`queued ${query}`);
    if (this.player.state.status === voice.AudioPlayerStatus.Idle) this.#next();
  }

  /** @param {number} volume linear, 0..2 (the player ramps to it, no click) */
  setVolume(volume) {
    this.volume = volume;
    this.player.state.resource?.volume?.setVolume(volume);
    this.log(`volume ${Math.round(volume * 100)}%`);
  }

  /** Ends the current track (after its silence frames); the next one starts. */
  skip() {
    this.log(`skip ${this.current?.title ?? '(nothing)'}`);
    this.player.stop();
  }

  /** Empties the queue and ends the current track. */
  stop() {
    this.queue.length = 0;
    this.log('stop');
    this.player.stop();
  }

  /** Stops and leaves the channel. */
  leave() {
    this.queue.length = 0;
    this.player.stop();
    this.#connection.destroy();
    this.log('left');
  }

  async #next() {
    if (this.#starting) return;
    const track = this.queue.shift();
    if (!track) {
      this.log('queue empty');
      return;
    }
    this.#starting = true;
    try {
      const resource = await resourceFor(track.query, track, this.volume);
      this.player.play(resource);
      this.log(`playing ${track.title}`);
    } catch (err) {
      this.log(`cannot play ${track.title}: ${err.message}`);
      setImmediate(() => this.#next());
    } finally {
      this.#starting = false;
    }
  }
}

module.exports = { GuildMusic, tone, resourceFor };
