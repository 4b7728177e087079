// FP exceptions are never enabled here, so let GCC if-convert the clamps and selects in the
// sample loops (with the default -ftrapping-math it refuses and leaves them scalar).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("no-trapping-math")
#endif
#include "voxpool/mix/volume.h"

#include <cmath>
#include <cstdio>
#include <type_traits>

namespace voxpool::mix {

std::string VolumeRangeMessage() {
  char limit[32];
  std::snprintf(limit, sizeof(limit), "%.17g", kVolumeMax);
  return std::string("volume must be from 0 to ") + limit;
}

Status Volume::Create(int sample_rate, int channels, double initial, std::unique_ptr<Volume>* out) {
  if (sample_rate < 1 || sample_rate > kVolumeMaxSampleRate || channels < 1 ||
      channels > kVolumeMaxChannels)
    return Status(ErrorCode::kInvalidArgument, "sampleRate or channels out of range");
  if (!(initial >= 0 && initial <= kVolumeMax))
    return Status(ErrorCode::kInvalidArgument, VolumeRangeMessage());
  *out = std::make_unique<Volume>(sample_rate, channels, initial);
  return Status::Ok();
}

Status Volume::Set(double linear, double ramp_ms) noexcept {
  if (!(linear >= 0.0 && linear <= kVolumeMax))
    return Status(ErrorCode::kInvalidArgument, VolumeRangeMessage());
  if (!(ramp_ms >= 0.0 && ramp_ms <= kVolumeMaxRampMs)) {
    return OutOfRange("rampMs", 0, kVolumeMaxRampMs);
  }
  target_ = linear;
  const long frames = std::lround(ramp_ms * rate_ / 1000.0);
  if (frames <= 0 || linear == value_) {
    value_ = linear;
    remaining_ = 0;
  } else {
    step_ = (linear - value_) / static_cast<double>(frames);
    remaining_ = frames;
  }
  return Status::Ok();
}

namespace {

inline int16_t ScaleS16(int16_t x, double g) noexcept {
  double v = std::floor(static_cast<double>(x) * g);
  v = v > 32767.0 ? 32767.0 : v;
  v = v < -32768.0 ? -32768.0 : v;
  return static_cast<int16_t>(v);
}

}  // namespace

template <class T>
void Volume::Run(T* __restrict pcm, long frames) noexcept {
  const long n = frames * channels_;
  long f = 0;
  // Ramp part: the gain moves once per frame, reaching the target on the ramp's last frame.
  for (; f < frames && remaining_ > 0; ++f) {
    value_ = --remaining_ == 0 ? target_ : value_ + step_;
    for (int c = 0; c < channels_; ++c) {
      T& s = pcm[f * channels_ + c];
      if constexpr (std::is_same_v<T, int16_t>) {
        s = ScaleS16(s, value_);
      } else {
        s = static_cast<float>(s * value_);
      }
    }
  }
  // Steady part.
  const double g = value_;
  if (g == 1.0) return;  // unity: pass through untouched (prism does the same)
  if constexpr (std::is_same_v<T, int16_t>) {
    for (long i = f * channels_; i < n; ++i) pcm[i] = ScaleS16(pcm[i], g);
  } else {
    const float gf = static_cast<float>(g);
    for (long i = f * channels_; i < n; ++i) pcm[i] *= gf;
  }
}

void Volume::Process(int16_t* pcm, long frames) noexcept { Run(pcm, frames); }
void Volume::Process(float* pcm, long frames) noexcept { Run(pcm, frames); }

}  // namespace voxpool::mix
