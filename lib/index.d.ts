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
  submitted: number; completed: number; failed: number; rejected: number; dropped: number; queued: number;
  /** Microseconds from submission to start. */ queueWait: LatencySummary;
  /** Microseconds of work per job. */ serviceTime: LatencySummary;
  environment: { wakeups: number; settled: number };
}
export function configure(options?: { threads?: number; capacity?: number }): void;
export function stats(): PoolStats;
export function resetStats(): void;

// ---- opus ----------------------------------------------------------------------------------
export type Pcm = Buffer | Int16Array | Float32Array;
export type SampleRate = 8000 | 12000 | 16000 | 24000 | 48000;
export interface QueueOptions {
  /** Most jobs queued for this object (default 4096). */ maxQueue?: number;
  /** What a full queue does: reject the new job (default) or drop the oldest queued one. */ overflow?: 'reject' | 'drop-oldest';
}
export interface EncoderOptions extends QueueOptions {
  sampleRate?: SampleRate; channels?: 1 | 2; application?: 'audio' | 'voip' | 'lowdelay';
  /** bits per second */ bitrate?: number; /** 0-10 */ complexity?: number;
  signal?: 'auto' | 'voice' | 'music'; vbr?: boolean; vbrConstraint?: boolean;
  fec?: boolean; /** percent */ packetLoss?: number; dtx?: boolean;
}
export interface DecoderOptions extends QueueOptions {
  sampleRate?: SampleRate; channels?: 1 | 2; format?: 's16le' | 'f32le';
}
export class Encoder {
  constructor(options?: EncoderOptions);
  readonly sampleRate: number; readonly channels: number; readonly frameSize: number; readonly pending: number;
  encode(pcm: Pcm): Buffer;
  encodeAsync(pcm: Pcm): Promise<Buffer>;
  encodeBatch(frames: Pcm[]): Promise<Array<Buffer | VoxpoolError>>;
  setBitrate(bitrate: number): void; getBitrate(): number;
  setComplexity(complexity: number): void; setFec(enabled: boolean): void; setPacketLoss(percent: number): void;
  setDtx(enabled: boolean): void; setSignal(signal: 'auto' | 'voice' | 'music'): void; setVbr(enabled: boolean): void;
  ctl(request: number, value: number): void; getCtl(request: number): number;
  destroy(): void;
}
export class Decoder {
  constructor(options?: DecoderOptions);
  readonly sampleRate: number; readonly channels: number; readonly lastFrameSize: number; readonly pending: number;
  decode(packet: Uint8Array | null, options?: { frameSize?: number }): Buffer;
  decodeFec(nextPacket: Uint8Array, options?: { frameSize?: number }): Buffer;
  decodeAsync(packet: Uint8Array | null, options?: { frameSize?: number; fec?: boolean }): Promise<Buffer>;
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
};

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
export interface EncoderStreamOptions extends EncoderOptions { /** samples per channel */ frameSize?: number; /** frames in flight */ readAhead?: number }
export interface DecoderStreamOptions extends DecoderOptions { readAhead?: number }
export class OpusEncoderStream extends Transform { constructor(options?: EncoderStreamOptions); readonly encoder: Encoder }
export class OpusDecoderStream extends Transform { constructor(options?: DecoderStreamOptions); readonly decoder: Decoder }
export function createEncoderStream(options?: EncoderStreamOptions): OpusEncoderStream;
export function createDecoderStream(options?: DecoderStreamOptions): OpusDecoderStream;
