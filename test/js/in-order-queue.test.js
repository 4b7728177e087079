'use strict';
// InOrderQueue, the piece every pool-backed stream delivers through: results in submission order
// whatever order the jobs settle in, a bound on jobs in flight, and never an unhandled rejection,
// even when a later job rejects while an earlier one is still pending.
const test = require('node:test');
const assert = require('node:assert/strict');
const { InOrderQueue } = require('../../lib/in-order-queue');

/** A Promise with its resolve/reject exposed. */
function deferred() {
  let resolve;
  let reject;
  const promise = new Promise((res, rej) => { resolve = res; reject = rej; });
  return { promise, resolve, reject };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

/** Runs `body` and returns the rejections Node reports as unhandled meanwhile. */
async function unhandledDuring(body) {
  const seen = [];
  const onUnhandled = (err) => seen.push(err);
  process.on('unhandledRejection', onUnhandled);
  try {
    await body();
    await tick();
    await tick();
  } finally {
    process.removeListener('unhandledRejection', onUnhandled);
  }
  return seen;
}

test('delivers in submission order whatever order the jobs settle in', async () => {
  const got = [];
  const q = new InOrderQueue({ limit: 8, onValue: (v) => got.push(v), onError: assert.fail });
  const jobs = [0, 1, 2, 3, 4].map(() => deferred());
  for (const j of jobs) q.add(j.promise);
  for (const i of [3, 1, 4, 0, 2]) {
    jobs[i].resolve(i);
    await tick();
  }
  assert.deepEqual(got, [0, 1, 2, 3, 4]);
  assert.equal(q.inflight, 0);
});

test('a later job rejecting while an earlier one is pending is never an unhandled rejection', async () => {
  const got = [];
  const errors = [];
  const q = new InOrderQueue({ limit: 8, onValue: (v) => got.push(v), onError: (e) => errors.push(e.code) });
  const first = deferred();
  const unhandled = await unhandledDuring(async () => {
    q.add(first.promise);
    for (let i = 0; i < 3; i++) q.add(Promise.reject(Object.assign(new Error('gone'), { code: 'ERR_VOXPOOL_DESTROYED' })));
    await tick();
    await tick();
    first.resolve('ran');
    await tick();
  });
  assert.deepEqual(unhandled, []);
  assert.deepEqual(got, ['ran']);
  assert.deepEqual(errors, ['ERR_VOXPOOL_DESTROYED'], 'the first failure, once; the queue closes after it');
  assert.equal(q.closed, true);
  assert.equal(q.inflight, 0);
});

test('close() drops later results, still handles their rejections, and releases waiters', async () => {
  const got = [];
  const q = new InOrderQueue({ limit: 2, onValue: (v) => got.push(v), onError: assert.fail });
  const a = deferred();
  const b = deferred();
  let idle = false;
  const unhandled = await unhandledDuring(async () => {
    q.add(a.promise);
    q.add(b.promise);
    q.whenIdle(() => { idle = true; });
    q.close();
    a.resolve(1);
    b.reject(new Error('late'));
    await tick();
  });
  assert.deepEqual(unhandled, []);
  assert.deepEqual(got, []);
  assert.equal(idle, true);
});

test('hasRoom and whenRoom bound the jobs in flight; whenIdle waits for every one', async () => {
  const q = new InOrderQueue({ limit: 2, onValue: () => {}, onError: assert.fail });
  const jobs = [deferred(), deferred()];
  assert.equal(q.hasRoom, true);
  q.add(jobs[0].promise);
  assert.equal(q.hasRoom, true);
  q.add(jobs[1].promise);
  assert.equal(q.hasRoom, false);
  const order = [];
  q.whenRoom(() => order.push(`room at ${q.inflight}`));
  q.whenIdle(() => order.push(`idle at ${q.inflight}`));
  await tick();
  assert.deepEqual(order, [], 'nothing settled yet');
  jobs[1].resolve();  // settled, but waits behind job 0: still in flight
  await tick();
  assert.deepEqual(order, []);
  jobs[0].resolve();
  await tick();
  assert.deepEqual(order, ['room at 0', 'idle at 0']);
  let now = false;
  q.whenRoom(() => { now = true; });
  assert.equal(now, true, 'called at once when there is room');
});

test('a rejection that skip() accepts is passed over: later results still arrive, in order', async () => {
  const values = [];
  const errors = [];
  const q = new InOrderQueue({
    limit: 8,
    onValue: (v) => values.push(v),
    onError: (e) => errors.push(e),
    skip: (e) => e.code === 'LATE',
  });
  const jobs = [deferred(), deferred(), deferred(), deferred()];
  for (const j of jobs) q.add(j.promise);
  jobs[3].resolve(3);
  jobs[1].reject(Object.assign(new Error('late'), { code: 'LATE' }));
  jobs[0].resolve(0);
  jobs[2].resolve(2);
  await tick();
  assert.deepEqual(values, [0, 2, 3]);
  assert.deepEqual(errors, []);
  assert.equal(q.inflight, 0);
  assert.equal(q.closed, false);
  // Any other rejection still closes the queue.
  const more = [deferred(), deferred()];
  for (const j of more) q.add(j.promise);
  more[0].reject(new Error('broken'));
  more[1].resolve(5);
  await tick();
  assert.deepEqual(errors.map((e) => e.message), ['broken']);
  assert.deepEqual(values, [0, 2, 3]);
});
