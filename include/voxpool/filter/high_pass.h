// A 2nd-order Butterworth high-pass (RBJ cookbook, Q = 1/sqrt 2): -3 dB at the cutoff, -12 dB per
// octave below it. Beyond Lavalink's set: removes rumble and DC before a voice or music encode.
#pragma once

#include <array>

#include "voxpool/filter/filter_settings.h"
#include "voxpool/filter/stage.h"

namespace voxpool::filter {

// Not thread-safe: one stream at a time.
class HighPass final : public Stage {
 public:
  HighPass(int sample_rate, int channels) noexcept : rate_(sample_rate), channels_(channels) {}
  bool On(const FilterSettings& s) const noexcept override { return s.high_pass; }
  // New coefficients at once; the state runs on. The cutoff is clamped below 0.45 x the rate.
  void Set(const FilterSettings& s) noexcept override;
  void Reset() noexcept override { state_ = {}; }
  void Process(float* pcm, int frames) noexcept override;  // in place, never allocates

 private:
  struct State {
    float x1 = 0, x2 = 0, y1 = 0, y2 = 0;
  };
  int rate_;
  int channels_;
  float b0_ = 1, b1_ = 0, b2_ = 0, a1_ = 0, a2_ = 0;
  std::array<State, kFilterMaxChannels> state_{};
};

}  // namespace voxpool::filter
