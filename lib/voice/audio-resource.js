'use strict';
// createAudioResource with @discordjs/voice's signature and semantics, building a genuine
// AudioResource of the bound @discordjs/voice whose codec stages run on voxpool's pool.
const validate = require('../validate');
const { CLOCK_RATE } = require('../binding').voiceConstants;
const { OpusDecoderStream } = require('../opus-streams');
const { VolumeTransformer } = require('../mixer-streams');
const { StreamType, TransformerType, STREAM_TYPES, inferStreamType } = require('./input-type');
const { VoiceEncoderStream } = require('./encoder-stream');
const { createTranscodeStages } = require('./transcode');
const { OggDemuxer } = require('../ogg-demuxer');
const { WebmDemuxer } = require('../webm-demuxer');
const { prismMissing } = require('./resolve');
const { checkFilters } = require('../filter-chain');

// @discordjs/voice's FFmpeg arguments (src/audio/TransformerGraph.ts): s16le, 48 kHz, stereo.
const FFMPEG_PCM_ARGUMENTS = ['-analyzeduration', '0', '-loglevel', '0', '-f', 's16le', '-ar', String(CLOCK_RATE), '-ac', '2'];

// Little PCM buffered around the volume stage of raw input, so a volume change is heard soon:
// Node 22's default of 64 KiB per side would hold ~0.7 s already scaled at the old volume.
const VOLUME_OPTIONS = Object.freeze({ type: 's16le', sampleRate: CLOCK_RATE, channels: 2, highWaterMark: 2 * 3840 });

// A graph node as @discordjs/voice builds them, for a copy that does not export its Node (0.18).
class PipelineNode {
  constructor(type) {
    this.type = type;
    this.edges = [];
  }

  addEdge(edge) {
    this.edges.push({ ...edge, from: this });
  }
}

/**
 * The transformer graph of @discordjs/voice (same node and edge types and costs), with voxpool's
 * stages: encoder, decoder, volume and the Ogg and WebM demuxers are voxpool's; FFmpeg is
 * prism-media's, as in @discordjs/voice. Edges are plain objects `{ type, from, to, cost,
 * transformer }` and `resource.edges` lists the ones a resource's pipeline takes.
 * @param {object} voice the bound @discordjs/voice
 * @param {object | null} prism its prism-media
 */
function buildGraph(voice, prism) {
  const Node = typeof voice.Node === 'function' ? voice.Node : PipelineNode;
  const nodes = new Map(STREAM_TYPES.map((type) => [type, new Node(type)]));
  const node = (type) => nodes.get(type);
  const needPrism = (what) => {
    if (!prism) throw prismMissing(what);
    return prism;
  };
  const edge = (from, e) => {
    node(from).addEdge(e);
    return node(from).edges[node(from).edges.length - 1];
  };
  const ffmpeg = {
    type: TransformerType.FFmpegPCM,
    to: node(StreamType.Raw),
    cost: 2,
    transformer: (input) => new (needPrism('FFmpeg (an Arbitrary input)').FFmpeg)({
      args: ['-i', typeof input === 'string' ? input : '-', ...FFMPEG_PCM_ARGUMENTS],
    }),
  };
  return {
    nodes,
    encoder: edge(StreamType.Raw, {
      type: TransformerType.OpusEncoder, to: node(StreamType.Opus), cost: 1.5, transformer: () => new VoiceEncoderStream(),
    }),
    decoder: edge(StreamType.Opus, {
      type: TransformerType.OpusDecoder, to: node(StreamType.Raw), cost: 1.5,
      transformer: () => new OpusDecoderStream({ sampleRate: CLOCK_RATE, channels: 2, prebuffer: 0 }),
    }),
    // voxpool's own demuxers: parsed on the pool, no prism-media needed (prism's API, so a
    // resource's stages look as they would with @discordjs/voice's graph).
    oggDemuxer: edge(StreamType.OggOpus, {
      type: TransformerType.OggOpusDemuxer, to: node(StreamType.Opus), cost: 1, transformer: () => new OggDemuxer(),
    }),
    webmDemuxer: edge(StreamType.WebmOpus, {
      type: TransformerType.WebmOpusDemuxer, to: node(StreamType.Opus), cost: 1, transformer: () => new WebmDemuxer(),
    }),
    ffmpeg: {
      [StreamType.Arbitrary]: edge(StreamType.Arbitrary, ffmpeg),
      [StreamType.OggOpus]: edge(StreamType.OggOpus, ffmpeg),
      [StreamType.WebmOpus]: edge(StreamType.WebmOpus, ffmpeg),
    },
    volume: edge(StreamType.Raw, {
      type: TransformerType.InlineVolume, to: node(StreamType.Raw), cost: 0.5,
      transformer: () => new VolumeTransformer(VOLUME_OPTIONS),
    }),
  };
}

