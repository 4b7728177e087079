'use strict';
// Receive: what a @discordjs/voice AudioReceiveStream yields (Opus packets), decoded on the pool
// into 20 ms PCM frames with sequence, timestamp and kind, lost packets concealed (PLC) or
// recovered from the next packet's in-band FEC.
const { Readable } = require('node:stream');
const { Decoder, opus } = require('../opus');
const validate = require('../validate');
const { guardReceiver } = require('../receiver-guard');
const { InOrderQueue } = require('../in-order-queue');

const V = require('../binding').voiceConstants;
const RTP_FRAME = V.FRAME_SAMPLES;  // RTP timestamp units (48 kHz) in one 20 ms frame
const FRAME_MS = 20;
// Buffer-only sources: an arrival gap this much longer than the frames that came in it is a loss.
const ARRIVAL_TOLERANCE_MS = 15;

/** Signed distance a - b between u16 sequence numbers. */
function seqDiff(a, b) {
  return ((a - b + 0x8000) & 0xffff) - 0x8000;
}

function isReadableLike(value) {
  return value !== null && typeof value === 'object' && !validate.isRevoked(value) &&
    typeof value.on === 'function' && typeof value.removeListener === 'function';
}

/**
 * Validates DecodedReceiveStream options once and fills in the defaults.
 * @param {object} [options]
 */
function decodedOptions(options) {
  const o = validate.options(options);
  if (o.userId !== undefined && typeof o.userId !== 'string') throw validate.invalidType('a string', 'options.userId', o.userId);
  return {
    sampleRate: o.sampleRate === undefined ? V.DEFAULT_SAMPLE_RATE : validate.oneOf(o.sampleRate, 'options.sampleRate', opus.SAMPLE_RATES),
    channels: o.channels === undefined ? V.DEFAULT_CHANNELS : validate.oneOf(o.channels, 'options.channels', [1, 2]),
    window: o.window === undefined ? 3 : validate.integer(o.window, 'options.window', 0, 64),
    fec: o.fec === undefined ? true : validate.boolean(o.fec, 'options.fec'),
    maxConceal: o.maxConcealFrames === undefined ? 10 : validate.integer(o.maxConcealFrames, 'options.maxConcealFrames', 0, 250),
    userId: o.userId,
    ownsSource: o.ownsSource === undefined ? false : validate.boolean(o.ownsSource, 'options.ownsSource'),
    hwm: o.highWaterMark === undefined ? 16 : validate.integer(o.highWaterMark, 'options.highWaterMark', 0, 2 ** 31 - 1),
  };
}

/**
 * An object-mode Readable of decoded frames `{ pcm, sequence, timestamp, kind, ssrc, userId }`
 * made from a source of Opus packets (an AudioReceiveStream). `kind` is 'decoded', 'concealed'
 * (packet-loss concealment for a lost packet) or 'recovered' (the lost packet rebuilt from the
 * in-band FEC of the one after it). Frames come out in sequence order; decoding runs on the pool.
 *
 * The source may yield:
 * - `{ payload, sequence, timestamp, ssrc }` objects (@discordjs/voice after discord.js#11432):
 *   loss and reordering come from the RTP sequence numbers, exactly. Packets that arrive out of
 *   order are held (at most `window` packets or `window` × 20 ms) for the missing one.
 * - plain Buffers (@discordjs/voice 0.18 and 0.19): the RTP header is gone, so sequence and
 *   timestamp are made up here (from 0) and loss is inferred from arrival times, per event-loop
 *   turn: when the time since the previous turn covers more 20 ms frames than arrived (15 ms of
 *   slack), the difference counts as lost and is concealed. Limits: a packet delayed by more than
 *   15 ms looks like a loss (one extra frame), a loss hidden by jitter goes unnoticed, reordering
 *   cannot be seen, and a gap longer than `maxConcealFrames` frames counts as a pause (the
 *   timestamp jumps, nothing is concealed).
 *
 * A packet libopus refuses is skipped and reported as a 'warning' event (the stream goes on).
 * The stream ends when the source ends (held packets are played out first); an 'error' of the
 * source destroys it with that error. Destroying it destroys the source only if `ownsSource`.
 */
