'use strict';
// OggDemuxer against files the real tools write: opusenc (opus-tools) at several bitrates, mono and
// stereo, with and without comments, a chained file made with `cat`, a file whose OpusTags carries a
// picture (a packet continuing across many pages); ffprobe's packet list (size, pts, duration) is
// the reference, prism-media's OggDemuxer the incumbent.
const test = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { Readable } = require('node:stream');
const prism = require('prism-media');
const voxpool = require('../..');

const { OggDemuxer, parseOpusHead, parseOpusTags, containerConstants: C } = voxpool;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'voxpool-ogg-'));
test.after(() => fs.rmSync(dir, { recursive: true, force: true }));

function run(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** A sine (sox) encoded by opusenc with `args`; returns the file's path. */
function opusFile(name, { channels = 2, seconds = 3, args = [] } = {}) {
  const wav = path.join(dir, `${name}.wav`);
  const file = path.join(dir, `${name}.opus`);
  run('sox', ['-n', '-r', '48000', '-c', String(channels), '-b', '16', wav, 'synth', String(seconds), 'sine', '330', 'sine', '550']);
  run('opusenc', ['--quiet', ...args, wav, file]);
  return file;
}

/** ffprobe's packets of the first audio stream: [{ size, pts, duration }]. */
function probe(file) {
  return run('ffprobe', ['-v', 'error', '-select_streams', 'a:0', '-show_entries', 'packet=size,pts,duration', '-of', 'csv=p=0', file])
    .split('\n').filter((line) => /^-?\d/.test(line)).map((line) => {
      const [pts, duration, size] = line.split(',').map(Number);
      return { size, pts, duration };
    });
}

/** Everything a demuxer emits for `input` (a path or a Buffer, fed in `chunk`-byte pieces). */
function demux(demuxer, input, { chunk } = {}) {
  const source = Buffer.isBuffer(input)
    ? Readable.from((function* pieces() {
      const step = chunk ?? 65536;
      for (let i = 0; i < input.length; i += step) yield input.subarray(i, i + step);
    })())
    : fs.createReadStream(input, chunk ? { highWaterMark: chunk } : undefined);
  const got = { packets: [], heads: [], tags: [], chainEnds: [], error: null };
  demuxer.on('head', (raw, parsed) => got.heads.push({ raw, parsed }));
  demuxer.on('tags', (raw, parsed) => got.tags.push({ raw, parsed }));
  demuxer.on('chainEnd', (e) => got.chainEnds.push(e));
  return new Promise((resolve) => {
    demuxer.on('data', (p) => got.packets.push(p));
    demuxer.on('end', () => resolve(got));
    demuxer.on('error', (err) => {
      got.error = err;
      resolve(got);
    });
    source.pipe(demuxer);
  });
}

const cases = [
  { name: 'stereo-64k', channels: 2, args: ['--bitrate', '64'] },
  { name: 'stereo-128k-comments', channels: 2, args: ['--bitrate', '128', '--title', 'Sine', '--artist', 'voxpool', '--comment', 'GENRE=test'] },
  { name: 'mono-16k', channels: 1, args: ['--bitrate', '16'] },
  { name: 'mono-32k-20ms-cbr', channels: 1, args: ['--bitrate', '32', '--hard-cbr'] },
];

for (const c of cases) {
  test(`opusenc ${c.name}: the packets, sizes and timestamps ffprobe reports, the bytes prism reads`, async () => {
    const file = opusFile(c.name, c);
    const reference = probe(file);
    const got = await demux(new OggDemuxer({ timestamps: true }), file, { chunk: 4096 });
    assert.equal(got.error, null);
    assert.equal(got.packets.length, reference.length);
    const preSkip = got.heads[0].parsed.preSkip;
    got.packets.forEach((p, i) => {
      assert.equal(p.packet.length, reference[i].size, `packet ${i} size`);
      assert.equal(p.granule - (p.samples - p.trimEnd) - preSkip, reference[i].pts, `packet ${i} pts`);
      assert.equal(p.samples - p.trimEnd, reference[i].duration, `packet ${i} duration`);
    });
    const head = got.heads[0].parsed;
    assert.equal(head.channels, c.channels);
    assert.equal(head.inputSampleRate, 48000);
    assert.equal(got.tags[0].parsed.vendor.startsWith('libopus'), true, got.tags[0].parsed.vendor);
    if (c.args.includes('--title')) {
      for (const t of ['title=Sine', 'artist=voxpool', 'GENRE=test']) assert.ok(got.tags[0].parsed.comments.includes(t), t);
    }
    assert.equal(got.chainEnds.length, 1);

    const incumbent = await demux(new prism.opus.OggDemuxer(), file);
    assert.equal(incumbent.error, null);
    assert.deepEqual(got.packets.map((p) => p.packet), incumbent.packets, 'the same packets as prism-media');
    assert.ok(got.heads[0].raw.equals(incumbent.heads[0].raw), "'head' carries the raw OpusHead prism emits");
    assert.ok(got.tags[0].raw.equals(incumbent.tags[0].raw), "'tags' carries the raw OpusTags prism emits");
  });
}

test('the chunking of the input does not change what comes out', async () => {
  const bytes = fs.readFileSync(opusFile('chunking'));
  const whole = await demux(new OggDemuxer(), bytes, { chunk: bytes.length });
  for (const chunk of [1, 13, 4000]) {
    const got = await demux(new OggDemuxer(), bytes, { chunk });
    assert.deepEqual(got.packets, whole.packets, `chunks of ${chunk} bytes`);
  }
});

test('a chained file (cat a.opus b.opus): both links, a head per link and a chainEnd between; prism stops after the first', async () => {
  const a = opusFile('chain-a', { channels: 2, seconds: 1, args: ['--serial', '1'] });
  const b = opusFile('chain-b', { channels: 1, seconds: 2, args: ['--serial', '2', '--bitrate', '24'] });
  const chained = path.join(dir, 'chained.opus');
  fs.writeFileSync(chained, Buffer.concat([fs.readFileSync(a), fs.readFileSync(b)]));
  const [pa, pb] = [probe(a), probe(b)];
  const got = await demux(new OggDemuxer({ timestamps: true }), chained);
  assert.equal(got.error, null);
  assert.equal(got.packets.length, pa.length + pb.length);
  assert.deepEqual(got.heads.map((h) => h.parsed.channels), [2, 1]);
  assert.deepEqual(got.chainEnds, [{ serial: 1 }, { serial: 2 }]);
  assert.deepEqual(got.packets.map((p) => p.serial), [...pa.map(() => 1), ...pb.map(() => 2)]);
  const incumbent = await demux(new prism.opus.OggDemuxer(), chained);
  assert.equal(incumbent.packets.length, pa.length, 'prism-media follows only the first link');
});

test('an OpusTags packet continuing across pages (a picture in the tags) is reassembled', async () => {
  const png = path.join(dir, 'cover.png');
  run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'nullsrc=s=320x320,geq=random(1)*255:random(2)*255:128', '-frames:v', '1', png]);
  assert.ok(fs.statSync(png).size > 100000, 'the picture spans several 64 KiB pages');
  const file = opusFile('picture', { args: ['--picture', png] });
  const got = await demux(new OggDemuxer(), file, { chunk: 1000 });
  assert.equal(got.error, null);
  assert.ok(got.tags[0].raw.length > fs.statSync(png).size, `OpusTags of ${got.tags[0].raw.length} bytes`);
  assert.ok(got.tags[0].parsed.comments.some((t) => t.startsWith('METADATA_BLOCK_PICTURE=')));
  assert.equal(got.packets.length, probe(file).length);
});

