'use strict';
// voxpool/voice against the real @discordjs/voice, 0.19.2 and 0.18.0: resources played by a real
// AudioPlayer (what its 20 ms cycle reads is collected and decoded), and the receive helpers fed
// through a real VoiceReceiver / AudioReceiveStream. Test media are made with ffmpeg and opusenc.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync, execFileSync: run } = require('node:child_process');
const { Readable } = require('node:stream');
const { setTimeout: sleep } = require('node:timers/promises');
const { OpusEncoder } = require('@discordjs/opus');
const prism = require('prism-media');
const voxpool = require('voxpool');
const voxVoice = require('voxpool/voice');

const VERSIONS = [
  ['0.19.2', require('@discordjs/voice')],
  ['0.18.0', require('@discordjs/voice-0.18')],
];
const RATE = 48000;
const FRAME_BYTES = 3840;  // 20 ms, 48 kHz stereo s16le
const SILENCE = Buffer.from([0xf8, 0xff, 0xfe]);
const AMP = 0.3;

const unhandled = [];
process.on('unhandledRejection', (err) => unhandled.push(err));

// ---- signals ----

/** 48 kHz stereo s16le sine, both channels alike. */
function sine(freq, seconds, amp = AMP) {
  const n = Math.round(seconds * RATE);
  const buf = Buffer.alloc(n * 4);
  for (let i = 0; i < n; i++) {
    const v = Math.round(amp * 32767 * Math.sin(2 * Math.PI * freq * i / RATE));
    buf.writeInt16LE(v, i * 4);
    buf.writeInt16LE(v, i * 4 + 2);
  }
  return buf;
}

function framesOf(pcm, bytes = FRAME_BYTES) {
  const out = [];
  for (let at = 0; at < pcm.length; at += bytes) out.push(pcm.subarray(at, at + bytes));
  return out;
}

/** Left channel (or the only one) as numbers. */
function mono(pcm, channels = 2) {
  const s = new Int16Array(pcm.buffer, pcm.byteOffset, pcm.length / 2);
  const out = new Float64Array(s.length / channels);
  for (let i = 0; i < out.length; i++) out[i] = s[i * channels];
  return out;
}

function rms(x) {
  let sum = 0;
  for (const v of x) sum += v * v;
  return Math.sqrt(sum / Math.max(1, x.length));
}

/** Goertzel power of `freq` in x (sample rate `rate`), normalised by length. */
function power(x, freq, rate = RATE) {
  const k = 2 * Math.cos(2 * Math.PI * freq / rate);
  let s1 = 0;
  let s2 = 0;
  for (const v of x) {
    const s = v + k * s1 - s2;
    s2 = s1;
    s1 = s;
  }
  return (s1 * s1 + s2 * s2 - k * s1 * s2) / x.length;
}

/** The strongest frequency, 100..2000 Hz in 10 Hz steps, over 100 ms from the middle of x. */
function dominant(x, rate = RATE) {
  const mid = Math.floor(x.length / 2);
  const w = x.subarray(Math.max(0, mid - rate / 20), mid + rate / 20);
  let best = 0;
  let bestP = -1;
  for (let f = 100; f <= 2000; f += 10) {
    const p = power(w, f, rate);
    if (p > bestP) {
      bestP = p;
      best = f;
    }
  }
  return best;
}

/** Decodes Opus packets with @discordjs/opus (an independent libopus build). */
function decodeAll(packets) {
  const dec = new OpusEncoder(RATE, 2);
  return Buffer.concat(packets.map((p) => dec.decode(p)));
}

/** RMS of each 20 ms frame of the left channel. */
function frameRms(pcm) {
  return framesOf(pcm).map((f) => rms(mono(f)));
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

// ---- media files ----

let dir;
const media = {};

test.before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'voxpool-voice-'));
  const ff = (...args) => run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args], { stdio: 'pipe' });
  const lavfi = ['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000:duration=1', '-ac', '2'];
  media.wav = path.join(dir, 'sine.wav');
  ff(...lavfi, media.wav);
  media.mp3 = path.join(dir, 'sine.mp3');
  ff(...lavfi, '-c:a', 'libmp3lame', '-b:a', '128k', media.mp3);
  media.webm = path.join(dir, 'sine.webm');
  ff(...lavfi, '-c:a', 'libopus', '-b:a', '96k', media.webm);
  media.ogg = path.join(dir, 'sine.opus');
  run('opusenc', ['--quiet', media.wav, media.ogg], { stdio: 'pipe' });
});

