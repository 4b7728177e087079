#pragma once

#include <napi.h>

namespace voxpool::binding {

// Adds NativeEncoder, NativeDecoder, encodeMany, decodeMany and the Opus constants to `exports`.
void InitOpus(Napi::Env env, Napi::Object exports);

}  // namespace voxpool::binding
