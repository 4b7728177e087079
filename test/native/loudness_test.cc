// Loudness normalization, measured with an independent libebur128 meter (integrated loudness and
// true peak, mode I without the histogram, so exact): speech-like, music-like and noise inputs at
// -30 and -6 LUFS reach the target within 0.5 LU; the true-peak ceiling holds on peaky input and
// at a loud onset after silence; silence does not move the gain; the gain slews; the stage's gated
// window equals libebur128's own integrated loudness over the same blocks; Reset() restarts it.
#include "voxpool/filter/loudness.h"

#include <ebur128.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <vector>

#include "test_signal.h"
#include "voxpool/filter/filter_chain.h"

namespace voxpool::filter {
namespace {

constexpr int kRate = 48000;
constexpr int kFrame = 960;  // 20 ms

// Deterministic uniform noise in [-1, 1).
class Lcg {
 public:
  explicit Lcg(uint32_t seed) : s_(seed) {}
  double Next() {
    s_ = s_ * 1664525u + 1013904223u;
    return s_ / 2147483648.0 - 1.0;
  }

 private:
  uint32_t s_;
};

struct Measured {
  double lufs;     // integrated (gated), LUFS
  double peak_db;  // highest true peak of any channel, dBTP
};

// libebur128 on its own: a fresh meter over frames [from, to) of `v`.
Measured Meter(const std::vector<float>& v, int channels, int from, int to) {
  ebur128_state* st = ebur128_init(channels, kRate, EBUR128_MODE_I | EBUR128_MODE_TRUE_PEAK);
  EXPECT_NE(st, nullptr);
  ebur128_add_frames_float(st, v.data() + static_cast<size_t>(from) * channels, to - from);
  Measured m{};
  EXPECT_EQ(ebur128_loudness_global(st, &m.lufs), EBUR128_SUCCESS);
  double peak = 0;
  for (int c = 0; c < channels; ++c) {
    double p = 0;
    EXPECT_EQ(ebur128_true_peak(st, c, &p), EBUR128_SUCCESS);
    peak = std::max(peak, p);
  }
  m.peak_db = 20 * std::log10(peak);
  ebur128_destroy(&st);
  return m;
}

int Frames(const std::vector<float>& v, int channels) {
  return static_cast<int>(v.size()) / channels;
}

// `v` scaled so that libebur128 measures it at `lufs`.
std::vector<float> AtLevel(std::vector<float> v, int channels, double lufs) {
  const double now = Meter(v, channels, 0, Frames(v, channels)).lufs;
  const float k = static_cast<float>(std::pow(10.0, (lufs - now) / 20));
  for (float& x : v) x *= k;
  return v;
}

// Pink-ish stereo noise (Paul Kellet's economy filter), the channels 70 % correlated.
std::vector<float> PinkNoise(int frames) {
  Lcg lcg(99);
  std::vector<float> v(static_cast<size_t>(frames) * 2);
  double b[2][3] = {};
  for (int i = 0; i < frames; ++i) {
    const double common = lcg.Next();
    for (int c = 0; c < 2; ++c) {
      const double w = 0.7 * common + 0.3 * lcg.Next();
      b[c][0] = 0.99765 * b[c][0] + w * 0.0990460;
      b[c][1] = 0.96300 * b[c][1] + w * 0.2965164;
      b[c][2] = 0.57000 * b[c][2] + w * 1.0526913;
      v[2 * i + c] = static_cast<float>(0.1 * (b[c][0] + b[c][1] + b[c][2] + w * 0.1848));
    }
  }
  return v;
}

// Music-like: three-note chords with four harmonics each (random phases), a new chord every
// 500 ms with a 10 ms attack and a decay to half, the channels voiced differently. (test_signal.h's
// MusicLike decays too far for this: its peaks stand 14 dB above its loudness.)
std::vector<float> Music(int frames) {
  static constexpr double kChords[4][3] = {{220.0, 277.18, 329.63},
                                           {246.94, 311.13, 369.99},
                                           {196.0, 246.94, 293.66},
                                           {174.61, 220.0, 261.63}};
  Lcg lcg(17);
  double phases[2][3][4];
  for (auto& channel : phases)
    for (auto& note : channel)
      for (double& p : note) p = lcg.Next() * test::kPi;
  const int chord_frames = kRate / 2, attack = kRate / 100;
  std::vector<float> v(static_cast<size_t>(frames) * 2);
  for (int i = 0; i < frames; ++i) {
    const double t = static_cast<double>(i) / kRate;
    const int k = i % chord_frames;
    const double env = std::min(1.0, static_cast<double>(k) / attack) *
                       std::exp(-std::log(2.0) * k / chord_frames);
    const auto& chord = kChords[(i / chord_frames) % 4];
    for (int c = 0; c < 2; ++c) {
      double x = 0;
      for (int n = 0; n < 3; ++n)
        for (int h = 1; h <= 4; ++h)
          x += std::sin(2 * test::kPi * chord[n] * (c + 1) * h * t + phases[c][n][h - 1]) / h;
      v[2 * i + c] = static_cast<float>(0.1 * env * x);
    }
  }
  return v;
}

// Speech-like: a voiced source (f0 gliding around 130 Hz, 8 harmonics in random phase, weighted
// by two formants) in syllables of 120-260 ms with 30 ms ramps, gaps of 40-120 ms, and a pause of
// 300-700 ms every 5-8 syllables. The same on both channels, as a voice is.
std::vector<float> Speech(int frames, uint32_t seed = 5) {
  Lcg lcg(seed);
  std::vector<float> v(static_cast<size_t>(frames) * 2);
  double phases[8];
  for (double& p : phases) p = lcg.Next() * test::kPi;
  double phase = 0;
  int i = 0, syllable = 0;
  auto ms = [](double x) { return static_cast<int>(x * kRate / 1000); };
  while (i < frames) {
    const int length = ms(190 + 70 * lcg.Next());
    const double amp = 0.8 + 0.2 * lcg.Next();
    const int ramp = ms(30);
    for (int k = 0; k < length && i < frames; ++k, ++i) {
      const double t = static_cast<double>(i) / kRate;
      const double f0 = 130 + 25 * std::sin(2 * test::kPi * 0.7 * t);
      phase += 2 * test::kPi * f0 / kRate;
      double x = 0;
      for (int h = 1; h <= 8; ++h) {
        const double f = f0 * h;
        const double formants = 1 / (1 + std::pow((f - 500) / 200, 2)) +
                                0.5 / (1 + std::pow((f - 1500) / 300, 2)) + 0.05;
        x += formants * std::sin(h * phase + phases[h - 1]);
      }
      const double env =
          std::min({1.0, static_cast<double>(k) / ramp, static_cast<double>(length - k) / ramp});
      v[2 * i] = v[2 * i + 1] = static_cast<float>(0.2 * amp * env * x);
    }
    const int gap = ++syllable % 6 == 0 ? ms(500 + 200 * lcg.Next()) : ms(80 + 40 * lcg.Next());
    i += gap;  // silence: the vector is zero there
  }
  return v;
}

FilterSettings LoudnessOn(double target = -14, double ceiling = -1, double max_gain = 20) {
  FilterSettings s;
  s.loudness = true;
  s.loudness_target_lufs = target;
  s.loudness_true_peak_db = ceiling;
  s.loudness_max_gain_db = max_gain;
  return s;
}

// `v` through a FilterChain in 20 ms calls, in place.
void RunChain(const FilterSettings& s, std::vector<float>* v, int channels = 2) {
  FilterChainOptions o;
  o.channels = channels;
  o.filters = s;
  std::unique_ptr<FilterChain> chain;
  Status st = FilterChain::Create(o, &chain);
  ASSERT_TRUE(st.ok()) << st.message();
  const int frames = Frames(*v, channels);
  for (int at = 0; at < frames; at += kFrame)
    chain->Process(v->data() + static_cast<size_t>(at) * channels, std::min(kFrame, frames - at));
}

std::unique_ptr<Loudness> MakeStage(const FilterSettings& s, int channels = 2) {
  auto stage = std::make_unique<Loudness>(kRate, channels);
  Status st = stage->Prepare();
  EXPECT_TRUE(st.ok()) << st.message();
  stage->Set(s);
  stage->Reset();
  return stage;
}

TEST(Loudness, QuietAndLoudInputsReachTheTargetWithinHalfAnLu) {
  // 30 s each; the first 10 s are the gain's approach (it slews at 6 dB/s up, 12 down, and the
  // window fills), the last 20 s are measured.
  constexpr int kFrames = 30 * kRate;
  constexpr int kFrom = 10 * kRate;
  struct Input {
    const char* name;
    std::vector<float> v;
  };
  const Input inputs[] = {{"pink noise", PinkNoise(kFrames)},
                          {"music-like", Music(kFrames)},
                          {"speech-like", Speech(kFrames)}};
  for (const Input& in : inputs) {
    for (double level : {-30.0, -6.0}) {
      SCOPED_TRACE(testing::Message() << in.name << " at " << level << " LUFS");
      std::vector<float> v = AtLevel(in.v, 2, level);
      const Measured before = Meter(v, 2, kFrom, kFrames);
      ASSERT_NEAR(before.lufs, level, 1.0);
      // The ceiling (-1 dBTP) leaves the target reachable only for a peak-to-loudness ratio
      // under 13 dB.
      ASSERT_LT(before.peak_db - before.lufs, 12.5);
      RunChain(LoudnessOn(), &v);
      const Measured after = Meter(v, 2, kFrom, kFrames);
      EXPECT_NEAR(after.lufs, -14.0, 0.5);
      EXPECT_LE(after.peak_db, -1.0 + 0.05);
    }
  }
}

TEST(Loudness, TheCeilingWinsOverTheTargetOnPeakyInput) {
  // -30 LUFS noise with a -6 dBFS click every 500 ms: +16 dB would put the clicks at +10 dBTP, so
  // the gain stops where the clicks reach the ceiling, from the first click on.
  constexpr int kFrames = 20 * kRate;
  std::vector<float> v = AtLevel(PinkNoise(kFrames), 2, -30);
  for (int at = kRate / 4; at < kFrames; at += kRate / 2)
    for (int k = 0; k < 48; ++k)
      v[2 * (at + k)] = v[2 * (at + k) + 1] =
          static_cast<float>(0.5 * std::sin(test::kPi * k / 48));
  const Measured before = Meter(v, 2, 0, kFrames);
  std::vector<float> out = v;
  RunChain(LoudnessOn(-14, -2), &out);
  const Measured whole = Meter(out, 2, 0, kFrames);
  EXPECT_LE(whole.peak_db, -2.0 + 0.05);
  const Measured late = Meter(out, 2, 10 * kRate, kFrames);
  // The gain is the ceiling minus the clicks' peak, not the target minus the loudness.
  EXPECT_NEAR(late.lufs - Meter(v, 2, 10 * kRate, kFrames).lufs, -2.0 - before.peak_db, 0.3);
  EXPECT_LT(late.lufs, -14.0 - 3);
}

// 6 s of music at `lead_lufs`, `silence_s` of `floor_amp` uniform noise, then -6 LUFS noise
// starting `offset` frames into a 20 ms call: the output's true peak from the onset on, and the
// gain before and after the pause.
struct Onset {
  double peak_db;
  double gain_before_db, gain_after_db;
};
Onset LoudOnsetAfterSilence(double lead_lufs, int silence_s, double floor_amp, int offset) {
  constexpr int kLead = 6 * kRate, kLoud = 2 * kRate;
  const int kSilence = silence_s * kRate;
  std::vector<float> v = AtLevel(Music(kLead), 2, lead_lufs);
  Lcg lcg(3);
  for (int i = 0; i < kSilence + offset; ++i)
    for (int c = 0; c < 2; ++c) v.push_back(static_cast<float>(floor_amp * lcg.Next()));
  std::vector<float> loud = AtLevel(PinkNoise(kLoud), 2, -6);
  v.insert(v.end(), loud.begin(), loud.end());
  auto stage = MakeStage(LoudnessOn());
  Onset r{};
  const int frames = Frames(v, 2);
  for (int at = 0; at < frames; at += kFrame) {
    if (at == kLead) r.gain_before_db = stage->gain_db();
    if (at == kLead + kSilence) r.gain_after_db = stage->gain_db();
    stage->Process(v.data() + 2 * at, std::min(kFrame, frames - at));
  }
  r.peak_db = Meter(v, 2, kLead + kSilence, frames).peak_db;
  return r;
}

TEST(Loudness, ALoudOnsetAfterSilenceDoesNotPassTheCeiling) {
  // -40 LUFS raises the gain to its maximum (+20 dB); digital silence holds it there; then -6 LUFS
  // noise (+26 dB over the programme) starts at the start, the middle and the last frames of a
  // call.
  for (int offset : {0, 480, 955}) {
    SCOPED_TRACE(offset);
    const Onset r = LoudOnsetAfterSilence(-40, 4, 0, offset);
    EXPECT_NEAR(r.gain_before_db, 20.0, 0.01);
    EXPECT_LE(r.peak_db, -1.0 + 0.05);
  }
}

TEST(Loudness, SilenceAndANoiseFloorHoldTheGain) {
  // -26 LUFS asks for +12 dB; 12 s (longer than the window) of digital silence, or of a noise
  // floor at -62 LUFS (below the silence gate, -14 - 20 - 10 = -44 LUFS), leave it there (the
  // blocks that straddle the end of the music move it a little).
  for (double floor : {0.0, 0.001}) {
    SCOPED_TRACE(floor);
    const Onset r = LoudOnsetAfterSilence(-26, 12, floor, 0);
    EXPECT_NEAR(r.gain_before_db, 12.0, 0.3);
    EXPECT_NEAR(r.gain_after_db, r.gain_before_db, 0.3);
  }
}

TEST(Loudness, TheGainSlewsAtMost6DbPerSecondUpAnd12Down) {
  // A 1 kHz tone at -30 LUFS, then -18, then -30 again, 8 s each: the gain asked for moves by
  // 12 dB twice. A tone's peak stands 0.7 dB above its loudness, so the ceiling never binds and
  // only the slew limit moves the gain.
  auto tone = [](double lufs) {
    std::vector<float> v(16 * kRate);
    for (int i = 0; i < 8 * kRate; ++i)
      v[2 * i] = v[2 * i + 1] = static_cast<float>(std::sin(2 * test::kPi * 1000 * i / kRate));
    return AtLevel(v, 2, lufs);
  };
  std::vector<float> v = tone(-30), loud = tone(-18), quiet = v;
  v.insert(v.end(), loud.begin(), loud.end());
  v.insert(v.end(), quiet.begin(), quiet.end());
  auto stage = MakeStage(LoudnessOn());
  double last = stage->gain_db(), up = 0, down = 0;
  for (int at = 0; at + kFrame <= Frames(v, 2); at += kFrame) {
    stage->Process(v.data() + 2 * at, kFrame);
    up = std::max(up, stage->gain_db() - last);
    down = std::max(down, last - stage->gain_db());
    last = stage->gain_db();
  }
  EXPECT_NEAR(up, 6.0 * kFrame / kRate, 1e-9);
  EXPECT_NEAR(down, 12.0 * kFrame / kRate, 1e-9);
}

TEST(Loudness, TheWindowIsLibebur128sIntegratedLoudnessOfTheLast10Seconds) {
  // With the silence gate at -70 LUFS (target -20, maxGain 40) the stage's gating is BS.1770's:
  // over 8 s (77 blocks, fewer than the window holds) it is libebur128's integrated loudness of
  // the same audio; after 20 s, that of the last 10 s. The speech is 12 dB quieter before 9.7 s,
  // so the last 10 s and the whole 20 s measure about 2 LU apart.
  std::vector<float> v = AtLevel(Speech(20 * kRate, 11), 2, -23);
  const int split = 97 * kRate / 10;
  for (int i = 0; i < 2 * split; ++i) v[i] *= 0.25f;
  auto stage = MakeStage(LoudnessOn(-20, -1, 40));
  std::vector<float> work = v;  // the stage measures its input, then applies the gain in place
  for (int at = 0; at < 8 * kRate; at += kFrame) stage->Process(work.data() + 2 * at, kFrame);
  EXPECT_NEAR(stage->loudness_lufs(), Meter(v, 2, 0, 8 * kRate).lufs, 1e-6);
  for (int at = 8 * kRate; at < 20 * kRate; at += kFrame)
    stage->Process(work.data() + 2 * at, kFrame);
  // Blocks ending at 10.1 .. 20 s: the audio from 9.7 s on (a fresh meter's filters start cold).
  const double last = Meter(v, 2, split, 20 * kRate).lufs;
  EXPECT_NEAR(stage->loudness_lufs(), last, 0.05);
  EXPECT_GT(last - Meter(v, 2, 0, 20 * kRate).lufs, 1.5);
}

TEST(Loudness, ResetRestartsTheMeasurement) {
  std::vector<float> loud = AtLevel(PinkNoise(5 * kRate), 2, -10);
  std::vector<float> quiet = AtLevel(PinkNoise(kRate), 2, -30);
  auto stage = MakeStage(LoudnessOn());
  for (int at = 0; at < 5 * kRate; at += kFrame) stage->Process(loud.data() + 2 * at, kFrame);
  EXPECT_NEAR(stage->loudness_lufs(), -10.0, 0.3);
  EXPECT_LT(stage->gain_db(), -3.0);
  stage->Reset();
  EXPECT_EQ(stage->gain_db(), 0.0);
  EXPECT_TRUE(std::isinf(stage->loudness_lufs()));
  for (int at = 0; at < kRate; at += kFrame) stage->Process(quiet.data() + 2 * at, kFrame);
  // Only the quiet second is measured (its first block ends 400 ms after the reset).
  EXPECT_NEAR(stage->loudness_lufs(), -30.0, 0.3);
}

TEST(Loudness, WorksAtEveryOpusRateAndMono) {
  // 8 kHz takes 120 ms per call in a chain (more than one block per call) and rounds 100 ms as
  // libebur128 does; mono has one channel's weight.
  for (int rate : {8000, 16000, 24000}) {
    SCOPED_TRACE(rate);
    const int frames = 20 * rate;
    std::vector<float> v(frames);
    for (int i = 0; i < frames; ++i)
      v[i] = static_cast<float>(0.05 * std::sin(2 * test::kPi * 997 * i / rate));
    FilterChainOptions o;
    o.sample_rate = rate;
    o.channels = 1;
    o.filters = LoudnessOn(-20);
    std::unique_ptr<FilterChain> chain;
    ASSERT_TRUE(FilterChain::Create(o, &chain).ok());
    for (int at = 0; at < frames; at += kFilterMaxFrames / 2)
      chain->Process(v.data() + at, std::min(kFilterMaxFrames / 2, frames - at));
    ebur128_state* st = ebur128_init(1, rate, EBUR128_MODE_I);
    ebur128_add_frames_float(st, v.data() + 10 * rate, 10 * rate);
    double lufs = 0;
    ASSERT_EQ(ebur128_loudness_global(st, &lufs), EBUR128_SUCCESS);
    ebur128_destroy(&st);
    EXPECT_NEAR(lufs, -20.0, 0.5);
  }
}

TEST(Loudness, SettingsAreCheckedAndTheMeterIsMadeOnlyWhenAskedFor) {
  FilterSettings s = LoudnessOn();
  s.loudness_target_lufs = 5;
  EXPECT_EQ(CheckFilterSettings(s).message(), "loudness.targetLufs must be from -70 to -5 LUFS");
  s = LoudnessOn();
  s.loudness_true_peak_db = 0.5;
  EXPECT_EQ(CheckFilterSettings(s).message(), "loudness.truePeakDb must be from -20 to 0 dBTP");
  s = LoudnessOn();
  s.loudness_max_gain_db = NAN;
  EXPECT_EQ(CheckFilterSettings(s).message(), "loudness.maxGainDb must be from 0 to 40 dB");
  // The meter (about 1 MiB at 48 kHz stereo) exists once loudness has been asked for.
  FilterChainOptions o;
  std::unique_ptr<FilterChain> chain;
  ASSERT_TRUE(FilterChain::Create(o, &chain).ok());
  const size_t without = chain->memory_bytes();
  ASSERT_TRUE(chain->SetFilters(LoudnessOn()).ok());
  EXPECT_GT(chain->memory_bytes(), without + 1000000);
  Loudness stage(kRate, 2);
  EXPECT_EQ(stage.memory_bytes(), 0u);
  std::vector<float> v = Music(kFrame);
  std::vector<float> copy = v;
  stage.Process(v.data(), kFrame);  // without a meter: untouched
  EXPECT_EQ(v, copy);
}

}  // namespace
}  // namespace voxpool::filter
