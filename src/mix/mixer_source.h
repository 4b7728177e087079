// Mixer::Source (one input's FIFO, resampler and gain state) and the argument checks the mixer's
// methods share, private to src/mix: mixer.cc pushes and mixes, mixer_controls.cc sets gains and
// reads stats.
#pragma once

#include <cmath>
#include <cstdint>
#include <memory>

#include "voxpool/mix/gain_ramp.h"
#include "voxpool/mix/mixer.h"
#include "voxpool/mix/resampler.h"
#include "voxpool/pcm.h"
#include "voxpool/status.h"

namespace voxpool::mix {

struct Mixer::Source {
  bool in_use = false;
  uint32_t id = 0;
  int rate = 0;      // of pushed PCM
  int channels = 0;  // of pushed PCM
  int prebuffer = 0;
  bool primed = false;
  bool ended = false;  // EndSource ran: no more pushes; what is queued plays without a prebuffer
  std::unique_ptr<Resampler> resampler;      // null at the mixer's rate
  SampleFormat format = SampleFormat::kS16;  // of pushed PCM
  // FIFO storage for capacity * mixer channels samples of 4 bytes, allocated with the mixer.
  // Holds s16 samples as pushed when nothing needs converting (s16 at the mixer's rate and
  // channel count: half the memory traffic and no conversion pass), float otherwise.
  std::unique_ptr<unsigned char[]> fifo;
  bool fifo_s16 = false;
  float* f32() const noexcept { return reinterpret_cast<float*>(fifo.get()); }
  int16_t* s16() const noexcept { return reinterpret_cast<int16_t*>(fifo.get()); }
  int capacity = 0;  // frames; a multiple of frame_size so a read never wraps
  int read = 0;      // frame index of the oldest queued frame
  int count = 0;     // frames queued
  GainRamp gain;
  GainRamp gate;  // mute / solo
  GainRamp pan_l;
  GainRamp pan_r;
  bool muted = false;
  bool solo = false;
  bool ducker = false;
  SourceStats stats;
};

namespace mixer_checks {

inline Status Invalid(const char* message) { return Status(ErrorCode::kInvalidArgument, message); }
inline Status NoSource() { return Invalid("No source with this id"); }

inline bool ValidGain(float linear) {
  return std::isfinite(linear) && linear >= 0.0f && linear <= DbToLinear(kMixerMaxGainDb) * 1.0001f;
}
inline bool ValidRamp(float ms) { return std::isfinite(ms) && ms >= 0.0f && ms <= kMixerMaxRampMs; }

}  // namespace mixer_checks
}  // namespace voxpool::mix
