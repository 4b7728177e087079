// The mix domain's exports: its classes and mixerConstants (every limit and default lib/ needs for
// mixers, speaker mixers, resamplers and volume, so none is typed in JS).
#include "mix/mix_module.h"

#include <soxr.h>

#include "mix/mix_classes.h"
#include "numbers.h"
#include "voxpool/mix/mixer.h"
#include "voxpool/mix/resampler.h"
#include "voxpool/mix/speaker_mixer.h"
#include "voxpool/mix/volume.h"

namespace voxpool::binding {
namespace {

Napi::Object Constants(Napi::Env env) {
  Napi::Object c = NumberObject(env, {{"MIN_SAMPLE_RATE", mix::kResamplerMinRate},
                                      {"MAX_SAMPLE_RATE", mix::kResamplerMaxRate},
                                      {"MAX_CHANNELS", mix::kMixerMaxChannels},
                                      {"MAX_SOURCES", mix::kMixerMaxSources},
                                      {"MAX_FRAME_SIZE", mix::kMixerMaxFrameSize},
                                      {"MIN_QUEUE_FRAMES", mix::kMixerMinQueueFrames},
                                      {"MAX_QUEUE_FRAMES", mix::kMixerMaxQueueFrames},
                                      {"MAX_PUSH_FRAMES", mix::kMixerMaxPushFrames},
                                      {"STREAM_END_WAITS", mix::kMixerStreamEndWaits},
                                      {"MIN_GAIN_DB", mix::kMixerMinGainDb},
                                      {"MAX_GAIN_DB", mix::kMixerMaxGainDb},
                                      {"MAX_RAMP_MS", mix::kMixerMaxRampMs},
                                      {"SWITCH_RAMP_MS", mix::kMixerSwitchRampMs},
                                      {"MAX_SPEAKERS", mix::kSpeakerMaxSpeakers},
                                      {"MAX_JITTER_FRAMES", mix::kSpeakerMaxJitterFrames},
                                      {"MAX_PACKET_FRAMES", mix::kSpeakerMaxPacketFrames},
                                      {"MAX_VOLUME", mix::kVolumeMax},
                                      {"VOLUME_MAX_SAMPLE_RATE", mix::kVolumeMaxSampleRate},
                                      {"MIN_CEILING_DB", mix::kMixerMinCeilingDb},
                                      {"MIN_LIMITER_RELEASE_MS", mix::kMixerMinLimiterReleaseMs},
                                      {"MAX_LIMITER_RELEASE_MS", mix::kMixerMaxLimiterReleaseMs},
                                      {"MAX_DUCK_DEPTH_DB", mix::kMixerMaxDuckDepthDb},
                                      {"MIN_DUCK_THRESHOLD_DB", mix::kMixerMinDuckThresholdDb},
                                      {"MAX_CONCEAL_FRAMES", mix::kSpeakerMaxConcealFrames},
                                      {"MAX_IDLE_FRAMES", mix::kSpeakerMaxIdleFrames}});
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
