// Lavalink's 15-band equalizer: the input plus, for each band, an RBJ-cookbook band-pass (constant
// 0 dB peak, Q of a 2/3-octave band) weighted by 4 x gain, the parallel structure Lavalink's
// equalizer has, so its presets sound the same. A band's response at its centre is exactly
// 1 + 4 x gain; far from every set band it is 1. The 16 band lanes (15 + one idle) run as short
// vectors, all bands of one sample at once.
#pragma once

#include <array>
#include <cstdint>

#include "voxpool/filter/filter_settings.h"
#include "voxpool/filter/stage.h"

namespace voxpool::filter {

// The Q of every band: a 2/3-octave bandwidth, sqrt(2^(2/3)) / (2^(2/3) - 1).
inline constexpr double kEqualizerQ = 2.1447;

// Not thread-safe: one stream at a time (the chain's strand).
class Equalizer final : public Stage {
 public:
  // `sample_rate` in Hz (kFilterMinSampleRate..Max), `channels` 1..kFilterMaxChannels: unchecked,
  // FilterChain::Create checks them. Never allocates (state is inline).
  Equalizer(int sample_rate, int channels) noexcept;

  bool On(const FilterSettings& s) const noexcept override;
  // The gains the next Process() call ramps to (per band, Lavalink's unit). Never allocates.
  void Set(const FilterSettings& s) noexcept override;
  // Filter state back to silence; gains jump to their targets.
  void Reset() noexcept override;
  // Filters `frames` interleaved frames in place, gains moving linearly from the last call's to
  // Set()'s over the call (no step, no click). Never allocates.
  void Process(float* pcm, int frames) noexcept override;

  // The band lanes processed side by side: the 15 bands and one idle lane, a whole number of
  // vectors.
  static constexpr int kLanes = 16;

  // The code the bank runs on, narrowest first: each CPU that runs one runs those before it.
  // Process() uses the widest the build and CPU have unless UseKernel() chose a narrower one (the
  // tests run every kernel the machine has against one reference).
  enum class Kernel : uint8_t { kPortable, kAvx2, kAvx512 };
  // The widest kernel this build and CPU can run (detected once). Thread-safe. Never allocates.
  static Kernel BestKernel() noexcept;
  // Runs `kernel` from the next Process() on; false (and no change) when this build or CPU
  // cannot. Never allocates.
  bool UseKernel(Kernel kernel) noexcept;
  Kernel kernel() const noexcept { return kernel_; }

 private:
  struct alignas(64) Lanes {
    float v[kLanes];
  };
  // Filter memory of the direct form with the numerator taken out (equalizer.cc): every band's
  // last two outputs, [channel][lane], and each channel's last two inputs, which all bands share.
  struct alignas(64) State {
    float y1[kFilterMaxChannels][kLanes], y2[kFilterMaxChannels][kLanes];
    float x1[kFilterMaxChannels], x2[kFilterMaxChannels];
  };
  int channels_;
  Kernel kernel_ = BestKernel();
  int bands_;            // bands below kEqualizerMaxBandFraction x the rate
  Lanes b0_, a1_, a2_;   // normalised RBJ band-pass (b1 = 0, b2 = -b0)
  Lanes gain_, target_;  // 4 x gain, current and target
  State state_{};
};

}  // namespace voxpool::filter
