// Lavalink's channelMix: left' = leftToLeft x l + rightToLeft x r, right' = leftToRight x l +
// rightToRight x r (all 0.5: mono; left/right swapped: 0, 1, 1, 0). Coefficients ramp over one
// call. Stereo only: mono passes unchanged.
#pragma once

#include "voxpool/filter/filter_settings.h"
#include "voxpool/filter/stage.h"

namespace voxpool::filter {

// Not thread-safe: one stream at a time.
class ChannelMix final : public Stage {
 public:
  explicit ChannelMix(int channels) noexcept : channels_(channels) {}
  bool On(const FilterSettings& s) const noexcept override;
  void Set(const FilterSettings& s) noexcept override;
  void Reset() noexcept override;
  void Process(float* pcm, int frames) noexcept override;  // in place, never allocates

 private:
  int channels_;
  float current_[4] = {1, 0, 0, 1};  // ll, lr, rl, rr
  float target_[4] = {1, 0, 0, 1};
};

}  // namespace voxpool::filter
