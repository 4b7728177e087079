// Limiter: the gain stage's attack reaches its target within attack_ms and then scales the signal
// by a constant (a linear copy, not merely a bounded one), steady limiting holds that gain, and
// release follows its time constant.
#include "voxpool/mix/limiter.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

namespace voxpool::mix {
namespace {

constexpr double kPi = 3.14159265358979323846;

// `frames` interleaved frames of a 450 Hz sine at `amp` (the same on every channel): nine whole
// cycles per 20 ms, so every frame has the same peak.
std::vector<float> Sine(int frames, int channels, float amp, int offset = 0) {
  std::vector<float> x(static_cast<size_t>(frames) * channels);
  for (int f = 0; f < frames; ++f)
    for (int c = 0; c < channels; ++c)
      x[static_cast<size_t>(f) * channels + c] =
          amp * static_cast<float>(std::sin(2 * kPi * 450 * (f + offset) / 48000.0));
  return x;
}

// Output/input ratio of frame f (channel 0), or NaN where the input is too small to tell.
double Ratio(const std::vector<float>& in, const std::vector<float>& out, int channels, int f) {
  const float x = in[static_cast<size_t>(f) * channels];
  return std::fabs(x) < 1e-3f ? std::nan("") : out[static_cast<size_t>(f) * channels] / x;
}

// Processes one loud frame and checks the attack: the gain moves linearly from `from` to the
// gain that brings the frame's peak to the knee within `attack` frames, then stays there, so the
// rest of the frame is the input times a constant. Stores that gain in `*reached`.
void CheckAttack(Limiter& limiter, const std::vector<float>& in, int channels, int attack,
                 double from, double* reached) {
  const int frames = static_cast<int>(in.size()) / channels;
  std::vector<float> out = in;
  limiter.Process(out.data(), frames);
  float peak = 0;
  for (float v : in) peak = std::max(peak, std::fabs(v));
  const double target = limiter.threshold() / peak;
  *reached = target;
  for (int f = 0; f < frames; ++f) {
    const double r = Ratio(in, out, channels, f);
    if (std::isnan(r)) continue;
    if (f >= attack) {
      ASSERT_NEAR(r, target, 1e-5) << "frame " << f << ": not a linearly scaled copy";
      if (channels == 2) ASSERT_EQ(out[2 * f], out[2 * f + 1]);
      continue;
    }
    // During the attack, what the gain leaves above the knee is shaped under the ceiling.
    const double gain = from + (target - from) * (f + 1) / attack;
    const double x = std::fabs(in[static_cast<size_t>(f) * channels]);
    if (x * gain <= limiter.threshold() * 0.999) {
      ASSERT_NEAR(r, gain, 1e-4) << "frame " << f;
    } else {
      ASSERT_LE(std::fabs(out[static_cast<size_t>(f) * channels]), limiter.ceiling());
      ASSERT_LE(r, gain + 1e-4) << "frame " << f;
    }
  }
  EXPECT_NEAR(limiter.gain_reduction_db(), 20 * std::log10(target), 1e-3);
}

TEST(LimiterTest, AttackReachesTheTargetGainWithinAttackTimeThenScalesLinearly) {
  constexpr int kFrame = 960;
  for (int channels : {1, 2}) {
    for (float attack_ms : {1.0f, 5.0f}) {
      SCOPED_TRACE(std::to_string(channels) + " ch, attack " + std::to_string(attack_ms) + " ms");
      LimiterOptions o;
      o.channels = channels;
      o.attack_ms = attack_ms;
      Limiter limiter(o);
      const int attack = static_cast<int>(attack_ms * 48);
      std::vector<float> quiet(static_cast<size_t>(kFrame) * channels, 0.0f);
      limiter.Process(quiet.data(), kFrame);
      // A step from silence into a signal 6 dB over full scale, then another 6 dB up.
      double g = 0;
      CheckAttack(limiter, Sine(kFrame, channels, 2.0f), channels, attack, 1.0, &g);
      CheckAttack(limiter, Sine(kFrame, channels, 4.0f, kFrame), channels, attack, g, &g);
    }
  }
}

TEST(LimiterTest, ReleaseRecoversByItsTimeConstant) {
  constexpr int kFrame = 960;
  LimiterOptions o;
  o.channels = 1;
  o.release_ms = 60.0f;
  Limiter limiter(o);
  std::vector<float> loud = Sine(kFrame, 1, 2.0f);
  limiter.Process(loud.data(), kFrame);
  const double g0 = std::pow(10.0, limiter.gain_reduction_db() / 20);
  ASSERT_LT(g0, 0.5);
  // A quiet frame: the gain recovers towards 1, reaching 1 - (1 - g0) * exp(-t / release) at the
  // frame's end along a linear ramp over the frame.
  const std::vector<float> in = Sine(kFrame, 1, 0.1f, kFrame);
  std::vector<float> out = in;
  limiter.Process(out.data(), kFrame);
  const double g1 = 1.0 - (1.0 - g0) * std::exp(-kFrame / (0.060 * 48000));
  EXPECT_NEAR(std::pow(10.0, limiter.gain_reduction_db() / 20), g1, 1e-3);
  for (int f = 0; f < kFrame; ++f) {
    const double r = Ratio(in, out, 1, f);
    if (!std::isnan(r)) ASSERT_NEAR(r, g0 + (g1 - g0) * (f + 1) / kFrame, 1e-3) << "frame " << f;
  }
}

}  // namespace
}  // namespace voxpool::mix
