#pragma once

#include <napi.h>

namespace voxpool::binding {

// The NativeWebmDemuxer class (container::WebmDemuxer on the pool). JS thread only.
Napi::Function DefineWebmDemuxer(Napi::Env env);

}  // namespace voxpool::binding
