#pragma once

#include <napi.h>

namespace voxpool::binding {

// Adds configure, stats, resetStats and setErrorClass to `exports`.
void InitPool(Napi::Env env, Napi::Object exports);

}  // namespace voxpool::binding
