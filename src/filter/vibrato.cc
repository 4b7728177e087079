#include "voxpool/filter/vibrato.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "voxpool/pcm.h"

namespace voxpool::filter {
namespace {

constexpr float kBaseDelaySeconds = 0.002f;
constexpr float kMinDelaySamples = 3.0f;  // keeps the interpolator's four points in the past

// 4-point, 3rd-order Hermite between x0 and x1 at fraction t in [0, 1).
inline float Hermite(float xm1, float x0, float x1, float x2, float t) noexcept {
  const float c1 = 0.5f * (x1 - xm1);
  const float c2 = xm1 - 2.5f * x0 + 2.0f * x1 - 0.5f * x2;
  const float c3 = 0.5f * (x2 - xm1) + 1.5f * (x0 - x1);
  return ((c3 * t + c2) * t + c1) * t + x0;
}

// The interpolated reads of a chunk of C-channel frames, in place over `out` (the chunk already
// copied into the ring, interleaved like it). The read for frame i is between ring frames k and
// k + 1, k = write + i - back[i]. The delay moves by well under a sample per sample (0.09 at
// most, depth 1 at 14 Hz; 0.006 at the defaults, 2 Hz and depth 0.5), so back[] holds for many
// frames in a row: then eight frames' taps are one contiguous stretch of the ring and their
// interpolations run side by side (per-sample gathers through the wrapping mask, and a strided
// copy per channel, were a third of the Lavalink set's cost). Same arithmetic either way:
// bit-exact. `frac` holds each frame's fraction once per channel.
template <int C>
VOXPOOL_MULTIVERSION void ReadChunk(const float* __restrict r, int write,
                                    const int* __restrict back, const float* __restrict frac,
                                    float* __restrict out, int n) noexcept {
  constexpr int kMask = Vibrato::kRingSize - 1;
  const auto read = [&](int i) {
    const int k = write + i - back[i];
    for (int c = 0; c < C; ++c)
      out[i * C + c] =
          Hermite(r[((k - 1) & kMask) * C + c], r[(k & kMask) * C + c],
                  r[((k + 1) & kMask) * C + c], r[((k + 2) & kMask) * C + c], frac[i * C + c]);
  };
  int i = 0;
  for (; i + 8 <= n; i += 8) {
    const int start = (write + i - back[i] - 1) & kMask;
    int differ = 0;
    for (int j = 1; j < 8; ++j) differ |= back[i + j] ^ back[i];
    if (differ == 0 && start + 8 + 3 <= Vibrato::kRingSize) {
      const float* p = r + start * C;
      float* o = out + i * C;
      const float* f = frac + i * C;
      for (int m = 0; m < 8 * C; ++m)
        o[m] = Hermite(p[m], p[m + C], p[m + 2 * C], p[m + 3 * C], f[m]);
      continue;
    }
    for (int j = i; j < i + 8; ++j) read(j);
  }
  for (; i < n; ++i) read(i);
}

// One chunk of C-channel frames: into the ring (one or two copies: up to its end, then from its
// start), then the reads over the chunk.
template <int C>
void RunChunk(float* ring, int write, const int* back, const float* frac_of_frame, float* block,
              int n) noexcept {
  float frac[kLfoChunk * C];
  for (int i = 0; i < n; ++i)
    for (int c = 0; c < C; ++c) frac[i * C + c] = frac_of_frame[i];
  const int first = std::min(n, Vibrato::kRingSize - write);
  std::memcpy(ring + static_cast<size_t>(write) * C, block, sizeof(float) * first * C);
  std::memcpy(ring, block + static_cast<size_t>(first) * C, sizeof(float) * (n - first) * C);
  ReadChunk<C>(ring, write, back, frac, block, n);
}

}  // namespace

Vibrato::Vibrato(int sample_rate, int channels) noexcept
    : rate_(sample_rate), channels_(channels), max_delay_(kBaseDelaySeconds * sample_rate) {}

void Vibrato::Set(const FilterSettings& s) noexcept {
  target_depth_ = static_cast<float>(s.vibrato_depth);
  lfo_.SetFrequency(s.vibrato_frequency, rate_);
}

void Vibrato::Reset() noexcept {
  ring_ = {};
  write_ = 0;
  lfo_.Reset();
  depth_ = target_depth_;
}

// A chunk at a time: the LFO's values, then each read point and fraction (shared by the
// channels), then per channel the chunk's input into the ring and the interpolated reads. Writing
// the chunk before reading is the same as writing each sample after its read: a read reaches
// back at least 2 samples and the ring keeps a chunk plus the longest delay.
void Vibrato::Process(float* pcm, int frames) noexcept {
  if (frames <= 0) return;
  constexpr int kMask = kRingSize - 1;
  static_assert((kRingSize & kMask) == 0, "the ring wraps by mask");
  static_assert(
      kLfoChunk + kBaseDelaySeconds * kFilterMaxSampleRate + kMinDelaySamples + 3 < kRingSize,
      "a chunk written ahead must not overwrite what its reads reach");
  const float step = (target_depth_ - depth_) / frames;
  float lfo[kLfoChunk];
  float frac[kLfoChunk];
  int back[kLfoChunk];
  for (int at = 0; at < frames; at += kLfoChunk) {
    const int n = std::min(kLfoChunk, frames - at);
    lfo_.Fill(lfo, n);
    for (int i = 0; i < n; ++i) {
      const float depth = depth_ + step * static_cast<float>(at + i + 1);
      const float delay = (lfo[i] + 1.0f) * 0.5f * depth * max_delay_ + kMinDelaySamples;
      // The read point is `delay` samples before the one being written: between k and k + 1.
      const int whole = static_cast<int>(delay);
      frac[i] = 1.0f - (delay - static_cast<float>(whole));
      back[i] = whole + 1;
    }
    float* block = pcm + static_cast<size_t>(at) * channels_;
    (channels_ == 2 ? RunChunk<2> : RunChunk<1>)(ring_.data(), write_, back, frac, block, n);
    write_ = (write_ + n) & kMask;
  }
  lfo_.Renormalize();
  depth_ = target_depth_;
}

}  // namespace voxpool::filter
