// A sine low-frequency oscillator for the modulation filters (tremolo, vibrato, rotation): a unit
// phasor turned by a fixed angle each sample, so a sample costs four multiplies instead of a
// sin() call (which made the Lavalink set cost 3x the equalizer). Renormalised once per block so
// rounding cannot make the amplitude drift; the phase runs on across blocks and frequency changes.
// Fill() runs kLanes phasors side by side, each turned kLanes steps at a time: one phasor's
// recursion waits ~8 cycles a sample on its own multiplies, which made the LFO the largest part of
// vibrato and tremolo (bench/RESULTS.md, 2026-12-02 18:00).
#pragma once

#include <cmath>

namespace voxpool::filter {

// How many LFO values a modulation filter computes at a time (a stack array of floats).
inline constexpr int kLfoChunk = 64;

// Not thread-safe: one stream at a time. Never allocates.
class Lfo {
 public:
  // Turns per second `hz` at `sample_rate` (any sign; 0 stands still). Phase kept.
  void SetFrequency(double hz, int sample_rate) noexcept {
    const double step = 2.0 * M_PI * hz / sample_rate;
    cos_step_ = std::cos(step);
    sin_step_ = std::sin(step);
    cos_lanes_ = std::cos(step * kLanes);
    sin_lanes_ = std::sin(step * kLanes);
  }
  // Back to phase 0 (sin = 0, cos = 1).
  void Reset() noexcept {
    sin_ = 0;
    cos_ = 1;
  }
  // sin(phase) for this sample, then one step on.
  double Next() noexcept {
    const double s = sin_;
    const double c = cos_;
    sin_ = s * cos_step_ + c * sin_step_;
    cos_ = c * cos_step_ - s * sin_step_;
    return s;
  }
  // The next `n` values of Next() into `out` (as float), and the phase `n` steps on; the same
  // sequence to within rounding. Never allocates.
  void Fill(float* __restrict out, int n) noexcept {
    double s[kLanes], c[kLanes];
    s[0] = sin_;
    c[0] = cos_;
    for (int j = 1; j < kLanes; ++j) {
      s[j] = s[j - 1] * cos_step_ + c[j - 1] * sin_step_;
      c[j] = c[j - 1] * cos_step_ - s[j - 1] * sin_step_;
    }
    int i = 0;
    for (; i + kLanes <= n; i += kLanes) {
      for (int j = 0; j < kLanes; ++j) {
        out[i + j] = static_cast<float>(s[j]);
        const double ns = s[j] * cos_lanes_ + c[j] * sin_lanes_;
        c[j] = c[j] * cos_lanes_ - s[j] * sin_lanes_;
        s[j] = ns;
      }
    }
    sin_ = s[0];
    cos_ = c[0];
    for (; i < n; ++i) out[i] = static_cast<float>(Next());
  }
  // Pulls the phasor back onto the unit circle (call once per block).
  void Renormalize() noexcept {
    const double r = 1.0 / std::sqrt(sin_ * sin_ + cos_ * cos_);
    sin_ *= r;
    cos_ *= r;
  }

 private:
  double sin_ = 0, cos_ = 1;
  static constexpr int kLanes = 8;
  double sin_step_ = 0, cos_step_ = 1;
  double sin_lanes_ = 0, cos_lanes_ = 1;  // the turn of kLanes steps
};

}  // namespace voxpool::filter
