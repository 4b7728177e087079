#!/usr/bin/env node
'use strict';
// Makes @discordjs/opus (a comparison devDependency) load on the running Node version.
//
// Its binary is a Node-API build (napi-v3), so the same file loads on every Node version, but
// node-pre-gyp looks for it in a folder named after the Node ABI it was built under
// (prebuild/node-v115-napi-v3-…), so Node 22 and 24 look elsewhere and fail: the problem
// discordjs/opus#200 reports for users. Without network access the test machine cannot download
// their prebuild, so for the Node matrix the built folder is linked under the running ABI's name.
// Changes nothing when the module already loads.
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..', 'node_modules', '@discordjs', 'opus');
if (!fs.existsSync(root)) process.exit(0);  // not installed: nothing to do
try {
  require(root);
  process.exit(0);
} catch {
  // look for a Node-API build below
}
const prebuild = path.join(root, 'prebuild');
const builds = fs.existsSync(prebuild) ? fs.readdirSync(prebuild).filter((d) => /^node-v\d+-napi-v\d+-/.test(d)) : [];
if (builds.length === 0) {
  console.error('napi-prebuild-alias: @discordjs/opus has no Node-API build to link');
  process.exit(1);
}
const wanted = builds[0].replace(/^node-v\d+/, `node-v${process.versions.modules}`);
fs.symlinkSync(builds[0], path.join(prebuild, wanted));
require(root);  // throws (and fails the caller) if the link did not help
console.error(`napi-prebuild-alias: linked @discordjs/opus ${builds[0]} as ${wanted}`);