/**
 * The edges from `inputType` to Opus. The same routes as @discordjs/voice's cheapest paths, except
 * that no edge encodes in FFmpeg (Arbitrary goes to PCM and voxpool encodes it) and Ogg/WebM with
 * volume are demuxed and transcoded on the pool instead of being decoded by FFmpeg.
 * @returns {object[]} edges
 */
function planPipeline(graph, inputType, volume, filtered) {
  // Opus input is decoded and encoded again when its PCM must change (volume or filters).
  const transcode = volume ? [graph.decoder, graph.volume, graph.encoder] : filtered ? [graph.decoder, graph.encoder] : [];
  switch (inputType) {
    case StreamType.Arbitrary: return [graph.ffmpeg[StreamType.Arbitrary], ...(volume ? [graph.volume] : []), graph.encoder];
    case StreamType.Raw: return [...(volume ? [graph.volume] : []), graph.encoder];
    case StreamType.Opus: return transcode;
    case StreamType.OggOpus: return [graph.oggDemuxer, ...transcode];
    default: return [graph.webmDemuxer, ...transcode];  // WebmOpus (inputType is validated)
  }
}

/**
 * The streams for `edges`: one per edge, except that a decoder → volume → encoder run (or
 * decoder → encoder, for filters alone) is built by createTranscodeStages (today one fused pool
 * stream for the edges, which still describe what is done, as @discordjs/voice's edges for that
 * path do).
 * @returns {{ streams: object[], volume?: object, encoder?: object }}
 */
function buildStages(edges, input, fuse = true) {
  const built = { streams: [], volume: undefined, encoder: undefined };
  try {
    for (let i = 0; i < edges.length; i++) {
      const { type } = edges[i];
      if (!fuse) {
        // One stream per edge: timescale runs in the encoder stream, whose jobs may make 0..n
        // packets (the fused transcoder makes one per packet).
        const stream = edges[i].transformer(input);
        built.streams.push(stream);
        if (type === TransformerType.InlineVolume) built.volume = stream;
        if (type === TransformerType.OpusEncoder) built.encoder = stream;
        continue;
      }
      if (type === TransformerType.OpusDecoder && edges[i + 1]?.type === TransformerType.InlineVolume &&
          edges[i + 2]?.type === TransformerType.OpusEncoder) {
        const t = createTranscodeStages();
        built.streams.push(...t.streams);
        built.volume = t.volume;
        built.encoder = t.encoder;
        i += 2;
        continue;
      }
      if (type === TransformerType.OpusDecoder && edges[i + 1]?.type === TransformerType.OpusEncoder) {
        const t = createTranscodeStages();
        built.streams.push(...t.streams);
        built.encoder = t.encoder;
        i += 1;
        continue;
      }
      const stream = edges[i].transformer(input);
      built.streams.push(stream);
      if (type === TransformerType.InlineVolume) built.volume = stream;
      if (type === TransformerType.OpusEncoder) built.encoder = stream;
    }
  } catch (err) {
    for (const s of built.streams) s.destroy();  // stages made so far hold native memory
    throw err;
  }
  return built;
}

