'use strict';
// One device connection: HELLO first, then its audio decoded on the pool into an utterance
// stream (speech clean-up, voice activity, segmentation), each utterance to STT, the answer to
// TTS, the reply streamed back. Everything it holds is bounded (an inbound queue that drops its
// oldest frame, a token bucket, fixed rings, at most one reply and a few STT calls), so a device
// that floods, stalls or lies costs the gateway a fixed amount and is then closed, and other
// devices never wait for it: the pool keeps each object's jobs in order but runs different
// objects' jobs side by side, earliest due first.
const { performance } = require('node:perf_hooks');
const { WebSocket } = require('ws');
const { Decoder, Encoder, createUtteranceStream } = require('../..');
const protocol = require('./protocol');
const { Reply } = require('./reply');

const { TYPES, CLOSE, FRAME_MS } = protocol;
const UPLINK_FRAME_BYTES = protocol.UPLINK.sampleRate * FRAME_MS / 1000 * 2;
// Closes that a device's own misbehaviour causes (counted as protocol errors).
const MISBEHAVIOUR = new Set([CLOSE.PROTOCOL, CLOSE.UNSUPPORTED, CLOSE.INVALID_PAYLOAD, CLOSE.POLICY, CLOSE.TOO_BIG]);

/**
 * Messages per second, with bursts: `burst` tokens, refilled at `rate` a second. A device sends 50
 * a second; a burst allows catching up after a network stall; a flood empties it.
 */
class TokenBucket {
  #rate;
  #burst;
  #tokens;
  #at;

  constructor(rate, burst, now) {
    this.#rate = rate;
    this.#burst = burst;
    this.#tokens = burst;
    this.#at = now;
  }

