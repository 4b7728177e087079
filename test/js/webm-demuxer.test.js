'use strict';
// WebmDemuxer against files the real tools write: ffmpeg's WebM and Matroska muxers (SimpleBlocks,
// the BlockGroup with DiscardPadding that ends a file, unknown sizes from `-live 1`, a pipe), 20 and
// 60 ms frames, a video track beside the audio, two Opus tracks; mkvmerge's (mkvtoolnix) laced
// blocks, Xiph, EBML and fixed, in SimpleBlocks and BlockGroups, which ffmpeg's muxer never
// writes; ffprobe's packet list (size, pts) is the reference, prism-media's WebmDemuxer the
// incumbent.
const test = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { Readable } = require('node:stream');
const prism = require('prism-media');
const voxpool = require('../..');

const { WebmDemuxer, OggDemuxer, containerConstants: C } = voxpool;
const W = C.WEBM;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'voxpool-webm-'));
test.after(() => fs.rmSync(dir, { recursive: true, force: true }));

function run(cmd, args, options) {
  const r = spawnSync(cmd, args, { encoding: options?.encoding ?? 'utf8', maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

const SECONDS = 3;
const SINE = ['-f', 'lavfi', '-i', `sine=f=440:d=${SECONDS}`];

/** ffmpeg writing `name` from a 440 Hz sine with `args` (output options); returns its path. */
function ffmpeg(name, args, inputs = SINE) {
  const file = path.join(dir, name);
  run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...inputs, ...args, file]);
  return file;
}

/** ffprobe's packets of audio stream `stream`: [{ pts (ms), size }]. */
function probe(file, stream = 0) {
  return run('ffprobe', ['-v', 'error', '-select_streams', `a:${stream}`, '-show_entries', 'packet=pts,size', '-of', 'csv=p=0', file])
    .split('\n').filter((line) => /^-?\d/.test(line)).map((line) => {
      const [pts, size] = line.split(',').map(Number);
      return { pts, size };
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
  const got = { packets: [], heads: [], error: null };
  demuxer.on('head', (raw, parsed) => got.heads.push({ raw, parsed }));
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

/**
 * Checks `got` (a timestamps demux) against ffprobe's list: the same sizes, and ffprobe's pts
 * (ms) is the Block's timestamp less the track's CodecDelay, as ffmpeg rescales it to 1 ms.
 */
function assertMatchesProbe(got, reference, track) {
  assert.equal(got.packets.length, reference.length, 'as many packets as ffprobe lists');
  const delayMs = Math.round(track.codecDelayNs / 1e6);
  got.packets.forEach((p, i) => {
    assert.equal(p.packet.length, reference[i].size, `packet ${i} size`);
    assert.equal(Math.round(p.timestampMs) - delayMs, reference[i].pts, `packet ${i} pts`);
  });
}

/** 48 kHz samples the packets play: all they decode to, less end trimming and the pre-skip. */
function playedSamples(got) {
  const decoded = got.packets.reduce((n, p) => n + p.samples - p.trimEnd, 0);
  return decoded - got.heads[0].parsed.preSkip;
}

const cases = [
  { name: 'stereo.webm', channels: 2, args: ['-ac', '2', '-c:a', 'libopus'], frameMs: 20 },
  { name: 'stereo.mka', channels: 2, args: ['-ac', '2', '-c:a', 'libopus', '-f', 'matroska'], frameMs: 20 },
  { name: 'mono-60ms.webm', channels: 1, args: ['-ac', '1', '-c:a', 'libopus', '-frame_duration', '60', '-b:a', '24k'], frameMs: 60 },
  { name: 'live.webm', channels: 2, args: ['-ac', '2', '-c:a', 'libopus', '-live', '1', '-cluster_size_limit', '2000'], frameMs: 20 },
];

for (const c of cases) {
  test(`ffmpeg ${c.name}: ffprobe's packets and timestamps, exact end trimming, prism's bytes`, async () => {
    const file = ffmpeg(c.name, c.args);
    const demuxer = new WebmDemuxer({ timestamps: true });
    const got = await demux(demuxer, file, { chunk: 4096 });
    assert.equal(got.error, null);
    assert.equal(got.heads.length, 1);
    const { track } = demuxer;
    assert.equal(track.number, 1);
    assert.equal(track.channels, c.channels);
    assert.equal(track.samplingFrequency, 48000);
    assert.equal(track.codecDelayNs, Math.round(got.heads[0].parsed.preSkip * 1e9 / 48000));
    assert.equal(track.timecodeScaleNs, W.DEFAULT_TIMECODE_SCALE_NS);
    assert.equal(got.heads[0].parsed.channels, c.channels);
    assertMatchesProbe(got, probe(file), track);
    for (const p of got.packets) {
      assert.equal(p.track, 1);
      assert.equal(p.samples, c.frameMs * 48);
    }
    // The last packet's DiscardPadding trims the output to the sine's exact length.
    assert.ok(got.packets.at(-1).trimEnd > 0, 'the last packet is trimmed');
    assert.equal(playedSamples(got), SECONDS * 48000);
    assert.equal(demuxer.stats.frames, got.packets.length);
    assert.equal(demuxer.stats.bytes, fs.statSync(file).size);
    if (c.name.startsWith('live')) assert.ok(demuxer.stats.clusters > 10, `${demuxer.stats.clusters} clusters`);

    const incumbent = await demux(new prism.opus.WebmDemuxer(), file);
    assert.equal(incumbent.error, null);
    assert.ok(got.heads[0].raw.equals(incumbent.heads[0].raw), "'head' carries the CodecPrivate prism emits");
    // prism reads SimpleBlocks only: it misses the BlockGroup that ends ffmpeg's files.
    const ours = got.packets.map((p) => p.packet);
    assert.deepEqual(ours.slice(0, incumbent.packets.length), incumbent.packets, 'the packets prism reads, in order');
    assert.ok(ours.length - incumbent.packets.length <= 1, `${ours.length} vs prism's ${incumbent.packets.length}`);
  });
}

test('a live WebM from a pipe (unknown-size Segment and Clusters) gives the packets ffprobe lists', async () => {
  const out = run('ffmpeg', ['-hide_banner', '-loglevel', 'error', ...SINE, '-ac', '2', '-c:a', 'libopus', '-f', 'webm', '-live', '1', 'pipe:1'], { encoding: 'buffer' });
  const file = path.join(dir, 'pipe.webm');
  fs.writeFileSync(file, out);
  const demuxer = new WebmDemuxer({ timestamps: true });
  const got = await demux(demuxer, out, { chunk: 1500 });
  assert.equal(got.error, null);
  assertMatchesProbe(got, probe(file), demuxer.track);
});

test('a video track beside the audio is skipped unread and counted', async () => {
  const file = ffmpeg('av.webm', ['-map', '0:v', '-map', '1:a', '-c:v', 'libvpx', '-b:v', '200k', '-c:a', 'libopus', '-ac', '2', '-shortest'],
    ['-f', 'lavfi', '-i', `testsrc=size=160x120:rate=25:d=${SECONDS}`, ...SINE]);
  const demuxer = new WebmDemuxer({ timestamps: true });
  const got = await demux(demuxer, file, { chunk: 3000 });
  assert.equal(got.error, null);
  assert.equal(demuxer.track.number, 2, 'the Opus track is the second');
  assertMatchesProbe(got, probe(file), demuxer.track);
  assert.ok(demuxer.stats.otherTrackFrames >= SECONDS * 25 - 1, `${demuxer.stats.otherTrackFrames} video frames skipped`);
});

test('two Opus tracks: the first by default, the other by options.track', async () => {
  const file = ffmpeg('two.mka', ['-map', '0:a', '-map', '1:a', '-c:a', 'libopus', '-ac:a:0', '2', '-ac:a:1', '1', '-f', 'matroska'],
    [...SINE, '-f', 'lavfi', '-i', `sine=f=660:d=${SECONDS}`]);
  const first = new WebmDemuxer({ timestamps: true });
  const a = await demux(first, file);
  assert.equal(a.error, null);
  assert.equal(first.track.number, 1);
  assert.equal(first.track.channels, 2);
  assertMatchesProbe(a, probe(file, 0), first.track);
  assert.ok(first.stats.otherTrackFrames > 100);

  const second = new WebmDemuxer({ timestamps: true, track: 2 });
  const b = await demux(second, file);
  assert.equal(b.error, null);
  assert.equal(second.track.channels, 1);
  assert.equal(b.heads[0].parsed.channels, 1);
  assertMatchesProbe(b, probe(file, 1), second.track);
  assert.ok(b.packets.every((p) => p.track === 2));

  const none = await demux(new WebmDemuxer({ track: 3 }), file);
  assert.equal(none.error?.code, 'ERR_VOXPOOL_MALFORMED_CONTAINER');
  assert.equal(none.error.message, 'This WebM input holds no Opus track with number 3');
});

// mkvmerge (mkvtoolnix) laces audio: up to 8 Opus packets per block, fixed lacing when they are all
// of one size (CBR), else Xiph or EBML lacing, whichever is shorter for the block, unless
// `--engage lacing_xiph` or `--engage lacing_ebml` forces one; `--engage no_simpleblocks` puts
// every block in a BlockGroup. Its last block is an unlaced BlockGroup with the source's end trimming as
// DiscardPadding. Its TimecodeScale is 20 832 ns (one tick a 48 kHz sample, about), not 1 ms.

/** mkvmerge writing `name` from `source` with `args`; returns its path. */
function mkvmerge(name, source, args = []) {
  const file = path.join(dir, name);
  const r = spawnSync('mkvmerge', ['--quiet', ...args, '-o', file, source], { encoding: 'utf8' });
  assert.ok(!r.error, `mkvmerge (mkvtoolnix, in scripts/install-deps.sh) cannot run: ${r.error?.message}`);
  assert.equal(r.status, 0, `mkvmerge ${args.join(' ')}: ${r.stdout}${r.stderr}`);
  return file;
}

const LACING = ['none', 'Xiph', 'fixed', 'EBML'];

/**
 * The file's blocks as mkvinfo lists them (frames per block, the element's position with -P), with
 * the lacing each one's flags byte states (bits 1-2; the byte after the element ID and size, the
 * track number and the 16-bit timecode), read from the file: mkvinfo does not print it.
 */
function mkvBlocks(file) {
  const bytes = fs.readFileSync(file);
  const vintLength = (b) => Math.clz32(b) - 23;  // 1 for 0x80-0xFF … 8 for 0x01
  return run('mkvinfo', ['--ui-language', 'en_US', '-v', '-P', file]).split('\n').flatMap((line) => {
    const m = /\+ (Simple block|Block): .*?(\d+) frame\(s\).* at (\d+)$/.exec(line);
    if (!m) return [];
    let at = Number(m[3]);
    const group = m[1] === 'Block';
    assert.equal(bytes[at], group ? 0xa1 : 0xa3, `a ${m[1]} ID at ${at}`);
    at += 1;
    at += vintLength(bytes[at]);  // the element's size
    at += vintLength(bytes[at]) + 2;  // the track number, the timecode
    return [{ group, frames: Number(m[2]), lacing: LACING[(bytes[at] >> 1) & 3] }];
  });
}

/** ffprobe's packets of the first audio stream with pts in nanoseconds (pts × its time_base). */
function probeNs(file) {
  const { streams, packets } = JSON.parse(run('ffprobe', ['-v', 'error', '-select_streams', 'a:0',
    '-show_entries', 'stream=time_base:packet=pts,size', '-of', 'json', file]));
  const [num, den] = streams[0].time_base.split('/').map(Number);
  return packets.map((p) => ({ ptsNs: p.pts * num * 1e9 / den, size: Number(p.size) }));
}

/**
 * assertMatchesProbe for any TimecodeScale: ffmpeg counts in ticks of it, CodecDelay rounded to a
 * tick and a lace's later packets stepped by their duration in whole ticks (20 ms: 960 ticks of
 * 20 832 ns, 19.99872 ms), so its pts drift some µs from the exact time along a block; within
 * 0.1 ms, far under a frame (2.5 ms at least), a lace offset by a wrong packet cannot pass.
 */
function assertMatchesProbeNs(got, reference, track) {
  assert.equal(got.packets.length, reference.length, 'as many packets as ffprobe lists');
  got.packets.forEach((p, i) => {
    assert.equal(p.packet.length, reference[i].size, `packet ${i} size`);
    const off = p.timestampNs - track.codecDelayNs - reference[i].ptsNs;
    assert.ok(Math.abs(off) < 100000, `packet ${i}: timestamp ${p.timestampNs} ns, ffprobe's pts ${reference[i].ptsNs} ns + CodecDelay (${off} ns off)`);
  });
}

/** The packets ffmpeg extracts (`-c copy`), back to back: what a demuxer's packets concatenate to. */
function ffmpegCopy(file) {
  return run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-i', file, '-map', '0:a:0', '-c', 'copy', '-f', 'data', '-'], { encoding: 'buffer' });
}

// At ffmpeg's default 96 kb/s most stereo packets are 255 bytes or more: Xiph lace sizes of two bytes.
const laced = [
  { name: 'xiph.webm', lacing: 'Xiph', args: ['--engage', 'lacing_xiph'], source: () => ffmpeg('mkv-src.webm', ['-ac', '2', '-c:a', 'libopus']), channels: 2, frameMs: 20 },
  { name: 'ebml-mono-60ms.webm', lacing: 'EBML', args: ['--engage', 'lacing_ebml'], channels: 1, frameMs: 60,
    source: () => ffmpeg('mkv-src-60ms.webm', ['-ac', '1', '-c:a', 'libopus', '-frame_duration', '60', '-b:a', '24k']) },
  { name: 'fixed-cbr.mka', lacing: 'fixed', channels: 2, frameMs: 20,
    source: () => ffmpeg('mkv-src-cbr.webm', ['-ac', '2', '-c:a', 'libopus', '-b:a', '64k', '-vbr', 'off']) },
  { name: 'groups.webm', lacing: 'Xiph', args: ['--engage', 'no_simpleblocks', '--engage', 'lacing_xiph'], groups: true, channels: 2, frameMs: 20,
    source: () => ffmpeg('mkv-src-groups.webm', ['-ac', '2', '-c:a', 'libopus']) },
  { name: 'from-ogg.mka', lacing: 'Xiph', args: ['--engage', 'lacing_xiph'], channels: 2, frameMs: 20, ogg: true,
    source: () => ffmpeg('mkv-src.opus', ['-ac', '2', '-c:a', 'libopus']) },
];

for (const c of laced) {
  const how = `mkvmerge ${[...(c.args ?? []), '-o', c.name].join(' ')}${c.ogg ? ' (from Ogg Opus)' : ''}`;
  test(`${how}: ${c.lacing}-laced ${c.groups ? 'BlockGroups' : 'SimpleBlocks'} give ffprobe's packets and timestamps, ffmpeg's bytes, exact end trimming`, async () => {
    const source = c.source();
    const file = mkvmerge(c.name, source, c.args);

    // The file really is laced as named: mkvinfo's blocks hold several packets each.
    const blocks = mkvBlocks(file);
    const reference = probeNs(file);
    assert.equal(blocks.reduce((n, b) => n + b.frames, 0), reference.length, "mkvinfo's frames are ffprobe's packets");
    const multi = blocks.filter((b) => b.frames > 1);
    assert.ok(multi.length >= 8 && blocks.length * 3 < reference.length, `${blocks.length} blocks for ${reference.length} packets`);
    assert.deepEqual([...new Set(multi.map((b) => b.lacing))], [c.lacing], 'the lacing of every multi-packet block');
    assert.ok(multi.every((b) => b.group === Boolean(c.groups)), c.groups ? 'laced BlockGroups' : 'laced SimpleBlocks');
    const last = blocks.at(-1);
    assert.ok(last.group && last.frames === 1, 'an unlaced BlockGroup (DiscardPadding) ends the file');

    const demuxer = new WebmDemuxer({ timestamps: true });
    const got = await demux(demuxer, file, { chunk: 4096 });
    assert.equal(got.error, null);
    const { track } = demuxer;
    assert.equal(track.channels, c.channels);
    assert.equal(got.heads[0].parsed.channels, c.channels);
    assert.notEqual(track.timecodeScaleNs, W.DEFAULT_TIMECODE_SCALE_NS, "mkvmerge's own TimecodeScale");
    assertMatchesProbeNs(got, reference, track);
    assert.ok(Buffer.concat(got.packets.map((p) => p.packet)).equals(ffmpegCopy(file)), "the bytes `ffmpeg -c copy` extracts");
    for (const p of got.packets) assert.equal(p.samples, c.frameMs * 48);
    // DiscardPadding, on the last BlockGroup only, trims the output to the sine's exact length.
    assert.ok(got.packets.at(-1).trimEnd > 0, 'the last packet is trimmed');
    assert.ok(got.packets.slice(0, -1).every((p) => p.trimEnd === 0), 'no other packet is trimmed');
    assert.equal(playedSamples(got), SECONDS * 48000);
    assert.equal(demuxer.stats.frames, got.packets.length);
    assert.equal(demuxer.stats.bytes, fs.statSync(file).size);

    // The packets of the unlaced source, one for one (mkvmerge copies them), and their trimming.
    const unlaced = await demux(c.ogg ? new OggDemuxer({ timestamps: true }) : new WebmDemuxer({ timestamps: true }), source);
    assert.equal(unlaced.error, null);
    assert.deepEqual(got.packets.map((p) => p.packet), unlaced.packets.map((p) => p.packet), "the source's packets");
    assert.equal(got.packets.at(-1).trimEnd, unlaced.packets.at(-1).trimEnd, "the source's end trimming");

    // Laces cut anywhere by the chunking: the same packets.
    const small = await demux(new WebmDemuxer({ timestamps: true }), fs.readFileSync(file), { chunk: 61 });
    assert.equal(small.error, null);
    assert.deepEqual(small.packets, got.packets, 'chunks of 61 bytes');
  });
}

test('the chunking of the input does not change what comes out', async () => {
  const bytes = fs.readFileSync(ffmpeg('chunking.webm', ['-ac', '2', '-c:a', 'libopus']));
  const whole = await demux(new WebmDemuxer(), bytes, { chunk: bytes.length });
  assert.equal(whole.error, null);
  for (const chunk of [1, 7, 1000]) {
    const got = await demux(new WebmDemuxer(), bytes, { chunk });
    assert.equal(got.error, null, `chunks of ${chunk} bytes`);
    assert.deepEqual(got.packets, whole.packets, `chunks of ${chunk} bytes`);
  }
});

test('input that is not WebM Opus, or is cut short, ends the stream with a VoxpoolError', async () => {
  const noise = Buffer.alloc(100000);
  for (let i = 0; i < noise.length; i++) noise[i] = (i * 7919 + (i >> 3)) & 0xff;
  noise[0] = 0x80;  // a valid one-byte ID that is not the EBML header's
  const notWebm = await demux(new WebmDemuxer(), noise);
  assert.equal(notWebm.error?.name, 'VoxpoolError');
  assert.equal(notWebm.error.code, 'ERR_VOXPOOL_MALFORMED_CONTAINER');
  assert.equal(notWebm.error.message, 'This input is not WebM: it does not begin with an EBML header');

  const vorbis = await demux(new WebmDemuxer(), ffmpeg('vorbis.webm', ['-c:a', 'libvorbis']));
  assert.equal(vorbis.error?.code, 'ERR_VOXPOOL_MALFORMED_CONTAINER');
  assert.equal(vorbis.error.message, 'This WebM input holds no Opus track');

  const bytes = fs.readFileSync(ffmpeg('cut.webm', ['-ac', '2', '-c:a', 'libopus']));
  const cut = await demux(new WebmDemuxer(), bytes.subarray(0, bytes.length - 100));
  assert.equal(cut.error?.code, 'ERR_VOXPOOL_STREAM_TRUNCATED');
  assert.equal(cut.error.message, 'The WebM input ends inside an element');
  assert.ok(cut.packets.length > 100, 'what came before the cut was delivered');

  const early = await demux(new WebmDemuxer(), bytes.subarray(0, 30));
  assert.equal(early.error?.code, 'ERR_VOXPOOL_STREAM_TRUNCATED');

  const small = await demux(new WebmDemuxer({ maxFrameBytes: 100 }), bytes);
  assert.equal(small.error?.code, 'ERR_VOXPOOL_MALFORMED_CONTAINER');
  assert.match(small.error.message, /^A WebM frame of \d+ bytes exceeds maxFrameBytes \(100\)$/);
});

test('options and chunks are checked with exact errors', async () => {
  assert.throws(() => new WebmDemuxer({ track: 0 }), { name: 'RangeError', message: /options\.track/ });
  assert.throws(() => new WebmDemuxer({ track: W.MAX_TRACK_NUMBER + 1 }), { name: 'RangeError' });
  assert.throws(() => new WebmDemuxer({ track: 1.5 }), { name: 'RangeError' });
  assert.throws(() => new WebmDemuxer({ maxFrameBytes: 0 }), { name: 'RangeError', message: /options\.maxFrameBytes/ });
  assert.throws(() => new WebmDemuxer({ maxFrameBytes: W.MAX_FRAME_BYTES + 1 }), { name: 'RangeError' });
  assert.throws(() => new WebmDemuxer({ timestamps: 1 }), { name: 'TypeError' });
  assert.throws(() => new WebmDemuxer('x'), { name: 'TypeError' });
  assert.equal(W.CODEC_ID, 'A_OPUS');
  assert.equal(new WebmDemuxer().track, null, 'no track before its TrackEntry');
  // A string is written as its UTF-8 bytes (a byte-mode Writable), which are not WebM.
  const d = new WebmDemuxer();
  const error = new Promise((resolve) => d.on('error', resolve));
  d.write('not bytes');
  const err = await error;
  assert.equal(err.code, 'ERR_VOXPOOL_MALFORMED_CONTAINER');
  assert.equal(err.message, 'This input is not WebM: it does not begin with an EBML header');
});

test('destroy() with chunks in flight settles without an unhandled rejection', async () => {
  const bytes = fs.readFileSync(ffmpeg('destroy.webm', ['-ac', '2', '-c:a', 'libopus']));
  for (let round = 0; round < 20; round++) {
    const d = new WebmDemuxer();
    d.on('error', () => {});
    d.on('data', () => {});
    for (let i = 0; i < bytes.length; i += 2000) d.write(bytes.subarray(i, i + 2000));
    await new Promise((r) => setImmediate(r));
    d.destroy();
  }
  await new Promise((r) => setTimeout(r, 50));
});
