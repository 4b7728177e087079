'use strict';
// Speaker-mixer streams: a mixed Readable and per-speaker Readables, aligned frame for frame,
// paced by demand or in real time, fed by push() or a VoiceReceiver; end/destroy; bad arguments.
const test = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const { once } = require('node:events');
const { setImmediate: immediate } = require('node:timers/promises');
const { spawnSync } = require('node:child_process');
const path = require('node:path');
const { createSpeakerMixerStream, SpeakerMixerStream, VoiceSender, VoiceReceiver, VoxpoolError } = require('../..');
const { frames: sineFrames } = require('./helpers');

const IN = 960;  // 20 ms at 48 kHz
const STT = { inputRate: 48000, inputChannels: 2, outputRate: 16000, outputChannels: 1 };

/** 20 ms of 48 kHz stereo s16 at a constant level. */
function dc(level) {
  const b = Buffer.alloc(IN * 4);
  for (let i = 0; i < IN * 2; i++) b.writeInt16LE(level, i * 2);
  return b;
}
const s16 = (b) => Array.from(new Int16Array(b.buffer, b.byteOffset, b.length / 2));

/**
 * Reads one frame, pulling exactly one tick when the stream paces by demand. read() without a
 * size: a size above highWaterMark would raise it (Readable does), and then read ahead.
 */
async function next(stream) {
  for (;;) {
    const chunk = stream.read();
    if (chunk !== null) return chunk;
    if (stream.readableEnded) return null;
    // eslint-disable-next-line no-await-in-loop
    await immediate();
  }
}

/** Everything left in `stream`, as frames of `bytes` (read() joins buffered chunks). */
async function collect(stream, bytes) {
  const parts = [];
  for await (const chunk of stream) parts.push(chunk);
  const all = Buffer.concat(parts);
  assert.equal(all.length % bytes, 0);
  const out = [];
  for (let at = 0; at < all.length; at += bytes) out.push(all.subarray(at, at + bytes));
  return out;
}

test('3 speakers at 48 kHz stereo come out mixed and per speaker as 16 kHz mono, aligned frame for frame, through jitter and reordering', async () => {
  const stream = createSpeakerMixerStream({ ...STT, jitterFrames: 2, limiter: false, conceal: 'silence' });
  assert.equal(stream.frameBytes, 640);
  const speakers = [
    { ssrc: 11, level: 1000, ts0: 0, seq0: 0 },
    { ssrc: 22, level: 2000, ts0: 0xffffff00, seq0: 65530 },  // both counters wrap
    { ssrc: 33, level: 4000, ts0: 123456, seq0: 7 },           // bursty: pairs, in reverse order
  ];
  const outs = speakers.map((s) => stream.speakerStream(s.ssrc));
  assert.equal(stream.speakerStream(22), outs[1], 'same stream on a second request');
  const packet = (s, k) => stream.push(s.ssrc, (s.ts0 + k * IN) >>> 0, (s.seq0 + k) & 0xffff, dc(s.level));
  const TICKS = 30;
  const mixed = [];
  let late;
  for (let k = 0; k < TICKS; k++) {
    packet(speakers[1], k);
    packet(speakers[0], k);
    if (k % 2 === 1) { packet(speakers[2], k); packet(speakers[2], k - 1); }
    if (k === 5) late = stream.speakerStream(44);  // asked for before it ever speaks
    mixed.push(await next(stream));
  }
  assert.ok(mixed.every((f) => f.length === 640), 'one frame per read');
  stream.end();
  mixed.push(...await collect(stream, 640));
  const per = await Promise.all(outs.map((o) => collect(o, 640)));
  const silent = await collect(late, 640);

  // Exact counts: one frame per pulled tick, plus jitterFrames played out by end().
  assert.equal(mixed.length, TICKS + 2);
  for (const p of per) assert.equal(p.length, TICKS + 2);
  assert.equal(silent.length, TICKS + 2 - 5);
  assert.ok(silent.every((f) => f.length === 640 && f.every((b) => b === 0)));
  for (const f of [...mixed, ...per.flat()]) assert.equal(f.length, 640);

  // Frame k of each speaker lines up with mixed frame k: the mix is their sum.
  for (let k = 0; k < mixed.length; k++) {
    const m = s16(mixed[k]);
    const parts = per.map((p) => s16(p[k]));
    for (let i = 0; i < m.length; i++) {
      const sum = parts[0][i] + parts[1][i] + parts[2][i];
      assert.ok(Math.abs(m[i] - sum) <= 2, `tick ${k} sample ${i}: ${m[i]} vs ${sum}`);
    }
  }
  // After the resampler settles, every speaker is continuous at its level (no gap from jitter or
  // reordering), and the mix is the total.
  for (let k = 8; k < TICKS; k++) {
    speakers.forEach((s, j) => {
      for (const v of s16(per[j][k])) assert.ok(Math.abs(v - s.level) <= 3, `ssrc ${s.ssrc} tick ${k}: ${v}`);
    });
    for (const v of s16(mixed[k])) assert.ok(Math.abs(v - 7000) <= 6, `mixed tick ${k}: ${v}`);
  }
  for (const s of speakers) {
    const st = stream.mixer.speakerStats(s.ssrc);
    assert.equal(st.packets, TICKS, `ssrc ${s.ssrc}`);
    assert.equal(st.latePackets, 0, `ssrc ${s.ssrc}`);
    assert.equal(st.lostPackets, 0, `ssrc ${s.ssrc}`);
    assert.equal(st.partialTicks, 0, `ssrc ${s.ssrc}`);
  }
});

