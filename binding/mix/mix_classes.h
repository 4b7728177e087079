// The mix domain's classes, each defined in its own file (mixer_wrap.cc, speaker_mixer_wrap.cc,
// resampler_wrap.cc, volume_wrap.cc) and registered by mix_module.cc. JS thread only.
#pragma once

#include <napi.h>

namespace voxpool::binding {

Napi::Function DefineNativeMixer(Napi::Env env);
Napi::Function DefineNativeSpeakerMixer(Napi::Env env);
Napi::Function DefineNativeResampler(Napi::Env env);
Napi::Function DefineNativeVolume(Napi::Env env);

}  // namespace voxpool::binding
