// The native functions a domain module exports (pool, opus, container): each under its own name,
// which is also the function's `name` in JS, written once. Classes are exported by their Define
// functions (wrap.h's DefineMethods). JS thread only; allocates the functions.
#pragma once

#include <napi.h>

#include <initializer_list>

namespace voxpool::binding {

// One exported function: its JS name and its native callback.
struct NamedFunction {
  const char* name;
  Napi::Function::Callback callback;
};

// Sets each of `functions` on `exports`, in the order given.
inline void ExportFunctions(Napi::Env env, Napi::Object exports,
                            std::initializer_list<NamedFunction> functions) {
  for (const NamedFunction& f : functions) {
    exports.Set(f.name, Napi::Function::New(env, f.callback, f.name));
  }
}

}  // namespace voxpool::binding
