'use strict';
// lib/index.d.ts stays in step with the runtime exports: every export is declared, and every
// declared value export exists.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const voxpool = require('../..');

const dts = fs.readdirSync(path.join(__dirname, '..', '..', 'lib'))
  .filter((f) => f.endsWith('.d.ts'))
  .map((f) => fs.readFileSync(path.join(__dirname, '..', '..', 'lib', f), 'utf8'))
  .join('\n');

const declared = new Set();
for (const m of dts.matchAll(/^export\s+(?:declare\s+)?(?:class|function|const|let|enum)\s+([A-Za-z_$][\w$]*)/gm)) declared.add(m[1]);

test('every runtime export is declared in the typings', () => {
  const missing = Object.keys(voxpool).filter((k) => !declared.has(k));
  assert.deepEqual(missing, []);
});

test('every declared value exists at runtime', () => {
  const extra = [...declared].filter((k) => !(k in voxpool));
  assert.deepEqual(extra, []);
});
