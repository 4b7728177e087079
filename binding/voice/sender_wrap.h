#pragma once

#include <napi.h>

namespace voxpool::binding {

// The NativeVoiceSender class (registered by InitVoice).
Napi::Function DefineVoiceSender(Napi::Env env);

}  // namespace voxpool::binding
