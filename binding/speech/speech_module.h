#pragma once

#include <napi.h>

namespace voxpool::binding {

// Adds NativeSpeechProcessor and speechConstants to `exports`.
void InitSpeech(Napi::Env env, Napi::Object exports);

// The NativeSpeechProcessor class (speech_processor_wrap.cc).
Napi::Function DefineNativeSpeechProcessor(Napi::Env env);

}  // namespace voxpool::binding
