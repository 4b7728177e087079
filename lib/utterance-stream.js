'use strict';
// createUtteranceStream: mono PCM in, utterances out. Each 20 ms frame is cleaned and classified
// by a SpeechProcessor on the pool; a segmenter turns the per-frame voice decisions into
// utterances with pre-roll (audio from before the onset), hangover (how long a pause ends one),
// a minimum length (shorter bursts are dropped) and a maximum (a longer one is cut there and goes
// on as the next). The segmenter is bookkeeping over one flag a frame, so it stays in JS; the
// audio work is native.
const { Transform, Readable } = require('node:stream');
const validate = require('./validate');
const { SpeechProcessor, speechConstants: S, nativeOptions } = require('./speech-processor');

/** Segmenter defaults and limits, ms. */
const UTTERANCE_DEFAULTS = Object.freeze({
  frameMs: 20,
  preRollMs: 300,
  hangoverMs: 400,
  minSpeechMs: 200,
  maxUtteranceMs: 15000,
});
const MAX_PRE_ROLL_MS = 2000;
// The VAD flags a frame or two late at an onset and keeps flagging for 60-80 ms after speech
// ends (its own hangover, measured on espeak-ng speech in noise), so an utterance's edges are
// moved to where the cleaned level meets the noise floor: the first and last frames this many dB
// above it. The floor follows the level of the frames between utterances.
const EDGE_MARGIN_DB = 3;
// How far an onset may move back (frames kept beyond the pre-roll for it).
const ONSET_LOOKBACK_FRAMES = 5;
const FLOOR_SMOOTHING = 0.05;
const MAX_HANGOVER_MS = 5000;
const MAX_UTTERANCE_MS = 120000;
// Frames submitted to the pool at once from one written chunk (1.28 s at 20 ms).
const WINDOW_FRAMES = 64;

/**
 * Validates createUtteranceStream's options and fills in the defaults (no native object is made,
 * so a caller such as createUtteranceReceiver can check them up front).
 * @param {object} [options]
 */
function utteranceOptions(options) {
  const o = validate.options(options);
  const int = (name, min, max) => (o[name] === undefined ? UTTERANCE_DEFAULTS[name] : validate.integer(o[name], name, min, max));
  const frameMs = int('frameMs', S.CHUNK_MS, S.MAX_FRAME_MS);
  if (frameMs % S.CHUNK_MS !== 0) throw validate.invalidRange(`a multiple of ${S.CHUNK_MS}`, 'frameMs', frameMs);
  const preRollMs = int('preRollMs', 0, MAX_PRE_ROLL_MS);
  const hangoverMs = int('hangoverMs', frameMs, MAX_HANGOVER_MS);
  const minSpeechMs = int('minSpeechMs', 0, MAX_UTTERANCE_MS);
  const maxUtteranceMs = int('maxUtteranceMs', frameMs, MAX_UTTERANCE_MS);
  const live = o.live === undefined ? false : validate.boolean(o.live, 'live');
  const speech = validate.options(o.speech, 'speech');
  const sampleRate = o.sampleRate === undefined ? S.DEFAULTS.sampleRate : validate.oneOf(o.sampleRate, 'sampleRate', S.SAMPLE_RATES);
  // The processor runs at the stream's rate: speech.sampleRate may only repeat it.
  if (speech.sampleRate !== undefined) validate.oneOf(speech.sampleRate, 'speech.sampleRate', [sampleRate]);
  nativeOptions({ ...speech, sampleRate });  // the processor's options, checked now
  return { frameMs, preRollMs, hangoverMs, minSpeechMs, maxUtteranceMs, live, speech: { ...speech, sampleRate } };
}

/**
 * @param {object} [options]
 * @param {8000|16000|32000|48000} [options.sampleRate=16000] of the PCM written (mono s16)
 * @param {number} [options.frameMs=20] 10..MAX_FRAME_MS, a multiple of 10
 * @param {number} [options.preRollMs=300] audio kept from before the onset, 0..2000
 * @param {number} [options.hangoverMs=400] a pause this long ends an utterance, frameMs..5000
 * @param {number} [options.minSpeechMs=200] voiced audio an utterance needs before it counts
 *   (and `speechstart` fires); shorter bursts are dropped
 * @param {number} [options.maxUtteranceMs=15000] an utterance this long is cut and goes on as
 *   the next one, up to 120000
 * @param {boolean} [options.live=false] `speechstart` carries a Readable of the utterance's PCM
 *   as it is spoken (pre-roll first), ended at `speechend`
 * @param {object} [options.speech] SpeechProcessor options (noiseSuppression, gainControl, vad,
 *   maxQueue, ...); its sampleRate is the stream's
 * @returns {Transform} writable: PCM bytes in any chunking; readable (object mode): utterances
 *   `{ pcm, startMs, endMs, preRollMs }` (pcm: the cleaned audio from startMs - preRollMs to
 *   endMs). Events: `speechstart` `{ startMs, stream? }`, `speechend` `{ startMs, endMs }`.
 */
