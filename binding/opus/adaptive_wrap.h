// NativeAdaptiveComplexity: the Node-API face of opus::AdaptiveComplexity, a controller that
// encoders created with { adaptive } share. JS thread only.
#pragma once

#include <napi.h>

#include <memory>

#include "voxpool/opus/adaptive_complexity.h"

namespace voxpool::binding {

Napi::Function DefineAdaptiveComplexity(Napi::Env env);

// The controller a NativeAdaptiveComplexity holds; TypeError for anything else.
std::shared_ptr<opus::AdaptiveComplexity> SharedAdaptiveOf(Napi::Env env, napi_value value);

}  // namespace voxpool::binding
