'use strict';
// SpeakerMixer: receive side. Decoded PCM per speaker (SSRC) with RTP timestamp and sequence is
// aligned on one timeline (jitter window), gaps are concealed or silent, late packets dropped and
// counted, and each tick yields one mixed frame (and, on request, one frame per speaker), e.g.
// 16 kHz mono for speech-to-text.
const { rejecting } = require('./promise-api');
const binding = require('./binding');
const validate = require('./validate');
const { guardReceiver } = require('./receiver-guard');
const { queueOptions } = require('./queue-options');
const { CHANNELS, withCallerStack } = require('./mixer-util');

const C = binding.mixerConstants;
const CONCEAL = ['repeat-fade', 'silence'];

/**
 * Aligns and mixes every speaker of a voice channel.
 *
 * Push each decoded packet with {@link SpeakerMixer#push}; call {@link SpeakerMixer#mix} once per
 * tick (every frameSize / outputRate seconds). A speaker's first packet plays jitterFrames ticks
 * after it arrives; later packets are placed by timestamp.
 */
class SpeakerMixer {
  #native;
  #options;

  /**
   * @param {object} [options]
   * @param {number} [options.inputRate=48000] Hz of pushed PCM = RTP clock rate
   * @param {1|2} [options.inputChannels=2]
   * @param {number} [options.outputRate=48000] Hz
   * @param {1|2} [options.outputChannels=2]
   * @param {number} [options.frameSize] output samples per channel per tick (default 20 ms)
   * @param {'s16le'|'f32le'} [options.format='s16le'] of pushed and produced PCM
   * @param {number} [options.jitterFrames=3] ticks of delay absorbing jitter and reordering
   * @param {number} [options.maxSpeakers=32]
   * @param {'repeat-fade'|'silence'} [options.conceal='repeat-fade'] what fills a lost stretch
   * @param {number} [options.concealFrames=3] ticks concealed before silence
   * @param {number} [options.idleFrames=250] ticks without packets before a speaker is forgotten
   * @param {boolean} [options.limiter=true]
   * @param {number} [options.ceilingDb=-0.1]
   * @param {number} [options.maxQueue] most mixAsync() ticks queued
   * @param {'reject'|'drop-oldest'} [options.overflow='reject']
   */
  constructor(options) {
    const o = validate.options(options);
    const rate = (v, name) => validate.integer(v, name, C.MIN_SAMPLE_RATE, C.MAX_SAMPLE_RATE);
    const n = {
      inputRate: o.inputRate === undefined ? C.DEFAULT_INPUT_RATE : rate(o.inputRate, 'inputRate'),
      inputChannels: o.inputChannels === undefined ? C.DEFAULT_INPUT_CHANNELS : validate.oneOf(o.inputChannels, 'inputChannels', CHANNELS),
      outputRate: o.outputRate === undefined ? C.DEFAULT_OUTPUT_RATE : rate(o.outputRate, 'outputRate'),
      outputChannels: o.outputChannels === undefined ? C.DEFAULT_OUTPUT_CHANNELS : validate.oneOf(o.outputChannels, 'outputChannels', CHANNELS),
      format: validate.pcmFormat(o.format),
      jitterFrames: o.jitterFrames === undefined ? C.DEFAULT_JITTER_FRAMES : validate.integer(o.jitterFrames, 'jitterFrames', 1, C.MAX_JITTER_FRAMES),
      maxSpeakers: o.maxSpeakers === undefined ? C.DEFAULT_MAX_SPEAKERS : validate.integer(o.maxSpeakers, 'maxSpeakers', 1, C.MAX_SPEAKERS),
      conceal: o.conceal === undefined ? 'repeat-fade' : validate.oneOf(o.conceal, 'conceal', CONCEAL),
      concealFrames: o.concealFrames === undefined ? C.DEFAULT_CONCEAL_FRAMES : validate.integer(o.concealFrames, 'concealFrames', 0, C.MAX_CONCEAL_FRAMES),
      limiter: o.limiter === undefined ? true : validate.boolean(o.limiter, 'limiter'),
      ceilingDb: o.ceilingDb === undefined ? -0.1 : validate.number(o.ceilingDb, 'ceilingDb', C.MIN_CEILING_DB, 0),
    };
    n.frameSize = o.frameSize === undefined ? Math.round(n.outputRate / 50) : validate.integer(o.frameSize, 'frameSize', 1, C.MAX_FRAME_SIZE);
    if ((n.frameSize * n.inputRate) % n.outputRate !== 0) {
      throw validate.invalidRange(`a frame size spanning a whole number of ${n.inputRate} Hz samples`, 'frameSize', n.frameSize);
    }
    n.idleFrames = o.idleFrames === undefined ? C.DEFAULT_IDLE_FRAMES : validate.integer(o.idleFrames, 'idleFrames', n.jitterFrames + 1, C.MAX_IDLE_FRAMES);
    queueOptions(o, n);
    this.#native = new binding.NativeSpeakerMixer(n);
    this.#options = Object.freeze(n);
  }

