// Lavalink's tremolo: the amplitude swings with a sine LFO of `frequency` Hz between 1 - depth and
// 1 (gain = 1 - depth/2 + depth/2 x sin(phase)). The phase runs on across calls and across
// frequency changes, so neither makes a step.
#pragma once

#include "voxpool/filter/filter_settings.h"
#include "voxpool/filter/lfo.h"

namespace voxpool::filter {

// Not thread-safe: one stream at a time.
class Tremolo {
 public:
  Tremolo(int sample_rate, int channels) noexcept : rate_(sample_rate), channels_(channels) {}
  // Targets from `s`: depth ramps over the next Process(), frequency changes at once. Never
  // allocates.
  void Set(const FilterSettings& s) noexcept;
  void Reset() noexcept;
  void Process(float* pcm, int frames) noexcept;  // in place, never allocates

 private:
  int rate_;
  int channels_;
  Lfo lfo_;
  float depth_ = 0.5f, target_depth_ = 0.5f;
};

}  // namespace voxpool::filter