test.after(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

// ---- playing ----

/**
 * Plays `resource` on a real AudioPlayer (no subscriber: it plays anyway) and records what the
 * player's 20 ms cycle reads from it: Opus packets, padding silence frames and empty reads.
 * maxMissedFrames is raised from 5: on a machine shared with other work an empty read can happen
 * (issue 7, item 2, is about that); here the content is under test, not the cadence.
 */
function play(voice, resource, { during } = {}) {
  const player = voice.createAudioPlayer({ behaviors: { noSubscriber: voice.NoSubscriberBehavior.Play, maxMissedFrames: 100 } });
  const rec = { packets: [], padding: 0, misses: 0, player };
  const read = resource.read.bind(resource);
  resource.read = () => {
    const p = read();
    if (p === null) rec.misses++;
    else if (resource.silenceRemaining !== -1) rec.padding++;  // a padding frame (silenceRemaining counts down)
    else rec.packets.push(p);
    if (during && p) during(rec);
    return p;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('playback did not end within 15 s')), 15000);
    player.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    player.on('stateChange', (_old, next) => {
      if (next.status === voice.AudioPlayerStatus.Idle) {
        clearTimeout(timer);
        resolve(rec);
      }
    });
    player.play(resource);
  });
}

function rawStream(pcm) {
  return Readable.from(framesOf(pcm), { objectMode: false });
}

function edgeTypes(resource) {
  return resource.edges.map((e) => e.type);
}

function assertSine(pcm, freq, what, { channels = 2, rate = RATE } = {}) {
  const x = mono(pcm, channels);
  const f = dominant(x, rate);
  assert.ok(Math.abs(f - freq) <= 10, `${what}: dominant ${f} Hz, expected ${freq}`);
}

// ---- resources ----

