'use strict';
// OggDemuxer: Ogg Opus bytes in, Opus packets out, parsed natively (libogg) on the pool, one job
// per chunk, in order. A drop-in for prism-media's opus.OggDemuxer: the same object-mode output
// (one Buffer per packet) and 'head' / 'tags' events with the raw packets, plus what prism lacks:
// packets that continue across pages, chained files, a chosen stream in a multiplexed file,
// granule positions and a CRC-failed page dropped and counted instead of stalling.
const binding = require('./binding');
const validate = require('./validate');
const { guardReceiver } = require('./receiver-guard');
const {DemuxerStream, DELIVER, demuxOptions} = require('./demuxer-stream');

const C = binding.containerConstants;
const { HEAD, TAGS, PACKET, CHAIN_END } = C.EVENT;
const FIELDS = 7;  // per event: kind, serial, granule, samples, trimEnd, offset, size

/**
 * @typedef {object} OggPacket what the stream reads out with `{ timestamps: true }`
 * @property {Buffer} packet the Opus packet
 * @property {number} granule granule position at the end of the packet (48 kHz samples, pre-skip
 *   included), or -1 before any page stated one
 * @property {number} samples 48 kHz samples it decodes to
 * @property {number} trimEnd samples to drop from the end of its decoded output (end trimming)
 * @property {number} serial the logical stream it belongs to
 */

class OggDemuxer extends DemuxerStream {
  #timestamps;
  #stats = null;
  #serial = null;

  /**
   * @param {object} [options]
   * @param {number} [options.serial] follow this stream (0..2^32-1) instead of the first Opus one
   * @param {number} [options.maxPacketBytes] largest packet accepted, OpusTags included
   *   (default containerConstants.DEFAULT_MAX_PACKET_BYTES, 16 MiB)
   * @param {boolean} [options.timestamps=false] read {@link OggPacket} objects instead of Buffers
   * @param {number} [options.startMs=0] drop packets until the first that ends after this
   *   presentation time (ms after the first sample played: granule minus pre-skip), 0..MAX_START_MS
   */
  constructor(options) {
    const o = validate.options(options);
    const native = {};
    if (o.serial !== undefined) native.serial = validate.integer(o.serial, 'options.serial', 0, C.MAX_SERIAL);
    if (o.maxPacketBytes !== undefined) {
      native.maxPacketBytes = validate.integer(o.maxPacketBytes, 'options.maxPacketBytes', 1, C.MAX_PACKET_BYTES);
    }
    const {timestamps, startMs} = demuxOptions(o);
    if (startMs !== undefined) native.startSamples = Math.round(startMs * C.GRANULE_RATE / 1000);
    super(new binding.NativeOggDemuxer(native), 'a Buffer or Uint8Array of Ogg bytes');
    this.#timestamps = timestamps;
  }

  /**
   * Counters so far: bytes, pages (of the followed stream), packets, skippedBytes (garbage or
   * pages whose CRC failed), holes (lost pages), chains (streams ended), otherPages,
   * droppedPackets (before options.startMs), seeks.
   * @returns {{bytes: number, pages: number, packets: number, skippedBytes: number, holes: number, chains: number, otherPages: number, droppedPackets: number, seeks: number}}
   */
  get stats() {
    return {
      bytes: 0, pages: 0, packets: 0, skippedBytes: 0, holes: 0, chains: 0, otherPages: 0, droppedPackets: 0, seeks: 0,
      ...this.#stats,
    };
  }

  /**
   * The serial of the stream followed (its OpusHead has been read), else null.
   * @returns {number | null}
   */
  get serial() {
    return this.#serial;
  }

  /** Emits one job's events (DemuxerStream turns a listener's throw into the stream's error). */
  [DELIVER]({ bytes, events, stats }) {
    this.#stats = stats;
    for (let i = 0; i < events.length; i += FIELDS) {
      const kind = events[i];
      const data = bytes.subarray(events[i + 5], events[i + 5] + events[i + 6]);
      if (kind === PACKET) {
        this.push(this.#timestamps
          ? { packet: data, granule: events[i + 2], samples: events[i + 3], trimEnd: events[i + 4], serial: events[i + 1] }
          : data);
      } else if (kind === HEAD) {
        this.#serial = events[i + 1];
        this.emit('head', data, binding.parseOpusHead(data));
      } else if (kind === TAGS) {
        this.emit('tags', data, tagsOrNull(data));
      } else if (kind === CHAIN_END) {
        this.emit('chainEnd', { serial: events[i + 1] });
      }
    }
  }

  static {
    guardReceiver(this, (o) => #timestamps in o);
  }
}

// A broken OpusTags packet does not stop the audio: the raw packet is still emitted, its parsed
// form is null.
function tagsOrNull(data) {
  try {
    return binding.parseOpusTags(data);
  } catch {
    return null;
  }
}

/**
 * Parses an OpusHead packet (what 'head' gives as its first argument).
 * @param {Uint8Array} packet
 * @returns {{version: number, channels: number, preSkip: number, inputSampleRate: number, outputGain: number, mappingFamily: number, streamCount: number, coupledCount: number, mapping?: Buffer}}
 */
function parseOpusHead(packet) {
  validate.bytes(packet, 'packet');
  return binding.parseOpusHead(packet);
}

/**
 * Parses an OpusTags packet (what 'tags' gives as its first argument).
 * @param {Uint8Array} packet
 * @returns {{vendor: string, comments: string[]}}
 */
function parseOpusTags(packet) {
  validate.bytes(packet, 'packet');
  return binding.parseOpusTags(packet);
}

module.exports = { OggDemuxer, parseOpusHead, parseOpusTags, containerConstants: C };
