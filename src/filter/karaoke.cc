#include "voxpool/filter/karaoke.h"

#include <cmath>

namespace voxpool::filter {

void Karaoke::Set(const FilterSettings& s) noexcept {
  target_level_ = static_cast<float>(s.karaoke_level);
  target_mono_ = static_cast<float>(s.karaoke_mono_level);
  // A two-pole resonator at `band` with bandwidth `width`, its gain normalised to 1 at the band.
  const double c = std::exp(-2.0 * M_PI * s.karaoke_filter_width / rate_);
  const double b = -4.0 * c / (1.0 + c) * std::cos(2.0 * M_PI * s.karaoke_filter_band / rate_);
  c_ = static_cast<float>(c);
  b_ = static_cast<float>(b);
  a_ = static_cast<float>(std::sqrt(std::fmax(0.0, 1.0 - b * b / (4.0 * c))) * (1.0 - c));
}

void Karaoke::Reset() noexcept {
  y1_ = y2_ = 0;
  level_ = target_level_;
  mono_ = target_mono_;
}

void Karaoke::Process(float* pcm, int frames) noexcept {
  if (channels_ != 2 || frames <= 0) return;
  const float level_step = (target_level_ - level_) / frames;
  const float mono_step = (target_mono_ - mono_) / frames;
  // The resonator's state and coefficients in locals: as members, every store to pcm might alias
  // them, so each sample reloaded them through memory on the recursion's critical path.
  const float a = a_, b = b_, c = c_;
  float y1 = y1_, y2 = y2_;
  for (int i = 0; i < frames; ++i) {
    const float level = level_ + level_step * static_cast<float>(i + 1);
    const float mono = mono_ + mono_step * static_cast<float>(i + 1);
    const float l = pcm[2 * i];
    const float r = pcm[2 * i + 1];
    // y2 is known a sample earlier than y1: its term first leaves one multiply and one subtract
    // on the recursion a sample waits on, not a multiply and two subtracts.
    const float y = (a * ((l + r) * 0.5f) - c * y2) - b * y1;
    y2 = y1;
    y1 = y;
    const float band = y * mono * level;
    pcm[2 * i] = l - r * level + band;
    pcm[2 * i + 1] = r - l * level + band;
  }
  level_ = target_level_;
  mono_ = target_mono_;
  y1_ = std::fabs(y1) < 1e-30f ? 0.0f : y1;
  y2_ = std::fabs(y2) < 1e-30f ? 0.0f : y2;
}

}  // namespace voxpool::filter