// The resource tests of one version play at the same time (the player's cycle is real time).
for (const [version, voice] of VERSIONS) {
  const api = voxVoice.withVoice(voice);
  const { StreamType } = voice;

  test.describe(`${version} resources`, { concurrency: true }, () => {

    test(`${version}: every input kind plays through a genuine AudioResource on the pool, as the source`, async () => {
      const source = sine(440, 1);
      const sourceRms = rms(mono(source));
      const packets = framesOf(source).map((f) => new voxpool.Encoder().encode(f));
      const cases = [];
      const add = (name, resource, check) => cases.push({ name, resource, check });

      const meta = { title: 'sine' };
      add('raw Buffer stream', api.createAudioResource(rawStream(source), { inputType: StreamType.Raw, metadata: meta, silencePaddingFrames: 3 }),
        (r, rec) => {
          assert.ok(r instanceof voice.AudioResource);
          assert.deepEqual(edgeTypes(r), ['opus encoder']);
          assert.equal(r.edges[0].from.type, 'raw');
          assert.equal(r.edges[0].to.type, 'opus');
          assert.equal(typeof r.edges[0].transformer, 'function');
          assert.ok(r.encoder instanceof voxpool.OpusEncoderStream);
          assert.equal(r.volume, undefined);
          assert.equal(r.metadata, meta);
          assert.equal(r.silencePaddingFrames, 3);
          assert.equal(rec.padding, 3);
          assert.equal(rec.packets.length, 50);
          const out = decodeAll(rec.packets);
          assert.ok(Math.abs(rms(mono(out)) / sourceRms - 1) < 0.1, `RMS ${rms(mono(out))} vs ${sourceRms}`);
        });
      add('raw, no padding', api.createAudioResource(rawStream(source), { inputType: StreamType.Raw, silencePaddingFrames: 0 }),
        (r, rec) => {
          assert.equal(r.metadata, null);
          assert.equal(rec.padding, 0);
        });
      const half = api.createAudioResource(rawStream(source), { inputType: StreamType.Raw, inlineVolume: true });
      half.volume.setVolume(0.5);
      add('raw with inlineVolume 0.5', half, (r, rec) => {
        assert.deepEqual(edgeTypes(r), ['volume transformer', 'opus encoder']);
        assert.ok(r.volume instanceof voxpool.VolumeTransformer);
        const ratio = median(frameRms(decodeAll(rec.packets)).slice(5, 45)) / sourceRms;
        assert.ok(Math.abs(ratio - 0.5) < 0.04, `volume 0.5 gave RMS ratio ${ratio}`);
      });

      const decoderStream = new voxpool.OpusDecoderStream();
      Readable.from(packets).pipe(decoderStream);
      add('OpusDecoderStream (inferred Raw)', api.createAudioResource(decoderStream), (r) => {
        assert.deepEqual(edgeTypes(r), ['opus encoder']);
      });

      const vt = voxpool.createVolumeTransformer({ volume: 0.5 });
      rawStream(source).pipe(vt);
      add('VolumeTransformer (inferred Raw with volume)', api.createAudioResource(vt, { inlineVolume: true }), (r, rec) => {
        assert.deepEqual(edgeTypes(r), ['opus encoder']);
        assert.equal(r.volume, vt);
        const ratio = median(frameRms(decodeAll(rec.packets)).slice(5, 45)) / sourceRms;
        assert.ok(Math.abs(ratio - 0.5) < 0.04, `ratio ${ratio}`);
      });

      const encoderStream = voxpool.createEncoderStream();
      rawStream(source).pipe(encoderStream);
      add('OpusEncoderStream (inferred Opus)', api.createAudioResource(encoderStream), (r) => {
        assert.deepEqual(edgeTypes(r), []);
        assert.equal(r.playStream, encoderStream);
      });

      const encoderStream2 = voxpool.createEncoderStream();
      rawStream(source).pipe(encoderStream2);
      const transcoded = api.createAudioResource(encoderStream2, { inlineVolume: true });
      transcoded.volume.setVolume(0.5);
      transcoded.encoder.setBitrate(96000);
      assert.equal(transcoded.encoder.encoder.getBitrate(), 96000);
      add('Opus with inlineVolume (decode → volume → encode, one pool job per frame)', transcoded, (r, rec) => {
        assert.deepEqual(edgeTypes(r), ['opus decoder', 'volume transformer', 'opus encoder']);
        assert.ok(r.volume instanceof voxpool.OpusTranscodeStream);
        assert.equal(r.encoder, r.volume);
        assert.equal(r.playStream, r.volume);
        const ratio = median(frameRms(decodeAll(rec.packets)).slice(5, 45)) / sourceRms;
        assert.ok(Math.abs(ratio - 0.5) < 0.05, `ratio ${ratio}`);
      });

      const prismPackets = new prism.opus.OggDemuxer();
      fs.createReadStream(media.ogg).pipe(prismPackets);
      add('prism OggDemuxer (inferred Opus)', api.createAudioResource(prismPackets), (r) => {
        assert.deepEqual(edgeTypes(r), []);
      });
      add('Ogg/Opus file (opusenc): passthrough, demuxed by voxpool', api.createAudioResource(fs.createReadStream(media.ogg), { inputType: StreamType.OggOpus }), (r) => {
        assert.deepEqual(edgeTypes(r), ['ogg/opus demuxer']);
        assert.ok(r.playStream instanceof voxpool.OggDemuxer);
      });
      const oggHalf = api.createAudioResource(fs.createReadStream(media.ogg), { inputType: StreamType.OggOpus, inlineVolume: true });
      oggHalf.volume.setVolume(0.5);
      add('Ogg/Opus with inlineVolume (voxpool demuxer → one pool job per frame)', oggHalf, (r, rec) => {
        assert.deepEqual(edgeTypes(r), ['ogg/opus demuxer', 'opus decoder', 'volume transformer', 'opus encoder']);
        assert.ok(r.volume instanceof voxpool.OpusTranscodeStream);
        const unity = median(frameRms(decodeAll(byName.get('Ogg/Opus file (opusenc): passthrough, demuxed by voxpool').packets)).slice(5, 45));
        const ratio = median(frameRms(decodeAll(rec.packets)).slice(5, 45)) / unity;
        assert.ok(Math.abs(ratio - 0.5) < 0.06, `ratio ${ratio}`);
      });
      add('WebM/Opus file (ffmpeg): passthrough, demuxed by voxpool', api.createAudioResource(fs.createReadStream(media.webm), { inputType: StreamType.WebmOpus }), (r) => {
        assert.deepEqual(edgeTypes(r), ['webm/opus demuxer']);
        assert.ok(r.playStream instanceof voxpool.WebmDemuxer);
      });
      const webmHalf = api.createAudioResource(fs.createReadStream(media.webm), { inputType: StreamType.WebmOpus, inlineVolume: true });
      webmHalf.volume.setVolumeDecibels(20 * Math.log10(0.5));
      add('WebM/Opus with inlineVolume', webmHalf, (r, rec) => {
        assert.deepEqual(edgeTypes(r), ['webm/opus demuxer', 'opus decoder', 'volume transformer', 'opus encoder']);
        assert.ok(r.volume instanceof voxpool.OpusTranscodeStream);
        const unity = median(frameRms(decodeAll(byName.get('WebM/Opus file (ffmpeg): passthrough, demuxed by voxpool').packets)).slice(5, 45));
        const ratio = median(frameRms(decodeAll(rec.packets)).slice(5, 45)) / unity;
        assert.ok(Math.abs(ratio - 0.5) < 0.06, `ratio ${ratio}`);
      });
      // Lavalink's filters in the encoder's job: volume 0.5 on Lavalink's curve is tan(0.395).
      const lavalinkHalf = Math.tan(0.5 * 0.79);
      add('raw with filters (in the encode job)', api.createAudioResource(rawStream(source), { inputType: StreamType.Raw, filters: { volume: 0.5 } }),
        (r, rec) => {
          assert.deepEqual(edgeTypes(r), ['opus encoder']);
          assert.deepEqual(r.encoder.filters, { volume: 0.5 });
          assert.equal(r.volume, undefined);
          const ratio = median(frameRms(decodeAll(rec.packets)).slice(5, 45)) / sourceRms;
          assert.ok(Math.abs(ratio - lavalinkHalf) < 0.04, `filters volume 0.5 gave RMS ratio ${ratio}, expected ${lavalinkHalf}`);
        });
      const oggFiltered = api.createAudioResource(fs.createReadStream(media.ogg), { inputType: StreamType.OggOpus, filters: {} });
      oggFiltered.encoder.setFilters({ volume: 0.5, highPass: { cutoffHz: 20 } });
      add('Ogg/Opus with filters (demux → decode → filters → encode, one pool job per frame)', oggFiltered, (r, rec) => {
        assert.deepEqual(edgeTypes(r), ['ogg/opus demuxer', 'opus decoder', 'opus encoder']);
        assert.ok(r.encoder instanceof voxpool.OpusTranscodeStream);
        assert.equal(r.volume, undefined);
        assert.deepEqual(r.encoder.filters, { volume: 0.5, highPass: { cutoffHz: 20 } });
        const unity = median(frameRms(decodeAll(byName.get('Ogg/Opus file (opusenc): passthrough, demuxed by voxpool').packets)).slice(5, 45));
        const ratio = median(frameRms(decodeAll(rec.packets)).slice(5, 45)) / unity;
        assert.ok(Math.abs(ratio - lavalinkHalf) < 0.06, `ratio ${ratio}, expected ${lavalinkHalf}`);
      });
      // timescale (libSoundTouch) in the encoder stream's jobs: speed 1.25 plays the same audio in
      // 0.8 of the packets, at the same pitch.
      add('raw with timescale speed 1.25 (in the encode job; 0.8x the packets)',
        api.createAudioResource(rawStream(source), { inputType: StreamType.Raw, filters: { timescale: { speed: 1.25 } } }),
        (r, rec) => {
          assert.deepEqual(edgeTypes(r), ['opus encoder']);
          assert.deepEqual(r.encoder.filters, { timescale: { speed: 1.25, pitch: 1, rate: 1 } });
          const plain = byName.get('raw with filters (in the encode job)').packets.length;
          const ratio = rec.packets.length / plain;
          assert.ok(Math.abs(ratio - 0.8) < 0.03, `${rec.packets.length} packets against ${plain}: ratio ${ratio}, expected 0.8`);
        });
      add('Ogg/Opus with timescale rate 1.25 (demux → decode → filters + encode: the encoder stream)',
        api.createAudioResource(fs.createReadStream(media.ogg), { inputType: StreamType.OggOpus, filters: { timescale: { rate: 1.25 } } }),
        (r, rec) => {
          assert.deepEqual(edgeTypes(r), ['ogg/opus demuxer', 'opus decoder', 'opus encoder']);
          assert.ok(r.encoder instanceof voxpool.OpusEncoderStream, 'the encoder stream: its jobs make 0..n packets');
          const plain = byName.get('Ogg/Opus file (opusenc): passthrough, demuxed by voxpool').packets.length;
          const ratio = rec.packets.length / plain;
          assert.ok(Math.abs(ratio - 0.8) < 0.03, `${rec.packets.length} packets against ${plain}: ratio ${ratio}, expected 0.8`);
        });
      add('WAV path (Arbitrary, ffmpeg)', api.createAudioResource(media.wav), (r) => {
        assert.deepEqual(edgeTypes(r), ['ffmpeg pcm', 'opus encoder']);
        assert.equal(r.edges[0].from.type, 'arbitrary');
      });
      add('MP3 stream (inferred Arbitrary)', api.createAudioResource(fs.createReadStream(media.mp3)), (r) => {
        assert.deepEqual(edgeTypes(r), ['ffmpeg pcm', 'opus encoder']);
      });

      const results = await Promise.all(cases.map((c) => play(voice, c.resource)));
      const byName = new Map(cases.map((c, i) => [c.name, results[i]]));
      for (let i = 0; i < cases.length; i++) {
        const { name, resource, check } = cases[i];
        const rec = results[i];
        // timescale plays the 1 s source in 0.8 s; rate also raises the pitch by 1.25 (speed keeps it).
        const [lo, hi] = /timescale/.test(name) ? [36, 44] : [45, 55];
        assert.ok(rec.packets.length >= lo && rec.packets.length <= hi, `${name}: ${rec.packets.length} packets`);
        assertSine(decodeAll(rec.packets), /timescale rate 1\.25/.test(name) ? 550 : 440, name);
        check(resource, rec);
        assert.ok(resource.ended, `${name}: ended`);
      }
    });

    test(`${version}: resource.volume ramps, and its prism-named setters and getters work`, async (t) => {
      const source = sine(440, 3);
      const sourceRms = rms(mono(source));
      const r = api.createAudioResource(rawStream(source), { inputType: StreamType.Raw, inlineVolume: true });
      r.volume.setVolumeDecibels(20 * Math.log10(0.5));
      assert.ok(Math.abs(r.volume.volume - 0.5) < 1e-9);
      assert.ok(Math.abs(r.volume.volumeDecibels - 20 * Math.log10(0.5)) < 1e-9);
      r.volume.setVolumeLogarithmic(0.5 ** (1 / 1.660964));
      assert.ok(Math.abs(r.volume.volume - 0.5) < 1e-9);
      assert.ok(Math.abs(r.volume.volumeLogarithmic - 0.5 ** (1 / 1.660964)) < 1e-9);
      let ramped = false;
      const rec = await play(voice, r, {
        during: (state) => {
          if (!ramped && state.packets.length === 10) {
            ramped = true;
            r.volume.setVolume(0.25, { rampMs: 200 });
          }
        },
      });
      assert.equal(rec.packets.length, 150);
      const ratios = frameRms(decodeAll(rec.packets)).map((v) => v / sourceRms);
      // The stages run ahead of the player (read-ahead and stream buffers): the change is heard a
      // few hundred ms after the call, never before it.
      const steady = ratios.slice(3, 10);
      for (const v of steady) assert.ok(Math.abs(v - 0.5) < 0.05, `before the ramp: ${v}`);
      const tail = ratios.slice(-20, -2);
      for (const v of tail) assert.ok(Math.abs(v - 0.25) < 0.03, `after the ramp: ${v}`);
      // A 200 ms ramp: several frames between the two levels, falling, none below the target.
      const between = ratios.map((v, i) => [v, i]).filter(([v]) => v < 0.46 && v > 0.28);
      assert.ok(between.length >= 5, `frames mid-ramp: ${between.length}`);
      for (let k = 1; k < between.length; k++) {
        assert.ok(between[k][0] <= between[k - 1][0] + 0.02, `ramp falls: ${between.map(([v]) => v.toFixed(3))}`);
      }
      for (const v of ratios.slice(5, -2)) assert.ok(v > 0.22, `no undershoot: ${v}`);
      t.diagnostic(`volume change heard ${(between[0][1] - 10) * 20} ms after the call`);
    });

    test(`${version}: resource.encoder setBitrate / setFEC / setPLP act on voxpool's encoder with prism's clamping`, async () => {
      const source = sine(440, 1);
      const low = api.createAudioResource(rawStream(source), { inputType: StreamType.Raw });
      const high = api.createAudioResource(rawStream(source), { inputType: StreamType.Raw });
      low.encoder.setBitrate(8000);      // prism clamps to 16000
      high.encoder.setBitrate(1e6);      // prism clamps to 128000
      assert.equal(low.encoder.encoder.getBitrate(), 16000);
      assert.equal(high.encoder.encoder.getBitrate(), 128000);
      high.encoder.setFEC(true);
      assert.equal(high.encoder.encoder.getCtl(voxpool.opus.CTL.GET_INBAND_FEC), 1);
      high.encoder.setFEC(false);
      assert.equal(high.encoder.encoder.getCtl(voxpool.opus.CTL.GET_INBAND_FEC), 0);
      high.encoder.setPLP(0.15);
      assert.equal(high.encoder.encoder.getCtl(voxpool.opus.CTL.GET_PACKET_LOSS_PERC), 15);
      high.encoder.setPLP(3);
      assert.equal(high.encoder.encoder.getCtl(voxpool.opus.CTL.GET_PACKET_LOSS_PERC), 100);
      high.encoder.setPLP(0);
      assert.throws(() => high.encoder.setBitrate('64k'), { name: 'TypeError', message: 'Expected a number for bitrate but received "64k" of type string' });
      const [a, b] = await Promise.all([play(voice, low), play(voice, high)]);
      const mean = (ps) => ps.reduce((s, p) => s + p.length, 0) / ps.length;
      assert.ok(Math.abs(mean(a.packets) - 40) < 10, `16 kb/s: ${mean(a.packets)} bytes per packet`);
      assert.ok(mean(b.packets) > 4 * mean(a.packets), `128 kb/s: ${mean(b.packets)} vs ${mean(a.packets)}`);
      assertSine(decodeAll(a.packets), 440, '16 kb/s');
    });

    test(`${version}: stopping or destroying mid-play tears every stage down without an unhandled rejection`, async () => {
      const before = unhandled.length;
      const long = sine(440, 3);
      const make = () => {
        const enc = voxpool.createEncoderStream({ readAhead: 16 });
        rawStream(long).pipe(enc);
        return api.createAudioResource(enc, { inlineVolume: true });
      };
      const stopped = make();
      const destroyed = make();
      const ffmpeg = api.createAudioResource(media.mp3, { inlineVolume: true });
      const early = make();
      early.playStream.destroy();  // before anything is read, jobs in flight
      const stages = (r) => [r.playStream, ...(r.volume ? [r.volume] : [])];
      const plays = [stopped, destroyed, ffmpeg].map((r) => play(voice, r));
      await sleep(300);
      stopped.audioPlayer.stop(true);
      destroyed.playStream.destroy();
      ffmpeg.audioPlayer.stop(true);
      await Promise.all(plays);
      await sleep(200);
      for (const r of [stopped, destroyed, ffmpeg, early]) {
        for (const s of stages(r)) assert.ok(s.destroyed, 'stage destroyed');
        assert.ok(r.ended);
      }
      assert.deepEqual(unhandled.slice(before), []);
    });
  });
}

