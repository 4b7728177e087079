'use strict';
/**
 * Audio resources for `npm run bench:discord` (bench/js/discord.js), made by name in the loopback
 * harness's client process (test/js/voice-server/client.js loads this file as `resourceModule`).
 * Each factory is (voice, options) => AudioResource, `voice` being the @discordjs/voice under test.
 *
 * Every contender plays the same input: raw 48 kHz stereo s16le from bench/js/audio.js (music-like;
 * written to a file by discord.js), read in 16 KiB chunks as a file or an FFmpeg pipe would hand
 * it over. Raw PCM rather than an Arbitrary file: FFmpeg would cost the same in every contender
 * and, at tens of guilds, would drown the encoder cost this benchmark compares.
 *
 * The first factory call also installs the probe (once per process): it observes @discordjs/voice
 * through its exported classes only and writes its figures to `options.probe.file` when the last
 * player goes idle, because the harness's result has no room for them:
 * - audio-cycle lateness: the global cycle calls checkPlayable() on every player first thing in
 *   each step, and steps are due at t0 + 20 ms × k (absolute, @discordjs/voice never re-bases
 *   them while a player exists), so lateness of step k = its start − (t0 + 20 k);
 * - tracks stopped: the harness never calls stop(), so every AudioPlayer#stop() call is the
 *   player giving up after maxMissedFrames null reads;
 * - missed reads: AudioResource#read() returning null while the stream has not ended;
 * - main-thread CPU from the first play() to the last player idle, minus the busy task's own.
 * It also runs the busy task (`options.probe.busy`: a synchronous spin of forMs every everyMs on
 * the main thread, the "busy event loop" condition) over the same window.
 */
const fs = require('node:fs');
const path = require('node:path');
const { Readable } = require('node:stream');
const { performance } = require('node:perf_hooks');
const { threadCpuNs } = require('./common');

const ROOT = path.join(__dirname, '..', '..');
const FRAME_BYTES = 3840;  // 20 ms of 48 kHz stereo s16le
const CHUNK_BYTES = 16384;  // what fs.createReadStream / a pipe hands over per chunk
const BITRATE = 64000;  // every contender and the pre-encoded packets: the same Opus bitrate

let pcmCache = null;
let packetCache = null;

function sourcePcm(file) {
  if (!pcmCache || pcmCache.file !== file) pcmCache = { file, pcm: fs.readFileSync(file) };
  return pcmCache.pcm;
}

/** The pre-encoded packets file: u16 LE length + packet, repeated (written by discord.js). */
function sourcePackets(file) {
  if (!packetCache || packetCache.file !== file) {
    const data = fs.readFileSync(file);
    const packets = [];
    for (let at = 0; at < data.length;) {
      const n = data.readUInt16LE(at);
      packets.push(data.subarray(at + 2, at + 2 + n));
      at += 2 + n;
    }
    packetCache = { file, packets };
  }
  return packetCache.packets;
}

/**
 * `frames` 20 ms frames of the source from frame `offset` (wrapping), as a byte stream that
 * starts flowing `startDelayMs` after it is made (the "spread starts" condition: a track
 * requested later; the player waits in Buffering until its first packet).
 */
function pcmStream({ pcmFile, frames, offset = 0, startDelayMs = 0 }) {
  const pcm = sourcePcm(pcmFile);
  const total = pcm.length;
  let at = (offset * FRAME_BYTES) % total;
  let left = frames * FRAME_BYTES;
  let delay = startDelayMs;
  return new Readable({
    read() {
      if (delay > 0) {
        // Readable calls read() again only after a push: nothing else happens until the timer.
        setTimeout(() => this._read(), delay).unref();
        delay = 0;
        return;
      }
      if (left === 0) {
        this.push(null);
        return;
      }
      const n = Math.min(CHUNK_BYTES, left, total - at);
      left -= n;
      const chunk = pcm.subarray(at, at + n);
      at = (at + n) % total;
      this.push(chunk);
    },
  });
}

// ---- the probe --------------------------------------------------------------------------------

let probe = null;

function installProbe(voice, { file, busy }) {
  if (probe) return;
  probe = {
    file,
    cycles: [],
    inCycle: false,
    started: false,
    done: false,
    players: 0,
    idle: 0,
    stopped: new Set(),
    missedReads: 0,
    busyNs: 0,
    busyRuns: 0,
    busyTimer: null,
  };
  const P = voice.AudioPlayer.prototype;

  const checkPlayable = P.checkPlayable;
  P.checkPlayable = function () {
    if (!probe.inCycle && probe.started && !probe.done) {
      probe.inCycle = true;
      probe.cycles.push(performance.now());
      queueMicrotask(() => { probe.inCycle = false; });
    }
    return checkPlayable.call(this);
  };

  const stop = P.stop;
  P.stop = function (...args) {
    if (this.state.status !== 'idle') probe.stopped.add(this);
    return stop.apply(this, args);
  };

  const read = voice.AudioResource.prototype.read;
  voice.AudioResource.prototype.read = function () {
    const packet = read.call(this);
    if (packet === null && this.silenceRemaining === -1 && !this.playStream.readableEnded) probe.missedReads++;
    return packet;
  };

  const play = P.play;
  P.play = function (resource) {
    if (!probe.started) startWindow(busy);
    probe.players++;
    this.on('stateChange', (from, to) => {
      if (to.status === 'idle' && from.status !== 'idle' && ++probe.idle === probe.players) endWindow();
    });
    return play.call(this, resource);
  };
}

