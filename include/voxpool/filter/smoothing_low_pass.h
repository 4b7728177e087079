// Lavalink's lowPass: a one-pole smoother, value += (x - value) / smoothing, per channel. Its
// corner is near rate / (2 pi x smoothing): at 48 kHz and the default 20, about 380 Hz. Smoothing
// at or below 1 passes the signal unchanged (Lavalink's rule).
#pragma once

#include <array>

#include "voxpool/filter/filter_settings.h"
#include "voxpool/filter/stage.h"

namespace voxpool::filter {

// Not thread-safe: one stream at a time.
class SmoothingLowPass final : public Stage {
 public:
  explicit SmoothingLowPass(int channels) noexcept : channels_(channels) {}
  bool On(const FilterSettings& s) const noexcept override {
    return s.low_pass && s.low_pass_smoothing > 1.0;
  }
  // The factor moves to the new one over the next Process() call (a sudden change from heavy to
  // light smoothing would let the output catch up with the input in a few samples: a click).
  void Set(const FilterSettings& s) noexcept override;
  // The next call starts from its first sample (no fade in from silence), as Lavalink's does.
  void Reset() noexcept override {
    primed_ = false;
    coefficient_ = target_;
  }
  void Process(float* pcm, int frames) noexcept override;  // in place, never allocates

 private:
  int channels_;
  float coefficient_ = 1.0f / 20;  // 1 / smoothing, now
  float target_ = 1.0f / 20;       // and after the next call
  bool primed_ = false;
  std::array<float, kFilterMaxChannels> value_{};
};

}  // namespace voxpool::filter
