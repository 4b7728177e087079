// The sample loops of the mixer, apart from its bookkeeping: VOXPOOL_MULTIVERSION (AVX2 and a
// baseline, chosen at load time), so they are out-of-line calls anyway and lose nothing by living
// in their own translation unit. Private to src/mix. All are thread-compatible (they touch only
// their arguments), never allocate, and count `frames` per channel, `n` in samples.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "voxpool/pcm.h"

namespace voxpool::mix::kernels {

template <class T>
constexpr float kInScale = std::is_same_v<T, int16_t> ? 1.0f / 32768.0f : 1.0f;

// acc += in * g, g moving linearly from g0 (exclusive) to g1 (reached on the last frame); mono or
// interleaved stereo with one gain for both channels. s16 is scaled to float on the fly.
void AddScaled(float* acc, const float* in, int frames, int channels, float g0, float g1) noexcept;
void AddScaled(float* acc, const int16_t* in, int frames, int channels, float g0,
               float g1) noexcept;
// The same for interleaved stereo with its own gain ramp per channel (pan).
void AddScaledStereo(float* acc, const float* in, int frames, float l0, float l1, float r0,
                     float r1) noexcept;
void AddScaledStereo(float* acc, const int16_t* in, int frames, float l0, float l1, float r0,
                     float r1) noexcept;
// Float samples to s16, saturating.
void ToS16(const float* in, int16_t* out, size_t n) noexcept;

// RMS of n samples, as a fraction of full scale.
template <class T>
inline float Rms(const T* __restrict x, int n) noexcept {
  float lanes[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int i = 0;
  for (; i + 8 <= n; i += 8)
    for (int j = 0; j < 8; ++j) {
      const float v = static_cast<float>(x[i + j]) * kInScale<T>;
      lanes[j] += v * v;
    }
  float sum = 0;
  for (float l : lanes) sum += l;
  for (; i < n; ++i) {
    const float v = static_cast<float>(x[i]) * kInScale<T>;
    sum += v * v;
  }
  return n > 0 ? std::sqrt(sum / static_cast<float>(n)) : 0.0f;
}

}  // namespace voxpool::mix::kernels
