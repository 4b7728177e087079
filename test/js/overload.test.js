'use strict';
// Overload (issue 10): three times what the pool can encode in real time, for 3 s, on encoders
// that shed work (deadlineMs, drop-oldest): every frame submitted settles exactly once (a packet,
// or a shed frame with a stable code, counted in stats().dropped), nothing is left pending after
// the load stops, memory stays bounded, and the frames submitted after it all encode. How fast
// on-time recovers is timing, measured by the benchmark (bench/js/opus-realtime.js), not here.
const test = require('node:test');
const assert = require('node:assert/strict');
const voxpool = require('../..');
const { sineMix } = require('./helpers');

const TICK_MS = 20;
const SHED = new Set(['ERR_VOXPOOL_DEADLINE_EXCEEDED', 'ERR_VOXPOOL_DROPPED', 'ERR_VOXPOOL_QUEUE_FULL']);

test('3x overload for 3 s: every frame settles once, shed frames are counted, memory is bounded', async () => {
  const pcm = sineMix(48000, 2, 960);
  // What one frame costs here, to size the load from this machine's own capacity.
  const probe = new voxpool.Encoder();
  for (let i = 0; i < 20; i++) probe.encode(pcm);
  const t = process.hrtime.bigint();
  for (let i = 0; i < 50; i++) probe.encode(pcm);
  const frameMs = Number(process.hrtime.bigint() - t) / 1e6 / 50;
  const capacity = Math.max(1, Math.floor((voxpool.stats().threads * TICK_MS) / frameMs));
  const streams = Math.min(3 * capacity, 3000);
  const encoders = Array.from({ length: streams }, () => new voxpool.Encoder({ deadlineMs: TICK_MS, maxQueue: 4, overflow: 'drop-oldest' }));

  const droppedBefore = voxpool.stats().dropped;
  const rssBefore = process.memoryUsage().rss;
  let rssPeak = rssBefore;
  let queuedPeak = 0;
  const outcome = { packets: 0, shed: 0, other: [] };
  const settled = [];
  const submit = () => {
    for (const e of encoders) {
      settled.push(e.encodeAsync(pcm).then(
        () => { outcome.packets++; },
        (err) => { if (SHED.has(err.code)) outcome.shed++; else outcome.other.push(err); },
      ));
    }
  };
  const ticks = 3000 / TICK_MS;
  for (let k = 0; k < ticks; k++) {
    submit();
    rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    queuedPeak = Math.max(queuedPeak, voxpool.stats().queued);
    await new Promise((resolve) => setTimeout(resolve, TICK_MS));
  }
  // The load stops: everything settles (a hung Promise would time the test out).
  await Promise.all(settled);
  assert.deepEqual(outcome.other, []);
  assert.equal(outcome.packets + outcome.shed, ticks * streams);
  assert.ok(outcome.shed > 0, `3x load shed nothing (${streams} streams, ${frameMs.toFixed(3)} ms a frame)`);
  // Every shed frame is in the pool's count (drop-oldest and deadline); a full pool's refusals
  // are counted as rejected instead.
  assert.ok(voxpool.stats().dropped - droppedBefore <= outcome.shed);
  assert.ok(voxpool.stats().dropped - droppedBefore > 0);
  // Bounded: at most maxQueue frames wait per encoder, whatever the backlog, so memory does not
  // grow with it. (RSS is checked too, except under a sanitizer: ASan's quarantine keeps freed
  // blocks, 256 MiB by default, so RSS there says nothing about the backlog.)
  assert.ok(queuedPeak <= streams * 4, `${queuedPeak} jobs queued for ${streams} encoders of maxQueue 4`);
  if (!process.env.VOXPOOL_SANITIZED) {
    assert.ok(rssPeak - rssBefore < 256 * 2 ** 20, `RSS grew by ${((rssPeak - rssBefore) / 2 ** 20).toFixed(0)} MiB`);
  }
  assert.equal(voxpool.stats().queued, 0);

  // After the load: a tick a third of capacity encodes in full.
  const light = encoders.slice(0, Math.max(1, Math.floor(capacity / 3)));
  const packets = await Promise.all(light.map((e) => e.encodeAsync(pcm)));
  assert.equal(packets.length, light.length);
  for (const e of encoders) e.destroy();
  probe.destroy();
});
