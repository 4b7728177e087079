'use strict';
// npm install hook: use a prebuilt or already built addon when one loads, else compile with
// cmake-js (Node-API mode: no header download). Failures print the one line that names what to
// install (cmake/Dependencies.cmake).
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.join(__dirname, '..');
try {
  require('node-gyp-build')(root);
  process.exit(0);
} catch {
  // nothing loadable yet: build it
}
const cmakeJs = require.resolve('cmake-js/bin/cmake-js');
const result = spawnSync(process.execPath, [cmakeJs, 'compile'], { cwd: root, stdio: 'inherit' });
process.exit(result.status === null ? 1 : result.status);
