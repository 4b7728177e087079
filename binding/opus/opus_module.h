#pragma once

#include <napi.h>

namespace voxpool::binding {

// Adds NativeEncoder, NativeDecoder, NativeTranscoder, encodeMany, decodeMany and opusConstants
// to `exports`.
void InitOpus(Napi::Env env, Napi::Object exports);

}  // namespace voxpool::binding
