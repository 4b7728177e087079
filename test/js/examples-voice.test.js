'use strict';
// The voice examples run offline as documented (`--offline`: the real @discordjs/voice against the
// loopback voice server in test/js/voice-server/), and what they produced is checked: what the
// server received from examples/music-bot, the WAV files examples/recorder wrote.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFile, execFileSync } = require('node:child_process');
const { promisify } = require('node:util');
const { fitSines } = require('./voice-server');

const dir = path.join(__dirname, '..', '..', 'examples');
const run = (example, args) => promisify(execFile)(process.execPath, [path.join(dir, example), ...args], { encoding: 'utf8', timeout: 60000 });

/** The JSON an example prints after `prefix`. */
function reportOf(stdout, prefix) {
  const line = stdout.split('\n').find((l) => l.startsWith(prefix));
  assert.ok(line, stdout);
  return JSON.parse(line.slice(prefix.length));
}

/** 1 s stereo tone file made by ffmpeg, both channels at `amplitude`. */
function toneFile(tmp, name, frequency, codecArgs, amplitude = 0.4) {
  const file = path.join(tmp, name);
  const expr = `${amplitude}*sin(2*PI*${frequency}*t)`;
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `aevalsrc=${expr}|${expr}:s=48000:d=1`, ...codecArgs, file]);
  return file;
}

test('examples/music-bot --offline plays, changes volume, skips and stops on the loopback server', { timeout: 90000 }, async (t) => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'voxpool-music-bot-'));
  t.after(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const files = [
    toneFile(tmp, 'a.ogg', 550, ['-c:a', 'libopus']),
    toneFile(tmp, 'b.mp3', 770, ['-c:a', 'libmp3lame']),
    toneFile(tmp, 'c.webm', 330, ['-c:a', 'libopus']),
  ];
  const { stdout } = await run('music-bot', ['--offline', ...files]);
  const report = reportOf(stdout, 'server received ');
  t.diagnostic(JSON.stringify(report.tracks));
  assert.deepEqual(report.errors, []);
  const [first, skipped, ogg, mp3, webm, stopped, ...rest] = report.tracks;
  assert.deepEqual(rest, []);
  const near = (track, frequency, amplitude, packets) => {
    const what = JSON.stringify(track);
    assert.ok(Math.abs(track.frequencyHz - frequency) <= 5, what);
    assert.ok(Math.abs(track.amplitude - amplitude) < 0.05 * (amplitude / 0.25), what);
    assert.ok(track.packets >= packets[0] && track.packets <= packets[1], what);
  };
  // Everything at !volume 50: half of what the source holds.
  near(first, 440, 0.25, [100, 100]);    // tone:440:2 (amplitude 0.5): 2 s whole
  // tone:660:10, !skip after ~1 s of playing. (It measured 0.33 while the bot set the volume a
  // tick after making the resource: the frames scaled in between played at full level.)
  near(skipped, 660, 0.25, [40, 75]);
  near(ogg, 550, 0.2, [49, 53]);         // Ogg/Opus demuxed, decode → volume → encode on the pool
  near(mp3, 770, 0.2, [49, 54]);         // MP3 through FFmpeg (its encoder adds some padding)
  near(webm, 330, 0.2, [49, 53]);        // WebM/Opus demuxed
  near(stopped, 880, 0.25, [15, 45]);    // tone:880:10, !stop after ~0.5 s
  // Between tracks only the player's silence frames: 4 after a track that ends (see
  // voice-e2e.test.js), 5 after !skip / !stop (measured; the player is not idle yet).
  const silence = report.packets - report.tracks.reduce((n, tr) => n + tr.packets, 0);
  assert.ok(silence >= 4 * report.tracks.length && silence <= 5 * report.tracks.length, `${silence} silence frames`);
});

