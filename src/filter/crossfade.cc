#include "voxpool/filter/crossfade.h"

#include <algorithm>
#include <cmath>

namespace voxpool::filter {

Status Crossfade::Create(const CrossfadeOptions& o, std::unique_ptr<Crossfade>* out) {
  if (Status st = CheckRateAndChannels(o.sample_rate, o.channels); !st.ok()) return st;
  if (Status st = CheckRange("durationMs", o.duration_ms, 1, kFadeMaxMs); !st.ok()) return st;
  *out = std::make_unique<Crossfade>(o);
  return Status::Ok();
}

Crossfade::Crossfade(const CrossfadeOptions& o) noexcept
    : channels_(o.channels),
      length_(std::max<int64_t>(1, std::llround(o.duration_ms * o.sample_rate / 1000.0))),
      curve_(o.curve) {}

void Crossfade::Gains(int64_t position, float* out_gain, float* in_gain) const noexcept {
  const double t = std::min(1.0, static_cast<double>(position) / static_cast<double>(length_));
  switch (curve_) {
    case FadeCurve::kEqualPower:
      *out_gain = static_cast<float>(std::cos(M_PI_2 * t));
      *in_gain = static_cast<float>(std::sin(M_PI_2 * t));
      break;
    case FadeCurve::kSCurve:
      *in_gain = static_cast<float>(0.5 - 0.5 * std::cos(M_PI * t));
      *out_gain = 1.0f - *in_gain;
      break;
    default:
      *in_gain = static_cast<float>(t);
      *out_gain = 1.0f - *in_gain;
      break;
  }
}

namespace {
inline float Saturate(float v, float) noexcept { return v; }
inline int16_t Saturate(float v, int16_t) noexcept {
  return static_cast<int16_t>(std::lrint(std::clamp(v, -32768.0f, 32767.0f)));
}
}  // namespace

template <class T>
void Crossfade::Run(const T* outgoing, const T* incoming, T* out, int frames) noexcept {
  for (int i = 0; i < frames; ++i) {
    float g_out = 0.0f, g_in = 1.0f;
    if (position_ < length_) Gains(++position_, &g_out, &g_in);
    for (int c = 0; c < channels_; ++c) {
      const int k = i * channels_ + c;
      const float v =
          static_cast<float>(outgoing[k]) * g_out + static_cast<float>(incoming[k]) * g_in;
      out[k] = Saturate(v, T{});
    }
  }
}

void Crossfade::Process(const float* outgoing, const float* incoming, float* out,
                        int frames) noexcept {
  Run(outgoing, incoming, out, frames);
}

void Crossfade::Process(const int16_t* outgoing, const int16_t* incoming, int16_t* out,
                        int frames) noexcept {
  Run(outgoing, incoming, out, frames);
}

}  // namespace voxpool::filter
