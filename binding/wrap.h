// Safe unwrapping of native objects: every class tags its instances (napi_type_tag_object), so a
// method called with the wrong `this`, or an argument of the wrong class, is a TypeError and never
// a reinterpretation of foreign memory.
#pragma once

#include <napi.h>

#include <initializer_list>
#include <vector>

#include "errors.h"
#include "type_tags.h"

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

// The T wrapped by `value` (T::kClass names its tag), or TypeError(TextOf(T::kClass).illegal).
template <class T>
T* UnwrapTagged(Napi::Env env, napi_value value) {
  return UnwrapTagged<T>(env, value, kTypeTag<T::kClass>, TextOf(T::kClass).illegal);
}

// One method of class T as DefineMethods takes it: its JS name and its member function.
template <class T>
struct NamedMethod {
  const char* name;
  Napi::Value (T::*method)(const Napi::CallbackInfo&);
};

// Defines class T under its name in kClassText with `methods`, then `more`, in the order given:
// one line per method, in the spirit of sodium-native's registrations.
template <class T>
Napi::Function DefineMethods(Napi::Env env, std::initializer_list<NamedMethod<T>> methods,
                             std::initializer_list<NamedMethod<T>> more = {}) {
  std::vector<typename Napi::ObjectWrap<T>::PropertyDescriptor> properties;
  properties.reserve(methods.size() + more.size());
  for (const auto& list : {methods, more}) {
    for (const NamedMethod<T>& m : list) {
      properties.push_back(Napi::ObjectWrap<T>::InstanceMethod(m.name, m.method));
    }
  }
  return Napi::ObjectWrap<T>::DefineClass(env, TextOf(T::kClass).name, properties);
}

}  // namespace voxpool::binding
