// Output-stage soft limiter: a peak-following gain (fast attack, smooth release) followed by a
// soft-knee saturator whose output approaches the ceiling and never exceeds it. Below the knee the
// signal passes bit-exact (gain 1, no shaping), so known inputs mix to exact sums.
#pragma once

namespace voxpool::mix {

struct LimiterOptions {
  int sample_rate = 48000;   // Hz
  int channels = 2;          // interleaved channels
  float ceiling = 0.98855f;  // linear, (0, 1]; default -0.1 dBFS
  float knee = 0.891251f;    // linear fraction of the ceiling where limiting starts (-1 dB)
  float attack_ms = 1.0f;    // gain-reduction onset ramp inside a frame
  float release_ms = 60.0f;  // time constant of gain recovery
};

// Not thread-safe: one mixer tick at a time.
class Limiter {
 public:
  explicit Limiter(const LimiterOptions& options) noexcept;

  // Limits `frames` interleaved frames in place. Afterwards every |sample| <= ceiling (NaN becomes
  // 0). Never allocates.
  void Process(float* samples, int frames) noexcept;

  // Current gain reduction of the peak-following stage in dB (0 when idle, negative when limiting).
  float gain_reduction_db() const noexcept;
  float ceiling() const noexcept { return ceiling_; }
  float threshold() const noexcept { return threshold_; }

 private:
  int channels_;
  float ceiling_;
  float threshold_;  // ceiling * knee: the level the gain stage aims for
  int attack_samples_;
  float release_coeff_;  // per-sample exp(-1 / release_samples)
  float gain_ = 1.0f;
};

}  // namespace voxpool::mix
