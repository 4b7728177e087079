// The mix domain's exports: its classes and mixerConstants (every limit and default lib/ needs for
// mixers, speaker mixers, resamplers and volume, so none is typed in JS).
#include "mix/mix_module.h"

#include <soxr.h>

#include "mix/mix_classes.h"
#include "voxpool/mix/mixer.h"
#include "voxpool/mix/resampler.h"
#include "voxpool/mix/speaker_mixer.h"
#include "voxpool/mix/volume.h"

namespace voxpool::binding {
namespace {

Napi::Object Constants(Napi::Env env) {
  Napi::Object c = Napi::Object::New(env);
  c.Set("MIN_SAMPLE_RATE", mix::kResamplerMinRate);
  c.Set("MAX_SAMPLE_RATE", mix::kResamplerMaxRate);
  c.Set("MAX_CHANNELS", mix::kMixerMaxChannels);
  c.Set("MAX_SOURCES", mix::kMixerMaxSources);
  c.Set("MAX_FRAME_SIZE", mix::kMixerMaxFrameSize);
  c.Set("MIN_QUEUE_FRAMES", mix::kMixerMinQueueFrames);
  c.Set("MAX_QUEUE_FRAMES", mix::kMixerMaxQueueFrames);
  c.Set("MAX_PUSH_FRAMES", mix::kMixerMaxPushFrames);
  c.Set("MIN_GAIN_DB", mix::kMixerMinGainDb);
  c.Set("MAX_GAIN_DB", mix::kMixerMaxGainDb);
  c.Set("MAX_RAMP_MS", mix::kMixerMaxRampMs);
  c.Set("SWITCH_RAMP_MS", mix::kMixerSwitchRampMs);
  c.Set("MAX_SPEAKERS", mix::kSpeakerMaxSpeakers);
  c.Set("MAX_JITTER_FRAMES", mix::kSpeakerMaxJitterFrames);
  c.Set("MAX_PACKET_FRAMES", mix::kSpeakerMaxPacketFrames);
  c.Set("MAX_VOLUME", mix::kVolumeMax);
  c.Set("VOLUME_MAX_SAMPLE_RATE", mix::kVolumeMaxSampleRate);
  c.Set("MIN_CEILING_DB", mix::kMixerMinCeilingDb);
  c.Set("MIN_LIMITER_RELEASE_MS", mix::kMixerMinLimiterReleaseMs);
  c.Set("MAX_LIMITER_RELEASE_MS", mix::kMixerMaxLimiterReleaseMs);
  c.Set("MAX_DUCK_DEPTH_DB", mix::kMixerMaxDuckDepthDb);
  c.Set("MIN_DUCK_THRESHOLD_DB", mix::kMixerMinDuckThresholdDb);
  c.Set("MAX_CONCEAL_FRAMES", mix::kSpeakerMaxConcealFrames);
  c.Set("MAX_IDLE_FRAMES", mix::kSpeakerMaxIdleFrames);
  // Defaults of an options object that leaves a key out: the core's, read from its structs.
  const mix::MixerOptions m;
  c.Set("DEFAULT_SAMPLE_RATE", m.sample_rate);
  c.Set("DEFAULT_CHANNELS", m.channels);
  c.Set("DEFAULT_MAX_SOURCES", m.max_sources);
  c.Set("DEFAULT_QUEUE_FRAMES", m.queue_frames);
  c.Set("DEFAULT_LIMITER_RELEASE_MS", m.limiter_release_ms);
  const mix::SpeakerMixerOptions s;
  c.Set("DEFAULT_INPUT_RATE", s.input_rate);
  c.Set("DEFAULT_INPUT_CHANNELS", s.input_channels);
  c.Set("DEFAULT_OUTPUT_RATE", s.output_rate);
  c.Set("DEFAULT_OUTPUT_CHANNELS", s.output_channels);
  c.Set("DEFAULT_JITTER_FRAMES", s.jitter_frames);
  c.Set("DEFAULT_MAX_SPEAKERS", s.max_speakers);
  c.Set("DEFAULT_CONCEAL_FRAMES", s.conceal_frames);
  c.Set("DEFAULT_IDLE_FRAMES", s.idle_frames);
  // A Volume's defaults are the mixer's (lib/ reads one pair).
  static_assert(mix::kVolumeDefaultSampleRate == mix::MixerOptions{}.sample_rate &&
                mix::kVolumeDefaultChannels == mix::MixerOptions{}.channels);
  c.Set("RESAMPLER", soxr_version());
  return c;
}

}  // namespace

void InitMix(Napi::Env env, Napi::Object exports) {
  exports.Set("NativeMixer", DefineNativeMixer(env));
  exports.Set("NativeResampler", DefineNativeResampler(env));
  exports.Set("NativeSpeakerMixer", DefineNativeSpeakerMixer(env));
  exports.Set("NativeVolume", DefineNativeVolume(env));
  exports.Set("mixerConstants", Constants(env));
}

}  // namespace voxpool::binding
