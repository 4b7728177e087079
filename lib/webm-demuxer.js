'use strict';
// WebmDemuxer: WebM / Matroska bytes in, Opus packets out, parsed natively (libwebm's webm_parser)
// on the pool, one job per chunk, in order. A drop-in for prism-media's opus.WebmDemuxer: the
// same object-mode output (one Buffer per packet) and 'head' event with the track's raw
// CodecPrivate (its OpusHead), plus what prism lacks: BlockGroups and laced blocks, live streams
// of unknown size, a chosen track, timestamps and end trimming (DiscardPadding).
const binding = require('./binding');
const validate = require('./validate');
const { guardReceiver } = require('./receiver-guard');
const {DemuxerStream, DELIVER, INDEX, demuxOptions} = require('./demuxer-stream');

const C = binding.containerConstants;
const W = C.WEBM;
const { HEAD, PACKET, CUES_AT, CUES, CUE_POINT, FIRST_CLUSTER } = W.EVENT;
const FIELDS = 8;  // per event: kind, track, timestampNs, samples, trimEnd, offset, size, position
const NS_PER_MS = 1e6;


/**
 * @typedef {object} WebmPacket what the stream reads out with `{ timestamps: true }`
 * @property {Buffer} packet the Opus packet
 * @property {number} timestampNs presentation time of its first sample in nanoseconds, as the
 *   Block states it (the pre-skip counted, like an Ogg granule: ffmpeg's pts is this minus the
 *   track's codecDelayNs)
 * @property {number} timestampMs the same in milliseconds (fractional)
 * @property {number} samples 48 kHz samples it decodes to
 * @property {number} trimEnd samples to drop from the end of its decoded output (DiscardPadding)
 * @property {number} track its TrackNumber
 */

/**
 * @typedef {object} WebmTrack the followed track's TrackEntry (Matroska's defaults where absent)
 * @property {number} number TrackNumber
 * @property {number} channels
 * @property {number} samplingFrequency Hz
 * @property {number} codecDelayNs the pre-skip in nanoseconds (0: not stated)
 * @property {number} seekPreRollNs
 * @property {number} timecodeScaleNs the Segment's TimecodeScale
 */

class WebmDemuxer extends DemuxerStream {
  #timestamps;
  #stats = null;
  #track = null;

  /**
   * @param {object} [options]
   * @param {number} [options.track] follow this TrackNumber (1..containerConstants.WEBM.MAX_TRACK_NUMBER)
   *   instead of the first Opus track
   * @param {number} [options.maxFrameBytes] largest frame accepted
   *   (default containerConstants.WEBM.DEFAULT_MAX_FRAME_BYTES, 16 MiB)
   * @param {boolean} [options.timestamps=false] read {@link WebmPacket} objects instead of Buffers
   * @param {number} [options.startMs=0] drop packets until the first that ends after this
   *   presentation time (ms after the first sample: the Block timestamp minus the CodecDelay),
   *   0..containerConstants.MAX_START_MS
   */
  constructor(options) {
    const o = validate.options(options);
    const native = {};
    if (o.track !== undefined) native.track = validate.integer(o.track, 'options.track', 1, W.MAX_TRACK_NUMBER);
    if (o.maxFrameBytes !== undefined) {
      native.maxFrameBytes = validate.integer(o.maxFrameBytes, 'options.maxFrameBytes', 1, W.MAX_FRAME_BYTES);
    }
    const {timestamps, startMs} = demuxOptions(o);
    if (startMs !== undefined) native.startNs = Math.round(startMs * NS_PER_MS);
    if (o[INDEX] === true) native.index = true;
    super(new binding.NativeWebmDemuxer(native), 'a Buffer or Uint8Array of WebM bytes');
    this.#timestamps = timestamps;
    if (native.index) this[INDEX] = { cuesAt: undefined, cuesEnd: undefined, firstCluster: undefined, cuePoints: [] };
  }

  /**
   * Counters so far: bytes pushed, clusters begun, frames (packets) of the followed track
   * emitted, otherTrackFrames skipped, droppedFrames (before options.startMs), seeks.
   * @returns {{bytes: number, clusters: number, frames: number, otherTrackFrames: number, droppedFrames: number, seeks: number}}
   */
  get stats() {
    return { bytes: 0, clusters: 0, frames: 0, otherTrackFrames: 0, droppedFrames: 0, seeks: 0, ...this.#stats };
  }

  /**
   * The followed track's TrackEntry once it has been read, else null.
   * @returns {WebmTrack | null}
   */
  get track() {
    return this.#track === null ? null : { ...this.#track };
  }

  /** Emits one job's events (DemuxerStream turns a listener's throw into the stream's error). */
  [DELIVER]({ bytes, events, stats, track }) {
    this.#stats = stats;
    if (track !== undefined) this.#track = track;
    for (let i = 0; i < events.length; i += FIELDS) {
      const kind = events[i];
      const data = bytes.subarray(events[i + 5], events[i + 5] + events[i + 6]);
      if (kind === PACKET) {
        this.push(this.#timestamps
          ? {
            packet: data,
            timestampNs: events[i + 2],
            timestampMs: events[i + 2] / NS_PER_MS,
            samples: events[i + 3],
            trimEnd: events[i + 4],
            track: events[i + 1],
          }
          : data);
      } else if (kind === HEAD) {
        this.emit('head', data, headOrNull(data));
      } else if (kind === CUE_POINT) {
        this[INDEX].cuePoints.push({ timestampNs: events[i + 2], position: events[i + 7] });
      } else if (kind === CUES_AT) {
        this[INDEX].cuesAt = events[i + 7];
      } else if (kind === CUES) {
        this[INDEX].cuesEnd = events[i + 7];
      } else if (kind === FIRST_CLUSTER) {
        this[INDEX].firstCluster = events[i + 7];
      }
    }
  }

  static {
    guardReceiver(this, (o) => #timestamps in o);
  }
}

// The parsed form of a CodecPrivate, or null when it is no valid OpusHead (the raw bytes are
// still emitted, as prism does; the decoder is what refuses them).
function headOrNull(data) {
  try {
    return binding.parseOpusHead(data);
  } catch {
    return null;
  }
}

module.exports = { WebmDemuxer };
