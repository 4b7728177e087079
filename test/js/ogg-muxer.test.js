'use strict';
// OggMuxer: packets from an opusenc file (read by OggDemuxer) written back as Ogg; opusinfo must
// accept the result without a warning, opusdec must decode it to the PCM it decodes the original
// to, and voxpool's own Decoder on the packets must agree; a live recording is readable before it
// ends; gaps, bad packets and options behave as documented.
const test = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const voxpool = require('../..');

const { OggDemuxer, OggMuxer, Decoder, containerConstants: C } = voxpool;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'voxpool-oggmux-'));
test.after(() => fs.rmSync(dir, { recursive: true, force: true }));

function run(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')}: ${r.stderr}`);
  return `${r.stdout}${r.stderr}`;
}

function opusFile(name, channels, seconds) {
  const wav = path.join(dir, `${name}.wav`);
  const file = path.join(dir, `${name}.opus`);
  run('sox', ['-n', '-r', '48000', '-c', String(channels), '-b', '16', wav, 'synth', String(seconds), 'sine', '330', 'sine', '550', 'gain', '-6']);
  run('opusenc', ['--quiet', '--bitrate', '64', wav, file]);
  return file;
}

/** The packets and OpusHead of an Ogg Opus file. */
async function packetsOf(file) {
  const d = new OggDemuxer();
  let head = null;
  d.on('head', (raw, parsed) => { head = parsed; });
  const packets = [];
  for await (const p of fs.createReadStream(file).pipe(d)) packets.push(p);
  return { packets, head };
}

/** Writes `packets` through an OggMuxer; resolves with the file's bytes. */
async function mux(packets, options, between) {
  const m = new OggMuxer(options);
  const chunks = [];
  m.on('data', (c) => chunks.push(c));
  const done = new Promise((resolve, reject) => {
    m.on('end', resolve);
    m.on('error', reject);
  });
  packets.forEach((p, i) => {
    m.write(p);
    if (between) between(m, i);
  });
  m.end();
  await done;
  return Buffer.concat(chunks);
}

function wavSamples(file) {
  const wav = fs.readFileSync(file);
  const data = wav.indexOf('data', 12, 'latin1');
  return new Int16Array(wav.buffer, wav.byteOffset + data + 8, (wav.length - data - 8) >> 1);
}

for (const channels of [1, 2]) {
  test(`${channels === 1 ? 'mono' : 'stereo'}: opusinfo accepts the muxed file and opusdec decodes it to the original's PCM`, async () => {
    const original = opusFile(`orig${channels}`, channels, 3);
    const { packets, head } = await packetsOf(original);
    const bytes = await mux(packets, { channels, preSkip: head.preSkip, inputSampleRate: 48000, tags: { comments: { TITLE: 'remux' } } });
    const file = path.join(dir, `remux${channels}.opus`);
    fs.writeFileSync(file, bytes);

    const info = run('opusinfo', [file]);
    assert.doesNotMatch(info, /WARNING|ERROR/i, info);
    assert.match(info, new RegExp(`Channels: ${channels}`));
    assert.match(info, /TITLE=remux/);

    const back = await packetsOf(file);
    assert.deepEqual(back.packets, packets, 'the same packets, in order');

    run('opusdec', ['--quiet', '--rate', '48000', '--no-dither', original, path.join(dir, `a${channels}.wav`)]);
    run('opusdec', ['--quiet', '--rate', '48000', '--no-dither', file, path.join(dir, `b${channels}.wav`)]);
    const a = wavSamples(path.join(dir, `a${channels}.wav`));
    const b = wavSamples(path.join(dir, `b${channels}.wav`));
    // The original's last page trims its final packet (end trimming); the remux keeps whole packets.
    assert.ok(b.length >= a.length && b.length - a.length < 960 * channels, `${a.length} vs ${b.length} samples`);
    assert.deepEqual(b.subarray(0, a.length), a, 'opusdec decodes both to the same samples');

    // voxpool's Decoder on the same packets, pre-skip dropped: what opusdec wrote, to within rounding.
    const decoder = new Decoder({ channels });
    const direct = Buffer.concat(packets.map((p) => decoder.decode(p)));
    // The granule counts every decoded sample from 0, pre-skip included (RFC 7845 §4), so a
    // player plays all of them but the pre-skip: no more (a granule past the packets) or less.
    assert.equal(b.length, direct.length / 2 - head.preSkip * channels, 'opusdec plays every decoded sample but the pre-skip');
    const pcm = new Int16Array(direct.buffer, direct.byteOffset + head.preSkip * channels * 2, a.length);
    // Opus's float decoder is not bit-exact across builds: CI's addon may link the tuned libopus
    // (other SIMD paths, another release) while opusdec links Debian's, and they were seen to differ
    // by 2 LSB. 8 LSB (-72 dBFS) still catches any misalignment: one sample of shift in this
    // 330 + 550 Hz tone at -6 dBFS moves samples by hundreds.
    let worst = 0;
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(pcm[i] - a[i]));
    assert.ok(worst <= 8, `largest difference ${worst}`);
    decoder.destroy();
  });
}

