'use strict';
// Finds the @discordjs/voice copy to bind to, and the prism-media copy that copy uses (its
// AudioResource recognises prism's classes with instanceof, so ours must be the same module).
const path = require('node:path');
const { createRequire } = require('node:module');
const { VoxpoolError } = require('../errors');
const validate = require('../validate');

const PEER = '@discordjs/voice';

function notFound(err) {
  return err !== null && typeof err === 'object' && err.code === 'MODULE_NOT_FOUND';
}

// A require() rooted in `dir`, as a file there would have.
function requireFrom(dir) {
  return createRequire(path.join(dir, 'noop.js'));
}

/**
 * Loads @discordjs/voice the way a file of the user's project would: from voxpool's own place in
 * node_modules first (an ordinary install), then from the working directory (a linked voxpool).
 * @returns {object} the module
 */
function loadVoice() {
  for (const req of [require, requireFrom(process.cwd())]) {
    try {
      return req(PEER);
    } catch (err) {
      // Only "this package is not there" moves on; an error inside the package is the user's.
      if (!notFound(err) || !String(err.message).includes(PEER)) throw err;
    }
  }
  throw new VoxpoolError(
    `voxpool/voice needs ${PEER} (>= 0.18), which is not installed: run \`npm install ${PEER}\`, ` +
    `or bind a copy you loaded with require('voxpool/voice').withVoice(require('${PEER}'))`,
    'ERR_VOXPOOL_PEER_MISSING',
  );
}

/**
 * The prism-media module used by `voice`: resolved next to the file that `voice` was loaded from
 * (found in require.cache), else from the working directory, else from voxpool. null if none.
 * @param {object} voice
 * @returns {object | null}
 */
function prismFor(voice) {
  const roots = [];
  for (const m of Object.values(require.cache)) {
    if (m && m.exports === voice && m.filename) {
      roots.push(createRequire(m.filename));
      break;
    }
  }
  roots.push(requireFrom(process.cwd()), require);
  for (const req of roots) {
    try {
      return req('prism-media');
    } catch (err) {
      if (!notFound(err)) throw err;
    }
  }
  return null;
}

/**
 * Checks that `voice` looks like @discordjs/voice (what voxpool/voice uses of it).
 * @param {unknown} voice
 * @returns {object}
 */
function checkVoice(voice) {
  if (voice === null || typeof voice !== 'object' || validate.isRevoked(voice) ||
      typeof voice.AudioResource !== 'function' || voice.StreamType === null || typeof voice.StreamType !== 'object') {
    throw validate.invalidType(`the ${PEER} module (with AudioResource and StreamType)`, 'voice', voice);
  }
  return voice;
}

/**
 * @param {unknown} prism
 * @returns {object}
 */
function checkPrism(prism) {
  if (prism === null || typeof prism !== 'object' || validate.isRevoked(prism) ||
      typeof prism.FFmpeg !== 'function' || prism.opus === null || typeof prism.opus !== 'object') {
    throw validate.invalidType('the prism-media module (with FFmpeg and opus)', 'options.prism', prism);
  }
  return prism;
}

/** The error for a stage that needs prism-media when none was found. */
function prismMissing(what) {
  return new VoxpoolError(
    `${what} needs prism-media (a dependency of ${PEER}), which was not found: run \`npm install prism-media\` ` +
    'or pass it as withVoice(voice, { prism: require(\'prism-media\') })',
    'ERR_VOXPOOL_PEER_MISSING',
  );
}

module.exports = { loadVoice, prismFor, checkVoice, checkPrism, prismMissing };
