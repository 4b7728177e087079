// Type definitions for voxpool. Kept in step with lib/index.js by test/js/typings.test.js.
/// <reference types="node" />

export class VoxpoolError extends Error {
  constructor(message: string, code: string);
  readonly name: 'VoxpoolError';
  /** Stable code, e.g. 'ERR_VOXPOOL_QUEUE_FULL', 'ERR_VOXPOOL_OPUS_INVALID_PACKET'. */
  readonly code: string;
}

// ---- pool ----------------------------------------------------------------------------------
export interface LatencySummary { count: number; p50: number; p95: number; p99: number; max: number; mean: number }
export interface PoolStats {
  started: boolean; threads: number; capacity: number;
  /** How much nicer than the thread that started the pool its workers run (0: the same). */ workerNice: number;
  submitted: number; completed: number; failed: number; rejected: number; dropped: number; queued: number;
  /** Microseconds from submission to start. */ queueWait: LatencySummary;
  /** Microseconds of work per job. */ serviceTime: LatencySummary;
  /** This environment (thread): loop wake-ups, results settled (Promises and stream sinks), and the native memory its live objects hold (bytes, as reported to V8). */
  environment: { wakeups: number; settled: number; nativeBytes: number };
}
export function configure(options?: {
  threads?: number; capacity?: number;
  /** 0..19: lower the workers' priority so the event loop runs first on saturated cores (fixed once started). */ workerNice?: number;
}): void;
export function stats(): PoolStats;
export function resetStats(): void;

// ---- opus ----------------------------------------------------------------------------------
export type Pcm = Buffer | Int16Array | Float32Array;
export type SampleRate = 8000 | 12000 | 16000 | 24000 | 48000;
export interface QueueOptions {
  /** Most jobs queued for this object (default 4096). */ maxQueue?: number;
  /** What a full queue does: reject the new job (default) or drop the oldest queued one. */ overflow?: 'reject' | 'drop-oldest';
  /**
   * A job not started this many ms after its due time is not run: it rejects with
   * ERR_VOXPOOL_DEADLINE_EXCEEDED (counted in stats().dropped). 0 (default): run late.
   */
  deadlineMs?: number;
}
export interface EncoderOptions extends QueueOptions {
  sampleRate?: SampleRate; channels?: 1 | 2; application?: 'audio' | 'voip' | 'lowdelay';
  /** bits per second */ bitrate?: number; /** 0-10 */ complexity?: number;
  signal?: 'auto' | 'voice' | 'music'; vbr?: boolean; vbrConstraint?: boolean;
  fec?: boolean; /** percent */ packetLoss?: number; dtx?: boolean;
  /** Pool encodes take the complexity this controller chooses. */ adaptive?: AdaptiveComplexity;
  /** Lavalink's filters, run on every frame before it is encoded, in the same job. */ filters?: LavalinkFilters;
}
export interface DecoderOptions extends QueueOptions {
  sampleRate?: SampleRate; channels?: 1 | 2; format?: 's16le' | 'f32le';
}
export class Encoder {
  constructor(options?: EncoderOptions);
  readonly sampleRate: number; readonly channels: number; readonly frameSize: number; readonly pending: number;
  /** The complexity the next frame is encoded at. */ readonly complexity: number;
  encode(pcm: Pcm): Buffer;
  /** dueMs: when the packet is needed, ms from now (default 20); the pool runs the earliest due first */
  encodeAsync(pcm: Pcm, options?: { dueMs?: number }): Promise<Buffer>;
  encodeBatch(frames: Pcm[]): Promise<Array<Buffer | VoxpoolError>>;
  setBitrate(bitrate: number): void; getBitrate(): number;
  setComplexity(complexity: number): void; setFec(enabled: boolean): void; setPacketLoss(percent: number): void;
  setDtx(enabled: boolean): void; setSignal(signal: 'auto' | 'voice' | 'music'): void; setVbr(enabled: boolean): void;
  ctl(request: number, value: number): void; getCtl(request: number): number;
  /** Lavalink's filters, run in each encode job before the encode, from the next frame. */
  setFilters(filters: LavalinkFilters): void;
  /** The filters set, defaults filled in; {} for none. */ readonly filters: Readonly<LavalinkFilters>;
  /** Fades from the gain now to `to` (linear 0..1) over durationMs (default 0), from the next frame; s-curve by default. */
  fade(to: number, options?: FadeOptions): void;
  destroy(): void;
}
export class Decoder {
  constructor(options?: DecoderOptions);
  readonly sampleRate: number; readonly channels: number; readonly lastFrameSize: number; readonly pending: number;
  decode(packet: Uint8Array | null, options?: { frameSize?: number }): Buffer;
  decodeFec(nextPacket: Uint8Array, options?: { frameSize?: number }): Buffer;
  decodeAsync(packet: Uint8Array | null, options?: { frameSize?: number; fec?: boolean; dueMs?: number }): Promise<Buffer>;
  decodeBatch(packets: Array<Uint8Array | null>, options?: { frameSize?: number }): Promise<Array<Buffer | VoxpoolError>>;
  ctl(request: number, value: number): void; getCtl(request: number): number;
  destroy(): void;
}
export function encodeMany(encoders: Encoder[], frames: Pcm[]): Promise<Array<Buffer | VoxpoolError>>;
export function decodeMany(decoders: Decoder[], packets: Array<Uint8Array | null>): Promise<Array<Buffer | VoxpoolError>>;
export const opus: {
  readonly SAMPLE_RATES: readonly number[]; readonly FRAME_DURATIONS_MS: readonly number[];
  readonly MAX_PACKET_BYTES: number; readonly MAX_FRAME_SAMPLES: number; readonly MIN_BITRATE: number; readonly MAX_BITRATE: number;
  readonly OPUS_VERSION: string;
  readonly APPLICATION: { readonly voip: number; readonly audio: number; readonly lowdelay: number };
  readonly SIGNAL: { readonly auto: number; readonly voice: number; readonly music: number };
  readonly CTL: Readonly<Record<string, number>>;
  readonly MAX_COMPLEXITY: number;
  readonly ADAPTIVE: {
    readonly DEFAULT_MIN_COMPLEXITY: number; readonly DEFAULT_TARGET_SLACK_MS: number; readonly MAX_TARGET_SLACK_MS: number;
    readonly FRAME_MS: number; readonly WINDOW_MS: number; readonly HYSTERESIS: number;
  };
};

