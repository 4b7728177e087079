// The native functions a domain module exports (pool, opus, container): each under its own name,
// which is also the function's `name` in JS, written once. Classes are exported by their Define
// functions (wrap.h's DefineMethods). JS thread only; allocates the functions.
#pragma once

#include <napi.h>

#include <initializer_list>
#include <string>

#include "wrap.h"

namespace voxpool::binding {

// One exported function: its C++ name, whose first letter ExportFunctions lowers to make the JS
// name (EncodeMany -> encodeMany), and its native callback. Written with VOXPOOL_FUNCTION.
struct NamedFunction {
  const char* name;
  Napi::Function::Callback callback;
};

// Sets each of `functions` on `exports`, in the order given.
inline void ExportFunctions(Napi::Env env, Napi::Object exports,
                            std::initializer_list<NamedFunction> functions) {
  for (const NamedFunction& f : functions) {
    const std::string name = JsName(f.name);
    exports.Set(name, Napi::Function::New(env, f.callback, name));
  }
}

}  // namespace voxpool::binding

// VOXPOOL_FUNCTION(EncodeMany): the NamedFunction for EncodeMany, JS name "encodeMany".
#define VOXPOOL_FUNCTION(Function) \
  ::voxpool::binding::NamedFunction { #Function, Function }