function startWindow(busy) {
  probe.started = true;
  probe.t0 = performance.now();
  probe.cpu0 = threadCpuNs();
  if (busy) {
    // The "busy event loop": a bot's own synchronous work (a command handler, JSON, a DB driver)
    // holding the main thread for forMs every everyMs.
    probe.busyTimer = setInterval(() => {
      const c0 = threadCpuNs();
      const end = performance.now() + busy.forMs;
      while (performance.now() < end) { /* spin */ }
      probe.busyNs += threadCpuNs() - c0;
      probe.busyRuns++;
    }, busy.everyMs);
  }
}

function endWindow() {
  probe.done = true;
  if (probe.busyTimer) clearInterval(probe.busyTimer);
  const cpuNs = threadCpuNs() - probe.cpu0;
  const { cycles } = probe;
  const late = cycles.map((t, k) => Math.max(0, t - (cycles[0] + 20 * k)));
  const sorted = Float64Array.from(late).sort();
  const q = (p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] : NaN);
  fs.writeFileSync(probe.file, JSON.stringify({
    windowMs: performance.now() - probe.t0,
    mainCpuMs: cpuNs / 1e6,
    busyCpuMs: probe.busyNs / 1e6,
    busyRuns: probe.busyRuns,
    players: probe.players,
    tracksStopped: probe.stopped.size,
    missedReads: probe.missedReads,
    cycles: cycles.length,
    cycleLateMs: { p50: q(0.5), p99: q(0.99), max: sorted.length ? sorted[sorted.length - 1] : NaN },
    cyclesOver5Ms: late.filter((x) => x > 5).length,
  }));
}

// ---- the contenders -----------------------------------------------------------------------------

/**
 * @typedef {{ pcmFile: string, packetFile?: string, frames: number, offset?: number,
 *   startDelayMs?: number, probe: { file: string, busy?: { everyMs: number, forMs: number } } }} Options
 */

function finish(resource, inlineVolume) {
  // The same bitrate everywhere; the volume at 0.5 so the volume stage does real work.
  if (resource.encoder) resource.encoder.setBitrate(BITRATE);
  if (inlineVolume) resource.volume.setVolume(0.5);
  return resource;
}

function stockFactory(inlineVolume) {
  /** @param {Options} options */
  return (voice, options) => {
    installProbe(voice, options.probe);
    // @discordjs/voice's own pipeline: Raw → (prism VolumeTransformer →) prism opus.Encoder
    // (@discordjs/opus), all on the event loop.
    return finish(voice.createAudioResource(pcmStream(options), { inputType: voice.StreamType.Raw, inlineVolume }), inlineVolume);
  };
}

function voxpoolFactory(inlineVolume) {
  /** @param {Options} options */
  return (voice, options) => {
    installProbe(voice, options.probe);
    // voxpool/voice bound to the very module the client loaded.
    const { withVoice } = require(path.join(ROOT, 'lib', 'voice'));
    const vox = withVoice(voice);
    return finish(vox.createAudioResource(pcmStream(options), { inputType: vox.StreamType.Raw, inlineVolume }), inlineVolume);
  };
}

/**
 * The floor: ready Opus packets (encoded once by discord.js, outside the measured window) as an
 * object-mode stream, StreamType.Opus. What remains is @discordjs/voice's own per-packet work:
 * RTP header, transport encryption, dispatch, timers.
 * @param {Options} options
 */
function preEncoded(voice, options) {
  installProbe(voice, options.probe);
  const packets = sourcePackets(options.packetFile);
  let k = options.offset ?? 0;
  let left = options.frames;
  let delay = options.startDelayMs ?? 0;
  const stream = new Readable({
    objectMode: true,
    read() {
      if (delay > 0) {
        // Readable calls read() again only after a push: nothing else happens until the timer.
        setTimeout(() => this._read(), delay).unref();
        delay = 0;
        return;
      }
      if (left-- === 0) {
        this.push(null);
        return;
      }
      this.push(packets[k++ % packets.length]);
    },
  });
  return voice.createAudioResource(stream, { inputType: voice.StreamType.Opus });
}

module.exports = {
  stock: stockFactory(false),
  stockInlineVolume: stockFactory(true),
  voxpool: voxpoolFactory(false),
  voxpoolInlineVolume: voxpoolFactory(true),
  preEncoded,
};