export interface AdaptiveComplexityOptions {
  /** The lowest complexity it steps down to (default ADAPTIVE.DEFAULT_MIN_COMPLEXITY). */ minComplexity?: number;
  /** Where it starts and the highest it steps up to (default 10). */ maxComplexity?: number;
  /** How long before its due time a tick's last frame should finish (default 5 ms). */ targetSlackMs?: number;
}
export interface AdaptiveComplexityStats {
  /** frames[c]: pool encodes at complexity c */ frames: number[];
  downgrades: number; upgrades: number; lateFrames: number;
  /** 7.3: 30 % of the streams at 8, the rest at 7 */ level: number;
  scale: number; streamsPerTick: number; threads: number;
}
/**
 * Shared by encoders created with `{ adaptive }`: steps their complexity down only as far as the
 * pool needs to finish each 20 ms tick in time, and back up with hysteresis.
 */
export class AdaptiveComplexity {
  constructor(options?: AdaptiveComplexityOptions);
  stats(): AdaptiveComplexityStats;
}

/** Drop-in for @discordjs/opus 0.10's OpusEncoder (encoder and decoder in one). */
export class OpusEncoder {
  constructor(rate: number, channels: number);
  encode(buf: Buffer): Buffer;
  decode(buf: Buffer): Buffer;
  encodeAsync(buf: Buffer): Promise<Buffer>;
  decodeAsync(buf: Buffer): Promise<Buffer>;
  applyEncoderCTL(ctl: number, value: number): void;
  applyDecoderCTL(ctl: number, value: number): void;
  setBitrate(bitrate: number): void;
  getBitrate(): number;
}

// ---- opus streams ----------------------------------------------------------------------------
import { Transform } from 'node:stream';
export interface EncoderStreamOptions extends EncoderOptions { /** samples per channel */ frameSize?: number; /** frames in flight (1-1024, default 8) */ readAhead?: number; /** results ready before the first is delivered (0-readAhead, default min(3, readAhead)) */ prebuffer?: number }
export interface DecoderStreamOptions extends DecoderOptions { /** frames in flight (1-1024, default 8) */ readAhead?: number; /** results ready before the first is delivered (0-readAhead, default min(3, readAhead)) */ prebuffer?: number }
export class OpusEncoderStream extends Transform {
  constructor(options?: EncoderStreamOptions); readonly encoder: Encoder;
  /** frames not encoded because their job started more than `deadlineMs` after it was due */ readonly skippedFrames: number;
  /** Lavalink's filters for every frame from the next one (Encoder#setFilters). */ setFilters(filters: LavalinkFilters): void;
  readonly filters: Readonly<LavalinkFilters>;
  /** Fades from the gain now to `to` (linear 0..1) over durationMs (default 0), from the next frame; s-curve by default. */
  fade(to: number, options?: FadeOptions): void;

}
export class OpusDecoderStream extends Transform {
  constructor(options?: DecoderStreamOptions); readonly decoder: Decoder;
  /** packets not decoded because their job started more than `deadlineMs` after it was due */ readonly skippedFrames: number;
}
export function createEncoderStream(options?: EncoderStreamOptions): OpusEncoderStream;
export function createDecoderStream(options?: DecoderStreamOptions): OpusDecoderStream;
/** Opus in, Opus out with a volume between: one pool job per frame (decode, gain, encode). */
export interface TranscodeStreamOptions extends EncoderOptions {
  /** initial linear volume (0..MAX_VOLUME, default 1) */ volume?: number;
  /** how long later volume changes take, ms (default 20; 0 steps) */ rampMs?: number;
  /** frames in flight (1-1024, default 8) */ readAhead?: number;
  /** results ready before the first is delivered (0-readAhead, default min(3, readAhead)) */ prebuffer?: number;
}
export class OpusTranscodeStream extends Transform {
  constructor(options?: TranscodeStreamOptions);
  /** the output encoder: setBitrate, setFec, setPacketLoss, ... while streaming */
  readonly encoder: Encoder;
  /** frames not transcoded because their job started more than `deadlineMs` after it was due */
  readonly skippedFrames: number;
  /** Lavalink's filters between decode and encode, from the next frame. */
  setFilters(filters: LavalinkFilters): void;
  readonly filters: Readonly<LavalinkFilters>;
  /** Fades from the gain now to `to` (linear 0..1) over durationMs (default 0), from the next frame; s-curve by default. */
  fade(to: number, options?: FadeOptions): void;

  /** the volume last set (reached after its ramp) */
  volume: number;
  readonly volumeDecibels: number;
  readonly volumeLogarithmic: number;
  setVolume(volume: number, options?: { rampMs?: number }): void;
  setVolumeDecibels(db: number, options?: { rampMs?: number }): void;
  setVolumeLogarithmic(value: number, options?: { rampMs?: number }): void;
}
export function createOpusTranscodeStream(options?: TranscodeStreamOptions): OpusTranscodeStream;

