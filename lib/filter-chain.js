'use strict';
// FilterChain: Lavalink v4's audio filters (volume, equalizer, karaoke, timescale, tremolo,
// vibrato, rotation, distortion, channelMix, lowPass) plus highPass, a compressor and fades, per stream, natively: `process()` on
// the calling thread, `processAsync()` on the voxpool pool (frames of one chain in order). The
// `filters` object has Lavalink's shape, field names, ranges and defaults, so a bot's presets move
// from Lavalink unchanged; every range comes from the core's table (filterConstants.FIELDS).
const { rejecting } = require('./promise-api');
const binding = require('./binding');
const validate = require('./validate');
const { guardReceiver } = require('./receiver-guard');
const { queueOptions } = require('./queue-options');

const F = binding.filterConstants;

const deepFreeze = (o) => {
  for (const v of Object.values(o)) if (typeof v === 'object' && v !== null) deepFreeze(v);
  return Object.freeze(o);
};

/** Filter limits and the field table, read from native code so they are never typed twice. */
const filterConstants = deepFreeze({
  MIN_SAMPLE_RATE: F.MIN_SAMPLE_RATE,
  MAX_SAMPLE_RATE: F.MAX_SAMPLE_RATE,
  MAX_CHANNELS: F.MAX_CHANNELS,
  MAX_FRAMES: F.MAX_FRAMES,
  EQUALIZER_BANDS: F.EQUALIZER_BANDS,
  EQUALIZER_MIN_GAIN: F.EQUALIZER_MIN_GAIN,
  EQUALIZER_MAX_GAIN: F.EQUALIZER_MAX_GAIN,
  EQUALIZER_MAX_BAND_FRACTION: F.EQUALIZER_MAX_BAND_FRACTION,
  EQUALIZER_FREQUENCIES: [...F.EQUALIZER_FREQUENCIES],
  GROUPS: F.GROUPS.map((g) => ({ ...g })),
  FADE_CURVES: [...F.FADE_CURVES],
  MAX_FADE_MS: F.MAX_FADE_MS,
  TIMESCALE_MIN_RATIO: F.TIMESCALE_MIN_RATIO,
  TIMESCALE_MAX_RATIO: F.TIMESCALE_MAX_RATIO,
  TIMESCALE_BURST_FRAMES: F.TIMESCALE_BURST_FRAMES,
  FIELDS: F.FIELDS.map((f) => ({ ...f })),
});

// Group name -> its fields; '' holds the top-level `volume`.
const FIELDS_OF = new Map();
for (const f of F.FIELDS) {
  if (!FIELDS_OF.has(f.group)) FIELDS_OF.set(f.group, []);
  FIELDS_OF.get(f.group).push(f);
}
// Lavalink's `pluginFilters` (its plugins' own filters) is accepted and ignored, so a preset that
// carries it works.
const KNOWN = new Set(['volume', 'equalizer', 'pluginFilters', ...F.GROUPS.map((g) => g.name)]);

function field(value, f, name) {
  const what = f.minExclusive ? `a number above ${f.min} and at most ${f.max}` : `a number between ${f.min} and ${f.max}`;
  if (typeof value !== 'number' || Number.isNaN(value)) throw validate.invalidType(what, name, value);
  if (value > f.max || value < f.min || (f.minExclusive && value === f.min)) throw validate.invalidRange(what, name, value);
  return value;
}

function equalizer(value, name) {
  if (!validate.isArray(value)) throw validate.invalidType('an array of { band, gain }', name, value);
  if (value.length > 64) throw validate.invalidRange('at most 64 bands', name, value);
  const gains = new Array(F.EQUALIZER_BANDS).fill(0);
  value.forEach((entry, i) => {
    const e = validate.options(entry, `${name}[${i}]`);
    const band = validate.integer(e.band, `${name}[${i}].band`, 0, F.EQUALIZER_BANDS - 1);
    gains[band] = validate.number(e.gain, `${name}[${i}].gain`, F.EQUALIZER_MIN_GAIN, F.EQUALIZER_MAX_GAIN);
  });
  return gains;
}

// Throws for a key of `o` that is not in `known` (a misspelt field would otherwise be its default).
function onlyKnown(o, known, name) {
  for (const key of Object.keys(o)) {
    if (!known.includes(key)) throw validate.invalidType(`one of ${known.join(', ')}`, `a key of ${name}`, key);
  }
}

