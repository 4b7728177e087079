'use strict';
// The examples run as documented (short settings), so they cannot rot.
const test = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const path = require('node:path');
const os = require('node:os');

const dir = path.join(__dirname, '..', '..', 'examples');
const run = (file, args) => spawnSync(process.execPath, [path.join(dir, file), ...args], { encoding: 'utf8', timeout: 60000 });

test('examples/stream-to-file.js round-trips 2 s of audio', () => {
  const r = run('stream-to-file.js', [path.join(os.tmpdir(), `voxpool-example-${process.pid}.opusraw`)]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^100 packets, \d+ bytes written to .*; decoded 384000 bytes of PCM\n$/);
});

test('examples/gateway-tick.js runs its ticks and exits', () => {
  const r = run('gateway-tick.js', ['10', '1']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^10 streams, 50 ticks, \d+ late; pool: 1000 jobs/);
});