// ---- voice crypto, RTP, secretstream (issue 3) ------------------------------------------------
export type VoiceMode = 'aead_aes256_gcm_rtpsize' | 'aead_xchacha20_poly1305_rtpsize';
export const VOICE_MODES: readonly VoiceMode[];
export const voiceCrypto: {
  readonly MODES: readonly VoiceMode[]; readonly AES_GCM_AVAILABLE: boolean; readonly KEY_BYTES: number;
  readonly TAG_BYTES: number; readonly NONCE_BYTES_ON_WIRE: number; readonly OVERHEAD_BYTES: number;
  readonly MAX_NONCE: number; readonly MAX_PACKET_BYTES: number; readonly MAX_BATCH_PACKETS: number; readonly RTP_HEADER_BYTES: number;
  readonly RTP_PAYLOAD_TYPE: number; readonly RTP_TIMESTAMP_STEP: number; readonly SODIUM_VERSION: string;
};
export interface RtpFields {
  sequence: number; timestamp: number; ssrc: number; payloadType?: number; marker?: boolean;
  csrcs?: number[]; extension?: { profile: number; data: Uint8Array } | null; padding?: number;
}
export interface RtpHeaderInfo {
  padding: boolean; marker: boolean; payloadType: number; sequence: number; timestamp: number; ssrc: number;
  csrcs: number[]; extension: { profile: number; words: number } | null; headerBytes: number;
}
export interface RtpPacketInfo extends Omit<RtpHeaderInfo, 'extension'> {
  extension: { profile: number; words: number; data: Buffer } | null; payload: Buffer; paddingBytes: number;
}
export function createRtpPacket(fields: RtpFields, payload?: Uint8Array): Buffer;
export function parseRtpHeader(packet: Uint8Array): RtpHeaderInfo;
export function parseRtpPacket(packet: Uint8Array): RtpPacketInfo;
export function parseRtpExtensionElements(profile: number, data: Uint8Array): { id: number; data: Buffer }[];
export function sequenceDelta(a: number, b: number): number;
export function timestampDelta(a: number, b: number): number;
export class VoiceCipher {
  constructor(mode: VoiceMode, key: Uint8Array);
  static readonly aesAvailable: boolean;
  readonly mode: VoiceMode;
  nonce: number;
  seal(packet: Uint8Array): Buffer;
  sealInto(packet: Uint8Array, out: Uint8Array): number;
  open(packet: Uint8Array): Buffer;
  openInto(packet: Uint8Array, out: Uint8Array): number;
  sealFrame(header: RtpFields, payload: Uint8Array): Buffer;
  openFrame(packet: Uint8Array): RtpPacketInfo & { nonce: number };
  sealBatch(packets: Uint8Array[]): Promise<Array<Buffer | VoxpoolError>>;
  openBatch(packets: Uint8Array[]): Promise<Array<Buffer | VoxpoolError>>;
  destroy(): void;
}
export const secretStream: {
  readonly KEY_BYTES: number; readonly HEADER_BYTES: number; readonly OVERHEAD_BYTES: number; readonly MAX_MESSAGE_BYTES: number;
  readonly TAG_MESSAGE: number; readonly TAG_PUSH: number; readonly TAG_REKEY: number; readonly TAG_FINAL: number;
};
export class SecretStreamEncryptor {
  constructor(key: Uint8Array);
  readonly header: Buffer;
  push(message: Uint8Array, tag?: number): Buffer;
  pushAsync(message: Uint8Array, tag?: number): Promise<Buffer>;
  destroy(): void;
}
export class SecretStreamDecryptor {
  constructor(key: Uint8Array, header: Uint8Array);
  readonly finished: boolean;
  pull(message: Uint8Array): { message: Buffer; tag: number };
  pullAsync(message: Uint8Array): Promise<{ message: Buffer; tag: number }>;
  finish(): void;
  destroy(): void;
}
export interface SecretStreamOptions { chunkSize?: number; asyncThreshold?: number }
export function createEncryptStream(key: Uint8Array, options?: SecretStreamOptions): Transform;
export function createDecryptStream(key: Uint8Array, options?: SecretStreamOptions): Transform;
import { EventEmitter } from 'node:events';
export interface VoiceSenderOptions {
  ssrc: number; mode: VoiceMode; key: Uint8Array; sequence?: number; timestamp?: number; channels?: 1 | 2;
  bitrate?: number; complexity?: number; application?: 'voip' | 'audio' | 'lowdelay'; signal?: 'auto' | 'voice' | 'music';
  fec?: boolean; packetLoss?: number; dtx?: boolean; maxQueue?: number; overflow?: 'reject' | 'drop-oldest';
}
export class VoiceSender {
  constructor(options: VoiceSenderOptions);
  readonly ssrc: number;
  readonly mode: VoiceMode;
  readonly frameSize: number;
  readonly pending: number;
  send(pcm: Buffer | Int16Array): Promise<Buffer>;
  sendAsync(pcm: Buffer | Int16Array, options?: { transform?: (opus: Buffer) => Uint8Array | Promise<Uint8Array> }): Promise<Buffer>;
  silence(count?: number): Promise<Buffer[]>;
  destroy(): void;
}
export interface ReceivedVoiceFrame { ssrc: number; sequence: number; timestamp: number; kind: 'decoded' | 'concealed' | 'recovered'; pcm: Buffer }
export interface VoiceReceiverOptions {
  mode: VoiceMode; key: Uint8Array; sampleRate?: number; channels?: 1 | 2; window?: number; maxSsrcs?: number;
  maxQueue?: number; overflow?: 'reject' | 'drop-oldest';
}
export class VoiceReceiver extends EventEmitter {
  constructor(options: VoiceReceiverOptions);
  push(packet: Uint8Array, options?: { transform?: (opus: Buffer, info: { ssrc: number; sequence: number; timestamp: number }) => Uint8Array | Promise<Uint8Array> }): Promise<ReceivedVoiceFrame[]>;
  flush(): Promise<ReceivedVoiceFrame[]>;
  remove(ssrc: number): Promise<void>;
  stats(): Promise<{ packets: number; decoded: number; concealed: number; recovered: number; late: number; duplicates: number; corrupt: number }>;
  destroy(): void;
  on(event: 'frame', listener: (frame: ReceivedVoiceFrame) => void): this;
}

