#pragma once

#include <napi.h>

#include <memory>

#include "voxpool/filter/filter_chain.h"

namespace voxpool::binding {

// Adds NativeFilterChain, NativeCrossfade and filterConstants to `exports`.
void InitFilter(Napi::Env env, Napi::Object exports);

// The NativeFilterChain class (filter_chain_wrap.cc) and NativeCrossfade (crossfade_wrap.cc).
Napi::Function DefineNativeFilterChain(Napi::Env env);
Napi::Function DefineNativeCrossfade(Napi::Env env);

// `value` (a curve's index in kFadeCurveNames, which lib/ sends) as a FadeCurve; RangeError
// otherwise.
filter::FadeCurve FadeCurveOf(Napi::Env env, napi_value value);

// The live chain of a NativeFilterChain, shared (an encoder or transcoder runs it inside its own
// jobs). TypeError for anything else, ERR_VOXPOOL_DESTROYED once destroyed. JS thread only.
std::shared_ptr<filter::FilterChain> SharedFilterChainOf(Napi::Env env, napi_value value);

}  // namespace voxpool::binding
