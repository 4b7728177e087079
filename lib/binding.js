'use strict';
// Loads the native addon once per environment: prebuilds/<platform>-<arch>/ first, then
// build/Release (node-gyp-build). VOXPOOL_BINDING may name a .node file to load instead (used to
// test an alternative build, e.g. a sanitizer build, without touching build/).
const path = require('node:path');
const { VoxpoolError } = require('./errors');

const binding = process.env.VOXPOOL_BINDING
  ? require(path.resolve(process.env.VOXPOOL_BINDING))
  : require('node-gyp-build')(path.join(__dirname, '..'));

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

module.exports = binding;