// ---- mixer, resampler, speaker mixer (issue 4) ---------------------------------------------
import { Readable as MixerReadable, Writable as MixerWritable, Transform as MixerTransform, TransformOptions as MixerTransformOptions } from 'node:stream';
export type PcmFormat = 's16le' | 'f32le';
export type PcmInput = Buffer | Int16Array | Float32Array;
export declare const mixerConstants: Readonly<{
  MIN_SAMPLE_RATE: number; MAX_SAMPLE_RATE: number; MAX_SOURCES: number; MAX_FRAME_SIZE: number; MAX_QUEUE_FRAMES: number;
  MAX_PUSH_FRAMES: number; MIN_GAIN_DB: number; MAX_GAIN_DB: number; MAX_RAMP_MS: number; SWITCH_RAMP_MS: number;
  MAX_SPEAKERS: number; MAX_JITTER_FRAMES: number; MAX_PACKET_FRAMES: number; MAX_VOLUME: number; RESAMPLER: string;
}>;
export interface MixerOptions {
  sampleRate?: number; channels?: 1 | 2; frameSize?: number; format?: PcmFormat; maxSources?: number; queueFrames?: number;
  limiter?: boolean; ceilingDb?: number; limiterReleaseMs?: number; maxQueue?: number; overflow?: 'reject' | 'drop-oldest';
}
export interface MixerSourceOptions {
  sampleRate?: number; channels?: 1 | 2; format?: PcmFormat; gainDb?: number; gain?: number; pan?: number;
  muted?: boolean; ducker?: boolean; prebufferFrames?: number;
}
export interface DuckingOptions { depthDb?: number; attackMs?: number; releaseMs?: number; holdMs?: number; thresholdDb?: number }
export interface MixerSourceStats { mixedTicks: number; silentTicks: number; droppedFrames: number; queuedFrames: number; gain: number }
export interface MixerStats { ticks: number; limitedTicks: number; gainReductionDb: number; sources: number; ducking: boolean }
export class Mixer {
  constructor(options?: MixerOptions);
  readonly sampleRate: number; readonly channels: 1 | 2; readonly frameSize: number; readonly format: PcmFormat;
  readonly frameBytes: number; readonly pending: number; readonly queueFrames: number;
  addSource(options?: MixerSourceOptions): number;
  removeSource(id: number): void;
  push(id: number, pcm: PcmInput): void;
  /** One chunk per source in one native call; returns how many were refused (FIFO full). */
  pushMany(ids: readonly number[], frames: readonly PcmInput[]): number;
  /** pushMany then mix, in one native call. */
  mixWith(ids: readonly number[], frames: readonly PcmInput[]): Buffer;
  /** pushMany now, then one tick on the pool. */
  mixAsyncWith(ids: readonly number[], frames: readonly PcmInput[]): Promise<Buffer>;
  setGain(id: number, db: number, options?: { rampMs?: number }): void;
  setGainLinear(id: number, gain: number, options?: { rampMs?: number }): void;
  setMuted(id: number, muted: boolean): void;
  setSolo(id: number, solo: boolean): void;
  setPan(id: number, pan: number): void;
  setDucker(id: number, ducker: boolean): void;
  /** Queues the resampler's tail and pads the last frame; later pushes throw. ERR_VOXPOOL_QUEUE_FULL: retry after a tick. */
  endSource(id: number): void;
  clearSource(id: number): void;
  setMasterGain(db: number, options?: { rampMs?: number }): void;
  setDucking(options: DuckingOptions): void;
  mix(): Buffer;
  mixAsync(): Promise<Buffer>;
  sourceStats(id: number): MixerSourceStats;
  stats(): MixerStats;
  destroy(): void;
}
export interface ResamplerOptions { inputRate: number; outputRate: number; channels?: 1 | 2; format?: PcmFormat }
export class Resampler {
  constructor(options: ResamplerOptions);
  readonly inputRate: number; readonly outputRate: number; readonly channels: 1 | 2; readonly format: PcmFormat;
  readonly frameBytes: number; readonly delay: number;
  process(pcm: PcmInput): Buffer;
  flush(): Buffer;
  reset(): void;
  destroy(): void;
}
/** Lavalink v4's `filters` object (same names, ranges and defaults) plus voxpool's highPass. */
export interface LavalinkFilters {
  /** 0..5, Lavalink's curve; 1 = unchanged. */
  volume?: number;
  /** Band 0..14 (25 Hz .. 16 kHz), gain -0.25..1: the band's centre gain is 1 + 4 x gain. */
  equalizer?: { band: number; gain: number }[] | null;
  karaoke?: { level?: number; monoLevel?: number; filterBand?: number; filterWidth?: number } | null;
  /**
   * libSoundTouch. Each 0.25..4, 1 = unchanged, speed × rate within TIMESCALE_MIN/MAX_RATIO:
   * speed changes the duration at the same pitch, pitch the pitch at the same duration (1.25:
   * +3.86 semitones), rate both. It changes the amount of audio (see FilterChain).
   */
  timescale?: { speed?: number; pitch?: number; rate?: number } | null;
  tremolo?: { frequency?: number; depth?: number } | null;
  vibrato?: { frequency?: number; depth?: number } | null;
  rotation?: { rotationHz?: number } | null;
  distortion?: {
    sinOffset?: number; sinScale?: number; cosOffset?: number; cosScale?: number;
    tanOffset?: number; tanScale?: number; offset?: number; scale?: number;
  } | null;
  channelMix?: { leftToLeft?: number; leftToRight?: number; rightToLeft?: number; rightToRight?: number } | null;
  lowPass?: { smoothing?: number } | null;
  /** voxpool's own: a 2nd-order Butterworth high-pass at cutoffHz (10..20000). */
  highPass?: { cutoffHz?: number } | null;
  /** voxpool's own: a stereo-linked soft-knee compressor. */
  compressor?: { thresholdDb?: number; ratio?: number; attackMs?: number; releaseMs?: number; kneeDb?: number; makeupDb?: number } | null;
  /**
   * voxpool's own: loudness normalization (EBU R128 / ITU-R BS.1770, measured by libebur128 over
   * the last 10 s of programme) to targetLufs (-70..-5, default -14) under a true-peak ceiling
   * truePeakDb (-20..0 dBTP, default -1; the ceiling wins over the target), raising a quiet stream
   * by at most maxGainDb (0..40, default 20). Silence and pauses hold the gain.
   */
  loudness?: { targetLufs?: number; truePeakDb?: number; maxGainDb?: number } | null;
  /** Lavalink plugins' filters: accepted and ignored. */
  pluginFilters?: Record<string, unknown>;
}
export interface FilterChainOptions {
  sampleRate?: number; channels?: 1 | 2; format?: PcmFormat; filters?: LavalinkFilters;
  maxQueue?: number; overflow?: 'reject' | 'drop-oldest'; deadlineMs?: number;
}
export interface FilterField {
  group: string; name: string; min: number; max: number; minExclusive: boolean; unit: string; default: number;
}
export declare const filterConstants: Readonly<{
  MIN_SAMPLE_RATE: number; MAX_SAMPLE_RATE: number; MAX_CHANNELS: number; MAX_FRAMES: number;
  EQUALIZER_BANDS: number; EQUALIZER_MIN_GAIN: number; EQUALIZER_MAX_GAIN: number; EQUALIZER_MAX_BAND_FRACTION: number;
  EQUALIZER_FREQUENCIES: readonly number[];
  GROUPS: readonly Readonly<{ name: string; runsWhenPresent: boolean }>[];
  FIELDS: readonly Readonly<FilterField>[];
  FADE_CURVES: readonly string[]; MAX_FADE_MS: number;
  /** timescale's speed × rate range, and the frames a call can return beyond input / ratio. */
  TIMESCALE_MIN_RATIO: number; TIMESCALE_MAX_RATIO: number; TIMESCALE_BURST_FRAMES: number;
}>;
/** Lavalink's filters on PCM frames, natively; output frames equal input frames until timescale runs (then the frames ready: about input / (speed × rate)). */
export class FilterChain {
  constructor(options?: FilterChainOptions);
  readonly sampleRate: number; readonly channels: 1 | 2; readonly format: PcmFormat; readonly frameBytes: number;
  /** The filters last set, with defaults filled in (frozen). */
  readonly filters: Readonly<LavalinkFilters>;
  readonly active: boolean; readonly pending: number;
  /** Whether the time-stretch runs (timescale is or has been on): output frames then differ from input. */
  readonly stretching: boolean;
  process(pcm: PcmInput): Buffer;
  processAsync(pcm: PcmInput): Promise<Buffer>;
  /** What timescale still holds at the end of the input (empty without timescale). */
  flush(): Buffer;
  flushAsync(): Promise<Buffer>;
  setFilters(filters?: LavalinkFilters): void;
  /** Fades from the gain now to `to` (linear 0..1) over durationMs (default 0), from the next frame; s-curve by default. */
  fade(to: number, options?: FadeOptions): void;
  destroy(): void;
}
export interface FadeOptions { durationMs?: number; curve?: 'linear' | 'equal-power' | 's-curve' }
export interface CrossfadeOptions {
  sampleRate?: number; channels?: 1 | 2; format?: PcmFormat; /** 1..MAX_FADE_MS, default 3000 */ durationMs?: number;
  /** default 'equal-power' (two different tracks keep their loudness) */ curve?: 'linear' | 'equal-power' | 's-curve';
}
/** The end of one source into the start of the next; then the incoming source alone. */
export class Crossfade {
  constructor(options?: CrossfadeOptions);
  readonly progress: number; readonly done: boolean;
  process(outgoing: PcmInput, incoming: PcmInput): Buffer;
  reset(): void;
}
export interface FilterStreamOptions extends FilterChainOptions {
  /** frames per pool job (default 20 ms) */ frameSize?: number;
  /** jobs in flight (1-1024, default 8) */ readAhead?: number;
  /** results ready before the first is delivered (0-readAhead, default min(3, readAhead)) */ prebuffer?: number;
  highWaterMark?: number;
}
/** PCM in, the same PCM filtered out, 20 ms frames on the pool, in order. */
export class FilterStream extends Transform {
  constructor(options?: FilterStreamOptions);
  readonly chain: FilterChain; readonly filters: Readonly<LavalinkFilters>; readonly skippedFrames: number;
  setFilters(filters?: LavalinkFilters): void;
  /** Fades from the gain now to `to` (linear 0..1) over durationMs (default 0), from the next frame; s-curve by default. */
  fade(to: number, options?: FadeOptions): void;
}
export function createFilterStream(options?: FilterStreamOptions): FilterStream;
export interface SpeakerMixerOptions {
  inputRate?: number; inputChannels?: 1 | 2; outputRate?: number; outputChannels?: 1 | 2; frameSize?: number; format?: PcmFormat;
  jitterFrames?: number; maxSpeakers?: number; conceal?: 'repeat-fade' | 'silence'; concealFrames?: number; idleFrames?: number;
  limiter?: boolean; ceilingDb?: number; maxQueue?: number; overflow?: 'reject' | 'drop-oldest';
}
export interface SpeakerStats {
  packets: number; latePackets: number; earlyPackets: number; duplicatePackets: number; lostPackets: number;
  playedTicks: number; partialTicks: number; concealedTicks: number; silentTicks: number; resyncs: number;
}
export interface SpeakerMix { mixed: Buffer; speakers: { ssrc: number; pcm: Buffer }[] }
export class SpeakerMixer {
  constructor(options?: SpeakerMixerOptions);
  readonly options: Readonly<Required<Omit<SpeakerMixerOptions, 'maxQueue' | 'overflow'>>>;
  readonly frameBytes: number; readonly pending: number;
  push(ssrc: number, timestamp: number, sequence: number, pcm: PcmInput): void;
  removeSpeaker(ssrc: number): void;
  mix(options?: { perSpeaker?: false }): Buffer;
  mix(options: { perSpeaker: true }): SpeakerMix;
  mixAsync(options?: { perSpeaker?: false }): Promise<Buffer>;
  mixAsync(options: { perSpeaker: true }): Promise<SpeakerMix>;
  speakers(): number[];
  speakerStats(ssrc: number): SpeakerStats;
  destroy(): void;
}
export interface MixerStreamOptions extends MixerOptions {
  highWaterMark?: number;
  /** 'wait' (default): no frame until an input has one; 'silence': mix silence meanwhile (ends only after end()) */
  idle?: 'wait' | 'silence';
}
export class MixerStream extends MixerReadable {
  constructor(options?: MixerStreamOptions);
  readonly mixer: Mixer;
  /** Each input emits 'drained' when its last frame has been mixed. */
  addInput(options?: MixerSourceOptions): MixerWritable & { id: number };
  /** Takes no more inputs; ends once every input has ended and drained. */
  end(): this;
}
export function createMixerStream(options?: MixerStreamOptions): MixerStream;
export interface SpeechOutputOptions extends MixerStreamOptions {
  /** replies' PCM: Hz (default 24000), channels (default 1), format (default: the output's) */
  speechRate?: number; speechChannels?: 1 | 2; speechFormat?: PcmFormat;
  /** what a user starting to speak does to the reply: 'stop' (default), 'fade' or 'none' */
  bargeIn?: 'stop' | 'fade' | 'none';
  /** the reply's fade on barge-in, ms (default 100) */ fadeMs?: number;
  /** how far 'fade' lowers the reply while someone speaks, dB (default 20) */ fadeDepthDb?: number;
  /** how the other inputs go down under a reply (Mixer#setDucking) */ ducking?: DuckingOptions;
}
export type SpeechReplyStatus = 'played' | 'interrupted' | 'failed' | 'cancelled';
export interface SpeechReplyResult { id: number; status: SpeechReplyStatus; error?: Error }
/** Replies spoken into a continuous mix (idle: 'silence'), ducking the other inputs, with barge-in. */
export class SpeechOutput extends MixerStream {
  constructor(options?: SpeechOutputOptions);
  readonly speaking: boolean; readonly queued: number;
  /** Queues a reply (PCM, copied; or a Readable of PCM, owned). Resolves when it has played, or why not. */
  speak(speech: PcmInput | NodeJS.ReadableStream, options?: { sampleRate?: number; channels?: 1 | 2; format?: PcmFormat }): Promise<SpeechReplyResult>;
  /** Barge-in from an utterance stream's or receiver's speechstart / speechend events; returns a function that stops listening. */
  listen(source: NodeJS.EventEmitter): () => void;
  /** Stops the reply playing (faded) and drops the queue; returns how many replies were interrupted. */
  interrupt(): number;
  on(event: 'speakstart', listener: (e: { id: number }) => void): this;
  on(event: 'speakend', listener: (e: SpeechReplyResult) => void): this;
  on(event: 'bargein', listener: (e: { action: 'stop' | 'fade' | 'none'; userId?: string; replies: number }) => void): this;
  on(event: string | symbol, listener: (...args: any[]) => void): this;
}
export function createSpeechOutput(options?: SpeechOutputOptions): SpeechOutput;
export declare const speechOutputConstants: Readonly<{
  DEFAULTS: Readonly<{ speechRate: number; speechChannels: number; bargeIn: 'stop' | 'fade' | 'none'; fadeMs: number; fadeDepthDb: number }>;
  BARGE_IN_MODES: readonly string[]; MAX_REPLY_MS: number;
}>;
export interface VolumeTransformerOptions extends MixerTransformOptions {
  type?: PcmFormat; volume?: number; rampMs?: number; sampleRate?: number; channels?: 1 | 2;
}
export class VolumeTransformer extends MixerTransform {
  constructor(options?: VolumeTransformerOptions);
  volume: number;
  readonly currentVolume: number;
  readonly volumeDecibels: number;
  readonly volumeLogarithmic: number;
  setVolume(volume: number, options?: { rampMs?: number }): void;
  setVolumeDecibels(db: number, options?: { rampMs?: number }): void;
  setVolumeLogarithmic(value: number, options?: { rampMs?: number }): void;
}
export function createVolumeTransformer(options?: VolumeTransformerOptions): VolumeTransformer;
export function createResampleStream(options: ResamplerOptions): MixerTransform & { resampler: Resampler };