// timescale's speed x rate: how much faster the output plays (bounds the audio a frame turns into).
function timescaleRatio(group, name) {
  const ratio = group.speed * group.rate;
  if (ratio < F.TIMESCALE_MIN_RATIO || ratio > F.TIMESCALE_MAX_RATIO) {
    throw validate.invalidRange(`speed × rate between ${F.TIMESCALE_MIN_RATIO} and ${F.TIMESCALE_MAX_RATIO}`, name, ratio);
  }
}

/**
 * Checks a Lavalink-shaped filters object. Returns the canonical copy (what `chain.filters`
 * shows: the groups given, each with every field, defaults filled in) and the native form (every
 * group an object or absent, `equalizer` an array of 15 gains).
 * @param {unknown} value
 * @param {string} name
 */
function checkFilters(value, name = 'filters') {
  const o = validate.options(value, name);
  onlyKnown(o, [...KNOWN], name);
  const canonical = {};
  const native = {};
  if (o.volume !== undefined) {
    const [f] = FIELDS_OF.get('');
    canonical.volume = native.volume = field(o.volume, f, `${name}.volume`);
  }
  if (o.equalizer !== undefined && o.equalizer !== null) {
    native.equalizer = equalizer(o.equalizer, `${name}.equalizer`);
    canonical.equalizer = native.equalizer.map((gain, band) => ({ band, gain })).filter((b) => b.gain !== 0);
  }
  for (const { name: group } of F.GROUPS) {
    if (o[group] === undefined || o[group] === null) continue;
    const g = validate.options(o[group], `${name}.${group}`);
    onlyKnown(g, FIELDS_OF.get(group).map((f) => f.name), `${name}.${group}`);
    const out = {};
    for (const f of FIELDS_OF.get(group)) {
      out[f.name] = g[f.name] === undefined ? f.default : field(g[f.name], f, `${name}.${group}.${f.name}`);
    }
    canonical[group] = out;
    native[group] = { ...out };
  }
  if (canonical.timescale) timescaleRatio(canonical.timescale, `${name}.timescale`);
  return { canonical: deepFreeze(canonical), native };
}

/** Checks fade()'s arguments; returns them as the native call takes them (the curve's index). */
function fadeArgs(to, options) {
  const target = validate.number(to, 'to', 0, 1);
  const o = validate.options(options);
  const durationMs = o.durationMs === undefined ? 0 : validate.number(o.durationMs, 'options.durationMs', 0, F.MAX_FADE_MS);
  const curve = F.FADE_CURVES.indexOf(o.curve === undefined ? 's-curve' : validate.oneOf(o.curve, 'options.curve', F.FADE_CURVES));
  return { target, durationMs, curve };
}

const EMPTY = Buffer.alloc(0);
let nativeOf;  // set by FilterChain's static block: (chain) => its native object

/**
 * Lavalink's filters on interleaved PCM frames. Changes from `setFilters()` take effect at the
 * next frame, without clicks: gains and depths ramp over it, a filter switched on or off
 * crossfades with the dry signal over it.
 *
 * Output and input frames: equal, frame for frame, until `timescale` is first set. Timescale
 * changes the amount of audio: from then on each call returns the frames ready, about
 * input / (speed × rate) on average, after a start-up latency of some tens of ms (the first calls
 * return less, or nothing), and `flush()` at the end returns what is still inside. A chain keeps
 * its time-stretch once made, at 1/1/1 when timescale is switched off, so no audio is cut.
 */
class FilterChain {
  #native;
  #filters;
  #sampleRate;
  #channels;
  #format;

