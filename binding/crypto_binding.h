#pragma once

#include <napi.h>

namespace voxpool::binding {

// Adds NativeVoiceCipher, NativeSecretStreamPush, NativeSecretStreamPull, cryptoConstants and
// (through InitPipeline) NativeVoiceSender / NativeVoiceReceiver to `exports`.
void InitCrypto(Napi::Env env, Napi::Object exports);

}  // namespace voxpool::binding