// ---- binding and arguments ----

test('withVoice binds each copy once, and the default binding is require(\'@discordjs/voice\')', () => {
  const [[, v19], [, v18]] = VERSIONS;
  assert.equal(voxVoice.withVoice(v19), voxVoice.withVoice(v19));
  assert.notEqual(voxVoice.withVoice(v19), voxVoice.withVoice(v18));
  const r = voxVoice.createAudioResource(rawStream(sine(440, 0.1)), { inputType: 'raw' });
  assert.ok(r instanceof v19.AudioResource);
  assert.ok(!(voxVoice.withVoice(v18).createAudioResource(rawStream(sine(440, 0.1)), { inputType: 'raw' }) instanceof v19.AudioResource));
  r.playStream.destroy();
  assert.deepEqual(voxVoice.StreamType, { ...v19.StreamType });
  assert.deepEqual(voxVoice.TransformerType, { ...v19.TransformerType });
});

test('a missing @discordjs/voice is named in the error', () => {
  const script = `
    const M = require('node:module');
    const resolve = M._resolveFilename;
    M._resolveFilename = function (request, ...rest) {
      if (request === '@discordjs/voice') {
        const err = new Error("Cannot find module '@discordjs/voice'");
        err.code = 'MODULE_NOT_FOUND';
        throw err;
      }
      return resolve.call(this, request, ...rest);
    };
    try { require('voxpool/voice').createAudioResource('x.mp3'); } catch (e) { console.log(JSON.stringify([e.name, e.code, e.message])); }`;
  const out = JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: path.join(__dirname, '..', '..') }).toString());
  assert.equal(out[0], 'VoxpoolError');
  assert.equal(out[1], 'ERR_VOXPOOL_PEER_MISSING');
  assert.match(out[2], /needs @discordjs\/voice \(>= 0\.18\), which is not installed: run `npm install @discordjs\/voice`/);
});