test('a live recording is readable before end(): a page at least every flushMs', async () => {
  const { packets } = await packetsOf(opusFile('live', 2, 3));
  const m = new OggMuxer({ flushMs: 500 });
  const chunks = [];
  m.on('data', (c) => chunks.push(c));
  for (const p of packets.slice(0, 100)) m.write(p);  // 2 s
  await new Promise((r) => setTimeout(r, 200));
  const soFar = Buffer.concat(chunks);
  const d = new OggDemuxer();
  const got = [];
  d.on('data', (p) => got.push(p));
  d.write(soFar);
  await new Promise((r) => setTimeout(r, 200));
  assert.ok(got.length >= 75, `${got.length} of the 100 packets written are readable before end()`);
  assert.equal(m.granule, 100 * 960);
  m.destroy();
});

test('gap(): silence packets by default, a granule jump with { gap: "jump" }', async () => {
  const { packets } = await packetsOf(opusFile('gaps', 2, 1));
  const first = packets.slice(0, 10);
  for (const gap of ['silence', 'jump']) {
    const bytes = await mux(first, { gap }, (m, i) => { if (i === 4) m.gap(960 * 3 + 10); });
    const d = new OggDemuxer({ timestamps: true });
    const out = [];
    for await (const p of require('node:stream').Readable.from([bytes]).pipe(d)) out.push(p);
    if (gap === 'silence') {
      assert.equal(out.length, 13);
      for (const p of out.slice(5, 8)) assert.deepEqual([...p.packet], [0xf8, 0xff, 0xfe]);
    } else {
      assert.equal(out.length, 10);
    }
    assert.equal(out.at(-1).granule, 960 * 13 + 10, `${gap}: the last packet ends after the gap`);
  }
});

test('bad packets error the stream; options are checked', async () => {
  const m = new OggMuxer();
  const err = await new Promise((resolve) => {
    m.on('error', resolve);
    m.write(Buffer.from([0xff, 0x00]));
  });
  assert.equal(err.name, 'VoxpoolError');
  assert.equal(err.code, 'ERR_VOXPOOL_OPUS_INVALID_PACKET');

  assert.throws(() => new OggMuxer({ channels: 3 }), { name: 'RangeError', message: /options\.channels/ });
  assert.throws(() => new OggMuxer({ flushMs: 0 }), { name: 'RangeError', message: /options\.flushMs/ });
  assert.throws(() => new OggMuxer({ flushMs: C.MAX_FLUSH_SAMPLES / 48 + 1 }), { name: 'RangeError' });
  assert.throws(() => new OggMuxer({ gap: 'pad' }), { name: 'RangeError' });
  assert.throws(() => new OggMuxer({ tags: { comments: { 'A=B': 'x' } } }), { name: 'RangeError' });
  assert.throws(() => new OggMuxer({ tags: { comments: { A: 1 } } }), { name: 'TypeError' });
  assert.throws(() => new OggMuxer().gap(-1), { name: 'RangeError' });
  assert.throws(() => new OggMuxer().gap(C.MAX_GAP_SAMPLES + 1), { name: 'RangeError' });
  const gone = new OggMuxer();
  gone.destroy();
  assert.throws(() => gone.gap(960), { name: 'VoxpoolError', code: 'ERR_VOXPOOL_DESTROYED' });

  // A plain object is not a gap (only gap() makes one) and is read no further than its type.
  const plain = new OggMuxer();
  const typeErr = await new Promise((resolve) => {
    plain.on('error', resolve);
    plain.write({ gap: 960 });
  });
  assert.equal(typeErr.name, 'TypeError');
  assert.match(typeErr.message, /Opus packet/);
});