// ---- speaker-mixer streams (issue 4) --------------------------------------------------------
export interface SpeakerMixerStreamOptions extends SpeakerMixerOptions {
  /** true: real-time pacing by an unref'd timer; false (default): each read pulls a tick. */
  tick?: boolean;
  /** Bytes buffered ahead of the reader (default 0 by demand, 4 frames in real time). */
  highWaterMark?: number;
}
export class SpeakerMixerStream extends MixerReadable {
  constructor(options?: SpeakerMixerStreamOptions);
  readonly mixer: SpeakerMixer;
  readonly frameBytes: number;
  /** Hands over one decoded packet (see SpeakerMixer#push). */
  push(ssrc: number, timestamp: number, sequence: number, pcm: PcmInput): boolean;
  /** Readable#push, used by stream internals. */
  push(chunk: any, encoding?: BufferEncoding): boolean;
  /** The aligned frames of one speaker (created on the first request). */
  speakerStream(ssrc: number): MixerReadable & { ssrc: number };
  /** Forwards a VoiceReceiver's 'frame' events; returns a function that detaches. */
  attach(receiver: EventEmitter): () => void;
  /** Stops input, plays out the jitter buffer, then ends every output. */
  end(): this;
}
export function createSpeakerMixerStream(options?: SpeakerMixerStreamOptions): SpeakerMixerStream;

