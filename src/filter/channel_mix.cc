#include "voxpool/filter/channel_mix.h"

namespace voxpool::filter {

void ChannelMix::Set(const FilterSettings& s) noexcept {
  target_[0] = static_cast<float>(s.channel_mix_left_to_left);
  target_[1] = static_cast<float>(s.channel_mix_left_to_right);
  target_[2] = static_cast<float>(s.channel_mix_right_to_left);
  target_[3] = static_cast<float>(s.channel_mix_right_to_right);
}

void ChannelMix::Reset() noexcept {
  for (int k = 0; k < 4; ++k) current_[k] = target_[k];
}

void ChannelMix::Process(float* pcm, int frames) noexcept {
  if (channels_ != 2 || frames <= 0) return;
  float m[4], step[4];
  for (int k = 0; k < 4; ++k) {
    m[k] = current_[k];
    step[k] = (target_[k] - current_[k]) / frames;
  }
  for (int i = 0; i < frames; ++i) {
    for (int k = 0; k < 4; ++k) m[k] += step[k];
    const float l = pcm[2 * i];
    const float r = pcm[2 * i + 1];
    pcm[2 * i] = m[0] * l + m[2] * r;
    pcm[2 * i + 1] = m[1] * l + m[3] * r;
  }
  Reset();
}

bool ChannelMix::On(const FilterSettings& s) const noexcept {
  return s.channel_mix_left_to_left != 1 || s.channel_mix_left_to_right != 0 ||
         s.channel_mix_right_to_left != 0 || s.channel_mix_right_to_right != 1;
}

}  // namespace voxpool::filter
