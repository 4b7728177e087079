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

module.exports = binding;
