// voxpool/voice: @discordjs/voice (>= 0.18, an optional peer dependency) with its codec work on
// voxpool's pool. See lib/voice/index.js.
import type { Readable } from 'node:stream';
import type { AudioResource, VoiceConnection, VoiceReceiver, EndBehavior, StreamType as VoiceStreamType } from '@discordjs/voice';
import type {
  OpusEncoderStream, EncoderStreamOptions, VolumeTransformer, SpeakerMixerStream, SpeakerMixerStreamOptions,
  OpusTranscodeStream, TranscodeStreamOptions, LavalinkFilters,
} from '../index';

/** @discordjs/voice's StreamType values (either enum may be passed as inputType). */
export declare const StreamType: Readonly<{
  Arbitrary: 'arbitrary'; OggOpus: 'ogg/opus'; Opus: 'opus'; Raw: 'raw'; WebmOpus: 'webm/opus';
}>;
export type StreamTypeValue = 'arbitrary' | 'ogg/opus' | 'opus' | 'raw' | 'webm/opus';
/** @discordjs/voice's TransformerType: the `type` of each edge in `resource.edges`. */
export declare const TransformerType: Readonly<{
  FFmpegOgg: 'ffmpeg ogg'; FFmpegPCM: 'ffmpeg pcm'; InlineVolume: 'volume transformer'; OggOpusDemuxer: 'ogg/opus demuxer';
  OpusDecoder: 'opus decoder'; OpusEncoder: 'opus encoder'; WebmOpusDemuxer: 'webm/opus demuxer';
}>;

/** @discordjs/voice's CreateAudioResourceOptions. */
export interface CreateAudioResourceOptions<Metadata> {
  /** The input's type; inferred when omitted (a string is always Arbitrary, for FFmpeg). */
  inputType?: VoiceStreamType | StreamTypeValue;
  /** Adds a volume stage (voxpool's, ramped) reachable as `resource.volume`. */
  inlineVolume?: boolean;
  metadata?: Metadata;
  /** Silence frames played after the end (default 5). */
  silencePaddingFrames?: number;
  /**
   * Lavalink's filters, run in the encoder's pool job (Opus, Ogg and WebM input is then decoded
   * and encoded again); change them later with `resource.encoder.setFilters()`.
   */
  filters?: LavalinkFilters;
}

/**
 * The encoder stage of a resource: voxpool's OpusEncoderStream with prism-media's setters.
 * `encoder` is the voxpool Encoder (every other setting).
 */
export declare class VoiceEncoderStream extends OpusEncoderStream {
  constructor(options?: EncoderStreamOptions);
  /** Bits per second, clamped to 16000..128000 as prism-media does. */
  setBitrate(bitrate: number): void;
  /** In-band forward error correction. */
  setFEC(enabled: boolean): void;
  /** Expected packet loss, a fraction 0..1 (clamped). */
  setPLP(percentage: number): void;
}

/**
 * The Opus → volume → Opus stage of a resource (Opus input with inlineVolume): one pool job per
 * frame; it is both `resource.volume` and `resource.encoder`.
 */
export declare class VoiceTranscodeStream extends OpusTranscodeStream {
  constructor(options?: TranscodeStreamOptions);
  /** Bits per second, clamped to 16000..128000 as prism-media does. */
  setBitrate(bitrate: number): void;
  /** In-band forward error correction. */
  setFEC(enabled: boolean): void;
  /** Expected packet loss, a fraction 0..1 (clamped). */
  setPLP(percentage: number): void;
}

/**
 * A genuine AudioResource of the bound @discordjs/voice; `volume` and `encoder` are voxpool's
 * stages (they have the prism-media methods users call).
 */
export type VoxpoolAudioResource<Metadata = unknown> = AudioResource<Metadata> & {
  readonly volume?: VolumeTransformer | VoiceTranscodeStream;
  readonly encoder?: VoiceEncoderStream | VoiceTranscodeStream;
};

export declare function createAudioResource<Metadata>(
  input: Readable | string,
  options: CreateAudioResourceOptions<Metadata> &
    Pick<Metadata extends null | undefined ? CreateAudioResourceOptions<Metadata> : Required<CreateAudioResourceOptions<Metadata>>, 'metadata'>,
): VoxpoolAudioResource<Metadata extends null | undefined ? null : Metadata>;
export declare function createAudioResource<Metadata extends null | undefined>(
  input: Readable | string,
  options?: Omit<CreateAudioResourceOptions<Metadata>, 'metadata'>,
): VoxpoolAudioResource<null>;

/** What demuxProbe found: `stream` holds every byte of the input (none lost to the probe). */
export interface ProbeInfo { stream: Readable; type: 'ogg/opus' | 'webm/opus' | 'arbitrary' }
/**
 * @discordjs/voice's demuxProbe on voxpool's demuxers: reads up to `probeSize` bytes (default
 * 1024) and says whether the input is Ogg Opus or WebM Opus whose OpusHead `validator` accepts
 * (default: validateDiscordOpusHead), or arbitrary.
 */
export declare function demuxProbe(stream: Readable, probeSize?: number, validator?: (opusHead: Buffer) => boolean): Promise<ProbeInfo>;
/** @discordjs/voice's validateDiscordOpusHead: a stereo, 48 kHz OpusHead. */
export declare function validateDiscordOpusHead(opusHead: Buffer): boolean;

// ---- receive ----

