'use strict';
// worker_threads and the voice crypto / pipeline jobs: environments that die with VoiceCipher
// batches, secretstream pushes/pulls and VoiceSender jobs queued or running on the shared pool
// must not crash the process, leak a notifier into a dead environment, or wedge the pool.
const test = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const path = require('node:path');

test('4 worker_threads with crypto and sender jobs in flight, terminated 10 times, exit cleanly', () => {
  const file = path.join(__dirname, 'fixtures', 'crypto-workers.js');
  const r = spawnSync(process.execPath, [file, '10'], { encoding: 'utf8', timeout: 120000 });
  assert.equal(r.signal, null, `killed by ${r.signal}: ${r.stderr}`);
  assert.equal(r.status, 0, r.stderr);
  // Every worker checked its results before being terminated; the main thread then still got a
  // batch through the one process-wide pool.
  assert.match(r.stdout, /^terminated 40 workers; pool threads \d+\n$/);
});