  /**
   * @param {object} [options]
   * @param {number} [options.sampleRate=48000] Hz, MIN_SAMPLE_RATE..MAX_SAMPLE_RATE
   * @param {1|2} [options.channels=2]
   * @param {'s16le'|'f32le'} [options.format='s16le']
   * @param {object} [options.filters] Lavalink's `filters` object
   * @param {number} [options.maxQueue] most processAsync() frames queued
   * @param {'reject'|'drop-oldest'} [options.overflow='reject']
   * @param {number} [options.deadlineMs] a frame not started this long after its due time rejects
   */
  constructor(options) {
    const o = validate.options(options);
    this.#sampleRate = o.sampleRate === undefined
      ? 48000 : validate.integer(o.sampleRate, 'sampleRate', F.MIN_SAMPLE_RATE, F.MAX_SAMPLE_RATE);
    this.#channels = o.channels === undefined ? 2 : validate.integer(o.channels, 'channels', 1, F.MAX_CHANNELS);
    this.#format = validate.pcmFormat(o.format);
    const { canonical, native } = checkFilters(o.filters);
    const options_ = { sampleRate: this.#sampleRate, channels: this.#channels, format: this.#format, filters: native };
    queueOptions(o, options_);
    this.#native = new binding.NativeFilterChain(options_);
    this.#filters = canonical;
  }

  /**
   * Filters one frame (or any whole number of frames, at most MAX_FRAMES) on the calling thread.
   * @param {Buffer|TypedArray} pcm interleaved `format` PCM
   * @returns {Buffer} the filtered frames ready: a copy of as many frames as `pcm` until
   *   timescale runs (see the class)
   */
  process(pcm) {
    this.#frames(pcm);
    // No input (a detached buffer too): what timescale holds ready, if anything.
    if (pcm.byteLength === 0) return this.#native.process(pcm);
    // The output in a pooled Buffer filtered in place: cheaper than a native copy-out. Once
    // timescale has run (the length may change) the native side declines and process() copies.
    const out = Buffer.allocUnsafe(pcm.byteLength);
    out.set(new Uint8Array(pcm.buffer, pcm.byteOffset, pcm.byteLength));
    return this.#native.processInPlace(out) ? out : this.#native.process(pcm);
  }

  /**
   * The same on the pool; frames of one chain are processed and settle in submission order.
   * @param {Buffer|TypedArray} pcm
   * @returns {Promise<Buffer>}
   */
  processAsync(pcm) {
    this.#frames(pcm);
    return rejecting(() => this.#native.processAsync(pcm));
  }

  /**
   * The end of the input: what timescale still holds (empty without timescale), on the calling
   * thread. The chain can go on afterwards.
   * @returns {Buffer}
   */
  flush() {
    return this.#native.process(EMPTY, 1, true);
  }

  /** flush() on the pool, after the frames already submitted. @returns {Promise<Buffer>} */
  flushAsync() {
    return rejecting(() => this.#native.processAsync(EMPTY, 1, true));
  }

  /**
   * Fades from the gain now to `to` (linear, 0..1) over `durationMs`, starting with the next
   * frame; after the filters and the volume. A fade to 0 holds silence until the next fade.
   * @param {number} to
   * @param {{ durationMs?: number, curve?: 'linear' | 'equal-power' | 's-curve' }} [options]
   *   durationMs 0..MAX_FADE_MS (default 0: at once), curve default 's-curve'
   */
  fade(to, options) {
    const { target, durationMs, curve } = fadeArgs(to, options);
    this.#native.fade(target, durationMs, curve);
  }

  /** Bytes of one frame (every channel's sample). */
  get frameBytes() { return this.#channels * (this.#format === 'f32le' ? 4 : 2); }

  // `pcm` when it is whole frames, at most MAX_FRAMES.
  #frames(pcm) {
    validate.bytes(pcm, 'pcm');
    const frame = this.frameBytes;
    if (pcm.byteLength % frame !== 0 || pcm.byteLength > F.MAX_FRAMES * frame) {
      throw validate.invalidRange(`at most ${F.MAX_FRAMES} whole frames of ${frame} bytes`, 'pcm', pcm);
    }
    return pcm;
  }

  /**
   * Replaces every filter (Lavalink's semantics: what the object leaves out is off; a group set to
   * null is off too; no argument turns every filter off).
   * @param {object} [filters]
   */
  setFilters(filters) {
    const { canonical, native } = checkFilters(filters);
    this.#native.setFilters(native);
    this.#filters = canonical;
  }

  /** The filters last set, Lavalink-shaped with defaults filled in (frozen). */
  get filters() { return this.#filters; }
  /** Whether any filter is on (with none, process() returns the input unchanged). */
  get active() { return this.#native.active(); }
  /** Whether the time-stretch runs (timescale is or has been on): output frames then differ. */
  get stretching() { return this.#native.stretching(); }
  get sampleRate() { return this.#sampleRate; }
  get channels() { return this.#channels; }
  get format() { return this.#format; }
  /** Frames queued on the pool, not counting a running one. */
  get pending() { return this.#native.pending(); }
  /** Frees the chain; queued frames reject with ERR_VOXPOOL_DESTROYED. Idempotent. */
  destroy() { this.#native.destroy(); }

  static {
    guardReceiver(this, (x) => #native in x);
    nativeOf = (chain) => chain.#native;
  }
}

module.exports = { FilterChain, filterConstants, checkFilters, fadeArgs };
// For lib/opus.js and lib/transcode-stream.js only (an encoder or transcoder runs its own chain
// inside its jobs). Not enumerable.
Object.defineProperty(module.exports, 'nativeFilterChainOf', { value: (chain) => nativeOf(chain) });
