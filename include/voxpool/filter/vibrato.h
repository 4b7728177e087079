// Lavalink's vibrato: the pitch wobbles because the signal is read from a delay line whose length
// swings with a sine LFO between 3 samples and 3 + depth x 2 ms; reads between samples are
// 4-point Hermite interpolated.
#pragma once

#include <array>

#include "voxpool/filter/filter_settings.h"
#include "voxpool/filter/lfo.h"
#include "voxpool/filter/stage.h"

namespace voxpool::filter {

// Not thread-safe: one stream at a time.
class Vibrato final : public Stage {
 public:
  // The delay line: 2 ms of swing at the highest rate, twice over, plus the interpolator's reach.
  static constexpr int kRingSize = 256;
  static_assert(kRingSize > 2 * kFilterMaxSampleRate * 2 / 1000 + 4);

  Vibrato(int sample_rate, int channels) noexcept;
  bool On(const FilterSettings& s) const noexcept override { return s.vibrato; }
  void Set(const FilterSettings& s) noexcept override;  // depth ramps, frequency at once
  void Reset() noexcept override;
  void Process(float* pcm, int frames) noexcept override;  // in place, never allocates

 private:
  int rate_;
  int channels_;
  float max_delay_;  // samples: 2 ms
  Lfo lfo_;
  float depth_ = 0.5f, target_depth_ = 0.5f;
  int write_ = 0;
  // Interleaved frames, as the PCM: a chunk goes in with one copy and a run of reads is one
  // contiguous stretch for every channel.
  std::array<float, kRingSize * kFilterMaxChannels> ring_{};
};

}  // namespace voxpool::filter
