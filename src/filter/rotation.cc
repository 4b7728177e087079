#include "voxpool/filter/rotation.h"

#include <algorithm>
#include <cmath>
#include <cstddef>

namespace voxpool::filter {

void Rotation::Set(const FilterSettings& s) noexcept { lfo_.SetFrequency(s.rotation_hz, rate_); }

void Rotation::Process(float* pcm, int frames) noexcept {
  if (channels_ != 2) return;
  float lfo[kLfoChunk];
  for (int at = 0; at < frames; at += kLfoChunk) {
    const int n = std::min(kLfoChunk, frames - at);
    lfo_.Fill(lfo, n);
    float* block = pcm + 2 * static_cast<size_t>(at);
    for (int i = 0; i < n; ++i) {
      block[2 * i] *= (1.0f + lfo[i]) * 0.5f;
      block[2 * i + 1] *= (1.0f - lfo[i]) * 0.5f;
    }
  }
  lfo_.Renormalize();
}

}  // namespace voxpool::filter
