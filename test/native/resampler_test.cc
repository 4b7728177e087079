// Resampler: argument checks, pass-through, quality (SNR, passband, stopband) per rate pair,
// streaming equivalence, flush, and the steadiness the mixer's prebuffer relies on.
#include "voxpool/mix/resampler.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace voxpool::mix {
namespace {

constexpr double kPi = 3.14159265358979323846;

std::vector<float> Tone(double freq, int rate, int frames, int channels, double amp = 0.5) {
  std::vector<float> s(static_cast<size_t>(frames) * channels);
  for (int i = 0; i < frames; ++i)
    for (int c = 0; c < channels; ++c)
      s[static_cast<size_t>(i) * channels + c] =
          static_cast<float>(amp * std::sin(2 * kPi * freq * i / rate));
  return s;
}

// Streams `in` through `r` in chunks of `chunk` frames, then flushes.
std::vector<float> Stream(Resampler& r, const std::vector<float>& in, int chunk,
                          bool flush = true) {
  const int ch = r.channels();
  const int frames = static_cast<int>(in.size() / ch);
  std::vector<float> out;
  std::vector<float> buf(static_cast<size_t>(r.MaxOutputFrames(chunk)) * ch);
  for (int i = 0; i < frames; i += chunk) {
    const int n = std::min(chunk, frames - i);
    int got = 0;
    EXPECT_TRUE(r.Process(in.data() + static_cast<size_t>(i) * ch, n, buf.data(),
                          static_cast<int>(buf.size() / ch), &got)
                    .ok());
    out.insert(out.end(), buf.begin(), buf.begin() + static_cast<size_t>(got) * ch);
  }
  if (flush) {
    std::vector<float> tail(static_cast<size_t>(r.MaxOutputFrames(r.input_rate())) * ch);
    int got = 0;
    EXPECT_TRUE(r.Flush(tail.data(), static_cast<int>(tail.size() / ch), &got).ok());
    out.insert(out.end(), tail.begin(), tail.begin() + static_cast<size_t>(got) * ch);
  }
  return out;
}

// Least-squares fit of a sine at `freq` to channel `c` over the middle half; returns the amplitude
// and the residual power (noise + distortion + aliases) through `residual`.
double Fit(const std::vector<float>& y, int channels, int c, double freq, int rate,
           double* residual = nullptr) {
  const size_t frames = y.size() / channels;
  const size_t b = frames / 4, e = frames * 3 / 4;
  double ss = 0, cc = 0, sc = 0, ys = 0, yc = 0;
  for (size_t i = b; i < e; ++i) {
    const double s = std::sin(2 * kPi * freq * i / rate), co = std::cos(2 * kPi * freq * i / rate);
    const double v = y[i * channels + c];
    ss += s * s;
    cc += co * co;
    sc += s * co;
    ys += v * s;
    yc += v * co;
  }
  const double det = ss * cc - sc * sc;
  const double a = (ys * cc - yc * sc) / det, bb = (yc * ss - ys * sc) / det;
  if (residual != nullptr) {
    double res = 0;
    for (size_t i = b; i < e; ++i) {
      const double fit =
          a * std::sin(2 * kPi * freq * i / rate) + bb * std::cos(2 * kPi * freq * i / rate);
      const double d = y[i * channels + c] - fit;
      res += d * d;
    }
    *residual = res / (e - b);
  }
  return std::sqrt(a * a + bb * bb);
}

std::unique_ptr<Resampler> Make(int in, int out, int channels) {
  std::unique_ptr<Resampler> r;
  ResamplerOptions o;
  o.input_rate = in;
  o.output_rate = out;
  o.channels = channels;
  EXPECT_TRUE(Resampler::Create(o, &r).ok());
  return r;
}

const int kRates[] = {8000, 16000, 24000, 44100, 48000};

TEST(ResamplerTest, RejectsBadArguments) {
  struct Case {
    int in, out, ch;
  };
  const Case bad[] = {{7999, 48000, 1}, {48000, 48001, 1}, {0, 48000, 2},     {-1, 16000, 2},
                      {48000, 0, 2},    {16000, 48000, 0}, {16000, 48000, 3}, {16000, 48000, -1}};
  for (const Case& c : bad) {
    SCOPED_TRACE(std::to_string(c.in) + "->" + std::to_string(c.out) + " ch " +
                 std::to_string(c.ch));
    std::unique_ptr<Resampler> r;
    Status st = Resampler::Create({c.in, c.out, c.ch}, &r);
    EXPECT_EQ(st.code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(r, nullptr);
  }
  auto r = Make(16000, 48000, 1);
  float in[320] = {};
  float out[8];
  int got = -1;
  EXPECT_EQ(r->Process(in, -1, out, 8, &got).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(r->Process(static_cast<const float*>(nullptr), 10, out, 8, &got).code(),
            ErrorCode::kInvalidArgument);
  // 320 frames at 16 kHz make ~960 at 48 kHz: 8 frames of room is too small.
  Status st = Status::Ok();
  for (int i = 0; i < 10 && st.ok(); ++i) st = r->Process(in, 320, out, 8, &got);
  EXPECT_EQ(st.code(), ErrorCode::kInvalidArgument);
}

TEST(ResamplerTest, EqualRatesPassThroughExactly) {
  for (int ch : {1, 2}) {
    auto r = Make(48000, 48000, ch);
    std::vector<float> in = Tone(997, 48000, 960, ch);
    std::vector<float> out = Stream(*r, in, 960);
    EXPECT_EQ(out, in);
    std::vector<int16_t> s16(960 * ch, 1234), s16out(960 * ch);
    int got = 0;
    ASSERT_TRUE(r->Process(s16.data(), 960, s16out.data(), 960, &got).ok());
    EXPECT_EQ(got, 960);
    EXPECT_EQ(s16out, s16);
    EXPECT_EQ(r->delay_frames(), 0);
  }
}

// 1 kHz at -6 dBFS, streamed in 20 ms chunks: gain within 0.01 dB and SNR (THD+N) >= 100 dB for
// every pair and channel count; the output length matches the ratio after a flush.
TEST(ResamplerTest, ToneQualityAcrossRatePairs) {
  for (int in : kRates) {
    for (int out : kRates) {
      for (int ch : {1, 2}) {
        SCOPED_TRACE(std::to_string(in) + "->" + std::to_string(out) + " ch " + std::to_string(ch));
        auto r = Make(in, out, ch);
        const int frames = in;  // 1 s
        std::vector<float> y = Stream(*r, Tone(1000, in, frames, ch), in / 50);
        const double expected = static_cast<double>(frames) * out / in;
        EXPECT_NEAR(static_cast<double>(y.size() / ch), expected, 2.0);
        for (int c = 0; c < ch; ++c) {
          double res = 0;
          const double amp = Fit(y, ch, c, 1000, out, &res);
          EXPECT_NEAR(20 * std::log10(amp / 0.5), 0.0, 0.01);
          EXPECT_GE(10 * std::log10(amp * amp / 2 / res), 100.0);
        }
      }
    }
  }
}

// Passband flat to 0.05 dB up to 80 % of the lower Nyquist; stopband (tones the output cannot
// represent) attenuated by at least 100 dB.
TEST(ResamplerTest, FrequencyResponse) {
  const int pairs[][2] = {{48000, 16000}, {16000, 48000}, {44100, 48000}, {48000, 8000}};
  for (const auto& p : pairs) {
    SCOPED_TRACE(std::to_string(p[0]) + "->" + std::to_string(p[1]));
    const double band = 0.8 * std::min(p[0], p[1]) / 2;
    for (int k = 0; k < 12; ++k) {
      const double f = 100 + (band - 100) * k / 11;
      SCOPED_TRACE(f);
      auto r = Make(p[0], p[1], 1);
      std::vector<float> y = Stream(*r, Tone(f, p[0], p[0] / 2, 1), p[0] / 50);
      EXPECT_NEAR(20 * std::log10(Fit(y, 1, 0, f, p[1]) / 0.5), 0.0, 0.05);
    }
    if (p[1] < p[0]) {
      for (int k = 0; k < 10; ++k) {
        const double lo = 1.05 * p[1] / 2, hi = 0.98 * p[0] / 2;
        const double f = lo + (hi - lo) * k / 9;
        SCOPED_TRACE(f);
        auto r = Make(p[0], p[1], 1);
        std::vector<float> y = Stream(*r, Tone(f, p[0], p[0] / 2, 1), p[0] / 50);
        double power = 0;
        for (size_t i = y.size() / 4; i < y.size() * 3 / 4; ++i) power += double(y[i]) * y[i];
        power /= static_cast<double>(y.size() / 2);
        EXPECT_LE(10 * std::log10(power / (0.5 * 0.5 / 2) + 1e-30), -100.0);
      }
    }
  }
}

TEST(ResamplerTest, ChunkingDoesNotChangeTheOutput) {
  auto whole = Make(44100, 48000, 2);
  auto pieces = Make(44100, 48000, 2);
  std::vector<float> in = Tone(440, 44100, 44100, 2);
  std::vector<float> a = Stream(*whole, in, 44100);
  std::vector<float> b = Stream(*pieces, in, 137);
  ASSERT_EQ(a.size(), b.size());
  double worst = 0;
  for (size_t i = 0; i < a.size(); ++i) worst = std::max(worst, double(std::fabs(a[i] - b[i])));
  EXPECT_LT(worst, 1e-5);
}

TEST(ResamplerTest, S16StreamKeepsSixteenBitQuality) {
  auto r = Make(16000, 48000, 1);
  std::vector<float> tone = Tone(1000, 16000, 16000, 1);
  std::vector<int16_t> in(tone.size());
  for (size_t i = 0; i < in.size(); ++i) in[i] = static_cast<int16_t>(std::lround(tone[i] * 32767));
  std::vector<int16_t> buf(static_cast<size_t>(r->MaxOutputFrames(320)));
  std::vector<float> out;
  for (size_t i = 0; i < in.size(); i += 320) {
    int got = 0;
    ASSERT_TRUE(
        r->Process(in.data() + i, 320, buf.data(), static_cast<int>(buf.size()), &got).ok());
    for (int k = 0; k < got; ++k) out.push_back(buf[k] / 32767.0f);
  }
  std::vector<int16_t> tail(static_cast<size_t>(r->MaxOutputFrames(16000)));
  int got = 0;
  ASSERT_TRUE(r->Flush(tail.data(), static_cast<int>(tail.size()), &got).ok());
  EXPECT_NEAR(static_cast<double>(out.size() + got), 48000.0, 2.0);
  double res = 0;
  const double amp = Fit(out, 1, 0, 1000, 48000, &res);
  EXPECT_NEAR(20 * std::log10(amp / 0.5), 0.0, 0.01);
  EXPECT_GE(10 * std::log10(amp * amp / 2 / res), 85.0);  // 16-bit quantisation bound ~92 dB
}

TEST(ResamplerTest, FlushReturnsTheTailAndResets) {
  auto r = Make(48000, 16000, 1);
  std::vector<float> in(960, 0.25f);
  std::vector<float> out(static_cast<size_t>(r->MaxOutputFrames(960)));
  int got = 0;
  ASSERT_TRUE(r->Process(in.data(), 960, out.data(), static_cast<int>(out.size()), &got).ok());
  EXPECT_GT(r->delay_frames(), 0.0);
  int tail = 0;
  std::vector<float> rest(static_cast<size_t>(r->MaxOutputFrames(48000)));
  ASSERT_TRUE(r->Flush(rest.data(), static_cast<int>(rest.size()), &tail).ok());
  EXPECT_EQ(got + tail, 320);
  // Usable again for a new stream.
  ASSERT_TRUE(r->Process(in.data(), 960, out.data(), static_cast<int>(out.size()), &got).ok());
}

// After Reset() a converter is indistinguishable from a new one: the same input gives the same
// samples, for the float and the s16 path alike (each has its own soxr state).
template <typename T>
std::vector<T> Convert(Resampler& r, const std::vector<T>& in) {
  const int ch = r.channels();
  const int frames = static_cast<int>(in.size() / ch);
  std::vector<T> out(static_cast<size_t>(r.MaxOutputFrames(frames)) * ch);
  int got = 0;
  EXPECT_TRUE(r.Process(in.data(), frames, out.data(), static_cast<int>(out.size() / ch), &got).ok());
  out.resize(static_cast<size_t>(got) * ch);
  std::vector<T> tail(static_cast<size_t>(r.MaxOutputFrames(r.input_rate())) * ch);
  int held = 0;
  EXPECT_TRUE(r.Flush(tail.data(), static_cast<int>(tail.size() / ch), &held).ok());
  out.insert(out.end(), tail.begin(), tail.begin() + static_cast<size_t>(held) * ch);
  return out;
}

TEST(ResamplerTest, ResetStartsANewStreamExactlyLikeAFreshConverter) {
  for (auto [in_rate, out_rate] : {std::pair{48000, 16000}, std::pair{16000, 48000}, std::pair{44100, 48000}}) {
    SCOPED_TRACE(std::to_string(in_rate) + " -> " + std::to_string(out_rate));
    const std::vector<float> first = Tone(700, in_rate, in_rate / 50 * 3, 2, 0.8);
    const std::vector<float> second = Tone(1300, in_rate, in_rate / 50 * 2, 2, 0.5);
    std::vector<int16_t> first16(first.size()), second16(second.size());
    for (size_t i = 0; i < first.size(); ++i) first16[i] = static_cast<int16_t>(first[i] * 32767);
    for (size_t i = 0; i < second.size(); ++i) second16[i] = static_cast<int16_t>(second[i] * 32767);

    auto fresh = Make(in_rate, out_rate, 2);
    const std::vector<float> expect_f = Convert(*fresh, second);
    auto fresh16 = Make(in_rate, out_rate, 2);
    const std::vector<int16_t> expect_s = Convert(*fresh16, second16);

    auto r = Make(in_rate, out_rate, 2);
    int got = 0;
    std::vector<float> scratch(static_cast<size_t>(r->MaxOutputFrames(in_rate)) * 2);
    std::vector<int16_t> scratch16(scratch.size());
    // Leave history in both paths, without flushing.
    ASSERT_TRUE(r->Process(first.data(), static_cast<int>(first.size() / 2), scratch.data(), static_cast<int>(scratch.size() / 2), &got).ok());
    ASSERT_TRUE(r->Process(first16.data(), static_cast<int>(first16.size() / 2), scratch16.data(), static_cast<int>(scratch16.size() / 2), &got).ok());
    ASSERT_GT(r->delay_frames(), 0.0);
    r->Reset();
    EXPECT_EQ(r->delay_frames(), 0.0);
    EXPECT_EQ(Convert(*r, second), expect_f);
    r->Reset();
    EXPECT_EQ(Convert(*r, second16), expect_s);
  }
}

// The mixer starts a resampled source after collecting `prebuffer` extra frames (default 2);
// with 20 ms pushes and 20 ms ticks that must never run dry afterwards, for every pair.
TEST(ResamplerTest, TwentyMillisecondStreamsNeverUnderrunAfterTwoFramePrebuffer) {
  for (int in : kRates) {
    for (int out : kRates) {
      if (in == out) continue;
      SCOPED_TRACE(std::to_string(in) + "->" + std::to_string(out));
      auto r = Make(in, out, 1);
      const int in_chunk = in / 50, out_frame = out / 50;
      std::vector<float> chunk = Tone(300, in, in_chunk, 1);
      std::vector<float> buf(static_cast<size_t>(r->MaxOutputFrames(in_chunk)));
      long fifo = 0;
      bool primed = false;
      int underruns = 0;
      for (int tick = 0; tick < 500; ++tick) {
        int got = 0;
        ASSERT_TRUE(
            r->Process(chunk.data(), in_chunk, buf.data(), static_cast<int>(buf.size()), &got)
                .ok());
        ASSERT_LE(got, static_cast<int>(buf.size()));
        fifo += got;
        if (!primed && fifo >= 3L * out_frame) primed = true;
        if (!primed) continue;
        if (fifo >= out_frame) {
          fifo -= out_frame;
        } else {
          ++underruns;
        }
      }
      EXPECT_TRUE(primed);
      EXPECT_EQ(underruns, 0);
    }
  }
}

}  // namespace
}  // namespace voxpool::mix