/** The format and samples of a WAV file the recorder wrote. */
function readWav(file) {
  const b = fs.readFileSync(file);
  assert.equal(b.toString('ascii', 0, 4), 'RIFF');
  assert.equal(b.readUInt32LE(4), b.length - 8);
  assert.equal(b.toString('ascii', 8, 16), 'WAVEfmt ');
  assert.deepEqual([b.readUInt32LE(16), b.readUInt16LE(20), b.readUInt16LE(34)], [16, 1, 16]);  // PCM s16
  const channels = b.readUInt16LE(22);
  const sampleRate = b.readUInt32LE(24);
  assert.equal(b.readUInt32LE(28), sampleRate * channels * 2);
  assert.equal(b.readUInt16LE(32), channels * 2);
  assert.equal(b.toString('ascii', 36, 40), 'data');
  assert.equal(b.readUInt32LE(40), b.length - 44);
  const samples = new Int16Array(b.buffer, b.byteOffset + 44, (b.length - 44) / 2);
  return { channels, sampleRate, samples, seconds: samples.length / channels / sampleRate };
}

test('examples/recorder --offline writes a WAV per speaker and a mixed WAV', { timeout: 90000 }, async (t) => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'voxpool-recorder-'));
  t.after(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const { stdout } = await run('recorder', ['--offline', tmp, '4']);
  const report = reportOf(stdout, 'recorded ');
  t.diagnostic(JSON.stringify(report));

  // Per speaker: 48 kHz stereo, their 2 s tone (100 packets; a late delivery on a loaded machine
  // may add a concealed frame), at the 0.3 it was sent at.
  const speakers = [['900000000000000011', 440], ['900000000000000012', 660]];
  assert.deepEqual(report.users.map((u) => u.userId).sort(), speakers.map(([id]) => id));
  for (const [userId, frequency] of speakers) {
    const user = report.users.find((u) => u.userId === userId);
    assert.equal(path.basename(user.file), `${userId}.wav`);
    const wav = readWav(user.file);
    assert.deepEqual([wav.sampleRate, wav.channels], [48000, 2]);
    // 100 packets sent; under load a late one may be taken for lost and its place concealed.
    const { decoded, concealed, recovered } = user.frames;
    assert.ok(decoded >= 95 && decoded + concealed + recovered >= 100, JSON.stringify(user.frames));
    assert.ok(wav.seconds >= 2 && wav.seconds <= 2.2 && Math.abs(wav.seconds - user.seconds) < 1e-9, `${wav.seconds} s`);
    // Amplitude and frequency frame by frame (a concealed frame shifts the phase of what
    // follows, so one sine fitted over the file fits only a clean run).
    let energy = 0;
    let crossings = 0;
    for (let i = 2; i < wav.samples.length; i += 2) {
      energy += (wav.samples[i] / 32767) ** 2;
      if ((wav.samples[i - 2] < 0) !== (wav.samples[i] < 0)) crossings++;
    }
    const amplitude = Math.sqrt((2 * energy) / (wav.samples.length / 2));
    const hz = crossings / 2 / wav.seconds;
    assert.ok(Math.abs(amplitude - 0.3) < 0.03 && Math.abs(hz - frequency) < 10, `${userId}: amplitude ${amplitude}, ${hz} Hz`);
    if (user.frames.concealed + user.frames.recovered === 0) {
      for (const fit of fitSines(wav.samples, { sampleRate: 48000, frequencies: [frequency, frequency] }, 3, 97)) {
        assert.ok(Math.abs(fit.amplitude - 0.3) < 0.03 && fit.snrDb > 20, `${userId}: ${JSON.stringify(fit)}`);
      }
    }
  }

  // Mixed: 16 kHz mono for the whole recording (4 s, plus the jitter frames played out), loud
  // while anyone spoke (0–2 s and 0.5–2.5 s: ~2.5 s), with both tones in it.
  const mixed = readWav(report.mixed.file);
  assert.deepEqual([mixed.sampleRate, mixed.channels], [16000, 1]);
  assert.ok(mixed.seconds >= 3.8 && mixed.seconds <= 4.5, `${mixed.seconds} s`);
  const frames = [];
  for (let k = 0; k < mixed.samples.length / 320; k++) frames.push(mixed.samples.subarray(k * 320, (k + 1) * 320));
  const loud = frames.map((f) => Math.sqrt(f.reduce((s, x) => s + (x / 32767) ** 2, 0) / f.length) > 0.05);
  const first = loud.indexOf(true);
  const spoken = loud.filter(Boolean).length;
  assert.ok(spoken >= 115 && spoken <= 135, `${spoken} loud frames`);
  const talk = mixed.samples.subarray((first + 5) * 320, (first + 100) * 320);
  for (const frequency of [440, 660]) {
    const [fit] = fitSines(talk, { sampleRate: 16000, frequencies: [frequency] }, 0, Infinity);
    assert.ok(fit.amplitude > 0.1, `${frequency} Hz in the mix: ${JSON.stringify(fit)}`);
  }
});

