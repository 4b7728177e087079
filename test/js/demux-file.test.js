'use strict';
// demuxFile and the demuxers' startMs: playing a file from a start point. Files by ffmpeg (WebM
// with SeekHead and Cues, a live WebM without them, Ogg) and opus-tools (opusenc, a chained file
// by `cat`). The reference is the whole file demuxed: from startMs the packets must be exactly
// its suffix from the packet that contains the start, with the same timestamps, and a seek must
// not read the part of the file it skips.
const test = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { once } = require('node:events');
const voxpool = require('../..');

const { demuxFile, WebmDemuxer, OggDemuxer, containerConstants: C } = voxpool;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'voxpool-demux-file-'));
test.after(() => fs.rmSync(dir, { recursive: true, force: true }));

function run(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

const SECONDS = 60;
function ffmpeg(name, args, seconds = SECONDS) {
  const file = path.join(dir, name);
  run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `sine=f=440:d=${seconds}`, ...args, file]);
  return file;
}
function opusenc(name, seconds, serial) {
  const wav = path.join(dir, `${name}.wav`);
  const file = path.join(dir, name);
  run('sox', ['-n', '-r', '48000', '-c', '2', '-b', '16', wav, 'synth', String(seconds), 'sine', '330']);
  run('opusenc', ['--quiet', '--serial', String(serial), '--bitrate', '64', wav, file]);
  return file;
}

const webm = ffmpeg('cues.webm', ['-ac', '2', '-c:a', 'libopus', '-b:a', '64k']);
const live = ffmpeg('live.webm', ['-ac', '2', '-c:a', 'libopus', '-b:a', '64k', '-live', '1', '-cluster_time_limit', '2000'], 20);
const ogg = opusenc('tone.opus', SECONDS, 7);
const link1 = opusenc('link1.opus', 5, 11);
const link2 = opusenc('link2.opus', 4, 12);
const chained = path.join(dir, 'chained.opus');
fs.writeFileSync(chained, Buffer.concat([fs.readFileSync(link1), fs.readFileSync(link2)]));

/** Everything `stream` reads out (with timestamps) and its 'chainEnd' count, or its error. */
async function drain(stream) {
  const got = { packets: [], chainEnds: 0, error: null };
  stream.on('chainEnd', () => got.chainEnds++);
  try {
    for await (const p of stream) got.packets.push(p);
  } catch (err) {
    got.error = err;
  }
  return got;
}

// Presentation end of a packet, in ms: WebM from its Block timestamp less the CodecDelay, Ogg
// from its granule less the pre-skip.
function webmEndMs(p, track) { return (p.timestampNs - track.codecDelayNs) / 1e6 + p.samples / 48; }
function oggEndMs(p, preSkip) { return (p.granule - preSkip) / 48; }

async function whole(file) {
  const d = await demuxFile(file, { timestamps: true });
  let preSkip = 0;
  d.once('head', (raw, head) => { preSkip = head.preSkip; });
  const got = await drain(d);
  assert.equal(got.error, null);
  return { packets: got.packets, track: d.track ?? null, preSkip, size: fs.statSync(file).size };
}

function assertSuffix(got, ref, startMs, endMs) {
  const from = ref.packets.findIndex((p) => endMs(p) > startMs);
  const expected = from < 0 ? [] : ref.packets.slice(from);
  assert.equal(got.length, expected.length, `packets from ${startMs} ms`);
  for (let i = 0; i < got.length; i++) {
    assert.deepEqual(got[i].packet, expected[i].packet, `packet ${i} from ${startMs} ms`);
    assert.equal(got[i].timestampNs ?? got[i].granule, expected[i].timestampNs ?? expected[i].granule);
  }
  if (from > 0) assert.ok(endMs(ref.packets[from - 1]) <= startMs && endMs(ref.packets[from]) > startMs);
}

test('demuxFile(webm, { startMs }) seeks by the Cues and reads the packets from the one holding the start', async () => {
  const ref = await whole(webm);
  assert.equal(ref.packets.length, SECONDS * 50 + 1);
  const endMs = (p) => webmEndMs(p, ref.track);
  for (const startMs of [0, 1, 13.5, 20_000, 33_333.3, 45_010, 59_990, 70_000]) {
    const d = await demuxFile(webm, { startMs, timestamps: true });
    assert.ok(d instanceof WebmDemuxer);
    const got = await drain(d);
    assert.equal(got.error, null);
    assertSuffix(got.packets, ref, startMs, endMs);
    const { seeks, bytes } = d.stats;
    if (startMs >= 20_000) {
      // The SeekHead, the Cues, then the Cluster: the Clusters before it are never read.
      assert.equal(seeks, 2, `seeks from ${startMs} ms`);
      assert.ok(bytes < ref.size * Math.max(0, 1 - startMs / 1000 / SECONDS) + 2 * C.READ_BYTES, `${bytes} bytes read from ${startMs} ms`);
    }
  }
});

test('demuxFile(ogg, { startMs }) bisects on granules and reads the packets from the one holding the start', async () => {
  const ref = await whole(ogg);
  const endMs = (p) => oggEndMs(p, ref.preSkip);
  for (const startMs of [0, 1, 20_000, 33_333.3, 45_010, 59_990, 70_000]) {
    const d = await demuxFile(ogg, { startMs, timestamps: true });
    assert.ok(d instanceof OggDemuxer);
    const got = await drain(d);
    assert.equal(got.error, null);
    assertSuffix(got.packets, ref, startMs, endMs);
    if (startMs >= 20_000) {
      assert.equal(d.stats.seeks, 1);
      assert.equal(d.stats.holes, 0);
      // Besides the bisection's reads (SEEK_WINDOW_BYTES each, not fed), the demuxer got the
      // headers (a read) and what follows the page it landed on, at most a read before the start.
      assert.ok(d.stats.bytes < ref.size * Math.max(0, 1 - startMs / 1000 / SECONDS) + 3 * C.READ_BYTES, `${d.stats.bytes} bytes`);
    }
  }
});

