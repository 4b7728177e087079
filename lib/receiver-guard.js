'use strict';
// Methods called on the wrong object. A method of a class with private fields, called with a
// `this` that is not an instance (`Encoder.prototype.encode.call({})`, a destructured method),
// would fail inside with V8's "Cannot read private member …" or "… is not a function". Each
// public method and accessor is wrapped to check its receiver first and throw the uniform
// TypeError instead: "Expected an Encoder for this but received [object Object] of type object".
const validate = require('./validate');

/**
 * Wraps every method and accessor defined on `Class.prototype` (not inherited ones) with a
 * receiver check. `isInstance` must be the class's own brand check (`(o) => #field in o`), so a
 * look-alike object is refused too. Call once, after the class is defined.
 * @param {Function} Class
 * @param {(value: unknown) => boolean} isInstance
 */
function guardReceiver(Class, isInstance) {
  const what = `${/^[AEIOU]/.test(Class.name) ? 'an' : 'a'} ${Class.name}`;
  const check = (self) => {
    if (self === null || typeof self !== 'object' || !isInstance(self)) throw validate.invalidType(what, 'this', self);
  };
  const proto = Class.prototype;
  for (const key of Reflect.ownKeys(proto)) {
    if (key === 'constructor' || (typeof key === 'string' && key.startsWith('_'))) continue;  // stream internals
    const d = Object.getOwnPropertyDescriptor(proto, key);
    if (typeof d.value === 'function') {
      const fn = d.value;
      // `arguments` keeps the caller's arity (some APIs check it), and apply(this, arguments)
      // is a call V8 makes without materialising an array: the hot paths stay allocation-free.
      const guarded = function () {
        check(this);
        return fn.apply(this, arguments);
      };
      Object.defineProperty(guarded, 'name', { value: fn.name });
      Object.defineProperty(guarded, 'length', { value: fn.length });
      Object.defineProperty(proto, key, { ...d, value: guarded });
    } else if (d.get || d.set) {
      const { get, set } = d;
      Object.defineProperty(proto, key, {
        ...d,
        get: get && function () { check(this); return get.call(this); },
        set: set && function (v) { check(this); set.call(this, v); },
      });
    }
  }
}

module.exports = { guardReceiver };
