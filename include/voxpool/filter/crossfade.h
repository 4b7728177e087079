// A crossfade between an outgoing and an incoming source (the end of one track into the start of
// the next), which Lavalink cannot do: out = outgoing x g_out(t) + incoming x g_in(t), t going
// from 0 to 1 over the duration, then the incoming source alone. The curve (fade.h) decides what
// stays constant: equal power (the default; two different tracks are uncorrelated, so their
// powers add) or amplitude (linear, for correlated material), or an S-curve.
#pragma once

#include <cstdint>
#include <memory>

#include "voxpool/filter/fade.h"
#include "voxpool/filter/filter_settings.h"
#include "voxpool/status.h"

namespace voxpool::filter {

struct CrossfadeOptions {
  int sample_rate = 48000;    // Hz, kFilterMinSampleRate..kFilterMaxSampleRate
  int channels = 2;           // 1..kFilterMaxChannels
  double duration_ms = 3000;  // 1..kFadeMaxMs
  FadeCurve curve = FadeCurve::kEqualPower;
};

// Not thread-safe: one caller at a time.
class Crossfade {
 public:
  // Checks `options` and creates the crossfade in *out. Allocates.
  [[nodiscard]] static Status Create(const CrossfadeOptions& options,
                                     std::unique_ptr<Crossfade>* out);
  explicit Crossfade(const CrossfadeOptions& options) noexcept;  // unchecked: use Create()

  // Mixes `frames` interleaved frames of the two sources into `out` (which may be either input)
  // and moves the fade on; s16 is saturated. Never allocates.
  void Process(const float* outgoing, const float* incoming, float* out, int frames) noexcept;
  void Process(const int16_t* outgoing, const int16_t* incoming, int16_t* out, int frames) noexcept;

  // Frames mixed so far (at most the duration's) and whether the fade is over.
  int64_t position() const noexcept { return position_; }
  int64_t length() const noexcept { return length_; }
  bool done() const noexcept { return position_ >= length_; }
  // Back to the start of the fade.
  void Reset() noexcept { position_ = 0; }
  int channels() const noexcept { return channels_; }

 private:
  // The two gains at frame `position` (0..length).
  void Gains(int64_t position, float* out_gain, float* in_gain) const noexcept;
  template <class T>
  void Run(const T* outgoing, const T* incoming, T* out, int frames) noexcept;

  int channels_;
  int64_t length_;
  int64_t position_ = 0;
  FadeCurve curve_;
};

}  // namespace voxpool::filter
