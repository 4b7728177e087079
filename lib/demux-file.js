'use strict';
// demuxFile: an Ogg Opus or WebM/Matroska Opus file as a stream of Opus packets, from a start
// point, without reading what comes before it. The file is read with fs (libuv's threads) a
// chunk at a time as the stream is consumed; the demuxers parse on the pool. Seeking:
//   - WebM: the SeekHead says where the Cues are; the Cues say which Cluster holds the start; the
//     demuxer reads from that Cluster and drops its packets before the start. A file without
//     Cues (a live recording) is read from its first Cluster.
//   - Ogg: bisection on the granule positions of the followed stream's pages (native
//     findOggPage over a window of the file per step, as libopusfile seeks), then the demuxer
//     reads from the last page that ends at or before the start and drops what precedes it.
const fs = require('node:fs');
const { isProxy } = require('node:util').types;
const binding = require('./binding');
const validate = require('./validate');
const { VoxpoolError } = require('./errors');
const { INDEX, SEEK } = require('./demuxer-stream');
const { OggDemuxer } = require('./ogg-demuxer');
const { WebmDemuxer } = require('./webm-demuxer');

const C = binding.containerConstants;
const OGG_MAGIC = Buffer.from('OggS');
const EBML_MAGIC = Buffer.from([0x1a, 0x45, 0xdf, 0xa3]);
// An EBML element header is at most a 4-byte ID and an 8-byte size: reading this much at the
// Cues gives the demuxer their header, and so their end, before anything after them is read.
const EBML_HEADER_BYTES = 12;

/**
 * Opens an Ogg Opus (.opus, .ogg) or WebM/Matroska Opus (.webm, .mka, .mkv) file and returns the
 * demuxer stream reading it, from `options.startMs` when given. The stream is an
 * {@link OggDemuxer} or {@link WebmDemuxer} (object mode, one Opus packet per chunk, 'head'
 * first), ended at the end of the file; a read error or a malformed file destroys it with the
 * error. Destroying it stops the reading and closes the file.
 *
 * @param {string | URL} path
 * @param {object} [options]
 * @param {number} [options.startMs=0] play from this presentation time (ms): the first packet
 *   read is the one that contains it
 * @param {boolean} [options.timestamps=false] read packet objects with timestamps (the
 *   demuxers' `timestamps` option)
 * @param {number} [options.serial] Ogg: the stream to follow (OggDemuxer's option)
 * @param {number} [options.track] WebM: the track to follow (WebmDemuxer's option)
 * @returns {Promise<OggDemuxer | WebmDemuxer>} once the file is open and its format known;
 *   rejects with a VoxpoolError: ERR_VOXPOOL_FILE when it cannot be opened or read (the fs error
 *   is its `cause`), ERR_VOXPOOL_MALFORMED_CONTAINER when it is neither Ogg nor WebM/Matroska
 */
async function demuxFile(path, options) {
  const isUrl = typeof path === 'object' && path !== null && !isProxy(path) && path instanceof URL;
  if (typeof path !== 'string' && !isUrl) throw validate.invalidType('a string or URL', 'path', path);
  if (typeof path === 'string' && path.includes('\0')) throw validate.invalidRange('a path without NUL characters', 'path', path);
  const o = validate.options(options);
  const startMs = o.startMs === undefined ? 0 : validate.number(o.startMs, 'options.startMs', 0, C.MAX_START_MS);
  const common = { startMs };
  if (o.timestamps !== undefined) common.timestamps = validate.boolean(o.timestamps, 'options.timestamps');
  // Checked whatever the format turns out to be, so that a bad one is refused for either.
  if (o.serial !== undefined) validate.integer(o.serial, 'options.serial', 0, C.MAX_SERIAL);
  if (o.track !== undefined) validate.integer(o.track, 'options.track', 1, C.WEBM.MAX_TRACK_NUMBER);
  const file = await fs.promises.open(path, 'r').catch((err) => { throw fileError(err, path); });
  let demuxer;
  let first;
  let size;
  try {
    ({ size } = await file.stat());
    first = await readAt(file, 0, Math.min(C.READ_BYTES, size));
    if (startsWith(first, OGG_MAGIC)) {
      demuxer = new OggDemuxer({ ...common, ...(o.serial === undefined ? {} : { serial: o.serial }) });
    } else if (startsWith(first, EBML_MAGIC)) {
      demuxer = new WebmDemuxer({ ...common, ...(o.track === undefined ? {} : { track: o.track }), [INDEX]: true });
    } else {
      throw new VoxpoolError('This file is neither Ogg nor WebM/Matroska', 'ERR_VOXPOOL_MALFORMED_CONTAINER');
    }
  } catch (err) {
    await file.close();
    throw err instanceof VoxpoolError || err instanceof TypeError || err instanceof RangeError ? err : fileError(err, path);
  }
  const reader = new Reader(file, size, demuxer);
  const feed = demuxer instanceof OggDemuxer ? feedOgg(reader, first, startMs) : feedWebm(reader, first, startMs);
  feed.then(() => { if (!demuxer.destroyed) demuxer.end(); }, (err) => demuxer.destroy(err.code?.startsWith('ERR_VOXPOOL_') ? err : fileError(err, path)))
    .finally(() => file.close()).catch(() => {});
  return demuxer;
}

