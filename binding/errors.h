// Turning core Status values into JS errors: VoxpoolError (class handed over by lib/errors.js)
// with a stable `code`, or TypeError/RangeError for misuse of the binding itself.
#pragma once

#include <napi.h>

#include "voxpool/status.h"

namespace voxpool::binding {

// A VoxpoolError instance for `status` (falls back to Error if JS has not registered the class).
Napi::Value MakeError(Napi::Env env, const Status& status);
// Throws MakeError(status) as a C++ exception (NAPI_CPP_EXCEPTIONS).
[[noreturn]] void Throw(Napi::Env env, const Status& status);
[[noreturn]] void ThrowTypeError(Napi::Env env, const char* message);
[[noreturn]] void ThrowRangeError(Napi::Env env, const char* message);

}  // namespace voxpool::binding
