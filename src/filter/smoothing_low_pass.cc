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
  if (channels_ == 2) {
    // Both channels in one pass: two independent recursions side by side hide each one's latency.
    // Lavalink's v += (x - v) k written as v (1 - k) + x k: the same filter, but a sample waits
    // on a multiply and an add of the last one instead of a subtract, a multiply and an add.
    float l = value_[0], r = value_[1];
    for (int i = 0; i < frames; ++i) {
      const float k = coefficient_ + step * static_cast<float>(i + 1);
      l = l * (1.0f - k) + pcm[2 * i] * k;
      r = r * (1.0f - k) + pcm[2 * i + 1] * k;
      pcm[2 * i] = l;
      pcm[2 * i + 1] = r;
    }
    value_[0] = std::fabs(l) < 1e-30f ? 0.0f : l;
    value_[1] = std::fabs(r) < 1e-30f ? 0.0f : r;
    coefficient_ = target_;
    return;
  }
  for (int c = 0; c < channels_; ++c) {
    float v = value_[c];
    for (int i = 0; i < frames; ++i) {
      const float k = coefficient_ + step * static_cast<float>(i + 1);
      float& s = pcm[i * channels_ + c];
      v = v * (1.0f - k) + s * k;
      s = v;
    }
    value_[c] = std::fabs(v) < 1e-30f ? 0.0f : v;
  }
  coefficient_ = target_;
}

}  // namespace voxpool::filter
