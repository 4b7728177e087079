// FP exceptions are never enabled here, so let GCC if-convert the clamps and selects in the
// sample loops (with the default -ftrapping-math it refuses and leaves them scalar).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("no-trapping-math")
#endif
#include "mix_kernels.h"

namespace voxpool::mix::kernels {
namespace {

// The kernels below are VOXPOOL_MULTIVERSION (AVX2 + baseline); the loops are written so both
// versions vectorise (docs/MIXER.md).

// acc += in * g, g moving linearly from g0 (exclusive) to g1 (reached on the last frame). Mono,
// or interleaved stereo with the same gain on both channels. s16 input is scaled to float on the
// fly (the scale is folded into the gain, so unity-gain sums stay exact).
template <class T>
inline __attribute__((always_inline)) void AddScaledBody(float* __restrict acc,
                                                         const T* __restrict in, int frames,
                                                         int channels, float g0, float g1) {
  const int n = frames * channels;
  if (g0 == g1) {
    if (g0 == 0.0f) return;
    const float g = g0 * kInScale<T>;
    for (int i = 0; i < n; ++i) acc[i] += static_cast<float>(in[i]) * g;
    return;
  }
  const float step = (g1 - g0) / static_cast<float>(frames) * kInScale<T>;
  const float base = g0 * kInScale<T>;
  if (channels == 1) {
    for (int i = 0; i < frames; ++i)
      acc[i] += static_cast<float>(in[i]) * (base + step * static_cast<float>(i + 1));
  } else {
    for (int f = 0; f < frames; ++f) {
      const float g = base + step * static_cast<float>(f + 1);
      acc[2 * f] += static_cast<float>(in[2 * f]) * g;
      acc[2 * f + 1] += static_cast<float>(in[2 * f + 1]) * g;
    }
  }
}

// Interleaved stereo with separate left and right gains (panned sources).
template <class T>
inline __attribute__((always_inline)) void AddStereoBody(float* __restrict acc,
                                                         const T* __restrict in, int frames,
                                                         float l0, float l1, float r0, float r1) {
  const float k_in = kInScale<T>;
  if (l0 == l1 && r0 == r1) {  // steady pan: no per-frame gain arithmetic
    const float l = l0 * k_in, r = r0 * k_in;
    for (int i = 0; i < 2 * frames; i += 2) {
      acc[i] += static_cast<float>(in[i]) * l;
      acc[i + 1] += static_cast<float>(in[i + 1]) * r;
    }
    return;
  }
  const float sl = (l1 - l0) / static_cast<float>(frames) * k_in;
  const float sr = (r1 - r0) / static_cast<float>(frames) * k_in;
  const float bl = l0 * k_in, br = r0 * k_in;
  for (int f = 0; f < frames; ++f) {
    const float k = static_cast<float>(f + 1);
    acc[2 * f] += static_cast<float>(in[2 * f]) * (bl + sl * k);
    acc[2 * f + 1] += static_cast<float>(in[2 * f + 1]) * (br + sr * k);
  }
}

}  // namespace

VOXPOOL_MULTIVERSION void AddScaled(float* acc, const float* in, int frames, int channels, float g0,
                                    float g1) noexcept {
  AddScaledBody(acc, in, frames, channels, g0, g1);
}
VOXPOOL_MULTIVERSION void AddScaled(float* acc, const int16_t* in, int frames, int channels,
                                    float g0, float g1) noexcept {
  AddScaledBody(acc, in, frames, channels, g0, g1);
}
VOXPOOL_MULTIVERSION void AddScaledStereo(float* acc, const float* in, int frames, float l0,
                                          float l1, float r0, float r1) noexcept {
  AddStereoBody(acc, in, frames, l0, l1, r0, r1);
}
VOXPOOL_MULTIVERSION void AddScaledStereo(float* acc, const int16_t* in, int frames, float l0,
                                          float l1, float r0, float r1) noexcept {
  AddStereoBody(acc, in, frames, l0, l1, r0, r1);
}
VOXPOOL_MULTIVERSION void ToS16(const float* in, int16_t* out, size_t n) noexcept {
  pcm::FloatToS16(in, out, n);
}

}  // namespace voxpool::mix::kernels
