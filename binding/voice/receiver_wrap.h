#pragma once

#include <napi.h>

namespace voxpool::binding {

// The NativeVoiceReceiver class (registered by InitVoice).
Napi::Function DefineVoiceReceiver(Napi::Env env);

}  // namespace voxpool::binding
