#include "voxpool/filter/equalizer.h"

#include <cmath>
#include <cstring>

#include "voxpool/pcm.h"

namespace voxpool::filter {

Equalizer::Equalizer(int sample_rate, int channels) noexcept : channels_(channels), bands_(0) {
  std::memset(&b0_, 0, sizeof b0_);
  std::memset(&a1_, 0, sizeof a1_);
  std::memset(&a2_, 0, sizeof a2_);
  std::memset(&gain_, 0, sizeof gain_);
  std::memset(&target_, 0, sizeof target_);
  for (int b = 0; b < kEqualizerBands; ++b) {
    if (kEqualizerFrequencies[b] >= kEqualizerMaxBandFraction * sample_rate) break;
    // RBJ cookbook band-pass, constant 0 dB peak gain, normalised by a0.
    const double w0 = 2.0 * M_PI * kEqualizerFrequencies[b] / sample_rate;
    const double alpha = std::sin(w0) / (2.0 * kEqualizerQ);
    const double a0 = 1.0 + alpha;
    b0_.v[b] = static_cast<float>(alpha / a0);
    a1_.v[b] = static_cast<float>(-2.0 * std::cos(w0) / a0);
    a2_.v[b] = static_cast<float>((1.0 - alpha) / a0);
    bands_ = b + 1;
  }
}

void Equalizer::Set(const FilterSettings& s) noexcept {
  for (int b = 0; b < kEqualizerBands; ++b)
    target_.v[b] = b < bands_ ? static_cast<float>(4.0 * s.equalizer[b]) : 0.0f;
}

void Equalizer::Reset() noexcept {
  state_ = State{};
  gain_ = target_;
}

namespace {

constexpr int kLanes = Equalizer::kLanes;

// C channels of interleaved frames, all bands of every channel per sample: the channels' filter
// recursions are independent, so running them side by side hides each one's latency (a band's
// output waits on its previous one). Inlined into the per-ISA clones below.
template <int C>
__attribute__((always_inline)) inline void RunChannels(
    float* pcm, int frames, float (*__restrict s1)[kLanes], float (*__restrict s2)[kLanes],
    const float* __restrict b0, const float* __restrict a1, const float* __restrict a2,
    float* __restrict gain, const float* __restrict step) noexcept {
  for (int i = 0; i < frames; ++i) {
    for (int b = 0; b < kLanes; ++b) gain[b] += step[b];
    for (int c = 0; c < C; ++c) {
      const float x = pcm[i * C + c];
      float out[kLanes];
      // Transposed direct form II of the band-pass (b1 = 0, b2 = -b0): two state values per
      // band instead of four, so the whole bank's state fits in vector registers.
      for (int b = 0; b < kLanes; ++b) {
        const float y = b0[b] * x + s1[c][b];
        s1[c][b] = s2[c][b] - a1[b] * y;
        s2[c][b] = -b0[b] * x - a2[b] * y;
        out[b] = y * gain[b];
      }
      // A tree, not a chain of 16 dependent adds: four vector adds, then four scalars.
      float quad[4];
      for (int j = 0; j < 4; ++j) quad[j] = (out[j] + out[j + 4]) + (out[j + 8] + out[j + 12]);
      pcm[i * C + c] = x + ((quad[0] + quad[1]) + (quad[2] + quad[3]));
    }
  }
}

VOXPOOL_MULTIVERSION
void RunMono(float* pcm, int frames, float (*s1)[kLanes], float (*s2)[kLanes], const float* b0,
             const float* a1, const float* a2, float* gain, const float* step) noexcept {
  RunChannels<1>(pcm, frames, s1, s2, b0, a1, a2, gain, step);
}

VOXPOOL_MULTIVERSION
void RunStereo(float* pcm, int frames, float (*s1)[kLanes], float (*s2)[kLanes], const float* b0,
               const float* a1, const float* a2, float* gain, const float* step) noexcept {
  RunChannels<2>(pcm, frames, s1, s2, b0, a1, a2, gain, step);
}

// Denormals appear as a band's state decays after the input goes silent; flushing them once per
// call keeps the next call at full speed.
void Flush(float* v, int n) noexcept {
  for (int i = 0; i < n; ++i)
    if (std::fabs(v[i]) < 1e-30f) v[i] = 0.0f;
}

}  // namespace

void Equalizer::Process(float* pcm, int frames) noexcept {
  if (frames <= 0) return;
  Lanes step;
  Lanes gain = gain_;
  for (int b = 0; b < kLanes; ++b) step.v[b] = (target_.v[b] - gain_.v[b]) / frames;
  State& s = state_;
  (channels_ == 2 ? RunStereo : RunMono)(pcm, frames, s.s1, s.s2, b0_.v, a1_.v, a2_.v, gain.v,
                                         step.v);
  for (int c = 0; c < channels_; ++c) {
    Flush(s.s1[c], kLanes);
    Flush(s.s2[c], kLanes);
  }
  gain_ = target_;  // exact at the end of the ramp, whatever the rounding of the steps
}

bool Equalizer::On(const FilterSettings& s) const noexcept {
  for (double g : s.equalizer)
    if (g != 0) return true;
  return false;
}

}  // namespace voxpool::filter
