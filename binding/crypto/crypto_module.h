#pragma once

#include <napi.h>

namespace voxpool::binding {

// Adds NativeVoiceCipher, NativeSecretStreamPush, NativeSecretStreamPull and cryptoConstants to
// `exports`.
void InitCrypto(Napi::Env env, Napi::Object exports);

}  // namespace voxpool::binding