/** s16 samples of an Ogg Opus file decoded by opusdec (pre-skip and end trimming applied). */
function opusdecSamples(file, rate, channels) {
  const raw = execFileSync('opusdec', ['--quiet', '--no-dither', '--rate', String(rate), '--force-stereo', file, '-'], { maxBuffer: 1 << 26 });
  // opusdec's `-` output is raw s16le; --force-stereo makes the channel count fixed.
  const all = new Int16Array(raw.buffer, raw.byteOffset, raw.length / 2);
  if (channels === 2) return all;
  return all.filter((_, i) => i % 2 === 0);
}

test('examples/recorder --offline --ogg writes each speaker\'s packets and an encoded mix as valid Ogg Opus', { timeout: 90000 }, async (t) => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'voxpool-recorder-ogg-'));
  t.after(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const { stdout } = await run('recorder', ['--offline', '--ogg', tmp, '4']);
  const report = reportOf(stdout, 'recorded ');
  t.diagnostic(JSON.stringify(report));
  const files = [report.mixed.file, ...report.users.map((u) => u.file)];
  for (const file of files) {
    const info = execFileSync('opusinfo', [file], { encoding: 'utf8' });
    assert.doesNotMatch(info, /WARNING|ERROR/i, `${file}: ${info}`);
  }

  const speakers = [['900000000000000011', 440], ['900000000000000012', 660]];
  assert.deepEqual(report.users.map((u) => u.userId).sort(), speakers.map(([id]) => id));
  for (const [userId, frequency] of speakers) {
    const user = report.users.find((u) => u.userId === userId);
    assert.equal(path.basename(user.file), `${userId}.opus`);
    // Every packet sent is in the file as it was (no re-encode): 100 packets, 2 s; a late
    // delivery on a loaded machine may be written as a gap of silence.
    assert.equal(user.packets, 100);
    // A player plays all but the pre-skip (312 samples: the sender's encoder lookahead).
    assert.ok(Math.abs(user.seconds - (2 - 312 / 48000) - user.gapSeconds) < 1e-9 && user.gapSeconds <= 0.2, JSON.stringify(user));
    const samples = opusdecSamples(user.file, 48000, 2);
    assert.ok(Math.abs(samples.length / 2 / 48000 - user.seconds) < 0.001, `${samples.length / 2} samples`);
    if (user.gapSeconds === 0) {
      for (const fit of fitSines(samples, { sampleRate: 48000, frequencies: [frequency, frequency] }, 3, 97)) {
        assert.ok(Math.abs(fit.amplitude - 0.3) < 0.03 && fit.snrDb > 20, `${userId}: ${JSON.stringify(fit)}`);
      }
    }
  }

  // Mixed: 16 kHz mono encoded once; both tones in it while both spoke (0.5–2 s).
  const mixed = opusdecSamples(report.mixed.file, 16000, 1);
  assert.ok(report.mixed.seconds >= 3.8 && report.mixed.seconds <= 4.5, JSON.stringify(report.mixed));
  assert.ok(Math.abs(mixed.length / 16000 - report.mixed.seconds) < 0.001, `${mixed.length} samples`);
  let first = 0;
  while (first < mixed.length && Math.abs(mixed[first]) < 0.05 * 32767) first++;
  const talk = mixed.subarray(first + 16000 * 0.6, first + 16000 * 1.9);
  for (const frequency of [440, 660]) {
    const [fit] = fitSines(talk, { sampleRate: 16000, frequencies: [frequency] }, 0, Infinity);
    assert.ok(fit.amplitude > 0.1, `${frequency} Hz in the mix: ${JSON.stringify(fit)}`);
  }
});