  /** @type {Readonly<object>} the resolved options */ get options() { return this.#options; }
  /** @type {number} bytes of one output frame */
  get frameBytes() { return this.#options.frameSize * this.#options.outputChannels * (this.#options.format === 'f32le' ? 4 : 2); }
  /** @type {number} mixAsync() ticks waiting */ get pending() { return this.#native.pending(); }

  /**
   * Hands over one decoded packet. Late, early and duplicate packets are dropped and counted (see
   * speakerStats), not thrown. Throws VoxpoolError ERR_VOXPOOL_QUEUE_FULL for a new SSRC when
   * maxSpeakers are present.
   * @param {number} ssrc u32
   * @param {number} timestamp RTP timestamp of the first sample, u32
   * @param {number} sequence RTP sequence number, u16
   * @param {Buffer|Int16Array|Float32Array} pcm whole frames at inputRate/inputChannels in `format`
   */
  push(ssrc, timestamp, sequence, pcm) {
    validate.integer(ssrc, 'ssrc', 0, 0xffffffff);
    validate.integer(timestamp, 'timestamp', 0, 0xffffffff);
    validate.integer(sequence, 'sequence', 0, 0xffff);
    validate.bytes(pcm, 'pcm');
    const frame = this.#options.inputChannels * (this.#options.format === 'f32le' ? 4 : 2);
    if (pcm.byteLength === 0 || pcm.byteLength % frame !== 0 || pcm.byteLength / frame > C.MAX_PACKET_FRAMES) {
      throw validate.invalidRange(`1 to ${C.MAX_PACKET_FRAMES} whole frames of ${frame} bytes`, 'pcm', pcm);
    }
    this.#native.push(ssrc, timestamp, sequence, pcm);
  }

  /** Forgets a speaker now. @param {number} ssrc */
  removeSpeaker(ssrc) {
    this.#native.removeSpeaker(validate.integer(ssrc, 'ssrc', 0, 0xffffffff));
  }

  /**
   * One tick on the calling thread.
   * @param {{ perSpeaker?: boolean }} [options]
   * @returns {Buffer | { mixed: Buffer, speakers: { ssrc: number, pcm: Buffer }[] }}
   */
  mix(options) {
    return this.#native.mix(perSpeaker(options));
  }

  /**
   * One tick on the pool (in order with earlier ticks).
   * @param {{ perSpeaker?: boolean }} [options]
   * @returns {Promise<Buffer | { mixed: Buffer, speakers: { ssrc: number, pcm: Buffer }[] }>}
   */
  mixAsync(options) {
    const per = perSpeaker(options);  // argument errors throw
    return rejecting(() => withCallerStack(this.#native.mixAsync(per)));
  }

  /** @returns {number[]} SSRCs of present speakers */
  speakers() {
    return this.#native.speakers();
  }

  /**
   * @param {number} ssrc
   * @returns {{ packets: number, latePackets: number, earlyPackets: number, duplicatePackets: number, lostPackets: number, playedTicks: number, partialTicks: number, concealedTicks: number, silentTicks: number, resyncs: number }}
   */
  speakerStats(ssrc) {
    return this.#native.speakerStats(validate.integer(ssrc, 'ssrc', 0, 0xffffffff));
  }

  /** Frees the mixer; queued mixAsync() ticks reject with ERR_VOXPOOL_DESTROYED. Idempotent. */
  destroy() {
    this.#native.destroy();
  }

  static {
    guardReceiver(this, (o) => #native in o);
  }
}

function perSpeaker(options) {
  const o = validate.options(options);
  return o.perSpeaker === undefined ? false : validate.boolean(o.perSpeaker, 'perSpeaker');
}

module.exports = { SpeakerMixer };
