#include "voxpool/filter/distortion.h"

#include <algorithm>
#include <cmath>

namespace voxpool::filter {

float Distortion::Curve::operator()(float s) const noexcept {
  const float v = offset + scale * (sin_offset + std::sin(s * sin_scale)) *
                               (cos_offset + std::cos(s * cos_scale)) *
                               (tan_offset + std::tan(s * tan_scale));
  return std::isnan(v) ? 0.0f : std::clamp(v, -1.0f, 1.0f);
}

bool Distortion::Curve::operator==(const Curve& o) const noexcept {
  return sin_offset == o.sin_offset && sin_scale == o.sin_scale && cos_offset == o.cos_offset &&
         cos_scale == o.cos_scale && tan_offset == o.tan_offset && tan_scale == o.tan_scale &&
         offset == o.offset && scale == o.scale;
}

void Distortion::Set(const FilterSettings& s) noexcept {
  target_ =
      Curve{static_cast<float>(s.distortion_sin_offset), static_cast<float>(s.distortion_sin_scale),
            static_cast<float>(s.distortion_cos_offset), static_cast<float>(s.distortion_cos_scale),
            static_cast<float>(s.distortion_tan_offset), static_cast<float>(s.distortion_tan_scale),
            static_cast<float>(s.distortion_offset),     static_cast<float>(s.distortion_scale)};
}

void Distortion::Process(float* pcm, int frames) noexcept {
  const long n = static_cast<long>(frames) * channels_;
  if (current_ == target_) {
    for (long i = 0; i < n; ++i) pcm[i] = current_(pcm[i]);
    return;
  }
  for (int i = 0; i < frames; ++i) {
    const float w = static_cast<float>(i + 1) / frames;
    for (int c = 0; c < channels_; ++c) {
      float& s = pcm[i * channels_ + c];
      s = (1.0f - w) * current_(s) + w * target_(s);
    }
  }
  current_ = target_;
}

bool Distortion::On(const FilterSettings& s) const noexcept {
  return s.distortion_sin_offset != 0 || s.distortion_sin_scale != 1 ||
         s.distortion_cos_offset != 0 || s.distortion_cos_scale != 1 ||
         s.distortion_tan_offset != 0 || s.distortion_tan_scale != 1 || s.distortion_offset != 0 ||
         s.distortion_scale != 1;
}

}  // namespace voxpool::filter
