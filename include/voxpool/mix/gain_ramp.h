// A linear gain that moves to a new target over a given number of samples: the building block of
// click-free gain, mute, solo, pan and ducking changes. Ramping in linear amplitude keeps the
// sample-to-sample step bounded by |target - start| / ramp_samples times the signal peak.
#pragma once

#include <cmath>

namespace voxpool::mix {

// Converts decibels to a linear amplitude factor (0 dB -> 1). Never allocates. Thread-safe.
inline float DbToLinear(float db) noexcept { return std::pow(10.0f, db / 20.0f); }
// Converts a linear amplitude factor to decibels (1 -> 0 dB, 0 -> -inf). Thread-safe.
inline float LinearToDb(float linear) noexcept { return 20.0f * std::log10(linear); }

// Value type; not thread-safe (owned by one mixer, used under its lock).
class GainRamp {
 public:
  explicit GainRamp(float initial = 1.0f) noexcept : value_(initial), target_(initial) {}

  // Starts moving from the current value to `target` over `ramp_samples` samples (per channel);
  // 0 or less jumps at once. Never allocates.
  void Set(float target, long ramp_samples) noexcept {
    target_ = target;
    if (ramp_samples <= 0 || target == value_) {
      value_ = target;
      remaining_ = 0;
      return;
    }
    step_ = (target - value_) / static_cast<float>(ramp_samples);
    remaining_ = ramp_samples;
  }

  // Moves `samples` samples along the ramp. Never allocates.
  void Advance(long samples) noexcept {
    if (remaining_ <= 0) return;
    if (samples >= remaining_) {
      value_ = target_;
      remaining_ = 0;
    } else {
      value_ += step_ * static_cast<float>(samples);
      remaining_ -= samples;
    }
  }

  // The value `samples` samples from now, without moving. Never allocates.
  float ValueAfter(long samples) const noexcept {
    if (remaining_ <= 0 || samples <= 0) return value_;
    if (samples >= remaining_) return target_;
    return value_ + step_ * static_cast<float>(samples);
  }

  float value() const noexcept { return value_; }
  float target() const noexcept { return target_; }
  bool ramping() const noexcept { return remaining_ > 0; }
  // Samples left until the target is reached (0 when steady).
  long remaining() const noexcept { return remaining_; }

 private:
  float value_;
  float target_;
  float step_ = 0.0f;
  long remaining_ = 0;
};

}  // namespace voxpool::mix