class DecodedReceiveStream extends Readable {
  #source;
  #ownsSource;
  #decoder;
  #jobs;
  #frameSize;
  #window;
  #fec;
  #maxConceal;
  #userId;
  #detach;
  #next = null;             // the sequence number expected next (null before the first packet)
  #held = new Map();        // sequence -> packet, while an earlier one is missing
  #holdTimer = null;
  // Buffer sources: the packets of this event-loop turn and the made-up RTP position.
  #turn = [];
  #turnAt = 0;
  #lastTurnAt = 0;
  #seq = -1;
  #ts = 0;
  #ending = false;
  #stats = { packets: 0, decoded: 0, concealed: 0, recovered: 0, late: 0, corrupt: 0 };

  /**
   * @param {import('node:stream').Readable} source Opus packets (Buffers or `{ payload, sequence, timestamp, ssrc }`)
   * @param {object} [options]
   * @param {number} [options.sampleRate=48000] output rate: 8000, 12000, 16000, 24000 or 48000 (decoded at that rate)
   * @param {1|2} [options.channels=2] output channels
   * @param {number} [options.window=3] packets held while an earlier one is missing (0..64); also
   *   the most time (× 20 ms) one is held
   * @param {boolean} [options.fec=true] rebuild the last lost frame of a gap from the next packet's FEC
   * @param {number} [options.maxConcealFrames=10] most frames concealed per gap (0..250); a longer
   *   gap is left as a gap (the timestamp jumps)
   * @param {string} [options.userId] copied onto every frame
   * @param {boolean} [options.ownsSource=false] destroy the source when this stream is destroyed
   * @param {number} [options.highWaterMark=16] frames buffered for the reader (a live source is not paused)
   */
  constructor(source, options) {
    if (!isReadableLike(source)) throw validate.invalidType('a Readable of Opus packets (an AudioReceiveStream)', 'source', source);
    const { sampleRate, channels, window, fec, maxConceal, userId, ownsSource, hwm } = decodedOptions(options);
    super({ objectMode: true, highWaterMark: hwm });
    this.#decoder = new Decoder({ sampleRate, channels });
    this.#frameSize = sampleRate / 50;
    this.#window = window;
    this.#fec = fec;
    this.#maxConceal = maxConceal;
    this.#userId = userId;
    this.#source = source;
    this.#ownsSource = ownsSource;
    this.#jobs = new InOrderQueue({
      limit: Infinity,
      onValue: (frame) => this.#deliver(frame),
      onError: (err) => this.destroy(err),  // not reached: every job's rejection is caught
    });
    const onData = (item) => this.#onItem(item);
    const onEnd = () => this.#end();
    const onError = (err) => this.destroy(err);
    source.on('data', onData);
    source.once('end', onEnd);
    source.once('close', onEnd);  // destroyed without ending (a subscription dropped)
    source.once('error', onError);
    this.#detach = () => {
      source.removeListener('data', onData);
      source.removeListener('end', onEnd);
      source.removeListener('close', onEnd);
      source.removeListener('error', onError);
    };
  }

  /** @type {import('node:stream').Readable} the packet source */
  get source() { return this.#source; }

  /**
   * Counters: packets (received), decoded, concealed, recovered, late (too late or duplicate,
   * dropped), corrupt (refused by libopus, skipped).
   * @returns {{ packets: number, decoded: number, concealed: number, recovered: number, late: number, corrupt: number }}
   */
  stats() { return { ...this.#stats }; }

  _read() {}

  _destroy(err, callback) {
    this.#detach();
    this.#clearHold();
    this.#jobs.close();
    this.#decoder.destroy();
    if (this.#ownsSource && !this.#source.destroyed) this.#source.destroy();
    callback(err);
  }

  // ---- input ----

  #onItem(item) {
    if (this.destroyed || this.#ending) return;
    if (ArrayBuffer.isView(item)) {
      // Plain Opus packets: collect this turn's, then place them by arrival time.
      if (this.#turn.length === 0) {
        this.#turnAt = performance.now();
        setImmediate(() => this.#placeTurn());
      }
      this.#turn.push(item);
      return;
    }
    if (item === null || typeof item !== 'object' || !ArrayBuffer.isView(item.payload) ||
        !Number.isInteger(item.sequence) || !Number.isInteger(item.timestamp)) {
      this.destroy(validate.invalidType('an Opus packet (Buffer) or { payload, sequence, timestamp, ssrc }', 'a source chunk', item));
      return;
    }
    this.#accept({
      payload: item.payload,
      sequence: item.sequence & 0xffff,
      timestamp: item.timestamp >>> 0,
      ssrc: Number.isInteger(item.ssrc) ? item.ssrc >>> 0 : undefined,
    });
  }

  // Buffer sources: gives this turn's packets made-up sequence numbers and timestamps, leaving a
  // sequence gap where arrival times say packets are missing.
  #placeTurn() {
    const turn = this.#turn;
    this.#turn = [];
    if (this.destroyed || turn.length === 0) return;
    let skip = 0;
    if (this.#seq >= 0) {
      const due = Math.floor((this.#turnAt - this.#lastTurnAt + FRAME_MS - ARRIVAL_TOLERANCE_MS) / FRAME_MS);
      const missing = due - turn.length;
      if (missing > 0 && missing <= this.#maxConceal) {
        skip = missing;                          // a loss: the sequencer conceals it
      } else if (missing > this.#maxConceal) {
        this.#ts = (this.#ts + missing * RTP_FRAME) >>> 0;  // a pause: the timeline jumps
      }
    }
    this.#lastTurnAt = this.#turnAt;
    for (let i = 0; i < turn.length; i++) {
      const step = 1 + (i === 0 ? skip : 0);
      this.#seq = this.#seq < 0 ? 0 : (this.#seq + step) & 0xffff;
      this.#ts = this.#stats.packets === 0 ? 0 : (this.#ts + step * RTP_FRAME) >>> 0;
      this.#accept({ payload: turn[i], sequence: this.#seq, timestamp: this.#ts, ssrc: undefined });
    }
    if (this.#ending) this.#finish();
  }

  // ---- sequencing ----

  #accept(packet) {
    this.#stats.packets++;
    if (this.#next === null) this.#next = packet.sequence;
    let d = seqDiff(packet.sequence, this.#next);
    if (d < 0 || this.#held.has(packet.sequence)) {
      this.#stats.late++;
      return;
    }
    if (d > 0x1000) {  // far ahead: the sender restarted; start over from here
      this.#releaseAll();
      this.#next = packet.sequence;
      d = 0;
    }
    if (d === 0) {
      this.#play(packet);
      this.#drainHeld();
      return;
    }
    this.#held.set(packet.sequence, packet);
    while (this.#held.size > this.#window) this.#releaseFirst();
    if (this.#held.size > 0 && this.#holdTimer === null) {
      this.#holdTimer = setTimeout(() => {
        this.#holdTimer = null;
        this.#releaseAll();
      }, Math.max(1, this.#window) * FRAME_MS);
      this.#holdTimer.unref?.();
    } else if (this.#held.size === 0) {
      this.#clearHold();
    }
  }

  // Gives up on the missing packet(s) before the earliest held one: conceals, then plays on.
  #releaseFirst() {
    let first = null;
    for (const p of this.#held.values()) {
      if (first === null || seqDiff(p.sequence, first.sequence) < 0) first = p;
    }
    this.#held.delete(first.sequence);
    this.#conceal(first);
    this.#play(first);
    this.#drainHeld();
  }

  #releaseAll() {
    while (this.#held.size > 0) this.#releaseFirst();
    this.#clearHold();
  }

  #drainHeld() {
    while (this.#held.has(this.#next)) {
      const p = this.#held.get(this.#next);
      this.#held.delete(this.#next);
      this.#play(p);
    }
    if (this.#held.size === 0) this.#clearHold();
  }

  #clearHold() {
    if (this.#holdTimer !== null) clearTimeout(this.#holdTimer);
    this.#holdTimer = null;
  }

  // Frames for the packets missing between #next and `after` (at most maxConcealFrames, the
  // ones right after the last frame played): PLC, and FEC from `after` for the one just before it.
  #conceal(after) {
    const lost = seqDiff(after.sequence, this.#next);
    const n = Math.min(lost, this.#maxConceal);
    for (let i = 0; i < n; i++) {
      const sequence = (this.#next + i) & 0xffff;
      const timestamp = (after.timestamp - (lost - i) * RTP_FRAME) >>> 0;
      const recover = this.#fec && i === lost - 1;
      this.#submit(
        recover ? this.#decoder.decodeAsync(after.payload, { fec: true, frameSize: this.#frameSize })
          : this.#decoder.decodeAsync(null, { frameSize: this.#frameSize }),
        { sequence, timestamp, kind: recover ? 'recovered' : 'concealed', ssrc: after.ssrc });
    }
  }

  #play(packet) {
    this.#next = (packet.sequence + 1) & 0xffff;
    // An empty payload cannot be decoded as a packet: conceal it instead.
    const job = packet.payload.byteLength === 0
      ? this.#decoder.decodeAsync(null, { frameSize: this.#frameSize })
      : this.#decoder.decodeAsync(packet.payload);
    this.#submit(job, { sequence: packet.sequence, timestamp: packet.timestamp, kind: packet.payload.byteLength === 0 ? 'concealed' : 'decoded', ssrc: packet.ssrc });
  }

  // Every job's rejection is turned into a value here, so one bad packet does not end the stream.
  #submit(job, info) {
    this.#jobs.add(job.then((pcm) => ({ ...info, pcm }), (error) => ({ ...info, error })));
  }

  #deliver(frame) {
    if (this.destroyed) return;
    if (frame.error) {
      if (frame.error.code === 'ERR_VOXPOOL_DESTROYED') return;
      this.#stats.corrupt++;
      this.emit('warning', frame.error);
      return;
    }
    this.#stats[frame.kind]++;
    this.push({ pcm: frame.pcm, sequence: frame.sequence, timestamp: frame.timestamp, kind: frame.kind, ssrc: frame.ssrc, userId: this.#userId });
  }

  // ---- end ----

  #end() {
    if (this.#ending || this.destroyed) return;
    this.#ending = true;
    this.#detach();
    if (this.#turn.length === 0) this.#finish();  // else #placeTurn finishes
  }

  #finish() {
    this.#releaseAll();
    this.#jobs.whenIdle(() => {
      if (!this.destroyed) this.push(null);
    });
  }

  static {
    guardReceiver(this, (o) => #decoder in o);
  }
}

/** The VoiceReceiver of a VoiceConnection, or the receiver itself. */
function receiverOf(target, name = 'connection') {
  if (target !== null && typeof target === 'object' && !validate.isRevoked(target)) {
    if (typeof target.subscribe === 'function' && target.subscriptions instanceof Map) return target;
    const r = target.receiver;
    if (r !== null && typeof r === 'object' && typeof r.subscribe === 'function') return r;
  }
  throw validate.invalidType('a VoiceConnection or VoiceReceiver of @discordjs/voice', name, target);
}

/**
 * Subscribes to a user's audio (`connection.receiver.subscribe(userId, { end })`) and decodes it on
 * the pool: a DecodedReceiveStream of 20 ms frames. Destroying it ends the subscription if this
 * call created it.
 * @param {object} connection a VoiceConnection (or its VoiceReceiver)
 * @param {string} userId
 * @param {object} [options] DecodedReceiveStream options, plus `end` (@discordjs/voice's
 *   EndBehavior, e.g. `{ behavior: EndBehaviorType.AfterSilence, duration: 100 }`; default manual)
 * @returns {DecodedReceiveStream}
 */
function subscribeDecoded(connection, userId, options) {
  const receiver = receiverOf(connection);
  if (typeof userId !== 'string') throw validate.invalidType('a user id (string)', 'userId', userId);
  const { end, ...rest } = validate.options(options);
  if (end !== undefined) validate.options(end, 'options.end');
  const created = !receiver.subscriptions.has(userId);
  const source = receiver.subscribe(userId, end === undefined ? undefined : { end });
  return new DecodedReceiveStream(source, { userId, ...rest, ownsSource: created });
}

/**
 * Decodes any source of Opus packets (see DecodedReceiveStream).
 * @param {import('node:stream').Readable} source
 * @param {object} [options]
 * @returns {DecodedReceiveStream}
 */
function createDecodedStream(source, options) {
  return new DecodedReceiveStream(source, options);
}

module.exports = { DecodedReceiveStream, subscribeDecoded, createDecodedStream, receiverOf, decodedOptions };
