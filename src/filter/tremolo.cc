#include "voxpool/filter/tremolo.h"

#include <cmath>

namespace voxpool::filter {

void Tremolo::Set(const FilterSettings& s) noexcept {
  target_depth_ = static_cast<float>(s.tremolo_depth);
  lfo_.SetFrequency(s.tremolo_frequency, rate_);
}

void Tremolo::Reset() noexcept {
  lfo_.Reset();
  depth_ = target_depth_;
}

void Tremolo::Process(float* pcm, int frames) noexcept {
  if (frames <= 0) return;
  const float step = (target_depth_ - depth_) / frames;
  float depth = depth_;
  for (int i = 0; i < frames; ++i) {
    depth += step;
    const float half = depth * 0.5f;
    const float gain = 1.0f - half + half * static_cast<float>(lfo_.Next());
    for (int c = 0; c < channels_; ++c) pcm[i * channels_ + c] *= gain;
  }
  lfo_.Renormalize();
  depth_ = target_depth_;
}

}  // namespace voxpool::filter