/** Byte offsets of each page of an Ogg file (the "OggS" capture pattern at a page start). */
function pageOffsets(bytes) {
  const offsets = [];
  for (let at = 0; at + 27 <= bytes.length;) {
    assert.equal(bytes.toString('latin1', at, at + 4), 'OggS');
    offsets.push(at);
    const segments = bytes[at + 26];
    let body = 0;
    for (let i = 0; i < segments; i++) body += bytes[at + 27 + i];
    at += 27 + segments + body;
  }
  return offsets;
}

test('a page whose CRC fails is dropped and counted; the packets around it still come out', async () => {
  const file = opusFile('crc', { seconds: 4 });
  const bytes = Buffer.from(fs.readFileSync(file));
  const clean = await demux(new OggDemuxer(), bytes);
  const offsets = pageOffsets(bytes);
  const victim = offsets[4];
  bytes[victim + 27 + bytes[victim + 26] + 10] ^= 0x55;  // a body byte of the fifth page
  const demuxer = new OggDemuxer();
  const got = await demux(demuxer, bytes, { chunk: 777 });
  assert.equal(got.error, null);
  assert.ok(got.packets.length < clean.packets.length, 'that page\'s packets are gone');
  assert.ok(got.packets.length > clean.packets.length - 60, 'only that page\'s packets are gone');
  assert.deepEqual(got.packets.slice(0, 10), clean.packets.slice(0, 10));
  assert.deepEqual(got.packets.at(-1), clean.packets.at(-1));
  assert.ok(demuxer.stats.skippedBytes > 0);
  assert.equal(demuxer.stats.holes, 1);
});