test('invalid arguments', () => {
  const api = voxVoice.withVoice(VERSIONS[0][1]);
  assert.throws(() => api.createAudioResource(42), { name: 'TypeError', message: 'Expected a path or URL (string) or a Readable stream for input but received 42 of type number' });
  assert.throws(() => api.createAudioResource('a.mp3', []), { name: 'TypeError', message: 'Expected an object for options but received Array(0) of type array' });
  assert.throws(() => api.createAudioResource(rawStream(Buffer.alloc(0)), { inputType: 'mp3' }),
    { name: 'RangeError', message: "Expected one of 'arbitrary', 'ogg/opus', 'opus', 'raw', 'webm/opus' for options.inputType but received \"mp3\" of type string" });
  assert.throws(() => api.createAudioResource('a.mp3', { inlineVolume: 1 }), { name: 'TypeError', message: 'Expected a boolean for options.inlineVolume but received 1 of type number' });
  assert.throws(() => api.createAudioResource('a.mp3', { filters: { tremolo: { depth: 2 } } }),
    { name: 'RangeError', message: 'Expected a number above 0 and at most 1 for options.filters.tremolo.depth but received 2 of type number' });
  assert.throws(() => api.createAudioResource('a.mp3', { silencePaddingFrames: -1 }),
    { name: 'RangeError', message: 'Expected an integer between 0 and 2147483647 for options.silencePaddingFrames but received -1 of type number' });
  const dec16 = new voxpool.OpusDecoderStream({ sampleRate: 16000 });
  assert.throws(() => api.createAudioResource(dec16), { name: 'RangeError', message: /^Expected an OpusDecoderStream decoding to 48 kHz stereo/ });
  dec16.destroy();
  assert.throws(() => voxVoice.withVoice({}), { name: 'TypeError', message: 'Expected the @discordjs/voice module (with AudioResource and StreamType) for voice but received [object Object] of type object' });
  assert.throws(() => voxVoice.subscribeDecoded({}, 'u'), { name: 'TypeError', message: 'Expected a VoiceConnection or VoiceReceiver of @discordjs/voice for connection but received [object Object] of type object' });
  assert.throws(() => voxVoice.createDecodedStream(new Readable({ read() {} }), { window: 65 }),
    { name: 'RangeError', message: 'Expected an integer between 0 and 64 for options.window but received 65 of type number' });
});

