#include "voxpool/filter/ramp.h"

#include "voxpool/pcm.h"

namespace voxpool::filter {

// Every active chain pays this once a block (volume), as do the compressor and loudness, so it is
// VOXPOOL_MULTIVERSION and written to vectorise: the gain of frame i is computed from i rather than
// accumulated (a running g += step is a serial dependency GCC cannot vectorise, and it drifts).
VOXPOOL_MULTIVERSION void RampGain(float* __restrict pcm, int frames, int channels, float from,
                                   float to) noexcept {
  if (frames <= 0) return;
  if (from == to) {
    const int n = frames * channels;
    for (int k = 0; k < n; ++k) pcm[k] *= to;
    return;
  }
  const float step = (to - from) / static_cast<float>(frames);
  if (channels == 2) {
    for (int i = 0; i < frames; ++i) {
      const float g = from + step * static_cast<float>(i + 1);
      pcm[2 * i] *= g;
      pcm[2 * i + 1] *= g;
    }
    return;
  }
  for (int i = 0; i < frames; ++i) {
    const float g = from + step * static_cast<float>(i + 1);
    for (int c = 0; c < channels; ++c) pcm[i * channels + c] *= g;
  }
}

// A loop over a runtime channel count does not vectorise: stereo and mono are spelled out.
VOXPOOL_MULTIVERSION void ScaleFrames(float* __restrict pcm, const float* __restrict gains,
                                      int frames, int channels) noexcept {
  if (channels == 2) {
    for (int i = 0; i < frames; ++i) {
      pcm[2 * i] *= gains[i];
      pcm[2 * i + 1] *= gains[i];
    }
  } else if (channels == 1) {
    for (int i = 0; i < frames; ++i) pcm[i] *= gains[i];
  } else {
    for (int i = 0; i < frames; ++i)
      for (int c = 0; c < channels; ++c) pcm[i * channels + c] *= gains[i];
  }
}

}  // namespace voxpool::filter
