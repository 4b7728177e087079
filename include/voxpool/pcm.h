// Interleaved PCM sample formats and the conversions the mixer and resampler share. The loops are
// plain indexed loops over restrict pointers so the compiler vectorises them (see docs/MIXER.md).
#pragma once

#include <cstddef>
#include <cstdint>

// Hot sample loops are compiled for AVX2 and for the baseline and picked at load time (GCC
// function multiversioning, which needs glibc's ifunc: x86-64 glibc Linux only, so musl builds
// such as Alpine's get the baseline); elsewhere this expands to nothing. Not under TSan: ifunc
// resolvers run before the TSan runtime is initialised and crash the process at load.
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__) && \
    defined(__GLIBC__) && !defined(__SANITIZE_THREAD__)
#define VOXPOOL_MULTIVERSION __attribute__((target_clones("avx2", "default")))
#else
#define VOXPOOL_MULTIVERSION
#endif

namespace voxpool {

// Interleaved sample encodings: signed 16-bit little-endian ("s16le") or 32-bit float in [-1, 1]
// ("f32le").
enum class SampleFormat { kS16, kF32 };

inline constexpr size_t BytesPerSample(SampleFormat f) noexcept {
  return f == SampleFormat::kS16 ? sizeof(int16_t) : sizeof(float);
}

namespace pcm {

// s16 -> float in [-1, 1): x / 32768. Exact (every int16 is representable). Never allocates.
// Thread-safe (pure).
inline void S16ToFloat(const int16_t* __restrict in, float* __restrict out, size_t n) noexcept {
  constexpr float kScale = 1.0f / 32768.0f;
  for (size_t i = 0; i < n; ++i) out[i] = static_cast<float>(in[i]) * kScale;
}

// float -> s16: x * 32768, rounded to nearest, saturated to [-32768, 32767]. Integers stay exact,
// so sums of s16 inputs at unity gain come back bit-exact. Never allocates. Thread-safe (pure).
inline void FloatToS16(const float* __restrict in, int16_t* __restrict out, size_t n) noexcept {
  for (size_t i = 0; i < n; ++i) {
    float v = in[i] * 32768.0f;
    v = v > 32767.0f ? 32767.0f : v;
    v = v < -32768.0f ? -32768.0f : v;
    // Round half away from zero with a select rather than lrintf, which GCC will not vectorise.
    out[i] = static_cast<int16_t>(static_cast<int32_t>(v + (v >= 0.0f ? 0.5f : -0.5f)));
  }
}

// Stereo -> mono: (L + R) / 2 per frame. Never allocates. Thread-safe (pure).
inline void DownmixStereo(const float* __restrict in, float* __restrict out,
                          size_t frames) noexcept {
  for (size_t i = 0; i < frames; ++i) out[i] = 0.5f * (in[2 * i] + in[2 * i + 1]);
}

// Mono -> stereo: each sample to both channels. Never allocates. Thread-safe (pure).
inline void UpmixMono(const float* __restrict in, float* __restrict out, size_t frames) noexcept {
  for (size_t i = 0; i < frames; ++i) out[2 * i] = out[2 * i + 1] = in[i];
}

}  // namespace pcm
}  // namespace voxpool
