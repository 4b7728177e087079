// The gain ramp every filter stage uses for a click-free change: a linear move from one gain to
// another across one block of frames, reaching the new gain on the block's last frame.
#pragma once

namespace voxpool::filter {

// Scales `frames` interleaved frames of `channels` in place by a gain going linearly from `from`
// (exclusive) to `to` (on the last frame). Never allocates. Thread-safe (pure).
inline void RampGain(float* pcm, int frames, int channels, float from, float to) noexcept {
  if (frames <= 0) return;
  const float step = (to - from) / static_cast<float>(frames);
  float g = from;
  for (int i = 0; i < frames; ++i) {
    g += step;
    for (int c = 0; c < channels; ++c) pcm[i * channels + c] *= g;
  }
}

}  // namespace voxpool::filter