/** One decoded 20 ms frame. */
export interface DecodedFrame {
  /** Interleaved s16le at the stream's sampleRate / channels. */
  pcm: Buffer;
  /** RTP sequence number (made up from 0 when the source yields plain Buffers). */
  sequence: number;
  /** RTP timestamp, 48 kHz units (made up from 0 when the source yields plain Buffers). */
  timestamp: number;
  /** decoded: from its packet; concealed: PLC for a lost packet; recovered: from the next packet's FEC. */
  kind: 'decoded' | 'concealed' | 'recovered';
  /** The sender's SSRC, when the source gives it. */
  ssrc: number | undefined;
  userId: string | undefined;
}

export interface DecodedStreamOptions {
  /** Output rate in Hz: 8000, 12000, 16000, 24000 or 48000 (default). */
  sampleRate?: 8000 | 12000 | 16000 | 24000 | 48000;
  /** Output channels (default 2). */
  channels?: 1 | 2;
  /** Packets held while an earlier one is missing, and × 20 ms the longest hold (0..64, default 3). */
  window?: number;
  /** Rebuild the last lost frame of a gap from the next packet's in-band FEC (default true). */
  fec?: boolean;
  /** Most frames concealed per gap (0..250, default 10); a longer gap stays a gap. */
  maxConcealFrames?: number;
  /** Copied onto every frame. */
  userId?: string;
  /** Destroy the source when this stream is destroyed (default false). */
  ownsSource?: boolean;
  /** Frames buffered for the reader (default 16; a live source is not paused). */
  highWaterMark?: number;
}

export interface DecodedStats {
  packets: number; decoded: number; concealed: number; recovered: number; late: number; corrupt: number;
}

/** Opus packets (Buffers, or `{ payload, sequence, timestamp, ssrc }`) in; DecodedFrame objects out. */
export declare class DecodedReceiveStream extends Readable {
  constructor(source: Readable, options?: DecodedStreamOptions);
  readonly source: Readable;
  stats(): DecodedStats;
  read(size?: number): DecodedFrame | null;
  [Symbol.asyncIterator](): AsyncIterableIterator<DecodedFrame>;
  on(event: 'data', listener: (frame: DecodedFrame) => void): this;
  on(event: 'warning', listener: (err: Error) => void): this;
  on(event: string | symbol, listener: (...args: any[]) => void): this;
}

/** Decodes any Readable of Opus packets. */
export declare function createDecodedStream(source: Readable, options?: DecodedStreamOptions): DecodedReceiveStream;

/**
 * Subscribes to a user (`receiver.subscribe(userId, { end })`) and decodes on the pool. Destroying
 * the stream ends the subscription if this call created it.
 */
export declare function subscribeDecoded(
  connection: VoiceConnection | VoiceReceiver,
  userId: string,
  options?: Omit<DecodedStreamOptions, 'userId' | 'ownsSource'> & { end?: EndBehavior },
): DecodedReceiveStream;

export interface SpeakerMixOptions extends Omit<SpeakerMixerStreamOptions, 'inputRate'> {
  /** Only these user ids (default: everyone who speaks). */
  users?: string[];
  window?: number;
  fec?: boolean;
  maxConcealFrames?: number;
}

/** Every speaker decoded and mixed (SpeakerMixerStream, real-time pacing by default). */
export declare class SpeakerMixStream extends SpeakerMixerStream {
  /** Users being decoded now. */
  readonly users: string[];
  /** Stops subscribing, plays out the jitter buffer, ends. */
  end(): this;
}

/** Mixes every speaker of a connection, e.g. `{ outputRate: 16000, outputChannels: 1 }` for speech-to-text. */
export declare function createSpeakerMix(connection: VoiceConnection | VoiceReceiver, options?: SpeakerMixOptions): SpeakerMixStream;

export interface UtteranceReceiverOptions extends Omit<import('../index').UtteranceStreamOptions, 'live'> {
  /** Only these user ids (default: everyone who speaks). */
  users?: string[];
  window?: number;
  fec?: boolean;
  maxConcealFrames?: number;
}
export interface SpeakerUtterance extends import('../index').Utterance { userId: string }

/**
 * Every speaker's utterances: decoded on the pool at sampleRate (default 16000) mono, cleaned and
 * segmented per user. startMs/endMs are on that user's own audio clock.
 */
export declare class UtteranceReceiver extends Readable {
  /** Users with an utterance stream now. */
  readonly users: string[];
  /** Stops subscribing, ends each user's utterance (what was said so far comes out), then ends. */
  end(): this;
  on(event: 'data', listener: (u: SpeakerUtterance) => void): this;
  on(event: 'speechstart', listener: (e: { userId: string; startMs: number }) => void): this;
  on(event: 'speechend', listener: (e: { userId: string; startMs: number; endMs: number }) => void): this;
  on(event: string | symbol, listener: (...args: any[]) => void): this;
}

/** Utterances of every speaker of a connection, for speech-to-text, tagged with the user id. */
export declare function createUtteranceReceiver(connection: VoiceConnection | VoiceReceiver, options?: UtteranceReceiverOptions): UtteranceReceiver;

// ---- binding ----

export interface VoiceApi {
  readonly voice: object;
  createAudioResource: typeof createAudioResource;
  subscribeDecoded: typeof subscribeDecoded;
  createSpeakerMix: typeof createSpeakerMix;
  createUtteranceReceiver: typeof createUtteranceReceiver;
  createDecodedStream: typeof createDecodedStream;
  StreamType: typeof StreamType;
  TransformerType: typeof TransformerType;
}

/**
 * The API bound to a given @discordjs/voice module object (another version, or one of several
 * copies). The module-level functions bind to require('@discordjs/voice') on first use.
 */
export declare function withVoice(voice: object, options?: { prism?: object }): VoiceApi;