// Whether a (checked) filters object time-stretches: timescale off its identity.
function stretches(filters) {
  const t = checkFilters(filters, 'options.filters').canonical.timescale;
  return Boolean(t && (t.speed !== 1 || t.pitch !== 1 || t.rate !== 1));
}

function isReadableLike(value) {
  return value !== null && typeof value === 'object' && !validate.isRevoked(value) &&
    typeof value.pipe === 'function' && typeof value.on === 'function' && typeof value.read === 'function';
}

/**
 * Makes a createAudioResource bound to one @discordjs/voice copy.
 * @param {object} voice @discordjs/voice (0.18 or later)
 * @param {object | null} prism the prism-media that copy uses
 */
function audioResourceFactory(voice, prism) {
  let graph = null;

  /**
   * @discordjs/voice's createAudioResource, with the codec work on voxpool's pool.
   * @param {string | import('node:stream').Readable} input a path/URL for FFmpeg, or a stream
   * @param {{ inputType?: string, inlineVolume?: boolean, metadata?: unknown, silencePaddingFrames?: number, filters?: object }} [options]
   *   `filters`: Lavalink's filters object, run in the encoder's pool job (Opus, Ogg and WebM
   *   input are then decoded and encoded again); change them with `resource.encoder.setFilters()`
   * @returns {object} a genuine AudioResource of the bound @discordjs/voice
   */
  function createAudioResource(input, options) {
    if (typeof input !== 'string' && !isReadableLike(input)) {
      throw validate.invalidType('a path or URL (string) or a Readable stream', 'input', input);
    }
    const o = validate.options(options);
    let inputType = o.inputType === undefined ? undefined : validate.oneOf(o.inputType, 'options.inputType', STREAM_TYPES);
    let volume = o.inlineVolume === undefined ? false : validate.boolean(o.inlineVolume, 'options.inlineVolume');
    const silencePaddingFrames = o.silencePaddingFrames === undefined
      ? 5 : validate.integer(o.silencePaddingFrames, 'options.silencePaddingFrames', 0, 2 ** 31 - 1);
    const metadata = o.metadata ?? null;
    // Checked here, so a bad preset fails before any stage exists (the stages check it again).
    const filters = o.filters === undefined ? undefined : (checkFilters(o.filters, 'options.filters'), o.filters);
    let inputVolume;
    if (typeof input === 'string') {
      inputType = StreamType.Arbitrary;  // as @discordjs/voice: a string always goes to FFmpeg
    } else if (inputType === undefined) {
      const analysis = inferStreamType(input, prism);
      inputType = analysis.streamType;
      volume = volume && !analysis.hasVolume;
      if (analysis.hasVolume && input instanceof VolumeTransformer) inputVolume = input;
      if (input instanceof OpusDecoderStream && (input.decoder.sampleRate !== CLOCK_RATE || input.decoder.channels !== 2)) {
        throw validate.invalidRange(`an OpusDecoderStream decoding to ${CLOCK_RATE / 1000} kHz stereo (what Discord plays)`, 'input',
          input);
      }
    }
    graph ??= buildGraph(voice, prism);
    const edges = planPipeline(graph, inputType, volume, filters !== undefined);
    const stretch = filters !== undefined && stretches(filters);
    const stages = buildStages(edges, input, !stretch);
    if (filters !== undefined) {
      try {
        stages.encoder.setFilters(filters);
      } catch (err) {
        for (const stream of stages.streams) stream.destroy();
        throw err;
      }
    }
    const streams = typeof input === 'string' ? stages.streams : [input, ...stages.streams];
    const resource = new voice.AudioResource(edges, streams, metadata, silencePaddingFrames);
    // AudioResource recognises only prism's classes; ours are set here (plain fields).
    if (stages.volume) resource.volume = stages.volume;
    else if (inputVolume && resource.volume === undefined) resource.volume = inputVolume;
    if (stages.encoder) resource.encoder = stages.encoder;
    return resource;
  }

  return createAudioResource;
}

module.exports = { audioResourceFactory, FFMPEG_PCM_ARGUMENTS };
