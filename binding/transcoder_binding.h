#pragma once

#include <napi.h>

namespace voxpool::binding {

// Adds NativeTranscoder (Opus -> volume -> Opus in one pool job per frame) to `exports`.
void InitTranscoder(Napi::Env env, Napi::Object exports);

}  // namespace voxpool::binding
