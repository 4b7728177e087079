#pragma once

#include <napi.h>

namespace voxpool::binding {

// Adds NativeOggDemuxer, NativeOggMuxer, parseOpusHead, parseOpusTags and containerConstants to `exports`.
void InitContainer(Napi::Env env, Napi::Object exports);

}  // namespace voxpool::binding
