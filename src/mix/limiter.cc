// FP exceptions are never enabled here, so let GCC if-convert the clamps and selects in the
// sample loops (with the default -ftrapping-math it refuses and leaves them scalar).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("no-trapping-math")
#endif
#include "voxpool/mix/limiter.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
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

// Peak |x| over n samples, or NaN when any sample is NaN or infinite. Compared as the bit
// patterns of the magnitudes: for non-negative floats unsigned integer order is numeric order, and
// infinity and NaN lie above every finite value, so one integer max finds both the peak and a bad
// sample. It vectorises; a float max did not (with NaN's rules GCC left it a scalar compare and
// branch per sample, 15 % of a chain with one cheap filter).
VOXPOOL_MULTIVERSION float Peak(const float* __restrict x, int n) noexcept {
  uint32_t top = 0;
  for (int i = 0; i < n; ++i) {
    uint32_t bits;
    std::memcpy(&bits, &x[i], sizeof bits);
    bits &= 0x7fffffffu;
    top = bits > top ? bits : top;
  }
  if (top >= 0x7f800000u) return std::numeric_limits<float>::quiet_NaN();
  float peak;
  std::memcpy(&peak, &top, sizeof peak);
  return peak;
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