function createUtteranceStream(options) {
  const { frameMs, preRollMs, hangoverMs, minSpeechMs, maxUtteranceMs, live, speech } = utteranceOptions(options);
  const processor = new SpeechProcessor(speech);
  // Frames in flight at once: within the processor's queue (maxQueue, if the caller set one).
  const window = Math.min(WINDOW_FRAMES, speech.maxQueue === undefined ? WINDOW_FRAMES : speech.maxQueue);
  const frameBytes = processor.chunkBytes * frameMs / S.CHUNK_MS;
  const frames = (ms) => Math.ceil(ms / frameMs);
  const preRollFrames = frames(preRollMs);
  const hangoverFrames = frames(hangoverMs);

  let carry = Buffer.alloc(0);
  let index = 0;        // the next frame's number
  let ring = [];        // idle: the last preRollFrames frames, { pcm, level }
  let cur = null;       // { start, frames, pre, lastVoiced, voiced, active, stream }
  let floor = null;     // dBFS: the level between utterances

  const stream = new Transform({
    readableObjectMode: true,
    transform(chunk, encoding, callback) {
      let data;
      try {
        data = typeof chunk === 'string' ? Buffer.from(chunk, encoding) : validate.bytes(chunk, 'chunk');
      } catch (err) {
        callback(err);
        return;
      }
      if (data.byteLength === 0) {  // nothing (a detached buffer too)
        callback();
        return;
      }
      const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
      const all = carry.length ? Buffer.concat([carry, bytes]) : bytes;
      const whole = all.length - all.length % frameBytes;
      carry = Buffer.from(all.subarray(whole));
      run(all.subarray(0, whole), callback);
    },
    flush(callback) {
      // The last partial frame, padded with silence to a whole one.
      const last = carry.length ? Buffer.concat([carry, Buffer.alloc(frameBytes - carry.length)]) : Buffer.alloc(0);
      carry = Buffer.alloc(0);
      run(last, (err) => {
        if (!err && cur) finish(cur.active ? lastAudible() + 1 : null);
        callback(err);
      });
    },
    destroy(err, callback) {
      processor.destroy();
      if (cur && cur.stream) cur.stream.destroy();
      callback(err);
    },
  });

  // Submits the frames of `data` a window at a time (the pool keeps them in order) and segments
  // each window's results, so a chunk of any length stays within the processor's queue.
  function run(data, callback) {
    const step = window * frameBytes;
    const next = (from) => {
      if (from >= data.length) {
        callback();
        return;
      }
      const jobs = [];
      for (let at = from; at < Math.min(from + step, data.length); at += frameBytes) {
        jobs.push(processor.processAsync(data.subarray(at, at + frameBytes)));
      }
      Promise.all(jobs).then((results) => {
        if (stream.destroyed) return;
        for (const r of results) segment(r.pcm, r.speech, r.level);
        next(from + step);
      }, (err) => callback(err));
    };
    next(0);
  }

  function segment(pcm, speech, level) {
    const i = index++;
    const frame = { pcm, level };
    if (!cur) {
      if (!speech) {
        floor = floor === null ? level : floor + FLOOR_SMOOTHING * (level - floor);
        ring.push(frame);
        if (ring.length > preRollFrames + ONSET_LOOKBACK_FRAMES) ring.shift();
        return;
      }
      // The onset: back over the pre-roll while the level stands above the floor.
      let start = i;
      for (let k = ring.length - 1; k >= Math.max(0, ring.length - ONSET_LOOKBACK_FRAMES) &&
        ring[k].level >= floor + EDGE_MARGIN_DB; k--) start--;
      // The pre-roll: up to preRollFrames before the onset.
      const kept = ring.slice(Math.max(0, ring.length - (i - start) - preRollFrames));
      cur = { start, first: i - kept.length, frames: kept, lastVoiced: i, voiced: 0, active: false, stream: null };
      ring = [];
    }
    cur.frames.push(frame);
    if (cur.stream) cur.stream.push(pcm);
    if (speech) {
      cur.lastVoiced = i;
      // Voiced audio counts towards minSpeechMs only above the floor (not the VAD's hangover).
      if (floor === null || level >= floor + EDGE_MARGIN_DB) cur.voiced++;
      if (!cur.active && cur.voiced * frameMs >= minSpeechMs) activate();
    }
    if (i - cur.lastVoiced >= hangoverFrames) {
      finish(cur.active ? lastAudible() + 1 : null);
    } else if (cur.active && (i + 1 - cur.start) * frameMs >= maxUtteranceMs) {
      finish(i + 1);
    }
  }

  // The last voiced frame, moved back over the VAD's own hangover (frames at the floor).
  function lastAudible() {
    let end = cur.lastVoiced;
    while (end > cur.start && cur.frames[end - cur.first].level < floor + EDGE_MARGIN_DB) end--;
    return end;
  }

  function activate() {
    cur.active = true;
    const event = { startMs: cur.start * frameMs };
    if (live) {
      cur.stream = new Readable({ read() {} });
      for (const f of cur.frames) cur.stream.push(f.pcm);
      event.stream = cur.stream;
    }
    stream.emit('speechstart', event);
  }

  // Ends the current utterance at frame `end` (exclusive), or drops it (null: too short).
  function finish(end) {
    const u = cur;
    cur = null;
    if (end === null) {
      ring = u.frames.slice(-(preRollFrames + ONSET_LOOKBACK_FRAMES));
      return;
    }
    const startMs = u.start * frameMs;
    const endMs = end * frameMs;
    const pcm = Buffer.concat(u.frames.slice(0, end - u.first).map((f) => f.pcm));
    if (u.stream) u.stream.push(null);
    stream.emit('speechend', { startMs, endMs });
    stream.push({ pcm, startMs, endMs, preRollMs: (u.start - u.first) * frameMs });
  }

  /** The SpeechProcessor the stream runs (its pending count; destroyed with the stream). */
  Object.defineProperty(stream, 'processor', { value: processor, enumerable: true });
  return stream;
}

module.exports = { createUtteranceStream, utteranceOptions, UTTERANCE_DEFAULTS };
