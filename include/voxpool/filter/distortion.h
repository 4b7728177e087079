// Lavalink's distortion: each sample s becomes
//   offset + scale x (sinOffset + sin(s x sinScale)) x (cosOffset + cos(s x cosScale))
//                  x (tanOffset + tan(s x tanScale)),
// clamped to [-1, 1]. It has no state, so a change of its parameters crossfades the old and new
// curves over one call instead of stepping.
#pragma once

#include "voxpool/filter/filter_settings.h"
#include "voxpool/filter/stage.h"

namespace voxpool::filter {

// Not thread-safe: one stream at a time.
class Distortion final : public Stage {
 public:
  explicit Distortion(int channels) noexcept : channels_(channels) {}
  bool On(const FilterSettings& s) const noexcept override;
  void Set(const FilterSettings& s) noexcept override;
  void Reset() noexcept override { current_ = target_; }
  void Process(float* pcm, int frames) noexcept override;  // in place, never allocates

 private:
  struct Curve {
    float sin_offset = 0, sin_scale = 1, cos_offset = 0, cos_scale = 1;
    float tan_offset = 0, tan_scale = 1, offset = 0, scale = 1;
    bool operator==(const Curve& o) const noexcept;
    float operator()(float s) const noexcept;
  };
  int channels_;
  Curve current_, target_;
};

}  // namespace voxpool::filter
