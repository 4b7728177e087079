#include "voxpool/filter/vibrato.h"

#include <cmath>

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

void Vibrato::Process(float* pcm, int frames) noexcept {
  if (frames <= 0) return;
  constexpr int kMask = kRingSize - 1;
  static_assert((kRingSize & kMask) == 0, "the ring wraps by mask");
  const float step = (target_depth_ - depth_) / frames;
  float depth = depth_;
  int write = write_;
  for (int i = 0; i < frames; ++i) {
    depth += step;
    const float lfo = static_cast<float>((lfo_.Next() + 1.0) * 0.5);
    const float delay = lfo * depth * max_delay_ + kMinDelaySamples;
    // The read point is `delay` samples before the one being written: between k and k + 1.
    const int whole = static_cast<int>(delay);
    const float t = 1.0f - (delay - static_cast<float>(whole));
    const int k = write - whole - 1;
    for (int c = 0; c < channels_; ++c) {
      const std::array<float, kRingSize>& r = ring_[c];
      float& sample = pcm[i * channels_ + c];
      const float out =
          Hermite(r[(k - 1) & kMask], r[k & kMask], r[(k + 1) & kMask], r[(k + 2) & kMask], t);
      ring_[c][write & kMask] = sample;
      sample = out;
    }
    ++write;
  }
  write_ = write & kMask;
  lfo_.Renormalize();
  depth_ = target_depth_;
}

}  // namespace voxpool::filter
