// FP exceptions are never enabled here, so let GCC if-convert the clamps and selects in the
// sample loops (with the default -ftrapping-math it refuses and leaves them scalar).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("no-trapping-math")
#endif
#include "voxpool/mix/limiter.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "voxpool/pcm.h"

namespace voxpool::mix {

Limiter::Limiter(const LimiterOptions& o) noexcept
    : channels_(o.channels),
      ceiling_(o.ceiling),
      threshold_(o.ceiling * o.knee),
      attack_samples_(std::max(1, static_cast<int>(o.attack_ms * o.sample_rate / 1000.0f))),
      release_coeff_(std::exp(-1.0f / std::max(1.0f, o.release_ms * o.sample_rate / 1000.0f))) {}

float Limiter::gain_reduction_db() const noexcept { return 20.0f * std::log10(gain_); }

namespace {

// Peak |x| over n samples, or NaN when any sample is NaN or infinite. Eight independent lanes so
// the loop vectorises without -ffast-math (a single running max is a reduction GCC will not
// reorder for floats); x * 0 is NaN exactly for NaN and infinities, which the probe lanes collect.
VOXPOOL_MULTIVERSION float Peak(const float* __restrict x, int n) noexcept {
  float lanes[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  float probe[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int i = 0;
  for (; i + 8 <= n; i += 8) {
    for (int j = 0; j < 8; ++j) {
      const float a = std::fabs(x[i + j]);
      lanes[j] = a > lanes[j] ? a : lanes[j];
      probe[j] += x[i + j] * 0.0f;
    }
  }
  float peak = 0.0f;
  float bad = 0.0f;
  for (int j = 0; j < 8; ++j) {
    peak = lanes[j] > peak ? lanes[j] : peak;
    bad += probe[j];
  }
  for (; i < n; ++i) {
    const float a = std::fabs(x[i]);
    peak = a > peak ? a : peak;
    bad += x[i] * 0.0f;
  }
  return bad == bad ? peak : std::numeric_limits<float>::quiet_NaN();
}

// x *= gain moving linearly from `start` to `end` over `ramp` frames, then `end`.
VOXPOOL_MULTIVERSION void ApplyGain(float* __restrict x, int frames, int channels, int ramp,
                                    float start, float end) noexcept {
  const float step = (end - start) / static_cast<float>(ramp);
  if (channels == 1) {
    for (int f = 0; f < ramp; ++f) x[f] *= start + step * static_cast<float>(f + 1);
    for (int f = ramp; f < frames; ++f) x[f] *= end;
  } else {
    for (int f = 0; f < ramp; ++f) {
      const float g = start + step * static_cast<float>(f + 1);
      x[2 * f] *= g;
      x[2 * f + 1] *= g;
    }
    for (int i = 2 * ramp; i < 2 * frames; ++i) x[i] *= end;
  }
}

// Soft knee above the threshold t: y = t + (c - t) * u / (1 + u), u = (|x| - t) / (c - t).
// Continuous with slope 1 at the knee, monotonic, and at most c for any input (NaN becomes 0).
VOXPOOL_MULTIVERSION void SoftClip(float* __restrict x, int n, float t, float ceiling) noexcept {
  const float room = ceiling - t;
  const float inv_room = room > 0 ? 1.0f / room : 0.0f;
  for (int k = 0; k < n; ++k) {
    const float v = x[k];
    const float a = std::fabs(v);
    const float u = (a - t) * inv_room;
    const float shaped = t + room * (u / (1.0f + u));
    // u / (1 + u) rounds to 1 (or NaN for inf) for huge inputs: the select pins those to the
    // ceiling, so the bound holds in floating point too.
    const float bounded = shaped < ceiling ? shaped : ceiling;
    const float mag = a > t ? bounded : a;
    float y = v < 0.0f ? -mag : mag;
    y = a == a ? y : 0.0f;  // NaN
    x[k] = y;
  }
}

}  // namespace

void Limiter::Process(float* __restrict x, int frames) noexcept {
  const int n = frames * channels_;
  float peak = Peak(x, n);
  const bool nan = !(peak == peak);
  if (nan) peak = 1e30f;  // limit hard; SoftClip zeroes the NaNs

  // Gain the frame needs, then how the stage moves there: down within attack_samples_, up by the
  // release time constant over the whole frame.
  const float needed = peak * gain_ > threshold_ ? threshold_ / peak : 1.0f;
  const float start = gain_;
  float end;
  int ramp;
  if (needed < start) {
    end = needed;
    ramp = std::min(attack_samples_, frames);
  } else {
    const float decay = std::pow(release_coeff_, static_cast<float>(frames));
    end = std::min(needed, 1.0f - (1.0f - start) * decay);
    ramp = frames;
  }
  gain_ = end;
  if (start != 1.0f || end != 1.0f) ApplyGain(x, frames, channels_, ramp, start, end);

  // The shaping pass only runs when a sample can be above the knee: the largest gain applied in
  // this frame times the input peak. In steady limiting the gain stage alone keeps the frame
  // below the knee, so this is skipped.
  if (nan || peak * std::max(start, end) > threshold_) SoftClip(x, n, threshold_, ceiling_);
}

}  // namespace voxpool::mix
