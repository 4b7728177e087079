#pragma once

#include <napi.h>

namespace voxpool::binding {

// Adds buildInfo (how this binary was built: Node-API version, how each library is linked) to
// `exports`, for voxpool.report().
void InitBuildInfo(Napi::Env env, Napi::Object exports);

}  // namespace voxpool::binding
