'use strict';
// The mutation list (test/mutation/mutants.js) must follow the code: every mutant's `find` text
// occurs exactly once in its file. A refactor that moves code fails here, in the ordinary suite,
// rather than in the long mutation run.
const test = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const path = require('node:path');

test('every mutant still applies to the working tree (npm run mutate -- --check)', () => {
  const r = spawnSync(process.execPath, [path.join(__dirname, '..', '..', 'scripts', 'mutate.js'), '--check'], { encoding: 'utf8', timeout: 60000 });
  assert.equal(r.status, 0, r.stderr || r.stdout);
  assert.match(r.stdout + r.stderr, /all \d+ mutants apply to the working tree/);
});
