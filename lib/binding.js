'use strict';
// Loads the native addon once per environment through node-gyp-build, which takes build/Release
// when a source build exists (the package carries no build/, so that is only after
// `npm rebuild voxpool` compiled one) and the prebuilt binary in prebuilds/<platform>-<arch>/
// otherwise. VOXPOOL_BINDING may name a .node file to load instead (used to test an alternative
// build, e.g. a sanitizer build or the prebuild, without touching build/).
const path = require('node:path');
const { VoxpoolError } = require('./errors');

const root = path.join(__dirname, '..');
// What to do when no binary loads: the source build's system packages, then the rebuild.
const FROM_SOURCE =
  'To build it from source, install the system packages (Debian/Ubuntu: ' +
  'apt-get install cmake g++ pkg-config libopus-dev libsodium-dev libsoxr-dev libogg-dev libwebm-dev libconcurrentqueue-dev) ' +
  'and run `npm rebuild voxpool`.';

function load() {
  if (process.env.VOXPOOL_BINDING) {
    const file = path.resolve(process.env.VOXPOOL_BINDING);
    return { file, binding: require(file) };
  }
  const nodeGypBuild = require('node-gyp-build');
  let file;
  try {
    file = nodeGypBuild.resolve(root);
  } catch (err) {
    const target = `${process.platform}-${process.arch}`;
    let made = [];
    try {
      made = require('node:fs').readdirSync(path.join(root, 'prebuilds'));
    } catch {
      // no prebuilds at all (a clone of the repository)
    }
    throw new VoxpoolError(
      `voxpool: no prebuilt binary for ${target} (prebuilt: ${made.join(', ') || 'none'}) and no ` +
        `source build in ${root}. ${FROM_SOURCE}\n${err.message}`,
      'ERR_VOXPOOL_BINDING_NOT_FOUND',
    );
  }
  try {
    return { file, binding: require(file) };
  } catch (err) {
    // Typically a system older than the prebuild needs ("GLIBC_2.34' not found").
    throw new VoxpoolError(`voxpool: ${file} failed to load: ${err.message}\n${FROM_SOURCE}`,
      'ERR_VOXPOOL_BINDING_NOT_FOUND');
  }
}

const { file, binding } = load();

binding.setErrorClass(VoxpoolError);
// Native code returns many small results (Opus packets) as views of one Buffer: `ends[i]` is the
// end offset of result i. Node-API cannot create Buffer views itself, so it calls this.
binding.setViewFactory((buffer, ends, n) => {
  const out = new Array(n);
  let start = 0;
  for (let i = 0; i < n; i++) {
    const end = ends[i];
    out[i] = buffer.subarray(start, end);
    start = end;
  }
  return out;
});
// The file that loaded, for voxpool.report().
Object.defineProperty(binding, 'loadedFrom', { value: file, enumerable: false });

module.exports = binding;
