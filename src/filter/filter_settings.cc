#include "voxpool/filter/filter_settings.h"

#include <string>

namespace voxpool::filter {

Status CheckRateAndChannels(int sample_rate, int channels) {
  if (Status st =
          CheckRange("sampleRate", sample_rate, kFilterMinSampleRate, kFilterMaxSampleRate, "Hz");
      !st.ok())
    return st;
  return CheckRange("channels", channels, 1, kFilterMaxChannels);
}

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
  return CheckRange("timescale.speed x timescale.rate", s.timescale_speed * s.timescale_rate,
                    kTimescaleMinRatio, kTimescaleMaxRatio);
}

}  // namespace voxpool::filter
