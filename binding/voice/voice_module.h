#pragma once

#include <napi.h>

namespace voxpool::binding {

// Adds NativeVoiceSender, NativeVoiceReceiver and voiceConstants to `exports`.
void InitVoice(Napi::Env env, Napi::Object exports);

}  // namespace voxpool::binding
