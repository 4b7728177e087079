// FilterChain and its stages, measured on generated signals: each filter's response at the
// frequencies and rates it promises, click-free changes, bounds and exact errors.
#include "voxpool/filter/filter_chain.h"

#include "voxpool/filter/crossfade.h"

#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <vector>

#include "test_signal.h"

namespace voxpool::filter {
namespace {

constexpr int kRate = 48000;
constexpr int kFrame = 960;  // 20 ms

std::unique_ptr<FilterChain> Make(const FilterSettings& s, int channels = 2, int rate = kRate) {
  FilterChainOptions o;
  o.sample_rate = rate;
  o.channels = channels;
  o.filters = s;
  std::unique_ptr<FilterChain> chain;
  Status st = FilterChain::Create(o, &chain);
  EXPECT_TRUE(st.ok()) << st.message();
  return chain;
}

// Interleaved sine at `freq` Hz, amplitude `amp`, on every channel (or only channel `only`).
std::vector<float> Sine(double freq, int frames, int channels, double amp = 0.25, int only = -1) {
  std::vector<float> v(static_cast<size_t>(frames) * channels);
  for (int i = 0; i < frames; ++i)
    for (int c = 0; c < channels; ++c)
      v[i * channels + c] =
          (only < 0 || only == c)
              ? static_cast<float>(amp * std::sin(2 * test::kPi * freq * i / kRate))
              : 0.0f;
  return v;
}

// RMS of channel `c` over frames [from, to).
double Rms(const std::vector<float>& v, int channels, int c, int from, int to) {
  double sum = 0;
  for (int i = from; i < to; ++i) sum += double(v[i * channels + c]) * v[i * channels + c];
  return std::sqrt(sum / (to - from));
}

// Gain in dB the chain applies to a sine at `freq`, measured on channel 0 after 1 s of settling.
double GainDb(const FilterSettings& s, double freq, int rate = kRate) {
  auto chain = Make(s, 2, rate);
  const int frames = rate * 2;
  std::vector<float> in(static_cast<size_t>(frames) * 2);
  for (int i = 0; i < frames; ++i)
    in[2 * i] = in[2 * i + 1] =
        static_cast<float>(0.05 * std::sin(2 * test::kPi * freq * i / rate));
  std::vector<float> out = in;
  for (int at = 0; at < frames; at += kFrame)
    chain->Process(out.data() + at * 2, std::min(kFrame, frames - at));
  return 20 * std::log10(Rms(out, 2, 0, rate, frames) / Rms(in, 2, 0, rate, frames));
}

TEST(FilterChain, EqualizerBandGainAtItsCentreAndFlatFarAway) {
  for (int band : {0, 4, 8, 12, 14}) {
    for (double gain : {-0.2, 0.25, 1.0}) {
      FilterSettings s;
      s.equalizer[band] = gain;
      const double f = kEqualizerFrequencies[band];
      EXPECT_NEAR(GainDb(s, f), 20 * std::log10(1 + 4 * gain), 0.5) << band << " " << gain;
      // Three octaves away the band has no audible effect.
      const double far = f >= 2000 ? f / 8 : f * 8;
      EXPECT_NEAR(GainDb(s, far), 0.0, 0.5) << band << " " << gain;
    }
  }
}

TEST(FilterChain, EqualizerLeavesOutBandsNearNyquist) {
  FilterSettings s;
  s.equalizer[14] = 1.0;  // 16 kHz: above 0.45 x 16 kHz
  EXPECT_NEAR(GainDb(s, 1000, 16000), 0.0, 0.01);
}

TEST(FilterChain, HighPassAttenuatesAnOctaveBelowItsCutoff) {
  FilterSettings s;
  s.high_pass = true;
  s.high_pass_cutoff_hz = 200;
  EXPECT_NEAR(GainDb(s, 200), -3.0, 0.3);
  EXPECT_NEAR(GainDb(s, 100), -12.3, 0.5);  // 2nd order: 10 log10(1 + 2^4)
  EXPECT_NEAR(GainDb(s, 2000), 0.0, 0.1);
}

TEST(FilterChain, LowPassSmoothingFollowsItsOnePoleCorner) {
  FilterSettings s;
  s.low_pass = true;  // smoothing 20 at 48 kHz: one pole at a = 1/20
  const double a = 1.0 / 20;
  for (double f : {100.0, 1000.0, 5000.0}) {
    const double w = 2 * test::kPi * f / kRate;
    // |a / (1 - (1 - a) e^-jw)|
    const double re = 1 - (1 - a) * std::cos(w), im = (1 - a) * std::sin(w);
    EXPECT_NEAR(GainDb(s, f), 20 * std::log10(a / std::hypot(re, im)), 0.3) << f;
  }
  s.low_pass_smoothing = 1;  // Lavalink: at or below 1 it does nothing
  EXPECT_NEAR(GainDb(s, 5000), 0.0, 1e-6);
}

TEST(FilterChain, KaraokeRemovesTheCentreAndKeepsTheSides) {
  FilterSettings s;
  s.karaoke = true;
  auto chain = Make(s);
  std::vector<float> centre = Sine(1000, kRate, 2);
  std::vector<float> side = Sine(1000, kRate, 2, 0.25, 0);
  std::vector<float> c_out = centre, s_out = side;
  for (int at = 0; at < kRate; at += kFrame) chain->Process(c_out.data() + at * 2, kFrame);
  chain = Make(s);
  for (int at = 0; at < kRate; at += kFrame) chain->Process(s_out.data() + at * 2, kFrame);
  const double centre_db =
      20 * std::log10(Rms(c_out, 2, 0, kRate / 2, kRate) / Rms(centre, 2, 0, kRate / 2, kRate));
  const double side_db =
      20 * std::log10(Rms(s_out, 2, 0, kRate / 2, kRate) / Rms(side, 2, 0, kRate / 2, kRate));
  EXPECT_LT(centre_db, -20.0);
  EXPECT_NEAR(side_db, 0.0, 0.5);
}

TEST(FilterChain, TremoloSwingsAtItsRateAndDepth) {
  FilterSettings s;
  s.tremolo = true;
  s.tremolo_frequency = 4;
  s.tremolo_depth = 0.6;
  auto chain = Make(s, 1);
  std::vector<float> v(kRate, 0.5f);  // DC: the output is the gain itself
  for (int at = 0; at < kRate; at += kFrame) chain->Process(v.data() + at, kFrame);
  float lo = 1, hi = 0;
  int peaks = 0;
  for (int i = 1; i + 1 < kRate; ++i) {
    lo = std::min(lo, v[i]);
    hi = std::max(hi, v[i]);
    if (v[i] > v[i - 1] && v[i] >= v[i + 1]) ++peaks;
  }
  EXPECT_NEAR(hi / 0.5, 1.0, 0.001);
  EXPECT_NEAR(lo / 0.5, 1.0 - 0.6, 0.001);
  EXPECT_EQ(peaks, 4);
}

TEST(FilterChain, RotationPansAroundAtItsRate) {
  FilterSettings s;
  s.rotation_hz = 2;
  auto chain = Make(s);
  std::vector<float> v(static_cast<size_t>(kRate) * 2, 0.5f);
  for (int at = 0; at < kRate; at += kFrame) chain->Process(v.data() + at * 2, kFrame);
  int crossings = 0;
  for (int i = 1; i < kRate; ++i) {
    EXPECT_NEAR(v[2 * i] + v[2 * i + 1], 0.5f, 1e-5);  // the gains sum to 1
    if ((v[2 * i] > 0.25f) != (v[2 * (i - 1)] > 0.25f)) ++crossings;
  }
  EXPECT_EQ(crossings, 4);  // two turns: left-of-centre twice, right twice
}

TEST(FilterChain, VibratoModulatesThePitchAtItsRate) {
  FilterSettings s;
  s.vibrato = true;
  s.vibrato_frequency = 5;
  s.vibrato_depth = 1;
  auto chain = Make(s, 1);
  std::vector<float> v = Sine(1000, kRate, 1);
  for (int at = 0; at < kRate; at += kFrame) chain->Process(v.data() + at, kFrame);
  // Instantaneous frequency from the period between rising zero crossings: it swings above and
  // below 1 kHz by the delay's slope (2 pi f x 2 ms x depth / 2 = 3.1 % at 5 Hz).
  double lo = 1e9, hi = 0, last = -1;
  for (int i = 2400; i < kRate; ++i) {
    if (v[i - 1] < 0 && v[i] >= 0) {
      const double t = i - 1 + v[i - 1] / (v[i - 1] - v[i]);
      if (last > 0) {
        lo = std::min(lo, kRate / (t - last));
        hi = std::max(hi, kRate / (t - last));
      }
      last = t;
    }
  }
  EXPECT_NEAR(hi, 1000 * (1 + 2 * test::kPi * 5 * 0.001), 8);
  EXPECT_NEAR(lo, 1000 * (1 - 2 * test::kPi * 5 * 0.001), 8);
}

TEST(FilterChain, ChannelMixSwapsAndMonos) {
  FilterSettings s;
  s.channel_mix_left_to_left = 0;
  s.channel_mix_left_to_right = 1;
  s.channel_mix_right_to_left = 1;
  s.channel_mix_right_to_right = 0;
  auto chain = Make(s);
  std::vector<float> v = Sine(500, kFrame, 2, 0.25, 0);
  std::vector<float> in = v;
  chain->Process(v.data(), kFrame);
  for (int i = 0; i < kFrame; ++i) {
    EXPECT_FLOAT_EQ(v[2 * i], 0.0f);
    EXPECT_FLOAT_EQ(v[2 * i + 1], in[2 * i]);
  }
}

TEST(FilterChain, VolumeFollowsLavalinksCurve) {
  EXPECT_EQ(LavalinkVolumeGain(1.0), 1.0);
  EXPECT_NEAR(LavalinkVolumeGain(0.5), std::tan(0.395), 1e-12);
  EXPECT_NEAR(LavalinkVolumeGain(4.0), 24612.0 / 15000.0 * 4.0, 1e-12);
  FilterSettings s;
  s.volume = 0.5;
  EXPECT_NEAR(GainDb(s, 1000), 20 * std::log10(std::tan(0.395)), 0.01);
}

TEST(FilterChain, NoFilterLeavesS16BitExact) {
  auto chain = Make(FilterSettings{});
  std::vector<int16_t> pcm = test::SineMix(kRate, 2, kFrame);
  for (auto& x : pcm) x = static_cast<int16_t>(x * 2);  // near full scale
  std::vector<int16_t> copy = pcm;
  chain->Process(pcm.data(), kFrame);
  EXPECT_EQ(pcm, copy);
}

TEST(FilterChain, ChangesAreClickFree) {
  // A steady 200 Hz sine; the filters change every frame (on, off, new gains). A click is a step
  // where a change takes effect, at a frame boundary: none may be larger than the largest step
  // of the output inside the frames.
  auto chain = Make(FilterSettings{});
  const int frames = kFrame * 40;
  std::vector<float> v = Sine(200, frames, 2, 0.3);
  for (int k = 0; k < 40; ++k) {
    FilterSettings s;
    switch (k % 5) {
      case 1:
        s.equalizer[5] = 0.8;
        s.volume = 0.2;
        break;
      case 2:
        s.tremolo = true;
        s.tremolo_depth = 1;
        s.karaoke = true;
        break;
      case 3:
        s.high_pass = true;
        s.high_pass_cutoff_hz = 1000;
        s.low_pass = true;
        break;
      case 4:
        s.distortion_scale = 0.5;
        s.vibrato = true;
        s.channel_mix_left_to_left = 0.2;
        break;
      default:
        break;
    }
    ASSERT_TRUE(chain->SetFilters(s).ok());
    chain->Process(v.data() + k * kFrame * 2, kFrame);
  }
  double inside = 0, boundary = 0;
  for (int i = 1; i < frames; ++i) {
    for (int c = 0; c < 2; ++c) {
      const double step = std::fabs(v[2 * i + c] - v[2 * (i - 1) + c]);
      (i % kFrame == 0 ? boundary : inside) = std::max(i % kFrame == 0 ? boundary : inside, step);
    }
  }
  EXPECT_GT(inside, 0.001);
  EXPECT_LE(boundary, inside);
}

TEST(FilterChain, HostileSettingsNeverMakeNanOrExceedTheCeiling) {
  FilterSettings s;
  s.distortion_tan_scale = 100;
  s.distortion_scale = 100;
  s.equalizer.fill(1.0);
  s.volume = 5;
  auto chain = Make(s);
  std::vector<float> v = Sine(3000, kFrame * 10, 2, 1.0);
  v[7] = INFINITY;
  v[9] = NAN;
  for (int at = 0; at < kFrame * 10; at += kFrame) chain->Process(v.data() + at * 2, kFrame);
  for (float x : v) {
    ASSERT_TRUE(std::isfinite(x));
    ASSERT_LE(std::fabs(x), 1.0f);
  }
}

TEST(FilterChain, RejectsOutOfRangeSettingsByName) {
  FilterSettings s;
  s.tremolo_depth = 0;
  std::unique_ptr<FilterChain> chain;
  FilterChainOptions o;
  o.filters = s;
  Status st = FilterChain::Create(o, &chain);
  EXPECT_EQ(st.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(st.message(), "tremolo.depth must be above 0 and at most 1");
  s = FilterSettings{};
  s.equalizer[3] = -0.3;
  EXPECT_EQ(CheckFilterSettings(s).message(), "equalizer[3].gain must be from -0.25 to 1");
  s = FilterSettings{};
  s.vibrato_frequency = NAN;
  EXPECT_EQ(CheckFilterSettings(s).message(),
            "vibrato.frequency must be above 0 and at most 14 Hz");
  o.filters = FilterSettings{};
  o.sample_rate = 96000;
  EXPECT_EQ(FilterChain::Create(o, &chain).message(), "sampleRate must be from 8000 to 48000 Hz");
}

TEST(FilterChain, CompressorReducesAboveItsThresholdByItsRatio) {
  FilterSettings s;
  s.compressor = true;
  s.compressor_threshold_db = -18;
  s.compressor_ratio = 4;
  s.compressor_knee_db = 0;
  s.compressor_release_ms = 200;
  // A sine peaking at -6 dBFS is 12 dB over: it comes out 9 dB down (peak -15 dBFS).
  auto chain = Make(s);
  std::vector<float> in = Sine(1000, kRate, 2, std::pow(10.0, -6.0 / 20));
  std::vector<float> out = in;
  for (int at = 0; at < kRate; at += kFrame) chain->Process(out.data() + at * 2, kFrame);
  EXPECT_NEAR(20 * std::log10(Rms(out, 2, 0, kRate / 2, kRate) / Rms(in, 2, 0, kRate / 2, kRate)),
              -9.0, 0.5);
  // Below the threshold: unchanged (make-up 0).
  chain = Make(s);
  in = Sine(1000, kRate, 2, std::pow(10.0, -30.0 / 20));
  out = in;
  for (int at = 0; at < kRate; at += kFrame) chain->Process(out.data() + at * 2, kFrame);
  EXPECT_NEAR(20 * std::log10(Rms(out, 2, 0, kRate / 2, kRate) / Rms(in, 2, 0, kRate / 2, kRate)),
              0.0, 0.1);
}

TEST(FilterChain, FadeReachesItsTargetAlongItsCurveAndHolds) {
  for (FadeCurve curve : {FadeCurve::kLinear, FadeCurve::kEqualPower, FadeCurve::kSCurve}) {
    auto chain = Make(FilterSettings{}, 1);
    ASSERT_TRUE(chain->StartFade(0.0, 100, curve).ok());  // 4800 frames
    std::vector<float> v(kRate / 5, 0.5f);                // 200 ms of DC
    for (int at = 0; at < kRate / 5; at += kFrame) chain->Process(v.data() + at, kFrame);
    const double mid = v[2399] / 0.5;  // t = 0.5
    if (curve == FadeCurve::kEqualPower)
      EXPECT_NEAR(mid, std::cos(test::kPi / 4), 1e-3);
    else
      EXPECT_NEAR(mid, 0.5, 1e-3);
    EXPECT_EQ(v[4799], 0.0f);
    for (int i = 4800; i < kRate / 5; ++i) ASSERT_EQ(v[i], 0.0f);  // holds silence
    EXPECT_TRUE(chain->active());
    ASSERT_TRUE(chain->StartFade(1.0, 0, curve).ok());
    std::vector<float> w(kFrame, 0.5f);
    chain->Process(w.data(), kFrame);
    EXPECT_EQ(w[0], 0.5f);
  }
  auto chain = Make(FilterSettings{}, 1);
  EXPECT_EQ(chain->StartFade(1.5, 10, FadeCurve::kLinear).message(),
            "fade target must be from 0 to 1");
}

TEST(Crossfade, EqualPowerKeepsThePowerOfUncorrelatedSourcesWithin1Db) {
  CrossfadeOptions o;
  o.duration_ms = 1000;
  std::unique_ptr<Crossfade> x;
  ASSERT_TRUE(Crossfade::Create(o, &x).ok());
  // Two uncorrelated sources of equal power: 440 Hz and 1234 Hz sines.
  std::vector<float> a = Sine(440, kRate, 2, 0.3), b = Sine(1234, kRate, 2, 0.3), out(a.size());
  for (int at = 0; at < kRate; at += kFrame)
    x->Process(a.data() + at * 2, b.data() + at * 2, out.data() + at * 2, kFrame);
  const double ref = Rms(a, 2, 0, 0, kRate);
  for (int at = 0; at < kRate; at += kFrame)
    EXPECT_NEAR(20 * std::log10(Rms(out, 2, 0, at, at + kFrame) / ref), 0.0, 1.0) << at;
  EXPECT_TRUE(x->done());
  // Then the incoming source alone, untouched.
  std::vector<float> after(kFrame * 2);
  x->Process(a.data(), b.data(), after.data(), kFrame);
  for (int i = 0; i < kFrame * 2; ++i) ASSERT_EQ(after[i], b[i]);
  o.duration_ms = 0;
  EXPECT_EQ(Crossfade::Create(o, &x).message(), "durationMs must be from 1 to 60000");
}

}  // namespace
}  // namespace voxpool::filter

namespace voxpool::filter {
namespace {

// Rising zero crossings of channel 0 per second over frames [start, end).
double ZeroCrossingHz(const std::vector<float>& x, int channels, int start, int end) {
  int n = 0;
  for (int i = start + 1; i < end; ++i)
    if (x[(i - 1) * channels] < 0 && x[i * channels] >= 0) ++n;
  return n / (static_cast<double>(end - start) / kRate);
}

// timescale through ProcessInto(), encoder-style: 20 ms in, whole 20 ms frames out, then the end.
std::vector<float> Stretched(FilterChain& chain, const std::vector<float>& x) {
  std::vector<float> out;
  const int capacity = chain.OutputCapacity(kFrame);
  std::vector<float> in(static_cast<size_t>(kFrame) * 2), buf(static_cast<size_t>(capacity) * 2);
  const int frames = static_cast<int>(x.size() / 2);
  for (int at = 0; at <= frames; at += kFrame) {
    const bool end = at + kFrame > frames;
    const int n = end ? 0 : kFrame;
    std::copy(x.begin() + at * 2, x.begin() + (at + n) * 2, in.begin());
    const int got = chain.ProcessInto(in.data(), n, buf.data(), capacity, kFrame, end);
    EXPECT_EQ(got % kFrame, 0) << "whole 20 ms frames";
    out.insert(out.end(), buf.begin(), buf.begin() + got * 2);
  }
  return out;
}

TEST(TimescaleTest, SpeedChangesDurationAtThePitchPitchThePitchAtTheDuration) {
  const int frames = 3 * kRate;
  const std::vector<float> x = Sine(440, frames, 2);
  struct Case {
    double speed, pitch, rate, duration, semitones;
  } cases[] = {{1.25, 1, 1, 0.8, 0},
               {1, 1.25, 1, 1, 12 * std::log2(1.25)},
               {1, 1, 1.25, 0.8, 12 * std::log2(1.25)},
               {0.8, 0.8, 1, 1.25, 12 * std::log2(0.8)}};
  for (const Case& c : cases) {
    FilterSettings s;
    s.timescale_speed = c.speed;
    s.timescale_pitch = c.pitch;
    s.timescale_rate = c.rate;
    auto chain = Make(s);
    ASSERT_TRUE(chain->stretching());
    const std::vector<float> y = Stretched(*chain, x);
    const double out_frames = static_cast<double>(y.size()) / 2;
    const double exact = frames * c.duration;
    // The end pads SoundTouch's last sequence and the last 20 ms frame with silence.
    EXPECT_GE(out_frames, exact - 0.01 * kRate) << c.speed << "/" << c.pitch << "/" << c.rate;
    EXPECT_LE(out_frames, exact + 0.12 * kRate) << c.speed << "/" << c.pitch << "/" << c.rate;
    const double hz = ZeroCrossingHz(y, 2, kRate / 5, static_cast<int>(exact) - kRate / 5);
    EXPECT_NEAR(12 * std::log2(hz / 440), c.semitones, 0.05)
        << c.speed << "/" << c.pitch << "/" << c.rate << ": " << hz << " Hz";
  }
}

TEST(TimescaleTest, SpeedTimesRateOutsideItsRangeIsRefusedNamingIt) {
  FilterSettings s;
  s.timescale_speed = 0.25;
  s.timescale_rate = 0.5;
  Status st = CheckFilterSettings(s);
  EXPECT_EQ(st.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(st.message(), "timescale.speed x timescale.rate must be from 0.25 to 4");
  s.timescale_rate = 1;
  EXPECT_TRUE(CheckFilterSettings(s).ok());
}

TEST(TimescaleTest, WithoutTimescaleProcessIntoIsProcessFrameForFrame) {
  FilterSettings s;
  s.tremolo = true;
  auto a = Make(s), b = Make(s);
  std::vector<float> x = Sine(300, kFrame, 2), y = x, out(x.size());
  a->Process(x.data(), kFrame);
  EXPECT_EQ(b->ProcessInto(y.data(), kFrame, out.data(), kFrame, kFrame, false), kFrame);
  EXPECT_EQ(out, x);
  EXPECT_FALSE(b->stretching());
}

}  // namespace
}  // namespace voxpool::filter
