#include "voxpool/filter/fade.h"

#include <cmath>

namespace voxpool::filter {

void Fade::Start(float target, int64_t frames, FadeCurve curve) noexcept {
  start_ = gain_;
  target_ = target;
  curve_ = curve;
  length_ = frames;
  remaining_ = frames;
  if (frames <= 0) gain_ = target;
}

float Fade::Shape(double t) const noexcept {
  switch (curve_) {
    case FadeCurve::kEqualPower:
      // Rising: sin(pi t / 2); falling: 1 - cos(pi t / 2), so a fade-out from 1 to 0 is
      // cos(pi t / 2) and its power plus a fade-in's sums to 1.
      return static_cast<float>(target_ >= start_ ? std::sin(M_PI_2 * t)
                                                  : 1.0 - std::cos(M_PI_2 * t));
    case FadeCurve::kSCurve:
      return static_cast<float>(0.5 - 0.5 * std::cos(M_PI * t));
    default:
      return static_cast<float>(t);
  }
}

void Fade::Process(float* pcm, int frames, int channels) noexcept {
  for (int i = 0; i < frames; ++i) {
    if (remaining_ > 0) {
      --remaining_;
      const double t = static_cast<double>(length_ - remaining_) / static_cast<double>(length_);
      gain_ = remaining_ == 0 ? target_ : start_ + (target_ - start_) * Shape(t);
    }
    for (int c = 0; c < channels; ++c) pcm[i * channels + c] *= gain_;
  }
}

}  // namespace voxpool::filter
