'use strict';
// Process and environment lifetimes, each in a fresh child process: exit by itself, exit with
// jobs in flight, GC of wrappers mid-job, worker_threads terminated mid-job.
const test = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const path = require('node:path');

function run(script, args = [], nodeArgs = []) {
  const file = path.join(__dirname, 'fixtures', script);
  return spawnSync(process.execPath, [...nodeArgs, file, ...args], { encoding: 'utf8', timeout: 120000 });
}

test('a script that encodes and then ends exits on its own', () => {
  const r = run('encode-and-end.js');
  assert.equal(r.signal, null, 'not killed by the timeout');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, 'encoded 50\n');
});

test('process.exit() with jobs in flight exits cleanly', () => {
  const r = run('exit-mid-job.js', ['exit']);
  assert.equal(r.signal, null, r.stderr);
  assert.equal(r.status, 0, r.stderr);
});

test('an uncaught exception with jobs in flight exits with code 1, not an abort', () => {
  const r = run('exit-mid-job.js', ['throw']);
  assert.equal(r.signal, null, r.stderr);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /uncaught while jobs are in flight/);
});

test('encoders collected by GC while their jobs are in flight', () => {
  const r = run('gc-mid-job.js', [], ['--expose-gc']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, 'gc ok\n');
});

test('4 worker_threads terminated with jobs in flight, 20 times, without an abort', () => {
  const r = run('worker-terminate.js', ['20']);
  assert.equal(r.signal, null, r.stderr);
  assert.equal(r.status, 0, r.stderr);
  // One process-wide pool: workers do not start threads of their own.
  assert.match(r.stdout, /^terminated 80 workers; pool threads \d+\n$/);
});
