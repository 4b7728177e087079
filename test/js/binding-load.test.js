'use strict';
// Loading the addon: without a binary for this platform the error says what to do (the system
// packages and `npm rebuild voxpool`), with a stable code.
const test = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.join(__dirname, '..', '..');

test('no binary for this platform: the error names the packages and npm rebuild voxpool', () => {
  // node-gyp-build takes the architecture from npm_config_arch; PREBUILDS_ONLY skips build/.
  const env = { ...process.env, npm_config_arch: 'riscv64', PREBUILDS_ONLY: '1' };
  delete env.VOXPOOL_BINDING;
  const r = spawnSync(process.execPath, ['-e', `
    try { require(${JSON.stringify(root)}); } catch (err) {
      console.log(JSON.stringify({ name: err.name, code: err.code, message: err.message }));
    }`], { env, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const err = JSON.parse(r.stdout);
  assert.equal(err.name, 'VoxpoolError');
  assert.equal(err.code, 'ERR_VOXPOOL_BINDING_NOT_FOUND');
  assert.ok(err.message.startsWith(`voxpool: no prebuilt binary for ${process.platform}-${process.arch} (prebuilt: `), err.message);
  assert.match(err.message, /\) and no source build in /);
  assert.match(err.message, /apt-get install cmake g\+\+ pkg-config libopus-dev libsodium-dev libsoxr-dev libogg-dev libwebm-dev libconcurrentqueue-dev/);
  assert.match(err.message, /run `npm rebuild voxpool`/);
});
