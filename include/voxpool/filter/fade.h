// A gain envelope for fades: from the gain it has now to a target over a duration, along a chosen
// curve. A fade-out to 0 then holds silence until the next fade. Part of a FilterChain (after the
// volume, before the limiter), so a bot fades a track out or in on the stream's own pool job.
#pragma once

#include <cstdint>

namespace voxpool::filter {

// How the gain moves over a fade (t: 0 -> 1 over the duration):
//   kLinear      start + (target - start) t                  (constant amplitude sum: correlated)
//   kEqualPower  quarter sine: sin(pi t / 2) rising, cos falling (constant power sum: uncorrelated)
//   kSCurve      start + (target - start) (1 - cos(pi t)) / 2 (gentle at both ends)
enum class FadeCurve { kLinear, kEqualPower, kSCurve };
// Their names in JS, in enum order (the binding maps a name's index to the enum).
inline constexpr const char* kFadeCurveNames[] = {"linear", "equal-power", "s-curve"};
inline constexpr int kFadeCurveCount = 3;

// Longest fade, in milliseconds (a minute: longer is a volume automation, not a fade).
inline constexpr double kFadeMaxMs = 60000.0;

// Not thread-safe: one stream at a time (the chain hands requests over to its processing thread).
class Fade {
 public:
  // Starts a fade from the current gain to `target` (linear, 0..1) over `frames` frames (0 jumps).
  // Never allocates.
  void Start(float target, int64_t frames, FadeCurve curve) noexcept;
  // Scales `frames` interleaved frames of `channels` in place and moves the fade on. Never
  // allocates.
  void Process(float* pcm, int frames, int channels) noexcept;
  // True while the gain is not exactly 1 (fading, or holding a gain below 1).
  bool active() const noexcept { return gain_ != 1.0f || remaining_ > 0; }
  float gain() const noexcept { return gain_; }

 private:
  float Shape(double t) const noexcept;  // 0..1 along the curve

  float gain_ = 1.0f;  // now
  float start_ = 1.0f;
  float target_ = 1.0f;
  int64_t length_ = 0;
  int64_t remaining_ = 0;
  FadeCurve curve_ = FadeCurve::kLinear;
};

}  // namespace voxpool::filter
