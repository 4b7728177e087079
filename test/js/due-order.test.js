'use strict';
// Due times reach the pool: the work needed soonest runs first across objects (see
// fixtures/due-order.js), and dueMs is validated like every other option.
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { Encoder, Decoder } = require('../../lib');
const binding = require('../../lib/binding');

test('earliest due first: an urgent frame overtakes a busy batch, a relaxed one waits for it', () => {
  const r = spawnSync(process.execPath, [path.join(__dirname, 'fixtures', 'due-order.js')], { encoding: 'utf8', timeout: 60000 });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), ['urgent', 'batch', 'relaxed']);
});

test('dueMs is checked: a number from 0 to MAX_DUE_MS', async () => {
  const { MAX_DUE_MS, DEFAULT_DUE_MS } = binding.poolConstants;
  assert.equal(DEFAULT_DUE_MS, 20);
  assert.equal(MAX_DUE_MS, 60000);
  const enc = new Encoder();
  const dec = new Decoder();
  const pcm = Buffer.alloc(960 * 4);
  try {
    for (const bad of [-1, MAX_DUE_MS + 1, Infinity]) {
      assert.throws(() => enc.encodeAsync(pcm, { dueMs: bad }), { name: 'RangeError' }, String(bad));
      assert.throws(() => dec.decodeAsync(null, { dueMs: bad }), { name: 'RangeError' }, String(bad));
    }
    // Not a number at all (NaN included, as everywhere in voxpool): a TypeError.
    for (const bad of ['5', NaN]) assert.throws(() => enc.encodeAsync(pcm, { dueMs: bad }), { name: 'TypeError' }, String(bad));
    const packet = await enc.encodeAsync(pcm, { dueMs: 0 });
    assert.ok(packet.length > 0);
    assert.equal((await dec.decodeAsync(packet, { dueMs: MAX_DUE_MS })).length, 960 * 4);
  } finally {
    enc.destroy();
    dec.destroy();
  }
});
