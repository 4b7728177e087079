#include "voxpool/filter/tremolo.h"

#include <algorithm>
#include <cmath>
#include <cstddef>

#include "voxpool/filter/ramp.h"

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
  float lfo[kLfoChunk];
  for (int at = 0; at < frames; at += kLfoChunk) {
    const int n = std::min(kLfoChunk, frames - at);
    lfo_.Fill(lfo, n);
    for (int i = 0; i < n; ++i) {  // the LFO's values become the frames' gains
      const float half = (depth_ + step * static_cast<float>(at + i + 1)) * 0.5f;
      lfo[i] = 1.0f - half + half * lfo[i];
    }
    ScaleFrames(pcm + static_cast<size_t>(at) * channels_, lfo, n, channels_);
  }
  lfo_.Renormalize();
  depth_ = target_depth_;
}

}  // namespace voxpool::filter
