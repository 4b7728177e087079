'use strict';
// voxpool.report(): what is actually running, for bug reports (like @discordjs/voice's
// generateDependencyReport): which binary loaded, the library versions the libraries themselves
// report, the runtime, the pool, and the voice packages that resolve from the caller.
const fs = require('node:fs');
const path = require('node:path');
const { createRequire } = require('node:module');
const binding = require('./binding');
const validate = require('./validate');

const root = path.join(__dirname, '..');
const VOICE_PACKAGES = ['@discordjs/voice', 'prism-media', '@discordjs/opus', '@snazzah/davey'];

// The version of `name` as `req` resolves it, or null when it is not installed. Reads the
// package's package.json without running the package. Packages whose "exports" hide
// package.json (@discordjs/voice) are found from their entry point, walking up to the directory
// whose package.json names them.
function resolvedVersion(req, name) {
  let dir;
  try {
    dir = path.dirname(req.resolve(`${name}/package.json`));
  } catch {
    try {
      dir = path.dirname(req.resolve(name));
    } catch {
      return null;
    }
  }
  for (; ; dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
      if (pkg.name === name) return pkg.version;
    } catch {
      // no package.json at this level
    }
    if (path.dirname(dir) === dir) return null;
  }
}

// The file a shared library was mapped from in this process (Linux), or null: tells a bundled
// copy beside the prebuild from a system one.
function mappedFile(pattern) {
  let maps;
  try {
    maps = fs.readFileSync('/proc/self/maps', 'utf8');
  } catch {
    return null;
  }
  for (const line of maps.split('\n')) {
    const file = line.split(/\s+/)[5];
    if (file && pattern.test(path.basename(file))) return file;
  }
  return null;
}

function library(version, linkage, pattern) {
  return { version, linkage, file: linkage === 'static' ? binding.loadedFrom : mappedFile(pattern) };
}

// How libopus was built, from the record the build compiled into the binary: a static archive's
// scripts/build-static-deps.sh stamp ("SOURCE | host=... | cflags=... | configure=... |
// check=..."), or the system package it was found as. null for a binary built before this was
// recorded.
function opusBuild(record) {
  if (!record) return null;
  const [source, ...fields] = record.split(' | ');
  const build = { source, host: null, cflags: null, configure: null, check: null };
  for (const field of fields) {
    const eq = field.indexOf('=');
    if (eq > 0 && field.slice(0, eq) in build) build[field.slice(0, eq)] = field.slice(eq + 1) || null;
  }
  return build;
}

// A prebuild sits in prebuilds/<platform>-<arch>/ (wherever VOXPOOL_BINDING points it).
function binaryKind(file) {
  return path.basename(path.dirname(path.dirname(file))) === 'prebuilds' ? 'prebuild' : 'source';
}

/**
 * What is running: voxpool's version, the binary that loaded (a prebuild or a source build; fromEnv
 * when VOXPOOL_BINDING named it) with the prebuild's build record, the libopus / libsodium / libsoxr versions as the linked libraries
 * report them (libSoundTouch and libebur128 too; libwebrtc-audio-processing as pkg-config found it) and how each (libogg and libwebm too) is linked, how libopus was built (source package, compiler flags,
 * whether its own test suite passed: the prebuilt binaries carry a tuned libopus), the Node-API version the binary targets and the runtime's,
 * Node and Bun versions, the pool's configuration, AES-256-GCM availability (AES-NI), and the
 * versions of @discordjs/voice, prism-media, @discordjs/opus and @snazzah/davey that resolve
 * from `from` (null where not installed). Never throws for a missing package; reads no network.
 * @param {{ from?: string }} [options] `from`: the directory packages resolve from (default:
 *   the current working directory).
 * @returns {import('./index').Report}
 */
function report(options) {
  const o = validate.options(options);
  if (o.from !== undefined && typeof o.from !== 'string') throw validate.invalidType('a string', 'from', o.from);
  const from = o.from === undefined ? process.cwd() : o.from;
  const file = binding.loadedFrom;
  const kind = binaryKind(file);
  let build = null;
  if (kind === 'prebuild') {
    try {
      build = JSON.parse(fs.readFileSync(path.join(path.dirname(file), 'build.json'), 'utf8'));
    } catch {
      // a prebuild directory without its build record
    }
  }
  const info = binding.buildInfo || {};
  const stats = binding.stats();
  const req = createRequire(path.join(path.resolve(from), 'noop.js'));
  const dependencies = {};
  for (const name of VOICE_PACKAGES) dependencies[name] = resolvedVersion(req, name);
  return {
    voxpool: JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).version,
    binary: { kind, file, fromEnv: Boolean(process.env.VOXPOOL_BINDING), build },
    libraries: {
      opus: {
        ...library(binding.opusConstants.OPUS_VERSION, info.OPUS_LINKAGE, /^libopus\.so/),
        build: opusBuild(info.OPUS_BUILD),
      },
      sodium: library(binding.cryptoConstants.SODIUM_VERSION, info.SODIUM_LINKAGE, /^libsodium\.so/),
      soxr: library(binding.mixerConstants.RESAMPLER, info.SOXR_LINKAGE, /^libsoxr\.so/),
      // Neither libogg nor libwebm reports its version at run time.
      ogg: library(null, info.OGG_LINKAGE, /^libogg\.so/),
      webm: library(null, info.WEBM_LINKAGE, /^libwebm\.so/),
      // The filters' time-stretch (timescale) and loudness meter.
      soundtouch: library(binding.filterConstants.TIME_STRETCH_LIBRARY, info.SOUNDTOUCH_LINKAGE, /^libSoundTouch\.so/),
      ebur128: library(binding.filterConstants.LOUDNESS_LIBRARY, info.EBUR128_LINKAGE, /^libebur128\.so/),
      // Speech clean-up (WebRTC's audio processing module): the version pkg-config found at build time.
      webrtcAudioProcessing: library(info.WEBRTC_APM_VERSION || null, info.WEBRTC_APM_LINKAGE, /^libwebrtc_audio_processing\.so/),
    },
    napi: { binary: info.NAPI_VERSION ?? null, runtime: Number(process.versions.napi) },
    runtime: {
      node: process.versions.node,
      bun: process.versions.bun ?? null,
      platform: process.platform,
      arch: process.arch,
    },
    pool: {
      started: stats.started,
      threads: stats.threads,
      capacity: binding.poolCapacity(),
      VOXPOOL_THREADS: process.env.VOXPOOL_THREADS ?? null,
    },
    aesGcm: binding.cryptoConstants.AES_GCM_AVAILABLE,
    dependencies,
  };
}

module.exports = { report };
