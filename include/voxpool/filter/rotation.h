// Lavalink's rotation ("8D audio"): the sound circles the listener `rotationHz` times a second;
// the left gain is (1 + sin x) / 2 and the right (1 - sin x) / 2. Stereo only: mono passes
// unchanged.
#pragma once

#include "voxpool/filter/filter_settings.h"
#include "voxpool/filter/lfo.h"
#include "voxpool/filter/stage.h"

namespace voxpool::filter {

// Not thread-safe: one stream at a time.
class Rotation final : public Stage {
 public:
  Rotation(int sample_rate, int channels) noexcept : rate_(sample_rate), channels_(channels) {}
  bool On(const FilterSettings& s) const noexcept override { return s.rotation_hz != 0; }
  void Set(const FilterSettings& s) noexcept override;  // speed changes at once; the angle runs on
  void Reset() noexcept override { lfo_.Reset(); }
  void Process(float* pcm, int frames) noexcept override;  // in place, never allocates

 private:
  int rate_;
  int channels_;
  Lfo lfo_;
};

}  // namespace voxpool::filter
