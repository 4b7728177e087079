// Lavalink's tremolo: the amplitude swings with a sine LFO of `frequency` Hz between 1 - depth and
// 1 (gain = 1 - depth/2 + depth/2 x sin(phase)). The phase runs on across calls and across
// frequency changes, so neither makes a step.
#pragma once

#include "voxpool/filter/filter_settings.h"
#include "voxpool/filter/lfo.h"
#include "voxpool/filter/stage.h"

namespace voxpool::filter {

// Not thread-safe: one stream at a time.
class Tremolo final : public Stage {
 public:
  Tremolo(int sample_rate, int channels) noexcept : rate_(sample_rate), channels_(channels) {}
  bool On(const FilterSettings& s) const noexcept override { return s.tremolo; }
  // Targets from `s`: depth ramps over the next Process(), frequency changes at once. Never
  // allocates.
  void Set(const FilterSettings& s) noexcept override;
  void Reset() noexcept override;
  void Process(float* pcm, int frames) noexcept override;  // in place, never allocates

 private:
  int rate_;
  int channels_;
  Lfo lfo_;
  float depth_ = 0.5f, target_depth_ = 0.5f;
};

}  // namespace voxpool::filter
