// Volume for one PCM stream (the native side of createVolumeTransformer): like prism-media's
// VolumeTransformer it scales s16 samples and rounds toward -inf with saturation, so at a steady
// volume the output is bit-identical to prism's; unlike it, a change can ramp over a given time
// instead of stepping (a step on a loud signal is an audible click).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "voxpool/status.h"

namespace voxpool::mix {

// Largest volume accepted (linear): +24 dB.
inline constexpr double kVolumeMax = 15.848931924611133;
// Largest sample rate a Volume accepts, in Hz (it only times ramps, so any rate up to this works).
inline constexpr int kVolumeMaxSampleRate = 384000;
inline constexpr int kVolumeMaxChannels = 2;
// Longest ramp of Set(), in milliseconds.
inline constexpr double kVolumeMaxRampMs = 60000.0;
// Defaults of a Volume whose options leave them out.
inline constexpr int kVolumeDefaultSampleRate = 48000;
inline constexpr int kVolumeDefaultChannels = 2;

// "volume must be from 0 to <kVolumeMax>": the message of an out-of-range volume, with the limit
// printed in full (the shortest text that reads back as kVolumeMax). Allocates.
std::string VolumeRangeMessage();

// Not thread-safe: one stream, one caller at a time (the binding runs it on the JS thread).
class Volume {
 public:
  // Checks `sample_rate` (1..kVolumeMaxSampleRate), `channels` (1..kVolumeMaxChannels) and
  // `initial` (0..kVolumeMax), then creates the Volume in *out. Allocates.
  [[nodiscard]] static Status Create(int sample_rate, int channels, double initial,
                                     std::unique_ptr<Volume>* out);

  // `sample_rate` (Hz, > 0) and `channels` (1 or 2) define what a frame and a millisecond are.
  // Unchecked: prefer Create().
  Volume(int sample_rate, int channels, double initial) noexcept
      : rate_(sample_rate), channels_(channels), value_(initial), target_(initial) {}

  // Moves to `linear` (0..kVolumeMax) over `ramp_ms` (0..kVolumeMaxRampMs; 0 steps at once).
  // Never allocates.
  [[nodiscard]] Status Set(double linear, double ramp_ms) noexcept;

  // Scales `frames` interleaved frames in place. s16: floor(x * volume) saturated to int16 (the
  // rounding prism-media uses); float: x * volume. Never allocates.
  void Process(int16_t* pcm, long frames) noexcept;
  void Process(float* pcm, long frames) noexcept;

  double value() const noexcept { return value_; }
  double target() const noexcept { return target_; }
  int channels() const noexcept { return channels_; }

 private:
  // Gain for frame `f` of this call and the state after `frames` frames.
  template <class T>
  void Run(T* pcm, long frames) noexcept;

  int rate_;
  int channels_;
  double value_;
  double target_;
  double step_ = 0;     // per frame
  long remaining_ = 0;  // frames left on the ramp
};

}  // namespace voxpool::mix
