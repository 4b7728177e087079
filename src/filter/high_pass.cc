#include "voxpool/filter/high_pass.h"

#include <algorithm>
#include <cmath>

namespace voxpool::filter {

void HighPass::Set(const FilterSettings& s) noexcept {
  const double cutoff = std::min(s.high_pass_cutoff_hz, 0.45 * rate_);
  const double w0 = 2.0 * M_PI * cutoff / rate_;
  const double alpha = std::sin(w0) / (2.0 * M_SQRT1_2);
  const double cw = std::cos(w0);
  const double a0 = 1.0 + alpha;
  b0_ = static_cast<float>((1.0 + cw) / 2.0 / a0);
  b1_ = static_cast<float>(-(1.0 + cw) / a0);
  b2_ = b0_;
  a1_ = static_cast<float>(-2.0 * cw / a0);
  a2_ = static_cast<float>((1.0 - alpha) / a0);
}

void HighPass::Process(float* pcm, int frames) noexcept {
  for (int c = 0; c < channels_; ++c) {
    State s = state_[c];
    for (int i = 0; i < frames; ++i) {
      float& x = pcm[i * channels_ + c];
      const float y = b0_ * x + b1_ * s.x1 + b2_ * s.x2 - a1_ * s.y1 - a2_ * s.y2;
      s.x2 = s.x1;
      s.x1 = x;
      s.y2 = s.y1;
      s.y1 = y;
      x = y;
    }
    if (std::fabs(s.y1) < 1e-30f) s.y1 = 0;
    if (std::fabs(s.y2) < 1e-30f) s.y2 = 0;
    state_[c] = s;
  }
}

}  // namespace voxpool::filter
