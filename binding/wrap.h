// Safe unwrapping of native objects: every class tags its instances (napi_type_tag_object), so a
// method called with the wrong `this`, or an argument of the wrong class, is a TypeError and never
// a reinterpretation of foreign memory.
#pragma once

#include <napi.h>

#include <initializer_list>
#include <string>
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

// One method of class T as DefineMethods takes it: its member function and its C++ name, whose
// first letter DefineMethods lowers to make the JS name (Seal -> seal). Written with
// VOXPOOL_METHOD, so one token names the method in both languages and the two cannot disagree.
template <class T>
struct NamedMethod {
  const char* name;
  Napi::Value (T::*method)(const Napi::CallbackInfo&);
};

// `name` with its first letter in lower case: the JS name of a C++ method or function name.
inline std::string JsName(const char* name) {
  std::string js(name);
  if (!js.empty() && js[0] >= 'A' && js[0] <= 'Z') js[0] = static_cast<char>(js[0] - 'A' + 'a');
  return js;
}

// Defines class T under its name in kClassText with `methods`, then `more`, in the order given.
// JS thread only; allocates the class and its names once, at module load.
template <class T>
Napi::Function DefineMethods(Napi::Env env, std::initializer_list<NamedMethod<T>> methods,
                             std::initializer_list<NamedMethod<T>> more = {}) {
  std::vector<std::string> names;  // napi_define_class copies them; they outlive the call
  names.reserve(methods.size() + more.size());
  std::vector<typename Napi::ObjectWrap<T>::PropertyDescriptor> properties;
  properties.reserve(methods.size() + more.size());
  for (const auto& list : {methods, more}) {
    for (const NamedMethod<T>& m : list) {
      names.push_back(JsName(m.name));
      properties.push_back(Napi::ObjectWrap<T>::InstanceMethod(names.back().c_str(), m.method));
    }
  }
  return Napi::ObjectWrap<T>::DefineClass(env, TextOf(T::kClass).name, properties);
}

}  // namespace voxpool::binding

// VOXPOOL_METHOD(Seal) inside a wrapper class: the NamedMethod for Wrapper::Seal, JS name "seal".
// `Wrapper` is the class being defined (PooledWrap and SyncWrap declare it).
#define VOXPOOL_METHOD(Method) \
  ::voxpool::binding::NamedMethod<Wrapper> { #Method, &Wrapper::Method }
