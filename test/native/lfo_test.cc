// The modulation LFO and the gain ramp, which the filters compute in vectorisable forms: Lfo::Fill
// gives the sequence of Next() calls (to float rounding) and leaves the phase where they would,
// for any count (whole and partial lane groups, across blocks); the result is an exact sine.
// RampGain and ScaleFrames reach the gains they promise.
#include "voxpool/filter/lfo.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "voxpool/filter/ramp.h"

namespace voxpool::filter {
namespace {

TEST(Lfo, FillMatchesNextForAnyCount) {
  for (int n : {1, 7, 8, 9, 63, 64, 960}) {
    Lfo a, b;
    a.SetFrequency(4.0, 48000);
    b.SetFrequency(4.0, 48000);
    std::vector<float> got(n);
    for (int block = 0; block < 5; ++block) {
      a.Fill(got.data(), n);
      for (int i = 0; i < n; ++i)
        ASSERT_NEAR(got[i], b.Next(), 2e-6) << "n " << n << " block " << block << " i " << i;
      a.Renormalize();
      b.Renormalize();
    }
  }
}

TEST(Lfo, FillIsTheSineOfItsPhase) {
  constexpr double kHz = 5.5;
  constexpr int kRate = 48000;
  Lfo lfo;
  lfo.SetFrequency(kHz, kRate);
  std::vector<float> v(960);
  for (int block = 0; block < 50; ++block) {  // one second
    lfo.Fill(v.data(), 960);
    lfo.Renormalize();
    for (int i = 0; i < 960; i += 97) {
      const double t = (block * 960 + i) / static_cast<double>(kRate);
      ASSERT_NEAR(v[i], std::sin(2 * M_PI * kHz * t), 1e-5) << block << " " << i;
    }
  }
}

TEST(RampGain, ReachesTheTargetLinearlyAndHoldsASteadyGain) {
  for (int channels : {1, 2, 3}) {
    std::vector<float> pcm(100 * channels, 1.0f);
    RampGain(pcm.data(), 100, channels, 0.0f, 1.0f);
    for (int i = 0; i < 100; ++i)
      for (int c = 0; c < channels; ++c)
        ASSERT_NEAR(pcm[i * channels + c], (i + 1) / 100.0f, 1e-6) << channels;
    std::vector<float> steady(64 * channels, 2.0f);
    RampGain(steady.data(), 64, channels, 0.5f, 0.5f);
    for (float s : steady) ASSERT_EQ(s, 1.0f);
  }
}

TEST(ScaleFrames, ScalesEveryChannelOfAFrameAlike) {
  for (int channels : {1, 2, 3}) {
    std::vector<float> gains = {0.5f, 2.0f, -1.0f, 0.0f};
    std::vector<float> pcm(4 * channels, 3.0f);
    ScaleFrames(pcm.data(), gains.data(), 4, channels);
    for (int i = 0; i < 4; ++i)
      for (int c = 0; c < channels; ++c) ASSERT_EQ(pcm[i * channels + c], 3.0f * gains[i]);
  }
}

}  // namespace
}  // namespace voxpool::filter
