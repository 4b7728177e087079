'use strict';
// One place that builds argument errors, so every message has the same shape:
//   Expected <what> for <name> but received <value> of type <type>
// Tests assert these messages exactly.

const { isProxy } = require('node:util').types;

// describe() and typeOf() name a value without running any of its code: a Proxy's traps and an
// object's getters (Symbol.toStringTag, the prototype chain behind instanceof) belong to the
// caller, and an argument error must not turn into whatever they throw.
function describe(value) {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (typeof value === 'symbol') return value.toString();
  if (isProxy(value)) return 'Proxy';
  if (typeof value === 'function') return `function ${safeName(value)}`;
  if (ArrayBuffer.isView(value)) return `${viewName(value)}(${value.byteLength === 0 ? 0 : viewLength(value)})`;
  if (Array.isArray(value)) return `Array(${value.length})`;
  try {
    return Object.prototype.toString.call(value);
  } catch {
    return '[object Object]';  // a throwing Symbol.toStringTag getter
  }
}

function typeOf(value) {
  if (value === null) return 'null';
  if (isProxy(value)) return typeof value;
  if (Array.isArray(value)) return 'array';
  if (ArrayBuffer.isView(value)) return viewName(value);
  return typeof value;
}

// The class of a Buffer/TypedArray/DataView, from its internal slots, not its prototype chain.
function viewName(view) {
  if (Buffer.isBuffer(view)) return 'Buffer';
  try {
    return Object.prototype.toString.call(view).slice(8, -1);  // typed arrays: their own tag
  } catch {
    return 'ArrayBufferView';
  }
}

function viewLength(view) {
  return view instanceof DataView || Buffer.isBuffer(view) ? view.byteLength : view.length;
}

function safeName(fn) {
  try {
    const name = typeof fn.name === 'string' ? fn.name : '';
    return name || '(anonymous)';
  } catch {
    return '(anonymous)';
  }
}

/** Array.isArray that answers false for a revoked Proxy instead of throwing. */
function isArray(value) {
  try {
    return Array.isArray(value);
  } catch {
    return false;
  }
}

/** @returns {string} the uniform message */
function expected(what, name, value) {
  return `Expected ${what} for ${name} but received ${describe(value)} of type ${typeOf(value)}`;
}

function invalidType(what, name, value) {
  return new TypeError(expected(what, name, value));
}

function invalidRange(what, name, value) {
  return new RangeError(expected(what, name, value));
}

// An options object: not an array, a Buffer/TypedArray or a revoked Proxy (spreading a 64 MiB
// Buffer as options would walk every byte).
function isPlainObject(value) {
  return typeof value === 'object' && value !== null && !isRevoked(value) && !isArray(value) &&
    !ArrayBuffer.isView(value) && !(value instanceof ArrayBuffer);
}

function isRevoked(value) {
  if (!isProxy(value)) return false;
  try {
    Array.isArray(value);
    return false;
  } catch {
    return true;
  }
}

/** Throws unless `value` is an object (or undefined, which becomes {}). */
function options(value, name = 'options') {
  if (value === undefined) return {};
  if (!isPlainObject(value)) throw invalidType('an object', name, value);
  return value;
}

function integer(value, name, min, max) {
  if (typeof value !== 'number') throw invalidType(`an integer between ${min} and ${max}`, name, value);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw invalidRange(`an integer between ${min} and ${max}`, name, value);
  }
  return value;
}

function number(value, name, min, max) {
  if (typeof value !== 'number' || Number.isNaN(value)) throw invalidType(`a number between ${min} and ${max}`, name, value);
  if (value < min || value > max) throw invalidRange(`a number between ${min} and ${max}`, name, value);
  return value;
}

function oneOf(value, name, allowed) {
  if (!allowed.includes(value)) {
    const list = allowed.map((v) => (typeof v === 'string' ? `'${v}'` : String(v))).join(', ');
    const err = typeof value === typeof allowed[0] ? invalidRange : invalidType;
    throw err(`one of ${list}`, name, value);
  }
  return value;
}

/** The PCM sample formats every class that takes PCM accepts (the binding's s16 / f32 readers). */
const PCM_FORMATS = Object.freeze(['s16le', 'f32le']);

/** An optional PCM format: 's16le' when undefined, else one of PCM_FORMATS. */
function pcmFormat(value, name = 'format') {
  return value === undefined ? 's16le' : oneOf(value, name, PCM_FORMATS);
}

function boolean(value, name) {
  if (typeof value !== 'boolean') throw invalidType('a boolean', name, value);
  return value;
}

function bytes(value, name) {
  if (!ArrayBuffer.isView(value)) throw invalidType('a Buffer or TypedArray', name, value);
  return value;
}

module.exports = { expected, invalidType, invalidRange, options, integer, number, oneOf, boolean, bytes, describe, isArray, isRevoked, PCM_FORMATS, pcmFormat };
