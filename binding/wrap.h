// Safe unwrapping of native objects: every class tags its instances (napi_type_tag_object), so a
// method called with the wrong `this`, or an argument of the wrong class, is a TypeError and never
// a reinterpretation of foreign memory.
#pragma once

#include <napi.h>

#include "errors.h"

namespace voxpool::binding {

// True when `value` is an object tagged with `tag`. Never throws.
inline bool HasTag(napi_env env, napi_value value, const napi_type_tag& tag) {
  napi_valuetype type;
  if (napi_typeof(env, value, &type) != napi_ok || type != napi_object) return false;
  bool result = false;
  return napi_check_object_type_tag(env, value, &tag, &result) == napi_ok && result;
}

// Returns the T wrapped by `value`, or throws TypeError(`message`).
template <class T>
T* UnwrapTagged(Napi::Env env, napi_value value, const napi_type_tag& tag, const char* message) {
  if (!HasTag(env, value, tag)) ThrowTypeError(env, message);
  T* self = Napi::ObjectWrap<T>::Unwrap(Napi::Object(env, value));
  if (self == nullptr) ThrowTypeError(env, message);
  return self;
}

}  // namespace voxpool::binding