test('lib/voice/index.d.ts declares exactly the runtime exports', () => {
  const dts = fs.readFileSync(path.join(__dirname, '..', '..', 'lib', 'voice', 'index.d.ts'), 'utf8');
  const declared = new Set();
  for (const m of dts.matchAll(/^export\s+(?:declare\s+)?(?:class|function|const|let|enum)\s+([A-Za-z_$][\w$]*)/gm)) declared.add(m[1]);
  assert.deepEqual([...declared].sort(), Object.keys(voxVoice).sort());
});

// ---- receive ----

const { KEY, sealAll, every20ms } = require('./helpers');

/** Opus packets of a sine (FEC on, so a lost packet can be rebuilt from the next). */
function opusPackets(freq, seconds) {
  const enc = new voxpool.Encoder({ fec: true, packetLoss: 20, bitrate: 64000 });
  const out = framesOf(sine(freq, seconds)).map((f) => enc.encode(f));
  enc.destroy();
  return out;
}

/** A real VoiceReceiver ready to open aead_aes256_gcm_rtpsize packets sealed with KEY. */
function makeReceiver(voice) {
  const receiver = new voice.VoiceReceiver({ state: { status: 'signalling' } });
  receiver.connectionData = { encryptionMode: 'aead_aes256_gcm_rtpsize', nonceBuffer: Buffer.alloc(12), secretKey: KEY };
  return receiver;
}

