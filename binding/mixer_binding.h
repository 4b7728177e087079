#pragma once

#include <napi.h>

namespace voxpool::binding {

// Adds NativeMixer, NativeResampler, NativeSpeakerMixer, NativeVolume and mixerConstants to
// `exports`.
void InitMixer(Napi::Env env, Napi::Object exports);

}  // namespace voxpool::binding