// The file and the demuxer it feeds: `write` resolves once the demuxer has parsed the chunk (and
// emitted its packets: its callback waits while the stream's reader is behind, which is the
// backpressure). `live` is false once the stream is destroyed: the feeding stops.
class Reader {
  constructor(file, size, demuxer) {
    this.file = file;
    this.size = size;
    this.demuxer = demuxer;
  }

  get live() { return !this.demuxer.destroyed; }

  read(position, length) { return readAt(this.file, position, Math.min(length, this.size - position)); }

  write(chunk) {
    return new Promise((resolve, reject) => {
      this.demuxer.write(chunk, (err) => (err ? reject(err) : resolve()));
    });
  }

  seek(position) { return this.demuxer[SEEK](position); }

  // Feeds [from, to) in READ_BYTES chunks, stopping early once `done()` is true (checked after
  // each chunk is parsed); returns where it stopped.
  async copy(from, to = this.size, done = () => false) {
    let at = from;
    while (at < to && this.live && !done()) {
      const chunk = await this.read(at, Math.min(C.READ_BYTES, to - at));
      if (chunk.length === 0) break;  // the file shrank
      at += chunk.length;
      if (this.live) await this.write(chunk);
    }
    return at;
  }
}

async function feedWebm(r, first, startMs) {
  await r.write(first);
  const index = r.demuxer[INDEX];
  // The headers, up to the first Cluster (a few kB in practice).
  const at = await r.copy(first.length, r.size, () => index.firstCluster !== undefined);
  if (startMs === 0 || r.demuxer.stats.frames > 0 || index.cuesAt === undefined || !r.live) {
    await r.copy(at);  // from the start, the start already reached, or no Cues: read on
    return;
  }
  await r.seek(index.cuesAt);
  await r.write(await r.read(index.cuesAt, EBML_HEADER_BYTES));
  if (index.cuesEnd !== undefined) await r.copy(index.cuesAt + EBML_HEADER_BYTES, index.cuesEnd);
  // The Cluster of the last CuePoint at or before the start (CueTime is a Block timestamp: the
  // CodecDelay counted), else the first Cluster.
  const startNs = startMs * 1e6 + (r.demuxer.track?.codecDelayNs ?? 0);
  let best = null;
  for (const cue of index.cuePoints) {
    if (cue.timestampNs <= startNs && (best === null || cue.timestampNs >= best.timestampNs)) best = cue;
  }
  const from = best === null ? index.firstCluster : best.position;
  await r.seek(from);
  await r.copy(from);
}

async function feedOgg(r, first, startMs) {
  let at = first.length;
  let preSkip = 0;
  let tags = false;
  r.demuxer.once('head', (raw, head) => { preSkip = head.preSkip; });
  r.demuxer.once('tags', () => { tags = true; });
  await r.write(first);
  // The OpusHead and OpusTags (a page each, the tags more when they hold cover art).
  at = await r.copy(at, r.size, () => tags);
  const serial = r.demuxer.serial;
  if (startMs > 0 && tags && r.demuxer.stats.packets === 0 && serial !== null && r.live) {
    // Bisection for the last page (of the followed stream, with a granule) ending at or before
    // the start: its packets all end before it, and reading from it loses nothing after it.
    const target = Math.round(startMs * C.GRANULE_RATE / 1000) + preSkip;
    let lo = at;
    let hi = r.size;
    // Down to a read's worth: the demuxer then reads at most that much before the start.
    while (hi - lo > C.READ_BYTES && r.live) {
      const mid = lo + Math.floor((hi - lo) / 2);
      const page = binding.findOggPage(await r.read(mid, C.SEEK_WINDOW_BYTES), serial);
      if (page !== null && mid + page.offset < hi && page.granule <= target) lo = mid + page.offset;
      else hi = mid;
    }
    if (lo > at) {
      await r.seek(lo);
      at = lo;
    }
  }
  await r.copy(at);
}

async function readAt(file, position, length) {
  const buffer = Buffer.allocUnsafe(length);
  let n = 0;
  while (n < length) {
    const { bytesRead } = await file.read(buffer, n, length - n, position + n);
    if (bytesRead === 0) break;
    n += bytesRead;
  }
  return n === length ? buffer : buffer.subarray(0, n);
}

// An fs failure as the VoxpoolError demuxFile gives: ERR_VOXPOOL_FILE, the fs error as its cause
// (err.cause.code is 'ENOENT', 'EACCES', ...).
function fileError(err, path) {
  const e = new VoxpoolError(`Could not read ${String(path)}: ${err.message}`, 'ERR_VOXPOOL_FILE');
  e.cause = err;
  return e;
}

function startsWith(buffer, magic) {
  return buffer.length >= magic.length && buffer.subarray(0, magic.length).equals(magic);
}

module.exports = { demuxFile };
