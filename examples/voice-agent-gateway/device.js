'use strict';
// A simulated device: connects, says HELLO, then sends its script (material.deviceScript) as
// 20 ms Opus packets in real time, and takes what comes back: UTTERANCE, CONTROL, TTS_AUDIO. It
// knows where each sentence of its script ends, so it measures what a user would notice:
//   utterance latency  UTTERANCE arrival - when it sent the sentence's last speech frame
//   reply latency      the reply's first TTS_AUDIO arrival - the same moment
// and whether the reply played without gaps (frames arriving after their playout time).
const { performance } = require('node:perf_hooks');
const { WebSocket } = require('ws');
const { Encoder } = require('../..');
const protocol = require('./protocol');
const { DEVICE_RATE } = require('./material');

const { TYPES, FRAME_MS } = protocol;
const FRAME_SAMPLES = DEVICE_RATE * FRAME_MS / 1000;
const MAX_LINGER_MS = 10000;

// A script's packets, encoded once per process: every device sending the same sentences would
// encode the same frames, and in a load run that work would be the load generator's, not the
// gateway's. Devices that want their own encoder state can pass `packets`.
const encoded = new WeakMap();
/**
 * The script's Opus packets (16 kHz mono, 20 ms, 24 kbps), one per frame.
 * @param {{ pcm: Int16Array }} script
 * @returns {Promise<Buffer[]>}
 */
function packetsFor(script) {
  let p = encoded.get(script);
  if (!p) {
    p = (async () => {
      const encoder = new Encoder({ sampleRate: DEVICE_RATE, channels: 1, bitrate: 24000, signal: 'voice' });
      try {
        const frames = [];
        for (let at = 0; at + FRAME_SAMPLES <= script.pcm.length; at += FRAME_SAMPLES) frames.push(script.pcm.subarray(at, at + FRAME_SAMPLES));
        const packets = [];
        for (let at = 0; at < frames.length; at += 1000) {
          for (const p of await encoder.encodeBatch(frames.slice(at, at + 1000))) {
            if (p instanceof Error) throw p;
            packets.push(p);
          }
        }
        return packets;
      } finally {
        encoder.destroy();
      }
    })();
    encoded.set(script, p);
  }
  return p;
}

/**
 * One simulated device.
 */
class Device {
  #url;
  #script;
  #keepReplies;
  #lingerMs;
  #playoutDelayMs;
  #ws = null;
  #packets = null;
  #t0 = 0;
  #next = 0;            // the next frame to send
  #sentAt = null;       // Float64Array: when each frame was sent (performance.now())
  #sequence = 0;
  #expectSequence = 0;  // the gateway's next sequence
  #timer = null;
  #done = null;
  #noiseFrames = 1;     // the script's leading frames without speech
  #endedAt = null;      // when the script's last frame was sent

  /** What came back, in order. */
  utterances = [];      // { startMs, endMs, sttText, at }
  replies = [];         // { number, text, durationMs, startAt, firstAt, lastAt, frames, complete, bargeinAt, framesAfterBargein, underruns, packets }
  controls = [];        // every CONTROL payload, with `at`
  hello = null;         // the gateway's HELLO
  protocolErrors = [];  // what this device could not accept from the gateway
  closeCode = null;
  closeReason = null;

  /**
   * @param {object} options
   * @param {string} options.url the gateway
   * @param {string} options.deviceId
   * @param {ReturnType<typeof import('./material').deviceScript>} options.script what it says
   * @param {boolean} [options.keepReplies=false] keep the TTS_AUDIO packets (to decode them)
   * @param {number} [options.lingerMs=500] after the script (room noise goes on): the least time
   *   before BYE (longer until every sentence sent has its utterance and reply, up to 10 s)
   * @param {number} [options.playoutDelayMs=40] the device starts playing a reply this long after
   *   its first frame arrives (its jitter buffer)
   */
  constructor({ url, deviceId, script, keepReplies = false, lingerMs = 500, playoutDelayMs = 40 }) {
    this.#url = url;
    this.deviceId = deviceId;
    this.#script = script;
    this.#keepReplies = keepReplies;
    this.#lingerMs = lingerMs;
    this.#playoutDelayMs = playoutDelayMs;
  }

