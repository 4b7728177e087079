// Equalizer against a double-precision reference of the same bank: RBJ's band-passes designed
// in double, run in direct form in double, the input plus their sum weighted by 4 x gain, each
// gain moving linearly over a call. Whatever form and vector code the stage uses, its output
// must be this one within float rounding, for mono and stereo, any call length (the vector
// paths work in batches of samples and have tails), gains constant and changing.
#include "voxpool/filter/equalizer.h"

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <string>
#include <vector>

#include "test_signal.h"

namespace voxpool::filter {
namespace {

class ReferenceBank {
 public:
  ReferenceBank(int rate, int channels) : channels_(channels) {
    for (int b = 0; b < kEqualizerBands; ++b) {
      if (kEqualizerFrequencies[b] >= kEqualizerMaxBandFraction * rate) break;
      const double w0 = 2.0 * test::kPi * kEqualizerFrequencies[b] / rate;
      const double alpha = std::sin(w0) / (2.0 * kEqualizerQ);
      const double a0 = 1.0 + alpha;
      b0_[b] = alpha / a0;
      a1_[b] = -2.0 * std::cos(w0) / a0;
      a2_[b] = (1.0 - alpha) / a0;
      bands_ = b + 1;
    }
  }
  void Set(const FilterSettings& s) {
    for (int b = 0; b < kEqualizerBands; ++b) target_[b] = 4.0 * s.equalizer[b];
  }
  void Reset() { gain_ = target_; }
  void Process(std::vector<double>& pcm, size_t at, int frames) {
    for (int i = 0; i < frames; ++i) {
      const double t = static_cast<double>(i + 1) / frames;
      for (int c = 0; c < channels_; ++c) {
        double& v = pcm[at + static_cast<size_t>(i) * channels_ + c];
        const double x = v;
        double sum = 0;
        for (int b = 0; b < bands_; ++b) {
          const double y = b0_[b] * (x - x2_[c]) - a1_[b] * y1_[c][b] - a2_[b] * y2_[c][b];
          y2_[c][b] = y1_[c][b];
          y1_[c][b] = y;
          sum += y * (gain_[b] + (target_[b] - gain_[b]) * t);
        }
        x2_[c] = x1_[c];
        x1_[c] = x;
        v = x + sum;
      }
    }
    gain_ = target_;
  }

 private:
  int channels_;
  int bands_ = 0;
  std::array<double, kEqualizerBands> b0_{}, a1_{}, a2_{}, gain_{}, target_{};
  double x1_[2]{}, x2_[2]{}, y1_[2][kEqualizerBands]{}, y2_[2][kEqualizerBands]{};
};

FilterSettings Gains(int variant) {
  FilterSettings s;
  for (int b = 0; b < kEqualizerBands; ++b)
    s.equalizer[b] = variant == 0 ? 0.05 * (b % 5) - 0.05 : (b % 3 == 0 ? 0.8 : -0.25 + 0.02 * b);
  return s;
}

// Every kernel this machine runs (the portable one everywhere; AVX2 and AVX-512VL where the CPU
// has them), so a CPU with AVX-512 does not leave the narrower kernels untested.
TEST(Equalizer, MatchesADoublePrecisionBankWithinFloatRounding) {
  int kernels = 0;
  for (auto kernel :
       {Equalizer::Kernel::kPortable, Equalizer::Kernel::kAvx2, Equalizer::Kernel::kAvx512}) {
    if (kernel > Equalizer::BestKernel()) continue;
    ++kernels;
    for (int rate : {48000, 16000}) {
      for (int channels : {1, 2}) {
        for (int call : {960, 7, 1, 481}) {
          SCOPED_TRACE("kernel " + std::to_string(static_cast<int>(kernel)) + ", rate " +
                       std::to_string(rate) + ", channels " + std::to_string(channels) + ", call " +
                       std::to_string(call) + " frames");
          const int frames = rate / 2;  // 0.5 s: gains change at 0.2 s
          std::vector<float> in = test::SineMixFloat(rate, channels, frames);
          for (size_t k = 0; k < in.size(); ++k)  // and a little broadband content
            in[k] += 0.05f * static_cast<float>(std::sin(0.7 * k * k));
          std::vector<float> out = in;
          std::vector<double> ref(in.begin(), in.end());
          Equalizer eq(rate, channels);
          ASSERT_TRUE(eq.UseKernel(kernel));
          ReferenceBank bank(rate, channels);
          eq.Set(Gains(0));
          eq.Reset();
          bank.Set(Gains(0));
          bank.Reset();
          for (int at = 0; at < frames; at += call) {
            if (at >= rate / 5 && at - call < rate / 5) {
              eq.Set(Gains(1));
              bank.Set(Gains(1));
            }
            const int n = std::min(call, frames - at);
            const size_t offset = static_cast<size_t>(at) * channels;
            eq.Process(out.data() + offset, n);
            bank.Process(ref, offset, n);
          }
          double err = 0;
          for (size_t k = 0; k < out.size(); ++k) err = std::max(err, std::fabs(out[k] - ref[k]));
          // Peak ~0.55 and up to +5 dB of gain: float rounding through 15 recursions leaves
          // ~1e-5 here; a wrong coefficient, lane, channel or ramp is orders of magnitude more.
          EXPECT_LT(err, 1e-4);
        }
      }
    }
  }
  EXPECT_GE(kernels, 1);
}

TEST(Equalizer, RefusesAKernelTheCpuLacks) {
  Equalizer eq(48000, 2);
  EXPECT_EQ(eq.kernel(), Equalizer::BestKernel());
  EXPECT_TRUE(eq.UseKernel(Equalizer::Kernel::kPortable));
  EXPECT_EQ(eq.kernel(), Equalizer::Kernel::kPortable);
  if (Equalizer::BestKernel() != Equalizer::Kernel::kAvx512) {
    EXPECT_FALSE(eq.UseKernel(Equalizer::Kernel::kAvx512));
    EXPECT_EQ(eq.kernel(), Equalizer::Kernel::kPortable);
  }
}

}  // namespace
}  // namespace voxpool::filter
