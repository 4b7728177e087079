#pragma once

#include <napi.h>

namespace voxpool::binding {

// The NativeOggDemuxer class (container::OggDemuxer on the pool). JS thread only.
Napi::Function DefineOggDemuxer(Napi::Env env);

}  // namespace voxpool::binding
