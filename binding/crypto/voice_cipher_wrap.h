#pragma once

#include <napi.h>

namespace voxpool::binding {

// The NativeVoiceCipher class, sealInto / openInto included (registered by InitCrypto).
Napi::Function DefineVoiceCipher(Napi::Env env);

}  // namespace voxpool::binding
