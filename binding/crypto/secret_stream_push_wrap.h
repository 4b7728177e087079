#pragma once

#include <napi.h>

namespace voxpool::binding {

// The NativeSecretStreamPush class (registered by InitCrypto).
Napi::Function DefineSecretStreamPush(Napi::Env env);

}  // namespace voxpool::binding
