#include "voxpool/filter/filter_settings.h"

#include <string>

namespace voxpool::filter {

Status CheckFilterSettings(const FilterSettings& s) {
  // Names are built only for the error: a valid SetFilters() allocates nothing.
  for (const FilterField& f : kFilterFields) {
    const double v = s.*f.member;
    const bool ok = f.min_exclusive ? v > f.min && v <= f.max : v >= f.min && v <= f.max;
    if (ok) continue;
    const std::string name = *f.group ? std::string(f.group) + "." + f.name : std::string(f.name);
    return f.min_exclusive ? OutOfHalfOpenRange(name, f.min, f.max, f.unit)
                           : OutOfRange(name, f.min, f.max, f.unit);
  }
  for (int b = 0; b < kEqualizerBands; ++b)
    if (!(s.equalizer[b] >= kEqualizerMinGain && s.equalizer[b] <= kEqualizerMaxGain))
      return OutOfRange("equalizer[" + std::to_string(b) + "].gain", kEqualizerMinGain,
                        kEqualizerMaxGain);
  return Status::Ok();
}

bool DistortionOn(const FilterSettings& s) noexcept {
  return s.distortion_sin_offset != 0 || s.distortion_sin_scale != 1 ||
         s.distortion_cos_offset != 0 || s.distortion_cos_scale != 1 ||
         s.distortion_tan_offset != 0 || s.distortion_tan_scale != 1 || s.distortion_offset != 0 ||
         s.distortion_scale != 1;
}

bool ChannelMixOn(const FilterSettings& s) noexcept {
  return s.channel_mix_left_to_left != 1 || s.channel_mix_left_to_right != 0 ||
         s.channel_mix_right_to_left != 0 || s.channel_mix_right_to_right != 1;
}

bool EqualizerOn(const FilterSettings& s) noexcept {
  for (double g : s.equalizer)
    if (g != 0) return true;
  return false;
}

}  // namespace voxpool::filter
