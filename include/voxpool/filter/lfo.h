// A sine low-frequency oscillator for the modulation filters (tremolo, vibrato, rotation): a unit
// phasor turned by a fixed angle each sample, so a sample costs four multiplies instead of a
// sin() call (which made the Lavalink set cost 3x the equalizer). Renormalised once per block so
// rounding cannot make the amplitude drift; the phase runs on across blocks and frequency changes.
#pragma once

#include <cmath>

namespace voxpool::filter {

// Not thread-safe: one stream at a time. Never allocates.
class Lfo {
 public:
  // Turns per second `hz` at `sample_rate` (any sign; 0 stands still). Phase kept.
  void SetFrequency(double hz, int sample_rate) noexcept {
    const double step = 2.0 * M_PI * hz / sample_rate;
    cos_step_ = std::cos(step);
    sin_step_ = std::sin(step);
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
  // Pulls the phasor back onto the unit circle (call once per block).
  void Renormalize() noexcept {
    const double r = 1.0 / std::sqrt(sin_ * sin_ + cos_ * cos_);
    sin_ *= r;
    cos_ *= r;
  }

 private:
  double sin_ = 0, cos_ = 1;
  double sin_step_ = 0, cos_step_ = 1;
};

}  // namespace voxpool::filter
