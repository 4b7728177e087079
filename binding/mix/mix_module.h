#pragma once

#include <napi.h>

namespace voxpool::binding {

// Adds NativeMixer, NativeSpeakerMixer, NativeResampler, NativeVolume and mixerConstants to
// `exports`.
void InitMix(Napi::Env env, Napi::Object exports);

}  // namespace voxpool::binding
