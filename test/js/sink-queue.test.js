'use strict';
// Results to a sink: the binding calls a stream's SinkQueue once per job submitted with toSink, in
// submission order, instead of settling a Promise per frame. Checked against the real native
// objects: order, a refused submission delivered at its turn, destroy() with jobs in flight, a
// sink that throws, and the sink's lifetime (kept while jobs are in flight, collectable when idle).
const test = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const path = require('node:path');
const { Encoder, VoxpoolError } = require('../..');
const { nativeEncoderOf } = require('../../lib/opus');
const { SinkQueue } = require('../../lib/sink-queue');

const FRAME = 960 * 2 * 2;
const ROOT = path.join(__dirname, '..', '..');

/** `n` different 20 ms stereo frames (a tone that moves, so every packet differs). */
function frames(n) {
  return Array.from({ length: n }, (_, k) => {
    const f = Buffer.alloc(FRAME);
    for (let i = 0; i < 960; i++) {
      const v = Math.round(8000 * Math.sin((k * 960 + i) * (0.01 + k * 0.001)));
      f.writeInt16LE(v, i * 4);
      f.writeInt16LE(v, i * 4 + 2);
    }
    return f;
  });
}

/** A queue over a fresh encoder's native object; `got` lists what it delivered, in order. */
function encoderQueue(limit = 64) {
  const encoder = new Encoder({ sampleRate: 48000, channels: 2 });
  const native = nativeEncoderOf(encoder);
  const got = [];
  const q = new SinkQueue({ limit, onValue: (v) => got.push(v), onError: (e) => got.push(e) });
  native.setSink(q.sink);
  const submit = (frame) => native.encodeAsync(frame, undefined, false, true);
  return { encoder, native, q, got, submit };
}

const idle = (q) => new Promise((resolve) => q.whenIdle(resolve));

test('every job reaches the sink once, in submission order: the packets a synchronous encoder makes', async () => {
  const input = frames(40);
  const reference = new Encoder({ sampleRate: 48000, channels: 2 });
  const expected = input.map((f) => reference.encode(f));
  const { q, got, submit, encoder } = encoderQueue();
  for (const f of input) q.submit(submit, f);
  assert.equal(q.inflight, 40);
  await idle(q);
  assert.equal(got.length, 40);
  got.forEach((p, k) => assert.deepEqual(p, expected[k], `packet ${k}`));
  assert.equal(q.inflight, 0);
  encoder.destroy();
  reference.destroy();
});

test('a submission that throws is delivered as a failure at its turn, after the results before it', async () => {
  const input = frames(5);
  const { q, got, submit, encoder } = encoderQueue();
  for (const f of input.slice(0, 3)) q.submit(submit, f);
  q.submit(submit, Buffer.alloc(FRAME - 2));  // not a frame: the binding throws
  assert.equal(got.length, 0, 'the failure waits for the three jobs ahead of it');
  for (const f of input.slice(3)) q.submit(submit, f);
  await idle(q);
  assert.equal(got.length, 4, 'three packets, then the error; the queue closes');
  for (let k = 0; k < 3; k++) assert.ok(Buffer.isBuffer(got[k]), `result ${k}`);
  assert.ok(got[3] instanceof RangeError, String(got[3]));
  assert.equal(q.closed, true);
  encoder.destroy();
});

test('destroy() with jobs in flight: the ones that ran, then ERR_VOXPOOL_DESTROYED; each job once', async () => {
  const { q, got, submit, encoder, native } = encoderQueue(2000);
  let calls = 0;
  const count = (err, value) => { calls++; q.sink(err, value); };
  native.setSink(count);
  for (const f of frames(300)) q.submit(submit, f);
  encoder.destroy();
  q.submit(submit, frames(1)[0]);  // after destroy: refused, delivered in order
  await idle(q);
  assert.equal(calls, 300, 'the binding called the sink once per accepted job');
  const error = got.at(-1);
  assert.ok(error instanceof VoxpoolError, String(error));
  assert.equal(error.code, 'ERR_VOXPOOL_DESTROYED');
  for (const p of got.slice(0, -1)) assert.ok(Buffer.isBuffer(p));
  assert.ok(got.length < 301, 'jobs queued at destroy() were not run');
});

