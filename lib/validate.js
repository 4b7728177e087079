'use strict';
// One place that builds argument errors, so every message has the same shape:
//   Expected <what> for <name> but received <value> of type <type>
// Tests assert these messages exactly.

function describe(value) {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (typeof value === 'function') return `function ${value.name || '(anonymous)'}`;
  if (Buffer.isBuffer(value)) return `Buffer(${value.length})`;
  if (ArrayBuffer.isView(value)) return `${value.constructor.name}(${value.length})`;
  if (Array.isArray(value)) return `Array(${value.length})`;
  return Object.prototype.toString.call(value);
}

function typeOf(value) {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (ArrayBuffer.isView(value)) return value.constructor.name;
  return typeof value;
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

function isPlainObject(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
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

function boolean(value, name) {
  if (typeof value !== 'boolean') throw invalidType('a boolean', name, value);
  return value;
}

function bytes(value, name) {
  if (!ArrayBuffer.isView(value)) throw invalidType('a Buffer or TypedArray', name, value);
  return value;
}

module.exports = { expected, invalidType, invalidRange, options, integer, number, oneOf, boolean, bytes, describe };
