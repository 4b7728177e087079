#pragma once

#include <napi.h>

namespace voxpool::binding {

// Adds NativeVoiceSender and NativeVoiceReceiver to `exports`.
void InitPipeline(Napi::Env env, Napi::Object exports);

}  // namespace voxpool::binding
