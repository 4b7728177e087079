'use strict';
// voxpool/voice's demuxProbe against @discordjs/voice 0.19's own, on files opusenc and ffmpeg
// write: the same verdict for every input (stereo and mono Ogg/WebM/Matroska Opus, MP3, WAV, an
// input shorter than the probe), every byte still in the stream it returns, and a probed stream
// playing as the type it was given.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { Readable, PassThrough } = require('node:stream');
const voice = require('@discordjs/voice');
const voxpool = require('voxpool');
const { demuxProbe, validateDiscordOpusHead, createAudioResource } = require('voxpool/voice');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'voxpool-probe-'));
test.after(() => fs.rmSync(dir, { recursive: true, force: true }));

const ff = (...args) => execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args], { stdio: 'pipe' });
const media = {};
test.before(() => {
  const sine = (channels) => ['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000:duration=1', '-ac', String(channels)];
  for (const channels of [1, 2]) {
    const wav = path.join(dir, `sine${channels}.wav`);
    ff(...sine(channels), wav);
    media[`wav${channels}`] = wav;
    media[`ogg${channels}`] = path.join(dir, `sine${channels}.opus`);
    execFileSync('opusenc', ['--quiet', wav, media[`ogg${channels}`]]);
    media[`webm${channels}`] = path.join(dir, `sine${channels}.webm`);
    ff(...sine(channels), '-c:a', 'libopus', media[`webm${channels}`]);
  }
  media.mka = path.join(dir, 'sine.mka');
  ff('-i', media.wav2, '-c:a', 'libopus', '-f', 'matroska', media.mka);
  media.mp3 = path.join(dir, 'sine.mp3');
  ff('-i', media.wav2, '-c:a', 'libmp3lame', media.mp3);
  // Shorter than the probe size: the verdict comes at the end of the input.
  media.tinyOgg = path.join(dir, 'tiny.opus');
  const tinyWav = path.join(dir, 'tiny.wav');
  ff('-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000:duration=0.02', '-ac', '2', tinyWav);
  execFileSync('opusenc', ['--quiet', '--bitrate', '6', tinyWav, media.tinyOgg]);
});

async function bytesOf(stream) {
  const chunks = [];
  for await (const c of stream) chunks.push(c);
  return Buffer.concat(chunks);
}

const expected = {
  ogg2: 'ogg/opus', ogg1: 'arbitrary', webm2: 'webm/opus', webm1: 'arbitrary', mka: 'webm/opus',
  mp3: 'arbitrary', wav2: 'arbitrary', tinyOgg: 'ogg/opus',
};

for (const [name, type] of Object.entries(expected)) {
  test(`${name}: ${type}, as @discordjs/voice's demuxProbe says, and no byte lost`, async () => {
    const file = media[name];
    assert.ok(fs.statSync(file).size > 0);
    if (name === 'tinyOgg') assert.ok(fs.statSync(file).size < 1024, `${fs.statSync(file).size} bytes`);
    const theirs = await voice.demuxProbe(fs.createReadStream(file));
    const ours = await demuxProbe(fs.createReadStream(file, { highWaterMark: 100 }));
    assert.equal(theirs.type, type, "@discordjs/voice's verdict");
    assert.equal(ours.type, type);
    assert.ok((await bytesOf(ours.stream)).equals(fs.readFileSync(file)), 'the stream still holds every byte');
  });
}

test('a custom validator (mono accepted) and a custom probe size', async () => {
  const anyHead = (head) => head.readUInt32LE(12) === 48000;
  assert.equal((await demuxProbe(fs.createReadStream(media.ogg1), 1024, anyHead)).type, 'ogg/opus');
  assert.equal((await demuxProbe(fs.createReadStream(media.webm1), 4096, anyHead)).type, 'webm/opus');
  assert.equal((await voice.demuxProbe(fs.createReadStream(media.webm1), 4096, anyHead)).type, 'webm/opus');
  // Too few bytes for the OpusHead: arbitrary, as @discordjs/voice says too.
  assert.equal((await voice.demuxProbe(fs.createReadStream(media.ogg2, { highWaterMark: 16 }), 16)).type, 'arbitrary');
  assert.equal((await demuxProbe(fs.createReadStream(media.ogg2, { highWaterMark: 16 }), 16)).type, 'arbitrary');
  assert.equal(validateDiscordOpusHead(Buffer.from('OpusHead')), false);
});

test('a probed stream plays as the type it was given', async () => {
  const { stream, type } = await demuxProbe(fs.createReadStream(media.webm2));
  const resource = createAudioResource(stream, { inputType: type });
  assert.ok(resource.playStream instanceof voxpool.WebmDemuxer);
  const packets = await bytesOf(resource.playStream.map((p) => Buffer.from([p.length & 0xff])));
  const reference = [];
  for await (const p of fs.createReadStream(media.webm2).pipe(new voxpool.WebmDemuxer())) reference.push(p);
  assert.equal(packets.length, reference.length, 'every packet of the file');
});

test('bad arguments and streams are refused as @discordjs/voice refuses them', async () => {
  assert.throws(() => demuxProbe('x.ogg'), { name: 'TypeError' });
  assert.throws(() => demuxProbe(new PassThrough(), 0), { name: 'RangeError' });
  assert.throws(() => demuxProbe(new PassThrough(), 1024, 'yes'), { name: 'TypeError' });
  await assert.rejects(demuxProbe(Readable.from([{ a: 1 }])), { message: 'Cannot probe a readable stream in object mode' });
  const ended = new PassThrough();
  ended.end(Buffer.from('x'));
  await bytesOf(ended);
  await assert.rejects(demuxProbe(ended), { message: 'Cannot probe a stream that has ended' });
  const failing = new PassThrough();
  const probe = demuxProbe(failing);
  failing.destroy(new Error('socket hang up'));
  await assert.rejects(probe, { message: 'socket hang up' });
  const throwing = demuxProbe(fs.createReadStream(media.ogg2), 1024, () => {
    throw new Error('validator bug');
  });
  await assert.rejects(throwing, { message: 'validator bug' });
});
