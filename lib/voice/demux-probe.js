'use strict';
// demuxProbe with @discordjs/voice's contract ({ stream, type } from the first bytes), on voxpool's
// own demuxers: no prism-media, parsing on the pool, and a stream that has lost no bytes.
const { Readable } = require('node:stream');
const validate = require('../validate');
const { OggDemuxer } = require('../ogg-demuxer');
const { WebmDemuxer } = require('../webm-demuxer');
const { StreamType } = require('./input-type');

// @discordjs/voice's default probe size (bytes read before the verdict "arbitrary").
const DEFAULT_PROBE_SIZE = 1024;
const MAX_PROBE_SIZE = 64 * 1024 * 1024;
// OpusHead: channel count at byte 9, input sample rate (u32 LE) at 12.
const OPUS_HEAD_MIN_BYTES = 19;

/**
 * @discordjs/voice's validateDiscordOpusHead: a stereo 48 kHz OpusHead, what Discord plays as is.
 * @param {Buffer} opusHead the raw OpusHead packet
 * @returns {boolean}
 */
function validateDiscordOpusHead(opusHead) {
  return opusHead.length >= OPUS_HEAD_MIN_BYTES && opusHead.readUInt8(9) === 2 && opusHead.readUInt32LE(12) === 48000;
}

/**
 * Reads the start of `stream` and says whether it is Ogg Opus, WebM Opus or anything else, as
 * @discordjs/voice's demuxProbe does (same arguments, same result), with voxpool's demuxers.
 * The stream returned holds every byte: `stream` itself, with the bytes read put back in front
 * (or, when it had ended, a new Readable of them).
 * @param {import('node:stream').Readable} stream a byte stream (not object mode), not ended
 * @param {number} [probeSize=1024] bytes read at most before deciding "arbitrary"
 * @param {(opusHead: Buffer) => boolean} [validator=validateDiscordOpusHead] accepts an OpusHead
 * @returns {Promise<{ stream: import('node:stream').Readable, type: string }>} `type` is a StreamType
 */
function demuxProbe(stream, probeSize = DEFAULT_PROBE_SIZE, validator = validateDiscordOpusHead) {
  if (!(stream instanceof Readable)) throw validate.invalidType('a Readable stream', 'stream', stream);
  const size = validate.integer(probeSize, 'probeSize', 1, MAX_PROBE_SIZE);
  if (typeof validator !== 'function') throw validate.invalidType('a function', 'validator', validator);
  return new Promise((resolve, reject) => {
    if (stream.readableObjectMode) {
      reject(new TypeError('Cannot probe a readable stream in object mode'));
      return;
    }
    if (stream.readableEnded) {
      reject(new Error('Cannot probe a stream that has ended'));
      return;
    }
    const read = [];
    let readBytes = 0;
    let decided = false;
    const demuxers = [[new OggDemuxer(), StreamType.OggOpus], [new WebmDemuxer(), StreamType.WebmOpus]];

    const finish = (type) => {
      if (decided) return;
      decided = true;
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('close', onEnd);
      stream.off('error', onError);
      for (const [d] of demuxers) d.destroy();
      const bytes = Buffer.concat(read, readBytes);
      if (stream.readableEnded || stream.destroyed) {
        resolve({ stream: Readable.from(bytes.length > 0 ? [bytes] : []), type });
        return;
      }
      stream.pause();
      if (bytes.length > 0) stream.unshift(bytes);
      resolve({ stream, type });
    };
    const onError = (err) => {
      if (decided) return;
      decided = true;
      for (const [d] of demuxers) d.destroy();
      reject(err);
    };
    // The demuxers parse on the pool, so the stream's end may come before their verdict: they are
    // ended too, and "arbitrary" waits for both to finish with what they were given.
    let pending = demuxers.length;
    // Ends the demuxers once, whichever comes first: enough bytes, the stream's 'end' or 'close'.
    let ended = false;
    const endDemuxers = () => {
      if (ended) return;
      ended = true;
      for (const [d] of demuxers) if (!d.destroyed) d.end();
    };
    const onEnd = () => {
      if (decided) return;
      stream.off('data', onData);
      endDemuxers();
    };
    for (const [demuxer, type] of demuxers) {
      demuxer.on('head', (head) => {
        let ok = false;
        try {
          ok = validator(head) === true;
        } catch (err) {
          onError(err);
          return;
        }
        if (ok) finish(type);
      });
      demuxer.on('data', () => {});  // packets are not needed, only the head
      const done = () => {
        if (--pending === 0) finish(StreamType.Arbitrary);
      };
      // Not this container (or a truncated one): that demuxer's verdict is "no".
      demuxer.once('error', done);
      demuxer.once('end', done);
    }
    const onData = (chunk) => {
      read.push(chunk);
      readBytes += chunk.length;
      for (const [d] of demuxers) if (!d.destroyed) d.write(chunk);
      if (readBytes >= size) {
        stream.off('data', onData);
        stream.pause();
        // Enough bytes: let the demuxers finish what they were given.
        endDemuxers();
      }
    };
    stream.on('error', onError);
    stream.on('data', onData);
    stream.once('end', onEnd);
    stream.once('close', onEnd);
  });
}

module.exports = { demuxProbe, validateDiscordOpusHead, DEFAULT_PROBE_SIZE };
