#pragma once

#include <napi.h>

namespace voxpool::binding {

// The NativeSecretStreamPull class (registered by InitCrypto).
Napi::Function DefineSecretStreamPull(Napi::Env env);

}  // namespace voxpool::binding