// ---- report (issue 9) -------------------------------------------------------------------------
export interface ReportLibrary {
  /** As the linked library reports it (opus_get_version_string, sodium_version_string, soxr_version). */
  version: string;
  /** How the loaded binary links it ('unknown' for a binary built before this was recorded). */
  linkage: 'static' | 'shared' | 'unknown';
  /** The file its code was loaded from: the addon itself when static, else the mapped shared object (Linux). */
  file: string | null;
}
/** How the linked libopus was built (null: a binary built before this was recorded). */
export interface ReportOpusBuild {
  /** 'opus=1.5.2-2' (the Debian source package a static archive was built from) or 'system opus 1.3.1 (pkg-config)'. */
  source: string;
  /** The cross-compile target triplet, null for a native build or the system library. */
  host: string | null;
  /** The C compiler flags libopus was built with (null: the system package's own). */
  cflags: string | null;
  /** libopus's configure options. */
  configure: string | null;
  /** libopus's own test suite (make check): 'passed', 'not-run' or 'skipped-cross'. */
  check: string | null;
}
export interface Report {
  voxpool: string;
  binary: {
    kind: 'prebuild' | 'source';
    /** Absolute path of the .node file that loaded. */
    file: string;
    /** True when VOXPOOL_BINDING chose the file. */
    fromEnv: boolean;
    /** The prebuild's build record (prebuilds/<platform>-<arch>/build.json: glibc floor, library sources and flags). */
    build: Record<string, unknown> | null;
  };
  libraries: {
    opus: ReportLibrary & { build: ReportOpusBuild | null }; sodium: ReportLibrary; soxr: ReportLibrary;
    /** libogg and libwebm do not report their versions: `version` is null. */
    ogg: ReportLibrary & { version: null }; webm: ReportLibrary & { version: null };
    /** The filters' time-stretch (`timescale`) and EBU R128 meter (`loudness`). */
    soundtouch: ReportLibrary; ebur128: ReportLibrary; webrtcAudioProcessing: ReportLibrary;
  };
  /** Node-API version the binary targets, and the one the runtime implements. */
  napi: { binary: number | null; runtime: number };
  runtime: { node: string; bun: string | null; platform: string; arch: string };
  pool: { started: boolean; threads: number; capacity: number; VOXPOOL_THREADS: string | null };
  /** AES-256-GCM (aead_aes256_gcm_rtpsize) needs AES-NI. */
  aesGcm: boolean;
  /** Versions that resolve from `from` (null: not installed). */
  dependencies: { '@discordjs/voice': string | null; 'prism-media': string | null; '@discordjs/opus': string | null; '@snazzah/davey': string | null };
}
/** What is running, for bug reports: binary, linked library versions, runtime, pool, voice packages. */
// ---- containers (issue 8) ----------------------------------------------------------------------
export declare const containerConstants: Readonly<{
  DEFAULT_MAX_PACKET_BYTES: number; MAX_PACKET_BYTES: number; MAX_LEADING_GARBAGE_BYTES: number;
  GRANULE_RATE: 48000; NO_GRANULE: -1; DEFAULT_FLUSH_SAMPLES: number; MAX_FLUSH_SAMPLES: number;
  MAX_GAP_SAMPLES: number; MAX_OPUS_PACKET_BYTES: number; DEFAULT_CHANNELS: number; DEFAULT_SERIAL: number; DEFAULT_VENDOR: string;
  MAX_SERIAL: number; MAX_START_SAMPLES: number; READ_BYTES: number; SEEK_WINDOW_BYTES: number; MAX_START_MS: number;
  EVENT: Readonly<{ HEAD: number; TAGS: number; PACKET: number; CHAIN_END: number }>;
  WEBM: Readonly<{
    CODEC_ID: 'A_OPUS'; DEFAULT_MAX_FRAME_BYTES: number; MAX_FRAME_BYTES: number; MAX_ELEMENT_BYTES: number;
    MAX_BLOCKS_PER_CLUSTER: number; MAX_TRACK_NUMBER: number; DEFAULT_TIMECODE_SCALE_NS: number; MAX_START_NS: number;
    EVENT: Readonly<{ HEAD: number; PACKET: number; CUES_AT: number; CUES: number; CUE_POINT: number; FIRST_CLUSTER: number }>;
  }>;
}>;
export interface OpusHeadInfo {
  version: number; channels: number; preSkip: number; inputSampleRate: number; outputGain: number;
  mappingFamily: number; streamCount: number; coupledCount: number; mapping?: Buffer;
}
export interface OpusTagsInfo { vendor: string; comments: string[] }
/** What an OggDemuxer reads out with `{ timestamps: true }`. */
export interface OggPacket { packet: Buffer; granule: number; samples: number; trimEnd: number; serial: number }
export interface OggDemuxerOptions {
  serial?: number; maxPacketBytes?: number; timestamps?: boolean;
  /** Drop packets until the first that ends after this presentation time (ms; granule less pre-skip). */
  startMs?: number;
}
export interface OggDemuxerStats {
  bytes: number; pages: number; packets: number; skippedBytes: number; holes: number; chains: number; otherPages: number;
  droppedPackets: number; seeks: number;
}
/** Ogg Opus bytes in, Opus packets (Buffers, or OggPacket objects) out; prism-media's OggDemuxer API. */
export class OggDemuxer extends Transform {
  constructor(options?: OggDemuxerOptions);
  readonly stats: OggDemuxerStats;
  /** The followed stream's serial once its OpusHead has been read, else null. */
  readonly serial: number | null;
  on(event: 'head', listener: (packet: Buffer, head: OpusHeadInfo) => void): this;
  on(event: 'tags', listener: (packet: Buffer, tags: OpusTagsInfo | null) => void): this;
  on(event: 'chainEnd', listener: (info: { serial: number }) => void): this;
  on(event: string | symbol, listener: (...args: any[]) => void): this;
}
/** What a WebmDemuxer reads out with `{ timestamps: true }`. */
export interface WebmPacket { packet: Buffer; timestampNs: number; timestampMs: number; samples: number; trimEnd: number; track: number }
export interface WebmDemuxerOptions {
  track?: number; maxFrameBytes?: number; timestamps?: boolean;
  /** Drop packets until the first that ends after this presentation time (ms; Block timestamp less CodecDelay). */
  startMs?: number;
}
export interface WebmDemuxerStats {
  bytes: number; clusters: number; frames: number; otherTrackFrames: number; droppedFrames: number; seeks: number;
}
/** The followed track's TrackEntry. */
export interface WebmTrack {
  number: number; channels: number; samplingFrequency: number; codecDelayNs: number; seekPreRollNs: number; timecodeScaleNs: number;
}
/** WebM / Matroska bytes in, Opus packets (Buffers, or WebmPacket objects) out; prism-media's WebmDemuxer API. */
export class WebmDemuxer extends Transform {
  constructor(options?: WebmDemuxerOptions);
  readonly stats: WebmDemuxerStats;
  readonly track: WebmTrack | null;
  on(event: 'head', listener: (codecPrivate: Buffer, head: OpusHeadInfo | null) => void): this;
  on(event: string | symbol, listener: (...args: any[]) => void): this;
}
export interface OggMuxerOptions {
  channels?: 1 | 2; preSkip?: number; inputSampleRate?: number; outputGain?: number; serial?: number;
  flushMs?: number; gap?: 'silence' | 'jump'; tags?: { vendor?: string; comments?: Record<string, string> };
}
/** Opus packets in (object mode), Ogg Opus bytes out; `gap(samples)` marks a silence between packets. */
export class OggMuxer extends Transform {
  constructor(options?: OggMuxerOptions);
  readonly granule: number;
  gap(samples: number): boolean;
}
export interface DemuxFileOptions {
  /** Play from this presentation time (ms): the first packet is the one that contains it. */
  startMs?: number;
  timestamps?: boolean;
  /** Ogg: the stream to follow. */
  serial?: number;
  /** WebM: the track to follow. */
  track?: number;
}
/**
 * Opens an Ogg Opus or WebM/Matroska Opus file and resolves with the demuxer reading it from
 * `startMs` (WebM: by its Cues; Ogg: bisection on granules), read as the stream is consumed.
 */