  /**
   * Connects, sends the script in real time, says BYE and waits for the close.
   * @returns {Promise<this>} settles when the connection is closed, whoever closed it
   */
  async run() {
    this.#packets = await packetsFor(this.#script);
    this.#sentAt = new Float64Array(this.#packets.length);
    const firstSpeech = this.#script.sentences.length ? Math.floor(this.#script.sentences[0].startMs / FRAME_MS) : this.#packets.length;
    this.#noiseFrames = Math.max(1, firstSpeech);
    const ws = new WebSocket(this.#url, { perMessageDeflate: false });
    this.#ws = ws;
    this.#done = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        this.closeCode = code;
        this.closeReason = reason.toString();
        if (this.#timer !== null) clearTimeout(this.#timer);
        this.#timer = null;
        resolve(this);
      });
    });
    ws.on('error', (err) => this.protocolErrors.push(`socket: ${err.message}`));
    ws.on('message', (data, isBinary) => this.#receive(data, isBinary));
    ws.on('open', () => {
      this.#send(TYPES.HELLO, { deviceId: this.deviceId, ...protocol.UPLINK }, 0);
      this.#t0 = performance.now();
      this.#tick();
    });
    return this.#done;
  }

  #send(type, payload, timestamp, flags = 0) {
    if (this.#ws.readyState !== WebSocket.OPEN) return;
    this.#ws.send(protocol.encode(type, { payload, flags, timestamp, sequence: this.#sequence }));
    this.#sequence = (this.#sequence + 1) >>> 0;
  }

  // Sends every frame that is due (a late timer sends the ones it missed at once, as a device
  // does after a stall), then sleeps until the next. After the script the microphone stays open:
  // the script's leading room noise, again and again, until BYE (a device that went quiet would
  // be closed as idle, and the segmenter's hangover counts frames, so the last utterance needs
  // frames after it to end).
  #tick() {
    this.#timer = null;
    const now = performance.now();
    const due = Math.floor((now - this.#t0) / FRAME_MS) + 1;
    const script = this.#packets.length;
    for (; this.#next < due; this.#next++) {
      const k = this.#next;
      const packet = k < script ? this.#packets[k] : this.#packets[(k - script) % this.#noiseFrames];
      this.#send(TYPES.AUDIO, packet, k * FRAME_MS);
      if (k < script) this.#sentAt[k] = performance.now();
    }
    if (this.#ws.readyState !== WebSocket.OPEN) return;
    if (this.#next >= script) {
      // BYE once every sentence sent has its utterance and its reply has ended (complete or
      // barged in), at least lingerMs after the script; given up on after 10 s.
      this.#endedAt ??= now;
      const waited = now - this.#endedAt;
      if ((waited >= this.#lingerMs && this.#settled()) || waited >= MAX_LINGER_MS) {
        this.#send(TYPES.BYE, undefined, 0);
        return;
      }
    }
    this.#timer = setTimeout(() => this.#tick(), Math.max(1, this.#t0 + this.#next * FRAME_MS - now));
  }

  #settled() {
    const last = this.replies[this.replies.length - 1];
    if (last !== undefined && !last.complete && last.bargeinAt === null) return false;  // still playing
    return this.sentences().every((s) => s.reply !== null && (s.reply.complete || s.reply.bargeinAt !== null));
  }

  #receive(data, isBinary) {
    const now = performance.now();
    if (!isBinary) {
      this.protocolErrors.push('text frame');
      return;
    }
    let m;
    try {
      m = protocol.decode(data);
    } catch (err) {
      this.protocolErrors.push(err.message);
      return;
    }
    if (m.sequence !== this.#expectSequence) this.protocolErrors.push(`sequence ${m.sequence}, expected ${this.#expectSequence}`);
    this.#expectSequence = (m.sequence + 1) >>> 0;
    try {
      switch (m.type) {
        case TYPES.HELLO:
          this.hello = protocol.decodeJson(m);
          break;
        case TYPES.UTTERANCE:
          this.utterances.push({ ...protocol.decodeJson(m), at: now });
          break;
        case TYPES.CONTROL: {
          const c = protocol.decodeJson(m);
          this.controls.push({ ...c, at: now });
          if (c.event === 'reply-start') {
            this.replies.push({
              number: c.reply, text: c.text, durationMs: c.durationMs, startAt: now, firstAt: null, lastAt: null,
              frames: 0, complete: false, bargeinAt: null, framesAfterBargein: 0, underruns: 0, packets: this.#keepReplies ? [] : null,
            });
          } else if (c.event === 'bargein') {
            const r = this.replies[this.replies.length - 1];
            if (r) r.bargeinAt = now;
          }
          break;
        }
        case TYPES.TTS_AUDIO:
          this.#ttsAudio(m, now);
          break;
        default:
          this.protocolErrors.push(`unexpected ${m.name}`);
      }
    } catch (err) {
      this.protocolErrors.push(err.message);
    }
  }

  #ttsAudio(m, now) {
    const r = this.replies[this.replies.length - 1];
    if (!r || r.complete) {
      this.protocolErrors.push('TTS_AUDIO outside a reply');
      return;
    }
    if (r.bargeinAt !== null) r.framesAfterBargein++;
    if (r.firstAt === null) r.firstAt = now;
    // Played from firstAt + the jitter buffer, 20 ms a frame: a frame arriving after its slot is a gap.
    if (now > r.firstAt + this.#playoutDelayMs + m.timestamp) r.underruns++;
    r.frames++;
    if (r.packets) r.packets.push(Buffer.from(m.payload));
    if (m.flags & protocol.FLAG_LAST) {
      r.complete = true;
      r.lastAt = now;
    }
  }

  /**
   * The script's sentences that were sent to their end, each with the utterance that matched it
   * (the one overlapping it most) and the latencies.
   * @returns {Array<{ text: string, startMs: number, endMs: number, sentEndAt: number, sentStartAt: number,
   *   utterance: object | null, utteranceLatencyMs: number | null, reply: object | null, replyLatencyMs: number | null }>}
   */
  sentences() {
    const sent = this.#next;
    const taken = new Set();
    return this.#script.sentences.filter((s) => Math.ceil(s.endMs / FRAME_MS) - 1 < sent).map((s) => {
      const sentEndAt = this.#sentAt[Math.ceil(s.endMs / FRAME_MS) - 1];
      const sentStartAt = this.#sentAt[Math.floor(s.startMs / FRAME_MS)];
      // The utterance overlapping it most, each utterance matched once (when frames were
      // dropped, one utterance may span two sentences: the second is then missed).
      let utterance = null;
      let best = 0;
      for (const u of this.utterances) {
        const overlap = Math.min(u.endMs, s.endMs) - Math.max(u.startMs, s.startMs);
        if (overlap > best && !taken.has(u)) [utterance, best] = [u, overlap];
      }
      if (utterance !== null) taken.add(utterance);
      const reply = utterance === null ? null : this.replies.find((r) => r.startAt >= utterance.at) ?? null;
      return {
        text: s.text, startMs: s.startMs, endMs: s.endMs, sentStartAt, sentEndAt,
        utterance,
        utteranceLatencyMs: utterance === null ? null : utterance.at - sentEndAt,
        reply,
        replyLatencyMs: reply === null || reply.firstAt === null ? null : reply.firstAt - sentEndAt,
      };
    });
  }
}

module.exports = { Device, packetsFor };
