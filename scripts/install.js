'use strict';
// npm install hook: nothing to do when a binary loads (the prebuilt one in prebuilds/, or an
// earlier source build), so installs with scripts disabled lose nothing where a prebuild matches.
// Otherwise, or with `npm install --build-from-source` / `npm rebuild voxpool --build-from-source`,
// compile with cmake-js (Node-API mode: no header download); a missing system package stops it with
// one line naming the package (cmake/Dependencies.cmake).
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.join(__dirname, '..');
const fromSource = /^(true|1|voxpool)$/.test(process.env.npm_config_build_from_source || '');
if (!fromSource) {
  try {
    require('node-gyp-build')(root);
    process.exit(0);
  } catch (err) {
    // None matches, or the one that matches does not load here (e.g. an older glibc): build.
    console.error(`voxpool: no loadable binary (${err.message.split('\n')[0]}); building from source`);
  }
}
const cmakeJs = require.resolve('cmake-js/bin/cmake-js');
const result = spawnSync(process.execPath, [cmakeJs, 'compile'], { cwd: root, stdio: 'inherit' });
process.exit(result.status === null ? 1 : result.status);