test('input that is not Ogg, or is cut short, ends the stream with a VoxpoolError', async () => {
  const noise = Buffer.alloc(100000);
  for (let i = 0; i < noise.length; i++) noise[i] = (i * 7919 + (i >> 3)) & 0xff;
  const notOgg = await demux(new OggDemuxer(), noise);
  assert.equal(notOgg.error?.name, 'VoxpoolError');
  assert.equal(notOgg.error.code, 'ERR_VOXPOOL_MALFORMED_CONTAINER');
  assert.equal(notOgg.error.message, `This input is not Ogg: no page in its first ${C.MAX_LEADING_GARBAGE_BYTES} bytes`);

  const bytes = fs.readFileSync(opusFile('cut'));
  const cut = await demux(new OggDemuxer(), bytes.subarray(0, bytes.length - 100));
  assert.equal(cut.error?.code, 'ERR_VOXPOOL_STREAM_TRUNCATED');
  assert.equal(cut.error.message, 'The Ogg input ends inside a page');
  assert.ok(cut.packets.length > 0, 'what came before the cut was delivered');

  const small = await demux(new OggDemuxer({ maxPacketBytes: 100 }), bytes);
  assert.equal(small.error?.code, 'ERR_VOXPOOL_MALFORMED_CONTAINER');
  assert.match(small.error.message, /^An Ogg packet of \d+ bytes exceeds maxPacketBytes \(100\)$/);
});

test('options and chunks are checked with exact errors', () => {
  assert.throws(() => new OggDemuxer({ serial: -1 }), { name: 'RangeError', message: /options\.serial/ });
  assert.throws(() => new OggDemuxer({ serial: 2 ** 32 }), { name: 'RangeError' });
  assert.throws(() => new OggDemuxer({ maxPacketBytes: 0 }), { name: 'RangeError', message: /options\.maxPacketBytes/ });
  assert.throws(() => new OggDemuxer({ maxPacketBytes: C.MAX_PACKET_BYTES + 1 }), { name: 'RangeError' });
  assert.throws(() => new OggDemuxer({ timestamps: 'yes' }), { name: 'TypeError' });
  assert.throws(() => new OggDemuxer('x'), { name: 'TypeError' });
  assert.throws(() => parseOpusHead(Buffer.from('OpusHead')), { name: 'VoxpoolError', code: 'ERR_VOXPOOL_MALFORMED_CONTAINER', message: 'The OpusHead packet is 8 bytes; it needs at least 19' });
  assert.throws(() => parseOpusTags('OpusTags'), { name: 'TypeError' });
});

test('destroy() with chunks in flight settles without an unhandled rejection', async () => {
  const bytes = fs.readFileSync(opusFile('destroy', { seconds: 5 }));
  for (let round = 0; round < 20; round++) {
    const d = new OggDemuxer();
    d.on('error', () => {});
    d.on('data', () => {});
    for (let i = 0; i < bytes.length; i += 2000) d.write(bytes.subarray(i, i + 2000));
    await new Promise((r) => setImmediate(r));
    d.destroy();
  }
  // An unhandled rejection would fail the test run; give any stray settlement a turn.
  await new Promise((r) => setTimeout(r, 50));
});