test('a packet later than the jitter window is dropped and counted; the gap is silent in that speaker stream', async () => {
  const stream = createSpeakerMixerStream({ inputChannels: 1, outputChannels: 1, jitterFrames: 1, limiter: false, conceal: 'silence' });
  const mono = (v) => Buffer.from(new Int16Array(IN).fill(v).buffer);
  const one = stream.speakerStream(5);
  const got = [];
  for (let k = 0; k < 6; k++) {
    if (k !== 2) stream.push(5, k * IN, k, mono(100));
    got.push(s16(await next(stream))[IN - 1]);
  }
  stream.push(5, 2 * IN, 2, mono(100));  // its tick has played
  stream.end();
  await collect(stream, IN * 2);
  const per = (await collect(one, IN * 2)).map((f) => s16(f)[IN - 1]);
  assert.deepEqual(got, [0, 100, 100, 0, 100, 100]);
  assert.deepEqual(per, [...got, 100], 'end() plays out the packet still in the jitter buffer');
  assert.equal(stream.mixer.speakerStats(5).latePackets, 1);
});

test('by demand, ticks run only when a reader asks: a speaker stream alone can pace it', async () => {
  const stream = createSpeakerMixerStream({ inputChannels: 1, outputChannels: 1, jitterFrames: 1 });
  const s = stream.speakerStream(9);
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(stream.readableLength, 0, 'no tick without a read');
  assert.equal((await next(s)).length, IN * 2);
  assert.equal((await next(s)).length, IN * 2);
  assert.equal(stream.readableLength, IN * 2 * 2, 'the mixed stream got the same two ticks');
  // Each read pulls exactly one tick: nothing runs ahead while the reader is busy elsewhere.
  stream.read();
  for (let k = 1; k <= 5; k++) {
    assert.equal((await next(stream)).length, IN * 2);
    await new Promise((r) => setTimeout(r, 10));
    assert.equal(s.readableLength, k * IN * 2, `after ${k} reads`);
  }
  stream.destroy();
});

test('real-time pacing ticks on a timer, whether or not anyone reads, and end() finishes', async () => {
  const stream = createSpeakerMixerStream({ tick: true, jitterFrames: 3, frameSize: 480 });  // 10 ms
  const spk = stream.speakerStream(1);
  const t0 = Date.now();
  let k = 0;
  const feed = setInterval(() => { stream.push(1, k * 480, k, dc(500).subarray(0, 480 * 4)); k++; }, 10);
  await new Promise((r) => setTimeout(r, 300));
  clearInterval(feed);
  const elapsed = Date.now() - t0;
  stream.end();
  const mixed = await collect(stream, stream.frameBytes);
  const per = await collect(spk, stream.frameBytes);
  const expected = Math.floor(elapsed / 10);
  assert.ok(mixed.length >= expected - 6 && mixed.length <= expected + 3 + 3, `${mixed.length} frames in ${elapsed} ms`);
  assert.equal(per.length, mixed.length);
  assert.ok(mixed.some((f) => s16(f).some((v) => v !== 0)), 'audio came through');
});