async function collect(stream) {
  const out = [];
  for await (const f of stream) out.push(f);
  return out;
}

for (const [version, voice] of VERSIONS) {
  test(`${version}: RTP-numbered packets (discord.js#11432 shape) decode in order, with FEC / PLC for losses`, async () => {
    const packets = opusPackets(440, 1);
    const first = 65530;  // the sequence number wraps
    const decodeRun = async (options) => {
      const source = new voice.AudioReceiveStream({ end: { behavior: voice.EndBehaviorType.Manual } });
      const decoded = voxVoice.createDecodedStream(source, options);
      const order = packets.map((_, i) => i).filter((i) => i !== 10 && i !== 25);
      [order[27], order[28]] = [order[28], order[27]];  // two packets swapped in flight
      for (const i of order) {
        source.push({ payload: packets[i], sequence: (first + i) & 0xffff, timestamp: (1000 + i * 960) >>> 0, ssrc: 42 });
      }
      source.push(null);
      return { frames: await collect(decoded), stats: decoded.stats() };
    };
    const { frames, stats } = await decodeRun();
    assert.equal(frames.length, 50);
    frames.forEach((f, i) => {
      assert.equal(f.sequence, (first + i) & 0xffff);
      assert.equal(f.timestamp, 1000 + i * 960);
      assert.equal(f.ssrc, 42);
      assert.equal(f.pcm.length, FRAME_BYTES);
      assert.equal(f.kind, i === 10 || i === 25 ? 'recovered' : 'decoded', `frame ${i}`);
    });
    assert.deepEqual(stats, { packets: 48, decoded: 48, concealed: 0, recovered: 2, late: 0, corrupt: 0 });
    // Before the first loss the frames are exactly what a voxpool Decoder gives; the whole is the sine.
    const ref = new voxpool.Decoder();
    for (let i = 0; i < 10; i++) assert.deepEqual(frames[i].pcm, ref.decode(packets[i]), `frame ${i}`);
    ref.destroy();
    const pcm = Buffer.concat(frames.map((f) => f.pcm));
    assertSine(pcm, 440, 'decoded');
    const levels = frameRms(pcm).slice(2);
    for (const v of levels) assert.ok(v > 0.5 * rms(mono(sine(440, 0.1))), `no dropout: ${v}`);

    const plc = await decodeRun({ fec: false, sampleRate: 16000, channels: 1 });
    assert.equal(plc.frames.length, 50);
    assert.deepEqual(plc.frames.map((f) => f.kind).filter((k) => k !== 'decoded'), ['concealed', 'concealed']);
    assert.equal(plc.frames[10].kind, 'concealed');
    for (const f of plc.frames) assert.equal(f.pcm.length, 320 * 2);  // 20 ms at 16 kHz mono
    assertSine(Buffer.concat(plc.frames.map((f) => f.pcm)), 440, '16 kHz', { channels: 1, rate: 16000 });
  });

  test(`${version}: a packet held for a missing one is released after window × 20 ms, not at the end`, async () => {
    const packets = opusPackets(440, 0.24);
    const source = new voice.AudioReceiveStream({ end: { behavior: voice.EndBehaviorType.Manual } });
    const decoded = voxVoice.createDecodedStream(source, { window: 2 });
    const frames = [];
    decoded.on('data', (f) => frames.push(f));
    for (let i = 0; i < 12; i++) {
      if (i !== 10) source.push({ payload: packets[i], sequence: i, timestamp: i * 960, ssrc: 7 });
    }
    await sleep(150);  // nothing more arrives: packet 11 must not wait for the stream's end
    assert.deepEqual(frames.map((f) => f.kind), [...Array(10).fill('decoded'), 'recovered', 'decoded']);
    const late = packets[10];
    source.push({ payload: late, sequence: 10, timestamp: 9600, ssrc: 7 });  // too late: dropped
    source.push(null);
    await new Promise((resolve) => decoded.once('end', resolve));
    assert.equal(frames.length, 12);
    assert.equal(decoded.stats().late, 1);
  });

  test(`${version}: subscribeDecoded over a real VoiceReceiver conceals dropped packets with 20 ms frames`, async () => {
    const packets = opusPackets(440, 0.8);
    const sealed = sealAll(1234, packets);
    const receiver = makeReceiver(voice);
    receiver.ssrcMap.update({ userId: 'alice', audioSSRC: 1234 });
    const decoded = voxVoice.subscribeDecoded(receiver, 'alice', { end: { behavior: voice.EndBehaviorType.AfterSilence, duration: 200 } });
    assert.ok(receiver.subscriptions.has('alice'));
    const frames = collect(decoded);
    await every20ms(sealed.length, (i) => { if (i !== 20 && i !== 21) receiver.onUdpMessage(sealed[i]); });
    const got = await frames;
    // Plain Buffers carry no sequence numbers: the loss is seen in the arrival times (a 60 ms
    // gap here). A timer late by more than 15 ms on a busy machine looks like one more loss.
    assert.ok(got.length >= 39 && got.length <= 42, `${got.length} frames`);
    const lost = got.filter((f) => f.kind !== 'decoded');
    assert.ok(lost.length >= 1, 'the dropped packet is concealed');
    for (const f of got) {
      assert.equal(f.pcm.length, FRAME_BYTES);
      assert.equal(f.userId, 'alice');
    }
    assert.equal(got[0].timestamp, 0);
    for (let i = 1; i < got.length; i++) {
      const step = got[i].timestamp - got[i - 1].timestamp;
      assert.ok(step > 0 && step % 960 === 0, `timestamps advance by whole frames: ${step}`);
      assert.equal(got[i].sequence, (got[i - 1].sequence + 1) & 0xffff);
    }
    assertSine(Buffer.concat(got.map((f) => f.pcm)), 440, 'received');
    assert.ok(!receiver.subscriptions.has('alice'), 'the subscription ended with the stream');
  });

  test(`${version}: createSpeakerMix mixes every speaker at the requested rate and channels`, async () => {
    const receiver = makeReceiver(voice);
    receiver.ssrcMap.update({ userId: 'alice', audioSSRC: 111 });
    receiver.ssrcMap.update({ userId: 'bob', audioSSRC: 222 });
    const a = sealAll(111, opusPackets(440, 0.8));
    const b = sealAll(222, opusPackets(880, 0.8), 9000);
    // A deeper jitter buffer than the default 3 frames: on a shared machine decoding can lag.
    const mix = voxVoice.createSpeakerMix(receiver, { outputRate: 16000, outputChannels: 1, jitterFrames: 8 });
    const chunks = [];
    mix.on('data', (c) => chunks.push(c));
    await every20ms(a.length, (i) => {
      receiver.onUdpMessage(a[i]);
      receiver.onUdpMessage(b[i]);
    });
    assert.deepEqual(mix.users.sort(), ['alice', 'bob']);
    await sleep(150);
    mix.end();
    await new Promise((resolve) => mix.once('end', resolve));
    assert.ok(!receiver.subscriptions.has('alice') && !receiver.subscriptions.has('bob'), 'subscriptions closed');
    for (const c of chunks) assert.equal(c.length, 320 * 2, 'a 20 ms frame of 16 kHz mono s16le');
    assert.ok(chunks.length >= 40, `${chunks.length} frames`);
    const x = mono(Buffer.concat(chunks), 1);
    const p440 = power(x, 440, 16000);
    const p880 = power(x, 880, 16000);
    const pOff = power(x, 1234, 16000);
    assert.ok(p440 > 100 * pOff && p880 > 100 * pOff, `440: ${p440}, 880: ${p880}, 1234: ${pOff}`);
    assert.ok(p440 / p880 > 0.2 && p440 / p880 < 5, `both speakers at similar level: 440: ${p440}, 880: ${p880}; ${chunks.length} frames; ${JSON.stringify(mix.mixer.speakers().map((s) => [s, mix.mixer.speakerStats(s)]))}`);
  });
}

test('no unhandled rejection anywhere', async () => {
  await sleep(100);
  assert.deepEqual(unhandled, []);
});