test('demuxFile on a WebM without Cues (a live recording) reads on from the start', async () => {
  const ref = await whole(live);
  for (const startMs of [5_000, 17_777]) {
    const d = await demuxFile(live, { startMs, timestamps: true });
    const got = await drain(d);
    assert.equal(got.error, null);
    assertSuffix(got.packets, ref, startMs, (p) => webmEndMs(p, ref.track));
    assert.equal(d.stats.seeks, 0);
    assert.ok(d.stats.droppedFrames > 0);
  }
});

test('demuxFile seeks within the first link of a chained Ogg file and plays on into the next', async () => {
  const ref = await whole(chained);
  const first = await whole(link1);
  const d = await demuxFile(chained, { startMs: 3_000, timestamps: true });
  const got = await drain(d);
  assert.equal(got.error, null);
  const from = first.packets.findIndex((p) => oggEndMs(p, first.preSkip) > 3_000);
  assert.deepEqual(got.packets.map((p) => p.packet), ref.packets.slice(from).map((p) => p.packet));
  assert.equal(got.chainEnds, 2);
  assert.equal(new Set(got.packets.map((p) => p.serial)).size, 2);
});

test('startMs on a piped WebmDemuxer / OggDemuxer drops the packets before it', async () => {
  const refWebm = await whole(webm);
  const refOgg = await whole(ogg);
  for (const [Demuxer, file, ref, endMs] of [
    [WebmDemuxer, webm, refWebm, (p) => webmEndMs(p, refWebm.track)],
    [OggDemuxer, ogg, refOgg, (p) => oggEndMs(p, refOgg.preSkip)],
  ]) {
    const d = new Demuxer({ startMs: 12_345, timestamps: true });
    fs.createReadStream(file).pipe(d);
    const got = await drain(d);
    assert.equal(got.error, null);
    assertSuffix(got.packets, ref, 12_345, endMs);
    const { droppedFrames, droppedPackets } = d.stats;
    assert.equal(droppedFrames ?? droppedPackets, ref.packets.length - got.packets.length);
  }
});

test('demuxFile reads as the stream is consumed, and destroying it stops the reading', async () => {
  const d = await demuxFile(webm);
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.ok(d.stats.bytes <= 2 * C.READ_BYTES, `${d.stats.bytes} bytes read before anything was consumed`);
  let n = 0;
  for await (const p of d) {
    assert.ok(Buffer.isBuffer(p));
    if (++n === 100) break;  // destroys the stream
  }
  assert.ok(d.destroyed);
  const bytes = d.stats.bytes;
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.equal(d.stats.bytes, bytes);
});

test('demuxFile refuses what it cannot open or read, with exact errors', async () => {
  const missing = path.join(dir, 'missing.webm');
  await assert.rejects(demuxFile(missing), (err) => {
    assert.equal(err.name, 'VoxpoolError');
    assert.equal(err.code, 'ERR_VOXPOOL_FILE');
    assert.equal(err.cause.code, 'ENOENT');
    assert.equal(err.message, `Could not read ${missing}: ENOENT: no such file or directory, open '${missing}'`);
    return true;
  });
  const text = path.join(dir, 'text.webm');
  fs.writeFileSync(text, 'not a media file at all');
  await assert.rejects(demuxFile(text), {
    name: 'VoxpoolError', code: 'ERR_VOXPOOL_MALFORMED_CONTAINER', message: 'This file is neither Ogg nor WebM/Matroska',
  });
  await assert.rejects(demuxFile(42), {
    name: 'TypeError', message: 'Expected a string or URL for path but received 42 of type number',
  });
  await assert.rejects(demuxFile(webm, { startMs: -1 }), {
    name: 'RangeError', message: `Expected a number between 0 and ${C.MAX_START_MS} for options.startMs but received -1 of type number`,
  });
  assert.throws(() => new OggDemuxer({ startMs: 'soon' }), {
    name: 'TypeError', message: `Expected a number between 0 and ${C.MAX_START_MS} for options.startMs but received "soon" of type string`,
  });
});

test('a WebM whose Cues point into the middle of a Cluster is a stream error, not a crash', async () => {
  const bytes = Buffer.from(fs.readFileSync(webm));
  const cues = bytes.lastIndexOf(Buffer.from([0x1c, 0x53, 0xbb, 0x6b]));
  assert.ok(cues > 0);
  let patched = 0;
  // Each CueClusterPosition (ID 0xF1, a 1-byte size 0x81..0x88, the value): one byte further.
  for (let i = cues; i < bytes.length - 2; i++) {
    if (bytes[i] === 0xf1 && bytes[i + 1] >= 0x81 && bytes[i + 1] <= 0x88) {
      const last = i + 1 + (bytes[i + 1] - 0x80);
      bytes[last] += 1;
      patched++;
      i = last;
    }
  }
  assert.ok(patched >= 5, `${patched} cue positions patched`);
  const bad = path.join(dir, 'bad-cues.webm');
  fs.writeFileSync(bad, bytes);
  const got = await drain(await demuxFile(bad, { startMs: 30_000 }));
  assert.equal(got.error?.code, 'ERR_VOXPOOL_MALFORMED_CONTAINER');
  assert.match(got.error.message, /WebM/);
});
