'use strict';
// What kind of audio an input carries: @discordjs/voice's StreamType values, and its inference
// from the stream's class, extended to voxpool's own streams.
const { OpusEncoderStream, OpusDecoderStream } = require('../opus-streams');
const { VolumeTransformer } = require('../mixer-streams');

/** @discordjs/voice's StreamType (the same string values, so either enum may be passed). */
const StreamType = Object.freeze({
  Arbitrary: 'arbitrary',
  OggOpus: 'ogg/opus',
  Opus: 'opus',
  Raw: 'raw',
  WebmOpus: 'webm/opus',
});

/** @discordjs/voice's TransformerType: the `type` of each pipeline edge. */
const TransformerType = Object.freeze({
  FFmpegOgg: 'ffmpeg ogg',
  FFmpegPCM: 'ffmpeg pcm',
  InlineVolume: 'volume transformer',
  OggOpusDemuxer: 'ogg/opus demuxer',
  OpusDecoder: 'opus decoder',
  OpusEncoder: 'opus encoder',
  WebmOpusDemuxer: 'webm/opus demuxer',
});

const STREAM_TYPES = Object.values(StreamType);

/**
 * @discordjs/voice's inferStreamType, plus voxpool's streams: an OpusEncoderStream carries Opus,
 * an OpusDecoderStream or a VolumeTransformer raw PCM (the latter with volume). Anything else is
 * Arbitrary (it goes through FFmpeg).
 * @param {import('node:stream').Readable} stream
 * @param {object | null} prism the prism-media module the bound @discordjs/voice uses
 * @returns {{ streamType: string, hasVolume: boolean }}
 */
function inferStreamType(stream, prism) {
  if (prism) {
    if (stream instanceof prism.opus.Encoder) return { streamType: StreamType.Opus, hasVolume: false };
    if (stream instanceof prism.opus.Decoder) return { streamType: StreamType.Raw, hasVolume: false };
    if (stream instanceof prism.VolumeTransformer) return { streamType: StreamType.Raw, hasVolume: true };
    if (stream instanceof prism.opus.OggDemuxer) return { streamType: StreamType.Opus, hasVolume: false };
    if (stream instanceof prism.opus.WebmDemuxer) return { streamType: StreamType.Opus, hasVolume: false };
  }
  if (stream instanceof OpusEncoderStream) return { streamType: StreamType.Opus, hasVolume: false };
  if (stream instanceof OpusDecoderStream) return { streamType: StreamType.Raw, hasVolume: false };
  if (stream instanceof VolumeTransformer) return { streamType: StreamType.Raw, hasVolume: true };
  return { streamType: StreamType.Arbitrary, hasVolume: false };
}

module.exports = { StreamType, TransformerType, STREAM_TYPES, inferStreamType };