export function demuxFile(path: string | URL, options?: DemuxFileOptions): Promise<OggDemuxer | WebmDemuxer>;
export function parseOpusHead(packet: Uint8Array): OpusHeadInfo;
export function parseOpusTags(packet: Uint8Array): OpusTagsInfo;
export function report(options?: { from?: string }): Report;

// --- speech (voice agents) ---------------------------------------------------------------------
export type SpeechSampleRate = 8000 | 16000 | 32000 | 48000;
export interface SpeechProcessorOptions extends QueueOptions {
  /** default 16000 (what speech-to-text services take) */ sampleRate?: SpeechSampleRate;
  /** default 'moderate' */
  noiseSuppression?: false | 'off' | 'low' | 'moderate' | 'high' | 'veryHigh' | { level?: 'off' | 'low' | 'moderate' | 'high' | 'veryHigh' };
  /**
   * default 'adaptiveDigital'. targetLevelDbfs: the speech's peaks, dB below full scale (0..31,
   * default 3); compressionGainDb: the most gain added (0..90, default 9); limiter default true.
   */
  gainControl?: false | 'off' | 'adaptiveDigital' | 'fixedDigital'
    | { mode?: 'off' | 'adaptiveDigital' | 'fixedDigital'; targetLevelDbfs?: number; compressionGainDb?: number; limiter?: boolean };
  /** default 'low'; veryLow gives the fewest false alarms */
  vad?: false | 'off' | 'veryLow' | 'low' | 'moderate' | 'high' | { likelihood?: 'off' | 'veryLow' | 'low' | 'moderate' | 'high' };
  /** default false; an object without level is 'moderate'; delayMs 0..500 (default 0) between playing and hearing */
  echoCancellation?: false | 'off' | 'low' | 'moderate' | 'high' | { level?: 'off' | 'low' | 'moderate' | 'high'; delayMs?: number };
}
export interface SpeechResult {
  /** the cleaned frame (mono s16) */ pcm: Buffer;
  /** the VAD found voice in any 10 ms chunk (never in the first VAD_WARMUP_MS) */ speech: boolean;
  voicedChunks: number;
  /** RMS of the cleaned frame, dBFS (SILENCE_DBFS for digital silence) */ level: number;
}
export declare const speechConstants: Readonly<{
  SAMPLE_RATES: readonly number[]; CHUNK_MS: number; MAX_FRAME_MS: number; MAX_TARGET_LEVEL_DBFS: number;
  MAX_COMPRESSION_GAIN_DB: number; MAX_ECHO_DELAY_MS: number; SILENCE_DBFS: number; VAD_WARMUP_MS: number;
  NOISE_LEVELS: readonly string[]; GAIN_MODES: readonly string[]; VAD_LIKELIHOODS: readonly string[]; ECHO_LEVELS: readonly string[];
  DEFAULTS: Readonly<{ sampleRate: number; noiseSuppression: string; gainControl: string; targetLevelDbfs: number;
    compressionGainDb: number; limiter: boolean; vad: string; echoCancellation: string; echoDelayMs: number }>;
}>;
/** Noise suppression, gain control, voice activity and echo cancellation (WebRTC's audio processing module) on mono s16 frames of whole 10 ms chunks. */
export class SpeechProcessor {
  constructor(options?: SpeechProcessorOptions);
  readonly sampleRate: SpeechSampleRate; readonly chunkBytes: number; readonly pending: number;
  process(pcm: Uint8Array | Int16Array): SpeechResult;
  processAsync(pcm: Uint8Array | Int16Array): Promise<SpeechResult>;
  /** The far end (what was played) for echo cancellation, before the microphone frame it echoes into. */
  processReverse(pcm: Uint8Array | Int16Array): void;
  destroy(): void;
}
export interface UtteranceStreamOptions {
  sampleRate?: SpeechSampleRate;
  /** 10..60, a multiple of 10 (default 20) */ frameMs?: number;
  /** audio kept from before the onset, 0..2000 (default 300) */ preRollMs?: number;
  /** a pause this long ends an utterance (default 400) */ hangoverMs?: number;
  /** voiced audio above the noise floor an utterance needs (default 200); shorter bursts are dropped */ minSpeechMs?: number;
  /** cut and continued past this (default 15000, at most 120000) */ maxUtteranceMs?: number;
  /** speechstart carries a Readable of the utterance's PCM as it is spoken */ live?: boolean;
  speech?: Omit<SpeechProcessorOptions, 'sampleRate'> & { sampleRate?: SpeechSampleRate };
}
export interface Utterance {
  /** the cleaned audio from startMs - preRollMs to endMs (mono s16) */ pcm: Buffer;
  startMs: number; endMs: number; preRollMs: number;
}
export interface UtteranceStream extends Transform {
  readonly processor: SpeechProcessor;
  on(event: 'speechstart', listener: (e: { startMs: number; stream?: MixerReadable }) => void): this;
  on(event: 'speechend', listener: (e: { startMs: number; endMs: number }) => void): this;
  on(event: 'data', listener: (u: Utterance) => void): this;
  on(event: string | symbol, listener: (...args: any[]) => void): this;
}
/** PCM in, utterances out: voice activity per frame on the pool, segmented with pre-roll, hangover and length limits. */
export function createUtteranceStream(options?: UtteranceStreamOptions): UtteranceStream;
