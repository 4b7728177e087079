#include "voxpool/filter/smoothing_low_pass.h"

#include <algorithm>
#include <cmath>

namespace voxpool::filter {

void SmoothingLowPass::Set(const FilterSettings& s) noexcept {
  target_ = static_cast<float>(1.0 / std::max(1.0, s.low_pass_smoothing));
}

void SmoothingLowPass::Process(float* pcm, int frames) noexcept {
  if (frames <= 0) return;
  if (!primed_) {
    for (int c = 0; c < channels_; ++c) value_[c] = pcm[c];
    primed_ = true;
  }
  const float step = (target_ - coefficient_) / frames;
  for (int c = 0; c < channels_; ++c) {
    float v = value_[c];
    float k = coefficient_;
    for (int i = 0; i < frames; ++i) {
      k += step;
      float& s = pcm[i * channels_ + c];
      v += (s - v) * k;
      s = v;
    }
    value_[c] = std::fabs(v) < 1e-30f ? 0.0f : v;
  }
  coefficient_ = target_;
}

}  // namespace voxpool::filter