test('toSink before setSink, and setSink with no function, are TypeErrors with exact messages', () => {
  const encoder = new Encoder({ sampleRate: 48000, channels: 2 });
  const native = nativeEncoderOf(encoder);
  assert.throws(() => native.encodeAsync(frames(1)[0], undefined, false, true),
    { name: 'TypeError', message: 'Expected setSink() before a call with toSink' });
  assert.throws(() => native.setSink(42), { name: 'TypeError', message: 'Expected a function' });
  assert.equal(native.pending(), 0);
  encoder.destroy();
});

test('a sink that throws is an uncaught exception, and the jobs after it are still delivered', () => {
  const script = `
    const { Encoder } = require(${JSON.stringify(ROOT)});
    const { nativeEncoderOf } = require(${JSON.stringify(path.join(ROOT, 'lib', 'opus'))});
    const native = nativeEncoderOf(new Encoder({ sampleRate: 48000, channels: 2 }));
    const seen = [];
    const uncaught = [];
    process.on('uncaughtException', (e) => uncaught.push(e.message));
    native.setSink((err, packet) => {
      seen.push(Buffer.isBuffer(packet));
      if (seen.length === 2) throw new Error('listener failed');
    });
    for (let i = 0; i < 5; i++) native.encodeAsync(Buffer.alloc(${FRAME}), undefined, false, true);
    setTimeout(() => console.log(JSON.stringify({ seen, uncaught })), 500);
  `;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 30000 });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { seen: [true, true, true, true, true], uncaught: ['listener failed'] });
});

test('the sink lives while its jobs are in flight, and an idle one is collected with its object', () => {
  const script = `
    const { Encoder } = require(${JSON.stringify(ROOT)});
    const { nativeEncoderOf } = require(${JSON.stringify(path.join(ROOT, 'lib', 'opus'))});
    const collected = [];
    const registry = new FinalizationRegistry((name) => collected.push(name));
    let delivered = 0;
    (() => {
      // Only the binding holds this sink while its jobs run.
      const encoder = new Encoder({ sampleRate: 48000, channels: 2 });
      const native = nativeEncoderOf(encoder);
      native.setSink(() => { delivered++; });
      for (let i = 0; i < 20; i++) native.encodeAsync(Buffer.alloc(${FRAME}), undefined, false, true);
    })();
    globalThis.gc();
    (() => {
      // A sink that holds its own encoder: idle, the pair is garbage like any cycle.
      const encoder = new Encoder({ sampleRate: 48000, channels: 2 });
      const native = nativeEncoderOf(encoder);
      const sink = () => encoder;
      native.setSink(sink);
      registry.register(sink, 'sink');
      registry.register(encoder, 'encoder');
    })();
    setTimeout(async () => {
      for (let i = 0; i < 10 && collected.length < 2; i++) {
        globalThis.gc();
        await new Promise((r) => setTimeout(r, 20));
      }
      console.log(JSON.stringify({ delivered, collected: collected.sort() }));
    }, 300);
  `;
  const r = spawnSync(process.execPath, ['--expose-gc', '-e', script], { encoding: 'utf8', timeout: 30000 });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { delivered: 20, collected: ['encoder', 'sink'] });
});

test('SinkQueue: skip() passes a failure over, close() drops later results and releases waiters', async () => {
  const got = [];
  const q = new SinkQueue({
    limit: 2,
    onValue: (v) => got.push(v),
    onError: (e) => got.push(`error ${e.message}`),
    skip: (e) => e.message === 'late',
  });
  const start = () => {};
  q.submit(start);
  q.submit(start);
  assert.equal(q.hasRoom, false);
  let room = 0;
  q.whenRoom(() => room++);
  q.sink(new Error('late'), undefined);
  assert.equal(room, 1);
  q.sink(undefined, 'b');
  q.submit(start);
  q.submit(() => { throw new Error('refused'); });
  q.submit(start);
  let idleCalls = 0;
  q.whenIdle(() => idleCalls++);
  q.close();
  q.sink(undefined, 'c');  // after close(): dropped
  assert.equal(idleCalls, 0);
  q.sink(undefined, 'd');
  assert.deepEqual(got, ['b']);
  assert.equal(idleCalls, 1);
  assert.equal(q.inflight, 0);
});
