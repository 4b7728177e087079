// Lavalink's karaoke: removes what is common to both channels (the centre, where the voice usually
// is) by subtracting each channel's opposite, then adds back a band of the mono signal (by default
// 220 Hz wide 100 Hz: bass and kick) through a two-pole resonator. Stereo only: mono passes
// unchanged (there is no centre to tell from the sides).
#pragma once

#include "voxpool/filter/filter_settings.h"
#include "voxpool/filter/stage.h"

namespace voxpool::filter {

// Not thread-safe: one stream at a time.
class Karaoke final : public Stage {
 public:
  Karaoke(int sample_rate, int channels) noexcept : rate_(sample_rate), channels_(channels) {}

  bool On(const FilterSettings& s) const noexcept override { return s.karaoke; }
  // Targets from `s` (level and monoLevel ramp over the next Process(); the band's coefficients
  // change at once, keeping the resonator's state). Never allocates.
  void Set(const FilterSettings& s) noexcept override;
  void Reset() noexcept override;
  // In place, `frames` interleaved frames. Never allocates.
  void Process(float* pcm, int frames) noexcept override;

 private:
  int rate_;
  int channels_;
  float level_ = 1, target_level_ = 1;
  float mono_ = 1, target_mono_ = 1;
  float a_ = 0, b_ = 0, c_ = 0;  // resonator: y = a x - b y1 - c y2
  float y1_ = 0, y2_ = 0;
};

}  // namespace voxpool::filter
