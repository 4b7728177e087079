'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const path = require('node:path');
const voxpool = require('../..');
const { frames, sineMix } = require('./helpers');

const { Encoder } = voxpool;

test('1000 frames in flight on one encoder come back in order (equal to a sync encode)', async () => {
  const input = frames(48000, 2, 960, 50);
  const syncEnc = new Encoder({ bitrate: 64000, complexity: 5 });
  const asyncEnc = new Encoder({ bitrate: 64000, complexity: 5 });
  const expected = [];
  const promises = [];
  for (let i = 0; i < 1000; i++) {
    expected.push(syncEnc.encode(input[i % 50]));
    promises.push(asyncEnc.encodeAsync(input[i % 50]));
  }
  const got = await Promise.all(promises);
  for (let i = 0; i < 1000; i++) assert.ok(got[i].equals(expected[i]), `frame ${i}`);
});

test('many encoders in parallel each keep their own order', async () => {
  const input = frames(16000, 1, 320, 20);
  const pairs = Array.from({ length: 16 }, () => [new Encoder({ sampleRate: 16000, channels: 1 }), new Encoder({ sampleRate: 16000, channels: 1 })]);
  const expected = pairs.map(([s]) => input.map((f) => s.encode(f)));
  const got = await Promise.all(pairs.map(([, a]) => Promise.all(input.map((f) => a.encodeAsync(f)))));
  assert.deepEqual(got, expected);
});

test('per-encoder maxQueue rejects with ERR_VOXPOOL_QUEUE_FULL', async () => {
  const enc = new Encoder({ maxQueue: 2, complexity: 10 });
  const pcm = Buffer.alloc(3840, 9);
  const results = await Promise.allSettled(Array.from({ length: 30 }, () => enc.encodeAsync(pcm)));
  const rejected = results.filter((r) => r.status === 'rejected');
  assert.ok(rejected.length > 0);
  for (const r of rejected) assert.deepEqual([r.reason.code, r.reason.message], ['ERR_VOXPOOL_QUEUE_FULL', "The stream's job queue is full"]);
});

test("drop-oldest keeps the newest frames and rejects stale ones with ERR_VOXPOOL_DROPPED", async () => {
  const enc = new Encoder({ maxQueue: 2, overflow: 'drop-oldest', complexity: 10 });
  const pcm = Buffer.alloc(3840, 9);
  const order = [];
  const results = await Promise.allSettled(Array.from({ length: 30 }, (_, i) => {
    const p = enc.encodeAsync(pcm);
    p.then(() => order.push(i), () => order.push(i));
    return p;
  }));
  const kept = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
  const dropped = results.flatMap((r, i) => (r.status === 'rejected' ? [i] : []));
  for (const i of dropped) {
    assert.deepEqual([results[i].reason.code, results[i].reason.message], ['ERR_VOXPOOL_DROPPED', 'Dropped: a newer frame replaced it (drop-oldest)']);
  }
  // A burst from one tick: the two newest frames wait in the queue and are kept; an older frame
  // was kept only if the worker took it before newer frames pushed it out of the queue.
  assert.deepEqual(kept.slice(-2), [28, 29], 'the newest maxQueue frames are kept');
  assert.ok(dropped.length > 0, 'a burst of 30 into a queue of 2 drops some');
  assert.deepEqual(order, Array.from({ length: 30 }, (_, i) => i), 'settled in submission order, drops included');
});

test('deadlineMs: frames not started that long after their due time reject with ERR_VOXPOOL_DEADLINE_EXCEEDED, unrun and counted', async () => {
  const before = voxpool.stats().dropped;
  const enc = new voxpool.Encoder({ deadlineMs: 1 });
  const pcm = sineMix(48000, 2, 960);
  // One encoder runs its frames one at a time, in order (~0.1 ms each). The first 200 are due in
  // 30 s, so no scheduling stall of the machine can make them miss; the 200 behind them are due
  // now and wait ~20 ms for the first 200, so they start late by far more than 1 ms.
  const settled = await Promise.allSettled(Array.from({ length: 400 }, (_, i) =>
    enc.encodeAsync(pcm, { dueMs: i < 200 ? 30000 : 0 })));
  const missed = settled.filter((r) => r.status === 'rejected');
  for (const r of missed) {
    assert.equal(r.reason.code, 'ERR_VOXPOOL_DEADLINE_EXCEEDED');
    assert.equal(r.reason.message, 'The job missed its deadline');
  }
  assert.ok(settled.slice(0, 200).every((r) => r.status === 'fulfilled'), 'frames due later are never dropped');
  assert.ok(missed.length > 100, `${missed.length} of the 200 frames due now missed`);
  assert.equal(voxpool.stats().dropped - before, missed.length);
  // Without it (0, the default) every frame runs, late or not.
  const late = new voxpool.Encoder({ deadlineMs: 0 });
  const all = await Promise.allSettled(Array.from({ length: 400 }, () => late.encodeAsync(pcm, { dueMs: 0 })));
  assert.equal(all.filter((r) => r.status === 'fulfilled').length, 400);
  assert.throws(() => new voxpool.Encoder({ deadlineMs: -1 }), {
    name: 'RangeError', message: 'Expected a number between 0 and 60000 for deadlineMs but received -1 of type number',
  });
});

