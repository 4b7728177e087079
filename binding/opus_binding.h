#pragma once

#include <napi.h>

#include <memory>

#include "voxpool/opus/encoder.h"

namespace voxpool::binding {

// Adds NativeEncoder, NativeDecoder, encodeMany, decodeMany and the Opus constants to `exports`.
void InitOpus(Napi::Env env, Napi::Object exports);

// The live encoder of a NativeEncoder, shared (a transcoder re-encodes with it). Throws a
// TypeError for anything else and ERR_VOXPOOL_DESTROYED once it is destroyed. JS thread only.
std::shared_ptr<opus::Encoder> SharedEncoderOf(Napi::Env env, napi_value value);

}  // namespace voxpool::binding