  /** Takes one token. @returns {boolean} false when empty */
  take(now) {
    this.#tokens = Math.min(this.#burst, this.#tokens + (now - this.#at) * this.#rate / 1000);
    this.#at = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}

// Discontinuities kept (a drop or a device's own loss makes one) and arrival times kept, frames.
const MAX_BREAKS = 64;
const ARRIVALS = 1024;  // 20 s: longer than any hangover plus what the pipeline holds

/**
 * Maps the utterance stream's clock (frames written, 20 ms each, from 0) to the device's media
 * clock (AUDIO timestamps), and remembers when recent frames arrived. Dropped or missing frames
 * are not filled in, so the two clocks differ by an offset that changes at each gap; the offsets
 * are kept as a short list of breaks.
 */
class Timeline {
  #frames = 0;
  #next = null;     // the device timestamp that continues without a break
  #breaks = [];     // { frame, offset }: from `frame` on, device ms = stream ms + offset
  #arrivals = new Float64Array(ARRIVALS);

  /** Records the next frame written: its device timestamp and arrival time. */
  push(timestamp, arrivedAt) {
    if (timestamp !== this.#next) {
      this.#breaks.push({ frame: this.#frames, offset: timestamp - this.#frames * FRAME_MS });
      if (this.#breaks.length > MAX_BREAKS) this.#breaks.shift();
    }
    this.#next = timestamp + FRAME_MS;
    this.#arrivals[this.#frames % ARRIVALS] = arrivedAt;
    this.#frames++;
  }

  /** Device ms of the stream's `streamMs` (the oldest offset if its break was dropped). */
  deviceMs(streamMs) {
    const frame = Math.floor(streamMs / FRAME_MS);
    let b = this.#breaks.length - 1;
    while (b > 0 && this.#breaks[b].frame > frame) b--;
    return streamMs + (b >= 0 ? this.#breaks[b].offset : 0);
  }

  /** When stream frame `frame` arrived (performance.now() ms), or null if no longer kept. */
  arrivalOf(frame) {
    return frame >= 0 && frame < this.#frames && frame >= this.#frames - ARRIVALS ? this.#arrivals[frame % ARRIVALS] : null;
  }
}

/**
 * One device's session. Created by the gateway on connection; the gateway calls handle() for
 * each message and checkTimers() periodically.
 */
class Session {
  #ws;
  #opts;
  #stats;
  #log;
  #onClosed;
  #state = 'hello';  // 'hello' | 'open' | 'closed'
  #connectedAt;
  #lastMessageAt;
  #bucket;
  #lastSequence = null;
  #backward = 0;
  #sequenceOut = 0;
  #closeTimer = null;
  // set at HELLO:
  #decoder = null;
  #utterances = null;
  #timeline = null;
  #queue = [];          // { packet, sequence, timestamp, at }
  #decoding = false;
  #inPipeline = 0;      // frames written to the utterance stream, not yet segmented
  // replies:
  #encoder = null;
  #reply = null;
  #replyCount = 0;
  #turn = 0;            // +1 at each speechstart: a reply of an older turn is not started
  #sttPending = 0;

  /**
   * @param {import('ws').WebSocket} ws
   * @param {object} context
   * @param {number} context.id the gateway's number for this connection
   * @param {object} context.options the gateway's options (validated, defaults filled)
   * @param {import('./stats').GatewayStats} context.stats
   * @param {(level: 'info' | 'warn', line: string) => void} context.log
   * @param {(session: Session) => void} context.onClosed called once, when the session closes
   */
  constructor(ws, { id, options, stats, log, onClosed }) {
    this.id = id;
    this.deviceId = null;
    /** Deepest the inbound queue got. */
    this.queueDepthMax = 0;
    /** AUDIO frames dropped from the inbound queue. */
    this.drops = 0;
    this.#ws = ws;
    this.#opts = options;
    this.#stats = stats;
    this.#log = log;
    this.#onClosed = onClosed;
    this.#connectedAt = performance.now();
    this.#lastMessageAt = this.#connectedAt;
    this.#bucket = new TokenBucket(options.messagesPerSecond, options.burstMessages, this.#connectedAt);
    ws.on('message', (data, isBinary) => this.handle(data, isBinary));
    ws.on('error', (err) => this.#onSocketError(err));
    ws.on('close', (code, reason) => this.#onSocketClose(code, reason.toString()));
  }

  /** 'hello', 'open' or 'closed'. */
  get state() { return this.#state; }
  /** AUDIO frames waiting to be decoded. */
  get queueDepth() { return this.#queue.length; }
  /** Whether a reply is being sent. */
  get replying() { return this.#reply !== null; }
  /** Whether the session holds no voxpool object, timer or pending work (after close). */
  get released() {
    return this.#decoder === null && this.#encoder === null && this.#utterances === null && this.#reply === null && this.#queue.length === 0;
  }

  get #label() { return `#${this.id}${this.deviceId === null ? '' : ` ${this.deviceId}`}`; }

  /**
   * One WebSocket message from the device.
   * @param {Buffer} data
   * @param {boolean} isBinary
   */
  handle(data, isBinary) {
    if (this.#state === 'closed') return;  // what was already read when it was closed
    const now = performance.now();
    this.#lastMessageAt = now;
    if (!isBinary) return this.#fail(CLOSE.UNSUPPORTED, 'text frames are not accepted');
    if (!this.#bucket.take(now)) {
      return this.#fail(CLOSE.POLICY, `flood: over ${this.#opts.burstMessages} messages at once (limit ${this.#opts.messagesPerSecond}/s)`);
    }
    try {
      const message = protocol.decode(data);
      if (!this.#inSequence(message)) return;
      this.#dispatch(message, now);
    } catch (err) {
      if (err instanceof protocol.ProtocolError) return this.#fail(err.closeCode, err.reason);
      return this.#fail(CLOSE.INTERNAL, `internal error: ${err.message}`);
    }
  }

  // Each message's sequence must move forward (TCP does not reorder: going back is a broken
  // sender). A few are dropped and counted; many close the session.
  #inSequence(message) {
    const previous = this.#lastSequence;
    if (previous !== null && ((message.sequence - previous) | 0) <= 0) {
      this.#stats.late++;
      if (++this.#backward > this.#opts.maxBackward) {
        this.#fail(CLOSE.POLICY, `sequence went backwards ${this.#backward} times (last ${previous} -> ${message.sequence})`);
      }
      return false;
    }
    this.#lastSequence = message.sequence;
    return true;
  }

  #dispatch(message, now) {
    if (this.#state === 'hello' && message.type !== TYPES.HELLO) {
      throw new protocol.ProtocolError(CLOSE.PROTOCOL, `${message.name} before HELLO`);
    }
    switch (message.type) {
      case TYPES.HELLO:
        if (this.#state !== 'hello') throw new protocol.ProtocolError(CLOSE.PROTOCOL, 'HELLO sent twice');
        this.#open(protocol.parseHello(message));
        break;
      case TYPES.AUDIO:
        this.#enqueue(message, now);
        break;
      case TYPES.CONTROL: {
        const control = protocol.decodeJson(message);
        // A device may interrupt the reply itself (a button); other events are for later versions.
        if (control.event === 'bargein') this.#bargeIn('device');
        break;
      }
      case TYPES.BYE:
        this.close(CLOSE.NORMAL, 'bye');
        break;
      default:
        throw new protocol.ProtocolError(CLOSE.PROTOCOL, `${message.name} is sent by the gateway, not by devices`);
    }
  }

  #open({ deviceId }) {
    this.deviceId = deviceId;
    this.#state = 'open';
    this.#decoder = new Decoder({ sampleRate: protocol.UPLINK.sampleRate, channels: protocol.UPLINK.channels });
    this.#timeline = new Timeline();
    const utterances = createUtteranceStream({ ...this.#opts.utterance, sampleRate: protocol.UPLINK.sampleRate });
    utterances.on('speechstart', () => this.#onSpeechStart());
    utterances.on('data', (u) => this.#onUtterance(u));
    utterances.on('error', (err) => this.#fail(CLOSE.INTERNAL, `internal error: utterance stream: ${err.message}`));
    this.#utterances = utterances;
    this.#send(TYPES.HELLO, { payload: { session: this.id, ...protocol.DOWNLINK, frameMs: FRAME_MS } });
    this.#log('info', `${this.#label}: HELLO`);
  }

  // ---- inbound audio --------------------------------------------------------------------------

  #enqueue(message, now) {
    this.#stats.framesIn++;
    if (this.#queue.length >= this.#opts.inboundQueue) {
      // The pool is behind: drop the oldest frame; a late frame is worth less than a new one.
      this.#queue.shift();
      this.drops++;
      this.#stats.drops++;
    }
    // A copy (about 100 bytes): the payload is a view into ws's socket read buffer, which a
    // queued view would keep alive whole.
    this.#queue.push({ packet: Buffer.from(message.payload), sequence: message.sequence, timestamp: message.timestamp, at: now });
    if (this.#queue.length > this.queueDepthMax) {
      this.queueDepthMax = this.#queue.length;
      if (this.queueDepthMax > this.#stats.queueDepthMax) this.#stats.queueDepthMax = this.queueDepthMax;
    }
    this.#pump();
  }

  // One decode batch in flight per session, and at most pipelineFrames decoded frames in the
  // utterance stream: past that, frames wait in the inbound queue, the one place where the
  // oldest are dropped. So when the pool falls behind, a session's latency stays within the
  // queue's second plus the pipeline, instead of growing in buffers nobody drops from.
  #pump() {
    if (this.#decoding || this.#inPipeline >= this.#opts.pipelineFrames || this.#queue.length === 0 || this.#state !== 'open') return;
    this.#decoding = true;
    const batch = this.#queue.splice(0, Math.min(this.#opts.decodeBatch, this.#opts.pipelineFrames - this.#inPipeline));
    this.#decoder.decodeBatch(batch.map((f) => f.packet)).then((pcms) => {
      this.#decoding = false;
      if (this.#state !== 'open') return;
      for (let i = 0; i < batch.length; i++) {
        const pcm = pcms[i];
        const { sequence, timestamp, at } = batch[i];
        if (pcm instanceof Error) return this.#fail(CLOSE.INVALID_PAYLOAD, `AUDIO ${sequence}: invalid Opus packet (${pcm.message})`);
        if (pcm.length !== UPLINK_FRAME_BYTES) {
          return this.#fail(CLOSE.INVALID_PAYLOAD, `AUDIO ${sequence}: a ${pcm.length / (UPLINK_FRAME_BYTES / FRAME_MS)} ms Opus packet (the protocol carries ${FRAME_MS} ms)`);
        }
        this.#timeline.push(timestamp, at);
      }
      this.#stats.framesDecoded += batch.length;
      // One write for the batch: the utterance stream sends a chunk's frames to the pool
      // together, so a session that fell behind catches up in a few loop turns, not one a frame.
      // The callback runs once the chunk is segmented.
      this.#inPipeline += batch.length;
      this.#utterances.write(pcms.length === 1 ? pcms[0] : Buffer.concat(pcms), () => {
        this.#inPipeline -= batch.length;
        this.#pump();
      });
      this.#pump();
    }, (err) => {
      this.#decoding = false;
      if (this.#state === 'open') this.#fail(CLOSE.INTERNAL, `internal error: decode: ${err.message}`);
    });
  }

  // ---- utterances and replies -----------------------------------------------------------------

  #onSpeechStart() {
    this.#turn++;
    this.#bargeIn('speech');
  }

  // Stops the reply being sent, if any, and tells the device so it drops what it has buffered.
  #bargeIn(cause) {
    const reply = this.#reply;
    if (reply === null || !reply.stop()) return;
    this.#stats.bargeIns++;
    this.#send(TYPES.CONTROL, { payload: { event: 'bargein', reply: this.#replyCount, sentMs: reply.sent * FRAME_MS, cause } });
    this.#log('info', `${this.#label}: barge-in (${cause}) after ${reply.sent * FRAME_MS} of ${reply.durationMs} ms`);
  }

  #onUtterance(u) {
    const timeline = this.#timeline;
    const startMs = timeline.deviceMs(u.startMs);
    const endMs = timeline.deviceMs(u.endMs - FRAME_MS) + FRAME_MS;
    const speechEndAt = timeline.arrivalOf(u.endMs / FRAME_MS - 1);
    if (this.#sttPending >= this.#opts.maxPendingStt) {
      this.#stats.sttDropped++;
      this.#log('warn', `${this.#label}: utterance ${startMs}-${endMs} ms dropped (${this.#sttPending} STT calls pending)`);
      return;
    }
    const turn = this.#turn;
    const utterance = { pcm: u.pcm, startMs, endMs, preRollMs: u.preRollMs };
    const context = { deviceId: this.deviceId, session: this.id, log: this.#log };
    this.#sttPending++;
    let stage = 'stt';
    Promise.resolve().then(() => this.#opts.stt(utterance, context)).then((text) => {
      this.#sttPending--;
      if (this.#state !== 'open') return undefined;
      if (typeof text !== 'string') throw new TypeError(`returned ${typeof text}, expected a string`);
      stage = 'tts';
      this.#send(TYPES.UTTERANCE, { payload: { startMs, endMs, sttText: text } });
      this.#stats.utterances++;
      if (speechEndAt !== null) this.#stats.latency.record(performance.now() - speechEndAt);
      return Promise.resolve(this.#opts.tts(text, context)).then((pcm) => {
        // The device spoke again meanwhile: this answer is stale.
        if (this.#state === 'open' && turn === this.#turn) this.#startReply(pcm, text);
      });
    }, (err) => {
      this.#sttPending--;
      throw err;
    }).catch((err) => {
      if (this.#state === 'open') this.#fail(CLOSE.INTERNAL, `internal error: ${stage}: ${err.message}`);
    });
  }

  #startReply(pcm, text) {
    if (!ArrayBuffer.isView(pcm) || pcm.byteLength % 2 !== 0 || pcm.byteLength > this.#opts.maxReplySeconds * protocol.DOWNLINK.sampleRate * 2) {
      throw new TypeError(`tts must return 24 kHz mono s16 PCM (an ArrayBuffer view of whole samples, at most ${this.#opts.maxReplySeconds} s)`);
    }
    if (this.#encoder === null) {
      this.#encoder = new Encoder({ ...this.#opts.encoder, sampleRate: protocol.DOWNLINK.sampleRate, channels: protocol.DOWNLINK.channels });
    }
    if (this.#reply !== null) this.#reply.stop();  // superseded without a barge-in (a device's BYE race)
    const number = ++this.#replyCount;
    const reply = new Reply({
      encoder: this.#encoder,
      pcm: Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength),
      leadMs: this.#opts.replyLeadMs,
      send: (packet, timestamp, last) => {
        this.#stats.ttsFrames++;
        this.#send(TYPES.TTS_AUDIO, { payload: packet, timestamp, flags: last ? protocol.FLAG_LAST : 0 });
      },
      onEnd: (state, err) => {
        if (this.#reply === reply) this.#reply = null;
        if (state === 'complete') this.#stats.repliesCompleted++;
        if (state === 'failed' && this.#state === 'open') this.#fail(CLOSE.INTERNAL, `internal error: encode: ${err.message}`);
      },
    });
    this.#reply = reply;
    this.#stats.replies++;
    this.#send(TYPES.CONTROL, { payload: { event: 'reply-start', reply: number, text: text.slice(0, 200), durationMs: reply.durationMs } });
    reply.start();
  }

  // ---- sending and closing --------------------------------------------------------------------

  #send(type, fields) {
    if (this.#state === 'closed') return;
    // A device that does not read fills the socket's buffer; bounded like everything else.
    if (this.#ws.bufferedAmount > this.#opts.maxSendBufferBytes) {
      this.#fail(CLOSE.POLICY, `not reading: ${this.#ws.bufferedAmount} bytes unsent`);
      return;
    }
    const timestamp = fields.timestamp ?? Math.round(performance.now() - this.#connectedAt);
    this.#ws.send(protocol.encode(type, { ...fields, timestamp: timestamp >>> 0, sequence: this.#sequenceOut }));
    this.#sequenceOut = (this.#sequenceOut + 1) >>> 0;
  }

  /** Called by the gateway every so often: HELLO and idle timeouts. */
  checkTimers(now) {
    if (this.#state === 'hello' && now - this.#connectedAt > this.#opts.helloTimeoutMs) {
      this.#fail(CLOSE.POLICY, `no HELLO within ${this.#opts.helloTimeoutMs} ms`);
    } else if (this.#state === 'open' && now - this.#lastMessageAt > this.#opts.idleTimeoutMs) {
      this.#fail(CLOSE.POLICY, `idle: no message for ${this.#opts.idleTimeoutMs} ms`);
    }
  }

  // The device broke a rule: logged as a warning, counted as a protocol error.
  #fail(code, reason) {
    this.close(code, reason, 'warn');
  }

  /**
   * Closes the connection with `code` and `reason` (logged, counted) and frees everything.
   * A device that does not complete the closing handshake is cut off after closeTimeoutMs.
   * Idempotent.
   * @param {number} code
   * @param {string} reason
   * @param {'info' | 'warn'} [level]
   */
  close(code, reason, level = 'info') {
    if (this.#state === 'closed') return;
    this.#finish(code, reason, level, 'gateway');
    this.#ws.close(code, protocol.closeReason(reason));
    this.#cutOffLater();
  }

  // Terminates the socket if the device does not complete the closing handshake in time.
  #cutOffLater() {
    if (this.#ws.readyState === WebSocket.CLOSED) return;
    this.#closeTimer = setTimeout(() => this.#ws.terminate(), this.#opts.closeTimeoutMs);
  }

  // ws found a broken frame (or one over maxPayload) and has already sent its close.
  #onSocketError(err) {
    if (this.#state === 'closed') return;
    this.#finish(wsStatusCode(err), err.message, 'warn', 'gateway');
    this.#cutOffLater();
  }

  #onSocketClose(code, reason) {
    if (this.#closeTimer !== null) clearTimeout(this.#closeTimer);
    this.#closeTimer = null;
    if (this.#state !== 'closed') this.#finish(code, reason || '(no reason)', 'info', 'device');
  }

  #finish(code, reason, level, by) {
    this.#state = 'closed';
    this.#stats.closed(code);
    if (by === 'gateway' && level === 'warn' && MISBEHAVIOUR.has(code)) this.#stats.protocolErrors++;
    this.#log(level, `${this.#label}: closed by ${by} ${code} ${reason}`);
    this.destroy();
    this.#onClosed(this);
  }

  /**
   * Frees the decoder, encoder, utterance stream (and its speech processor) and the reply, and
   * empties the queue. Called by close; safe to call again.
   */
  destroy() {
    this.#state = 'closed';
    this.#queue = [];
    if (this.#reply !== null) this.#reply.stop();
    this.#reply = null;
    if (this.#utterances !== null) this.#utterances.destroy();
    this.#utterances = null;
    if (this.#decoder !== null) this.#decoder.destroy();
    this.#decoder = null;
    if (this.#encoder !== null) this.#encoder.destroy();
    this.#encoder = null;
  }
}

/**
 * The close code ws chose for a broken frame: ws keeps it under a symbol described
 * 'status-code' (1009 for maxPayload, 1007 for bad UTF-8, 1002 for the rest).
 */
function wsStatusCode(err) {
  const key = Object.getOwnPropertySymbols(err).find((s) => s.description === 'status-code');
  return key === undefined ? CLOSE.PROTOCOL : err[key];
}

module.exports = { Session, TokenBucket, Timeline };
