// A feed-forward compressor, stereo-linked (both channels take the gain of the louder): a peak
// envelope follower (attack and release time constants), a soft-knee gain computer in dB and
// make-up gain. Beyond Lavalink's set: it evens out the level of speech and of quiet passages.
// The gain is computed every kCompressorBlock frames and interpolated between, which keeps the
// cost to a few multiplies per sample.
#pragma once

#include "voxpool/filter/filter_settings.h"
#include "voxpool/filter/stage.h"

namespace voxpool::filter {

inline constexpr int kCompressorBlock = 16;  // frames per gain computation

// Not thread-safe: one stream at a time.
class Compressor final : public Stage {
 public:
  Compressor(int sample_rate, int channels) noexcept : rate_(sample_rate), channels_(channels) {}
  bool On(const FilterSettings& s) const noexcept override { return s.compressor; }
  // New parameters at once; the envelope and the gain run on. Never allocates.
  void Set(const FilterSettings& s) noexcept override;
  void Reset() noexcept override;
  void Process(float* pcm, int frames) noexcept override;  // in place, never allocates
  // The gain applied last, in dB (make-up included).
  float gain_db() const noexcept;

 private:
  float GainDb(float envelope) const noexcept;

  int rate_;
  int channels_;
  float threshold_db_ = -18, ratio_ = 4, knee_db_ = 6, makeup_db_ = 0;
  float attack_ = 0, release_ = 0;  // per-sample smoothing coefficients
  float envelope_ = 0;              // linear peak level
  float gain_ = 1;                  // linear, applied at the end of the last block
};

}  // namespace voxpool::filter
