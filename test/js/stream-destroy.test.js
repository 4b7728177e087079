'use strict';
// Streams destroyed with jobs in flight: no unhandled rejection, no job left pending, and the
// process exits by itself. Each scenario runs in its own child process (fixtures/destroy-streams.js),
// because the failure being guarded against ends the process.
const test = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const FIXTURE = path.join(__dirname, 'fixtures', 'destroy-streams.js');

function run(args) {
  const r = spawnSync(process.execPath, [FIXTURE, ...args], { encoding: 'utf8', timeout: 60000 });
  assert.equal(r.signal, null, `killed (${r.signal}); stderr: ${r.stderr}`);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

const REGRESSIONS = [
  // [case, the stream's 'error' codes expected (destroy() without an error emits none)]
  ['encoderQueued', []],
  ['encoderQueuedNoListener', []],
  ['encoderDestroyWithError', ['E_TEST']],
  ['encoderEndThenDestroy', []],
  ['decoderQueued', []],
  ['mixerQueued', []],
  ['speakerRealtimeQueued', []],
  ['encryptQueued', []],
  ['decryptQueued', []],
];

for (const [name, expectedErrors] of REGRESSIONS) {
  test(`destroy with jobs in flight: ${name} leaves no unhandled rejection and no pending job`, () => {
    const r = run(['case', name]);
    assert.deepEqual(r.unhandled, []);
    assert.equal(r.pending, 0);
    assert.deepEqual(r.errors, expectedErrors);
  });
}

test('the regression list covers every scenario the fixture has', () => {
  const { cases } = run(['list']);
  assert.deepEqual(cases.sort(), REGRESSIONS.map(([name]) => name).sort());
});

const SWEEP_ROUNDS = Number(process.env.VOXPOOL_SWEEP_ROUNDS || 25);
const SEED = Number(process.env.VOXPOOL_SWEEP_SEED || 20261130);

test('sweep: every stream kind destroyed at random points with jobs in flight', async (t) => {
  const { kinds } = run(['list']);
  assert.deepEqual(kinds.sort(), ['decoder', 'decrypt', 'encoder', 'encrypt', 'filter', 'filteredEncoder', 'mixer', 'resample', 'speakerDemand', 'speakerRealtime', 'speechOutput', 'stretchedEncoder', 'stretchedFilter', 'utterance', 'volume']);
  for (const kind of kinds) {
    await t.test(kind, () => {
      const r = run(['sweep', kind, String(SWEEP_ROUNDS), String(SEED)]);
      assert.equal(r.rounds, SWEEP_ROUNDS);
      assert.deepEqual(r.unhandled, [], `seed ${SEED}`);
      assert.equal(r.pending, 0, `seed ${SEED}`);
    });
  }
});