test('a real-time stream does not keep the process alive', () => {
  const root = path.join(__dirname, '..', '..');
  const r = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(root)}).createSpeakerMixerStream({ tick: true }).resume()`], { timeout: 10000, env: process.env });
  assert.equal(r.status, 0, String(r.stderr));
});

test('end(): input stops, the jitter buffer plays out, every output ends; idempotent', async () => {
  const stream = createSpeakerMixerStream({ inputChannels: 1, outputChannels: 1, jitterFrames: 3 });
  const a = stream.speakerStream(1);
  stream.push(1, 0, 0, Buffer.alloc(IN * 2));
  assert.equal(stream.end(), stream);
  stream.end();
  assert.throws(() => stream.push(1, IN, 1, Buffer.alloc(IN * 2)), { code: 'ERR_STREAM_WRITE_AFTER_END', message: 'Cannot push after end()' });
  assert.throws(() => stream.speakerStream(2), { code: 'ERR_STREAM_ALREADY_FINISHED', message: 'Cannot add a speaker stream after end()' });
  assert.equal(stream.speakerStream(1), a);
  const [mixed, per] = await Promise.all([collect(stream, IN * 2), collect(a, IN * 2)]);
  assert.equal(mixed.length, 3);
  assert.equal(per.length, 3);
  assert.ok(a.readableEnded);
});

test('destroy(): outputs close, the mixer is freed, further input throws; a speaker stream can be dropped alone', async () => {
  const stream = createSpeakerMixerStream({ inputChannels: 1, outputChannels: 1 });
  const a = stream.speakerStream(1);
  const b = stream.speakerStream(2);
  b.destroy();
  const b2 = stream.speakerStream(2);
  assert.notEqual(b2, b, 'a destroyed speaker stream is replaced on request');
  stream.push(1, 0, 0, Buffer.alloc(IN * 2));
  stream.read();  // a tick in flight while we destroy
  const closed = Promise.all([once(stream, 'close'), once(a, 'close'), once(b2, 'close')]);
  stream.destroy();
  await closed;
  assert.ok(a.destroyed && b2.destroyed);
  assert.throws(() => stream.push(1, IN, 1, Buffer.alloc(IN * 2)), { code: 'ERR_STREAM_DESTROYED', message: 'Cannot push after the stream was destroyed' });
  assert.throws(() => stream.speakerStream(3), { code: 'ERR_STREAM_DESTROYED' });
  await assert.rejects(stream.mixer.mixAsync(), (err) => err instanceof VoxpoolError && err.code === 'ERR_VOXPOOL_DESTROYED');
  stream.destroy();  // idempotent
});

test('destroy(err) passes the error to the mixed stream and every speaker stream', async () => {
  const stream = createSpeakerMixerStream();
  const a = stream.speakerStream(1);
  const boom = new Error('boom');
  const errors = Promise.all([once(stream, 'error'), once(a, 'error')]);
  stream.destroy(boom);
  const [[e1], [e2]] = await errors;
  assert.equal(e1, boom);
  assert.equal(e2, boom);
});

test('fed by VoiceReceiver frames: three senders through one receiver into speaker streams for speech-to-text', async () => {
  const mode = 'aead_xchacha20_poly1305_rtpsize';
  const key = crypto.randomBytes(32);
  const receiver = new VoiceReceiver({ mode, key, window: 0 });
  const stream = createSpeakerMixerStream({ ...STT, jitterFrames: 2 });
  receiver.on('frame', (f) => stream.push(f.ssrc, f.timestamp, f.sequence, f.pcm));
  const ssrcs = [101, 202, 303];
  const senders = ssrcs.map((ssrc, i) => new VoiceSender({ ssrc, mode, key, sequence: 100 * i, timestamp: 5000 * i }));
  const outs = ssrcs.map((s) => stream.speakerStream(s));
  const pcm = sineFrames(48000, 2, IN, 40);
  const TICKS = 40;
  for (let k = 0; k < TICKS; k++) {
    const packets = await Promise.all(senders.map((s) => s.send(pcm[k])));
    for (const p of packets) await receiver.push(p);
    await next(stream);
  }
  // attach() does the same wiring and detaches on end().
  const other = new (require('node:events').EventEmitter)();
  const detach = stream.attach(other);
  assert.equal(other.listenerCount('frame'), 1);
  stream.end();
  assert.equal(other.listenerCount('frame'), 0);
  detach();  // harmless twice
  await collect(stream, 640);
  const per = await Promise.all(outs.map((o) => collect(o, 640)));
  assert.deepEqual(stream.mixer.speakers(), ssrcs);
  for (let j = 0; j < ssrcs.length; j++) {
    assert.equal(per[j].length, TICKS + 2);
    const tail = Buffer.concat(per[j].slice(10, TICKS));
    const v = s16(tail);
    const rms = Math.sqrt(v.reduce((a, x) => a + x * x, 0) / v.length);
    assert.ok(rms > 3000, `ssrc ${ssrcs[j]}: rms ${rms}`);
    assert.equal(stream.mixer.speakerStats(ssrcs[j]).packets, TICKS);
  }
  for (const s of senders) s.destroy();
  receiver.destroy();
});

test('attach(): a refused packet becomes a warning, not an exception in the emitter', async () => {
  const stream = createSpeakerMixerStream({ maxSpeakers: 1, inputChannels: 1 });
  const src = new (require('node:events').EventEmitter)();
  stream.attach(src);
  const warned = once(stream, 'warning');
  src.emit('frame', { ssrc: 1, timestamp: 0, sequence: 0, pcm: Buffer.alloc(IN * 2) });
  src.emit('frame', { ssrc: 2, timestamp: 0, sequence: 0, pcm: Buffer.alloc(IN * 2) });
  const [err] = await warned;
  assert.ok(err instanceof VoxpoolError);
  assert.equal(err.code, 'ERR_VOXPOOL_QUEUE_FULL');
  stream.destroy();
});

test('invalid arguments have exact messages', () => {
  const stream = createSpeakerMixerStream({ inputChannels: 1 });
  const cases = [
    [() => createSpeakerMixerStream(1), TypeError, 'Expected an object for options but received 1 of type number'],
    [() => createSpeakerMixerStream({ tick: 1 }), TypeError, 'Expected a boolean for tick but received 1 of type number'],
    [() => createSpeakerMixerStream({ highWaterMark: -1 }), RangeError, 'Expected an integer between 0 and 2147483647 for highWaterMark but received -1 of type number'],
    [() => createSpeakerMixerStream({ outputRate: 7000 }), RangeError, 'Expected an integer between 8000 and 48000 for outputRate but received 7000 of type number'],
    [() => stream.push(-1, 0, 0, Buffer.alloc(IN * 2)), RangeError, 'Expected an integer between 0 and 4294967295 for ssrc but received -1 of type number'],
    [() => stream.push(1, 0.5, 0, Buffer.alloc(IN * 2)), RangeError, 'Expected an integer between 0 and 4294967295 for timestamp but received 0.5 of type number'],
    [() => stream.push(1, 0, 0, 'pcm'), TypeError, 'Expected a Buffer or TypedArray for pcm but received "pcm" of type string'],
    [() => stream.push(1, 0, 0, Buffer.alloc(3)), RangeError, 'Expected 1 to 5760 whole frames of 2 bytes for pcm but received Buffer(3) of type Buffer'],
    [() => stream.speakerStream('1'), TypeError, 'Expected an integer between 0 and 4294967295 for ssrc but received "1" of type string'],
    [() => stream.speakerStream(2 ** 32), RangeError, 'Expected an integer between 0 and 4294967295 for ssrc but received 4294967296 of type number'],
    [() => stream.attach(null), TypeError, 'Expected an EventEmitter for receiver but received null of type null'],
    [() => stream.attach({}), TypeError, 'Expected an EventEmitter for receiver but received [object Object] of type object'],
  ];
  for (const [fn, type, message] of cases) assert.throws(fn, (err) => err instanceof type && err.message === message, message);
  assert.ok(stream instanceof SpeakerMixerStream);
  stream.destroy();
});
