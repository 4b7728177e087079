#include "voxpool/filter/rotation.h"

#include <cmath>

namespace voxpool::filter {

void Rotation::Set(const FilterSettings& s) noexcept { lfo_.SetFrequency(s.rotation_hz, rate_); }

void Rotation::Process(float* pcm, int frames) noexcept {
  if (channels_ != 2) return;
  for (int i = 0; i < frames; ++i) {
    const float sine = static_cast<float>(lfo_.Next());
    pcm[2 * i] *= (1.0f + sine) * 0.5f;
    pcm[2 * i + 1] *= (1.0f - sine) * 0.5f;
  }
  lfo_.Renormalize();
}

}  // namespace voxpool::filter
