#pragma once

#include <napi.h>

namespace voxpool::binding {

// The NativeOggMuxer class (container::OggMuxer on the pool). JS thread only.
Napi::Function DefineOggMuxer(Napi::Env env);

}  // namespace voxpool::binding