test('stats() counts jobs and reports latency percentiles', async () => {
  const before = voxpool.stats();
  const enc = new Encoder();
  await Promise.all(frames(48000, 2, 960, 20).map((f) => enc.encodeAsync(f)));
  const after = voxpool.stats();
  assert.equal(after.submitted - before.submitted, 20);
  assert.equal(after.completed - before.completed, 20);
  assert.equal(after.queued, 0);
  assert.ok(after.serviceTime.count >= 20);
  assert.ok(after.serviceTime.p50 > 0 && after.serviceTime.p50 <= after.serviceTime.p99 && after.serviceTime.p99 <= after.serviceTime.max);
  assert.ok(after.environment.settled >= 20);
  for (const key of ['threads', 'capacity', 'failed', 'rejected', 'dropped']) assert.equal(typeof after[key], 'number', key);
  voxpool.resetStats();
  assert.equal(voxpool.stats().serviceTime.count, 0);
});

test('configure validates its options', () => {
  assert.throws(() => voxpool.configure({ threads: 0 }), { name: 'RangeError', message: 'Expected an integer between 1 and 1024 for threads but received 0 of type number' });
  assert.throws(() => voxpool.configure({ capacity: 'big' }), { name: 'TypeError', message: 'Expected an integer between 1 and 1000000000 for capacity but received "big" of type string' });
  assert.throws(() => voxpool.configure(3), { name: 'TypeError' });
});

test('configure: thread count before start, capacity any time, ERR_VOXPOOL_QUEUE_FULL when full', () => {
  const r = spawnSync(process.execPath, [path.join(__dirname, 'fixtures', 'pool-config.js')], { encoding: 'utf8', timeout: 60000 });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, 'config ok\n');
});

test('VOXPOOL_THREADS sets the default thread count', () => {
  const r = spawnSync(process.execPath, ['-e', "process.stdout.write(String(require('.').stats().threads))"], {
    cwd: path.join(__dirname, '..', '..'), encoding: 'utf8', env: { ...process.env, VOXPOOL_THREADS: '5' },
  });
  assert.equal(r.stdout, '5', r.stderr);
});

test('Promises settle in submission order per encoder, even as its jobs move between workers', async () => {
  // Fast frames and several busy encoders make each encoder's strand hop between workers; the
  // completion queue is FIFO only per worker, so settlement order must be restored explicitly.
  const encoders = Array.from({ length: 4 }, () => new Encoder({ sampleRate: 8000, channels: 1, complexity: 0 }));
  const pcm = Buffer.alloc(160 * 2 * 0.25, 3); // 2.5 ms at 8 kHz: the cheapest frame there is
  for (let round = 0; round < 5; round++) {
    const order = encoders.map(() => []);
    const all = [];
    for (let i = 0; i < 2000; i++) {
      for (let e = 0; e < encoders.length; e++) all.push(encoders[e].encodeAsync(pcm).then(() => order[e].push(i)));
    }
    await Promise.all(all);
    for (const seen of order) {
      for (let i = 1; i < seen.length; i++) assert.ok(seen[i] > seen[i - 1], `round ${round}: settled ${seen[i - 1]} before ${seen[i]}`);
    }
  }
});

test('destroy() with a job running: that job settles first, the queued ones reject after it, in order', async () => {
  // 120 ms frames of noise keep a job running long enough for destroy() to land mid-job; the
  // queued jobs' rejections must not overtake the running job's result (a stream chaining its
  // Promises would see an unhandled rejection, as @discordjs/voice's AudioPlayer did).
  const noise = Buffer.alloc(5760 * 4);
  for (let i = 0; i < noise.length; i += 2) noise.writeInt16LE(((i * 7919) % 20001) - 10000, i);
  let midJob = 0;
  for (let round = 0; round < 40; round++) {
    const enc = new Encoder({ complexity: 10 });
    const order = [];
    const settled = [];
    for (let i = 0; i < 6; i++) {
      settled.push(enc.encodeAsync(noise).then(() => order.push([i, 'ok']), (err) => order.push([i, err.code])));
    }
    const spinUntil = process.hrtime.bigint() + BigInt((round % 8) * 100000); // 0-0.7 ms
    while (process.hrtime.bigint() < spinUntil);
    enc.destroy();
    assert.equal(enc.pending, 0, 'nothing queued is still going to run');
    await Promise.all(settled);
    assert.deepEqual(order.map(([i]) => i), [0, 1, 2, 3, 4, 5], `round ${round}: ${JSON.stringify(order)}`);
    const firstRejected = order.findIndex(([, how]) => how !== 'ok');
    if (firstRejected > 0 && firstRejected < 6) midJob++;
    for (const [i, how] of order.slice(firstRejected === -1 ? 6 : firstRejected)) {
      assert.equal(how, 'ERR_VOXPOOL_DESTROYED', `round ${round}: job ${i}`);
    }
  }
  assert.ok(midJob > 0, 'at least one round destroyed the encoder while a job ran');
});

test('configure({ workerNice }) lowers the workers\' priority, not the main thread\'s', { skip: process.platform !== 'linux' && 'per-thread nice is Linux-only' }, () => {
  const fixture = path.join(__dirname, 'fixtures', 'worker-nice.js');
  for (const env of [{}, { VOXPOOL_WORKER_NICE: '2' }]) {
    const r = spawnSync(process.execPath, [fixture], { encoding: 'utf8', timeout: 60000, env: { ...process.env, ...env } });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, 'ok');
  }
  for (const bad of [-1, 20, 1.5]) assert.throws(() => voxpool.configure({ workerNice: bad }), { name: 'RangeError' }, String(bad));
  assert.throws(() => voxpool.configure({ workerNice: '3' }), { name: 'TypeError' });
});
