#include "voxpool/filter/compressor.h"

#include "voxpool/filter/ramp.h"

#include <algorithm>
#include <cmath>

namespace voxpool::filter {
namespace {

// exp(-1 / (ms in samples)): the one-pole coefficient of a time constant; 0 for an instant one.
float Coefficient(double ms, int rate) {
  const double samples = ms * rate / 1000.0;
  return samples < 1.0 ? 0.0f : static_cast<float>(std::exp(-1.0 / samples));
}

}  // namespace

void Compressor::Set(const FilterSettings& s) noexcept {
  threshold_db_ = static_cast<float>(s.compressor_threshold_db);
  ratio_ = static_cast<float>(s.compressor_ratio);
  knee_db_ = static_cast<float>(s.compressor_knee_db);
  makeup_db_ = static_cast<float>(s.compressor_makeup_db);
  attack_ = Coefficient(s.compressor_attack_ms, rate_);
  release_ = Coefficient(s.compressor_release_ms, rate_);
}

void Compressor::Reset() noexcept {
  envelope_ = 0;
  gain_ = std::pow(10.0f, makeup_db_ / 20.0f);
}

float Compressor::GainDb(float envelope) const noexcept {
  const float level = 20.0f * std::log10(std::max(envelope, 1e-9f));
  const float over = level - threshold_db_;
  const float slope = 1.0f / ratio_ - 1.0f;  // dB of gain per dB over the threshold (<= 0)
  float reduction = 0.0f;
  if (2.0f * over >= knee_db_) {
    reduction = slope * over;
  } else if (knee_db_ > 0.0f && 2.0f * over > -knee_db_) {
    const float x = over + knee_db_ / 2.0f;
    reduction = slope * x * x / (2.0f * knee_db_);
  }
  return reduction + makeup_db_;
}

float Compressor::gain_db() const noexcept { return 20.0f * std::log10(std::max(gain_, 1e-9f)); }

void Compressor::Process(float* pcm, int frames) noexcept {
  for (int at = 0; at < frames; at += kCompressorBlock) {
    const int n = std::min(kCompressorBlock, frames - at);
    float* block = pcm + static_cast<long>(at) * channels_;
    float env = envelope_;
    for (int i = 0; i < n; ++i) {
      float peak = 0.0f;
      for (int c = 0; c < channels_; ++c)
        peak = std::max(peak, std::fabs(block[i * channels_ + c]));
      const float k = peak > env ? attack_ : release_;
      env = k * env + (1.0f - k) * peak;
    }
    envelope_ = env < 1e-20f ? 0.0f : env;
    // The block moves from the last gain to this one's: no step between blocks.
    const float target = std::pow(10.0f, GainDb(envelope_) / 20.0f);
    RampGain(block, n, channels_, gain_, target);
    gain_ = target;
  }
}

}  // namespace voxpool::filter
