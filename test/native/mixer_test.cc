// Mixer: exact sums, gain accuracy, click-free ramps, limiter bound, mute/solo/pan/ducking
// semantics and timing, resampled and channel-mapped sources, queue limits and bad arguments.
#include "voxpool/mix/mixer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "voxpool/mix/volume.h"

namespace voxpool::mix {
namespace {

constexpr double kPi = 3.14159265358979323846;

std::unique_ptr<Mixer> Make(int rate = 48000, int channels = 2, int frame = 960,
                            bool limiter = true, int max_sources = 32,
                            int queue_frames = MixerOptions{}.queue_frames) {
  MixerOptions o;
  o.queue_frames = queue_frames;
  o.sample_rate = rate;
  o.channels = channels;
  o.frame_size = frame;
  o.limiter = limiter;
  o.max_sources = max_sources;
  std::unique_ptr<Mixer> m;
  EXPECT_TRUE(Mixer::Create(o, &m).ok());
  return m;
}

uint32_t Add(Mixer& m, SourceOptions o = {}) {
  uint32_t id = 0;
  EXPECT_TRUE(m.AddSource(o, &id).ok());
  return id;
}

// A source that pushes f32le.
uint32_t AddF(Mixer& m, SourceOptions o = {}) {
  o.format = SampleFormat::kF32;
  return Add(m, o);
}

// A mono f32le source at `rate` (resampled unless it is the mixer's).
uint32_t AddMonoF(Mixer& m, int rate) {
  SourceOptions o;
  o.sample_rate = rate;
  o.channels = 1;
  return AddF(m, o);
}

std::vector<float> MixF(Mixer& m) {
  std::vector<float> out(static_cast<size_t>(m.frame_samples()));
  m.Mix(out.data());
  return out;
}

std::vector<int16_t> MixS(Mixer& m) {
  std::vector<int16_t> out(static_cast<size_t>(m.frame_samples()));
  m.Mix(out.data());
  return out;
}

double Db(double ratio) { return 20 * std::log10(ratio); }

TEST(MixerTest, RejectsBadOptions) {
  struct Case {
    const char* what;
    MixerOptions o;
  };
  std::vector<Case> cases;
  auto with = [&](const char* what, auto f) {
    MixerOptions o;
    f(o);
    cases.push_back({what, o});
  };
  with("rate low", [](MixerOptions& o) { o.sample_rate = 7999; });
  with("rate high", [](MixerOptions& o) { o.sample_rate = 96000; });
  with("channels 0", [](MixerOptions& o) { o.channels = 0; });
  with("channels 3", [](MixerOptions& o) { o.channels = 3; });
  with("frame 0", [](MixerOptions& o) { o.frame_size = 0; });
  with("frame big", [](MixerOptions& o) { o.frame_size = kMixerMaxFrameSize + 1; });
  with("sources 0", [](MixerOptions& o) { o.max_sources = 0; });
  with("sources big", [](MixerOptions& o) { o.max_sources = kMixerMaxSources + 1; });
  with("queue 1", [](MixerOptions& o) { o.queue_frames = 1; });
  with("queue big", [](MixerOptions& o) { o.queue_frames = kMixerMaxQueueFrames + 1; });
  with("ceiling +1", [](MixerOptions& o) { o.ceiling_db = 1; });
  with("ceiling nan", [](MixerOptions& o) { o.ceiling_db = std::nanf(""); });
  with("release 0", [](MixerOptions& o) { o.limiter_release_ms = 0; });
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    std::unique_ptr<Mixer> m;
    EXPECT_EQ(Mixer::Create(c.o, &m).code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(m, nullptr);
  }
}

TEST(MixerTest, RejectsBadSourceCalls) {
  auto m = Make();
  uint32_t id = 0;
  SourceOptions o;
  o.sample_rate = 4000;
  EXPECT_EQ(m->AddSource(o, &id).code(), ErrorCode::kInvalidArgument);
  o = {};
  o.channels = 3;
  EXPECT_EQ(m->AddSource(o, &id).code(), ErrorCode::kInvalidArgument);
  o = {};
  o.gain = -1;
  EXPECT_EQ(m->AddSource(o, &id).code(), ErrorCode::kInvalidArgument);
  o.gain = std::numeric_limits<float>::infinity();
  EXPECT_EQ(m->AddSource(o, &id).code(), ErrorCode::kInvalidArgument);
  o = {};
  o.pan = 1.5f;
  EXPECT_EQ(m->AddSource(o, &id).code(), ErrorCode::kInvalidArgument);
  o = {};
  o.prebuffer_frames = 8;  // queue_frames - 1 is the most
  EXPECT_EQ(m->AddSource(o, &id).code(), ErrorCode::kInvalidArgument);

  id = Add(*m);
  int16_t pcm[2 * 960] = {};
  EXPECT_EQ(m->Push(id + 1, pcm, 960).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(m->Push(id, pcm, -1).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(m->Push(id, pcm, kMixerMaxPushFrames + 1).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(m->Push(id, static_cast<const int16_t*>(nullptr), 10).code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(m->SetGain(id, 100.0f, 0).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(m->SetGain(id, 1.0f, -1).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(m->SetGain(id, 1.0f, 60001).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(m->SetGain(id + 7, 1.0f, 0).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(m->SetPan(id, -1.01f).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(m->SetMuted(id + 7, true).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(m->SetSolo(id + 7, true).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(m->SetDucker(id + 7, true).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(m->SetMasterGain(std::nanf(""), 0).code(), ErrorCode::kInvalidArgument);
  DuckingOptions d;
  d.depth_db = -3;
  EXPECT_EQ(m->SetDucking(d).code(), ErrorCode::kInvalidArgument);
  d = {};
  d.threshold_db = 3;
  EXPECT_EQ(m->SetDucking(d).code(), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(m->RemoveSource(id).ok());
  EXPECT_EQ(m->RemoveSource(id).code(), ErrorCode::kInvalidArgument);
}

TEST(MixerTest, SumsKnownInputsExactly) {
  for (int channels : {1, 2}) {
    SCOPED_TRACE(channels);
    auto m = Make(48000, channels, 480);
    const int n = 480 * channels;
    std::vector<int16_t> a(n), b(n), c(n);
    for (int i = 0; i < n; ++i) {
      a[i] = static_cast<int16_t>((i * 37) % 2001 - 1000);
      b[i] = static_cast<int16_t>(-(i * 11) % 3001 + 1500);
      c[i] = static_cast<int16_t>(i % 7 == 0 ? -2048 : 512);
    }
    uint32_t ia = Add(*m), ib = Add(*m), ic = Add(*m);
    ASSERT_TRUE(m->Push(ia, a.data(), 480).ok());
    ASSERT_TRUE(m->Push(ib, b.data(), 480).ok());
    ASSERT_TRUE(m->Push(ic, c.data(), 480).ok());
    std::vector<int16_t> out = MixS(*m);
    for (int i = 0; i < n; ++i) ASSERT_EQ(out[i], a[i] + b[i] + c[i]) << "sample " << i;
    // float I/O: the same sums in float.
    std::vector<float> fa(n), fb(n);
    for (int i = 0; i < n; ++i) {
      fa[i] = a[i] / 32768.0f;
      fb[i] = b[i] / 32768.0f;
    }
    EXPECT_EQ(m->Push(ia, fa.data(), 480).code(), ErrorCode::kInvalidArgument);  // s16 source
    uint32_t fia = AddF(*m), fib = AddF(*m);
    EXPECT_EQ(m->Push(fia, a.data(), 480).code(), ErrorCode::kInvalidArgument);  // f32 source
    ASSERT_TRUE(m->Push(fia, fa.data(), 480).ok());
    ASSERT_TRUE(m->Push(fib, fb.data(), 480).ok());
    std::vector<float> fo = MixF(*m);
    for (int i = 0; i < n; ++i) ASSERT_EQ(fo[i], fa[i] + fb[i]) << "sample " << i;
  }
}

TEST(MixerTest, SourceWithoutAFrameIsSilentAndKeepsItsPartialFrame) {
  auto m = Make(48000, 1, 100);
  uint32_t a = Add(*m), b = Add(*m);
  std::vector<int16_t> full(100, 1000), half(50, 7);
  ASSERT_TRUE(m->Push(a, full.data(), 100).ok());
  ASSERT_TRUE(m->Push(b, half.data(), 50).ok());
  std::vector<int16_t> out = MixS(*m);
  for (int16_t v : out) ASSERT_EQ(v, 1000);
  SourceStats st;
  ASSERT_TRUE(m->GetSourceStats(b, &st).ok());
  EXPECT_EQ(st.silent_ticks, 1u);
  EXPECT_EQ(st.queued_frames, 50);
  ASSERT_TRUE(m->Push(b, half.data(), 50).ok());
  out = MixS(*m);
  for (int16_t v : out) ASSERT_EQ(v, 7);
  // Nothing at all: silence, not an error.
  out = MixS(*m);
  for (int16_t v : out) ASSERT_EQ(v, 0);
  EXPECT_EQ(m->stats().ticks, 3u);
}

TEST(MixerTest, WithoutLimiterS16Saturates) {
  auto m = Make(48000, 1, 64, /*limiter=*/false);
  uint32_t a = Add(*m), b = Add(*m);
  std::vector<int16_t> hi(64, 30000), lo(64, -30000);
  ASSERT_TRUE(m->Push(a, hi.data(), 64).ok());
  ASSERT_TRUE(m->Push(b, hi.data(), 64).ok());
  for (int16_t v : MixS(*m)) ASSERT_EQ(v, 32767);
  ASSERT_TRUE(m->Push(a, lo.data(), 64).ok());
  ASSERT_TRUE(m->Push(b, lo.data(), 64).ok());
  for (int16_t v : MixS(*m)) ASSERT_EQ(v, -32768);
}

TEST(MixerTest, GainsAreAccurateToAHundredthOfADecibel) {
  for (float db : {-60.0f, -20.0f, -6.0f, -0.5f, 0.0f, 3.0f, 6.0f, 12.0f, 24.0f}) {
    SCOPED_TRACE(db);
    auto m = Make(48000, 2, 960, /*limiter=*/false);
    SourceOptions o;
    o.gain = DbToLinear(db);
    uint32_t id = AddF(*m, o);
    std::vector<float> in(1920);
    for (int i = 0; i < 960; ++i)
      in[2 * i] = in[2 * i + 1] = static_cast<float>(0.01 * std::sin(2 * kPi * 1000 * i / 48000));
    ASSERT_TRUE(m->Push(id, in.data(), 960).ok());
    std::vector<float> out = MixF(*m);
    double num = 0, den = 0;
    for (int i = 0; i < 1920; ++i) {
      num += double(out[i]) * out[i];
      den += double(in[i]) * in[i];
    }
    EXPECT_NEAR(Db(std::sqrt(num / den)), db, 0.01);
  }
  // Master gain too.
  auto m = Make(48000, 1, 480, false);
  uint32_t id = AddF(*m);
  ASSERT_TRUE(m->SetMasterGain(DbToLinear(-9.5f), 0).ok());
  std::vector<float> in(480, 0.1f);
  ASSERT_TRUE(m->Push(id, in.data(), 480).ok());
  std::vector<float> out = MixF(*m);
  EXPECT_NEAR(Db(out[100] / 0.1), -9.5, 0.01);
}

// Largest |x[i] - x[i-1]| over a sequence of frames.
double MaxStep(const std::vector<float>& x, int channels) {
  double worst = 0;
  for (size_t i = channels; i < x.size(); ++i)
    worst = std::max(worst, double(std::fabs(x[i] - x[i - channels])));
  return worst;
}

TEST(MixerTest, GainRampIsClickFreeAndOnTime) {
  // DC 0.5 ramped to 0 over 50 ms (2400 samples): every step <= 0.5 / 2400 (plus float slack),
  // zero exactly from the end of the ramp, and halfway at 25 ms.
  auto m = Make(48000, 1, 480, false);
  uint32_t id = AddF(*m);
  std::vector<float> dc(480, 0.5f);
  ASSERT_TRUE(m->SetGain(id, 0.0f, 50).ok());
  std::vector<float> all;
  for (int t = 0; t < 8; ++t) {
    ASSERT_TRUE(m->Push(id, dc.data(), 480).ok());
    std::vector<float> out = MixF(*m);
    all.insert(all.end(), out.begin(), out.end());
  }
  EXPECT_LE(MaxStep(all, 1), 0.5 / 2400 * 1.01);
  EXPECT_NEAR(all[1199], 0.25, 1e-4);  // 25 ms in
  EXPECT_EQ(all[2399], 0.0f);
  for (size_t i = 2400; i < all.size(); ++i) ASSERT_EQ(all[i], 0.0f);
  SourceStats st;
  ASSERT_TRUE(m->GetSourceStats(id, &st).ok());
  EXPECT_EQ(st.gain, 0.0f);
}

TEST(MixerTest, MuteSoloAndPanFadeWithoutClicks) {
  auto m = Make(48000, 2, 960, false);
  uint32_t id = AddF(*m);
  std::vector<float> dc(1920, 0.8f);
  ASSERT_TRUE(m->Push(id, dc.data(), 960).ok());
  MixF(*m);
  ASSERT_TRUE(m->SetMuted(id, true).ok());
  ASSERT_TRUE(m->Push(id, dc.data(), 960).ok());
  std::vector<float> out = MixF(*m);
  // 5 ms = 240 frames of fade, then silence.
  const double bound = 0.8 / 240 * 1.01;
  EXPECT_LE(MaxStep(out, 2), bound);
  EXPECT_GT(out[0], 0.79f);
  EXPECT_EQ(out[2 * 239], 0.0f);
  EXPECT_EQ(out[2 * 959 + 1], 0.0f);
  ASSERT_TRUE(m->SetMuted(id, false).ok());
  ASSERT_TRUE(m->SetPan(id, -1.0f).ok());  // hard left
  ASSERT_TRUE(m->Push(id, dc.data(), 960).ok());
  out = MixF(*m);
  EXPECT_LE(MaxStep(out, 2), bound);
  EXPECT_FLOAT_EQ(out[2 * 959], 0.8f);
  EXPECT_EQ(out[2 * 959 + 1], 0.0f);
}

TEST(MixerTest, SoloLetsOnlySoloedSourcesThrough) {
  auto m = Make(48000, 1, 480, false);
  uint32_t a = AddF(*m), b = AddF(*m), c = AddF(*m);
  std::vector<float> fa(480, 0.1f), fb(480, 0.02f), fc(480, 0.003f);
  auto tick = [&] {
    EXPECT_TRUE(m->Push(a, fa.data(), 480).ok());
    EXPECT_TRUE(m->Push(b, fb.data(), 480).ok());
    EXPECT_TRUE(m->Push(c, fc.data(), 480).ok());
    return MixF(*m).back();
  };
  EXPECT_FLOAT_EQ(tick(), 0.123f);
  ASSERT_TRUE(m->SetSolo(b, true).ok());
  tick();  // 5 ms fade
  EXPECT_FLOAT_EQ(tick(), 0.02f);
  ASSERT_TRUE(m->SetSolo(c, true).ok());
  tick();
  EXPECT_FLOAT_EQ(tick(), 0.023f);
  // A muted soloed source stays silent; a new source joins silent while others are soloed.
  ASSERT_TRUE(m->SetMuted(c, true).ok());
  tick();
  EXPECT_FLOAT_EQ(tick(), 0.02f);
  ASSERT_TRUE(m->SetSolo(b, false).ok());
  ASSERT_TRUE(m->SetSolo(c, false).ok());
  tick();
  EXPECT_FLOAT_EQ(tick(), 0.12f);
}

// Removing the only soloed source ends solo: the others come back (a removed source's slot must
// not keep its solo flag alive), and a source added into that slot later is not soloed.
TEST(MixerTest, RemovingTheSoloedSourceLetsTheOthersBackIn) {
  auto m = Make(48000, 1, 480, false);
  uint32_t a = AddF(*m), b = AddF(*m);
  std::vector<float> fa(480, 0.1f), fb(480, 0.02f);
  ASSERT_TRUE(m->SetSolo(a, true).ok());
  for (int t = 0; t < 2; ++t) {
    ASSERT_TRUE(m->Push(a, fa.data(), 480).ok());
    ASSERT_TRUE(m->Push(b, fb.data(), 480).ok());
    MixF(*m);
  }
  ASSERT_TRUE(m->Push(a, fa.data(), 480).ok());
  ASSERT_TRUE(m->Push(b, fb.data(), 480).ok());
  EXPECT_FLOAT_EQ(MixF(*m).back(), 0.1f) << "only the soloed source";
  ASSERT_TRUE(m->RemoveSource(a).ok());
  for (int t = 0; t < 2; ++t) {  // b fades back in
    ASSERT_TRUE(m->Push(b, fb.data(), 480).ok());
    MixF(*m);
  }
  ASSERT_TRUE(m->Push(b, fb.data(), 480).ok());
  EXPECT_FLOAT_EQ(MixF(*m).back(), 0.02f) << "solo ended with its source";
  uint32_t c = AddF(*m);
  std::vector<float> fc(480, 0.003f);
  for (int t = 0; t < 3; ++t) {
    ASSERT_TRUE(m->Push(b, fb.data(), 480).ok());
    ASSERT_TRUE(m->Push(c, fc.data(), 480).ok());
    MixF(*m);
  }
  ASSERT_TRUE(m->Push(b, fb.data(), 480).ok());
  ASSERT_TRUE(m->Push(c, fc.data(), 480).ok());
  EXPECT_FLOAT_EQ(MixF(*m).back(), 0.023f);
}

TEST(MixerTest, DuckingLowersOthersWithAttackHoldAndRelease) {
  auto m = Make(48000, 1, 480, false);  // 10 ms ticks
  uint32_t music = AddF(*m), voice = AddF(*m);
  ASSERT_TRUE(m->SetDucker(voice, true).ok());
  DuckingOptions d;
  d.depth_db = 12;
  d.attack_ms = 20;
  d.release_ms = 100;
  d.hold_ms = 30;
  d.threshold_db = -40;
  ASSERT_TRUE(m->SetDucking(d).ok());
  std::vector<float> bed(480, 0.1f), speech(480, 0.0f), quiet(480, 0.001f);  // quiet: -60 dBFS
  for (int i = 0; i < 480; ++i)
    speech[i] = static_cast<float>(0.3 * std::sin(2 * kPi * 200 * i / 48000));
  auto tick = [&](const std::vector<float>& v) {
    EXPECT_TRUE(m->Push(music, bed.data(), 480).ok());
    EXPECT_TRUE(m->Push(voice, v.data(), 480).ok());
    return MixF(*m);
  };
  // Below the threshold: no ducking.
  std::vector<float> out = tick(quiet);
  EXPECT_FLOAT_EQ(out.back(), 0.101f);
  EXPECT_FALSE(m->stats().ducking);
  // Speech: attack over 20 ms (2 ticks), then music at -12 dB.
  std::vector<float> all;
  for (int t = 0; t < 4; ++t) {
    out = tick(speech);
    all.insert(all.end(), out.begin(), out.end());
  }
  EXPECT_TRUE(m->stats().ducking);
  // Music level = mix minus the known speech signal.
  auto music_at = [&](size_t i) { return all[i] - speech[i % 480]; };
  EXPECT_NEAR(music_at(0), 0.1, 0.001);
  EXPECT_NEAR(Db(music_at(959) / 0.1), -12.0, 0.01);  // end of attack
  EXPECT_NEAR(Db(music_at(1919) / 0.1), -12.0, 0.01);
  // Quiet again: held for 30 ms (3 ticks), then released over 100 ms (10 ticks).
  std::vector<float> rel;
  for (int t = 0; t < 3; ++t) {
    out = tick(quiet);
    EXPECT_NEAR(Db((out.back() - 0.001) / 0.1), -12.0, 0.01) << "hold tick " << t;
  }
  for (int t = 0; t < 10; ++t) {
    out = tick(quiet);
    rel.insert(rel.end(), out.begin(), out.end());
  }
  EXPECT_NEAR(rel.back(), 0.101f, 1e-6);
  EXPECT_LE(MaxStep(rel, 1), (0.1 - 0.1 * DbToLinear(-12)) / 4800 * 1.05);
  EXPECT_NEAR(rel[2399] - 0.001, 0.1 * (DbToLinear(-12) + 1) / 2, 1e-4);  // halfway at 50 ms
  EXPECT_FALSE(m->stats().ducking);
}

// The ceiling holds for anything: many in-phase full-scale square waves (s16 and f32), huge
// floats, infinities and NaN.
TEST(MixerTest, LimiterNeverExceedsTheCeiling) {
  for (int sources : {2, 8, 32}) {
    for (int frame : {64, 480, 960, 2048}) {
      SCOPED_TRACE(std::to_string(sources) + " sources, frame " + std::to_string(frame));
      auto m = Make(48000, 2, frame, true, 32);
      const float ceiling = DbToLinear(-0.1f);
      std::vector<uint32_t> ids;
      for (int s = 0; s < sources; ++s) ids.push_back(Add(*m));
      std::vector<int16_t> sq(static_cast<size_t>(frame) * 2);
      int16_t worst = 0;
      for (int t = 0; t < 40; ++t) {
        for (int i = 0; i < frame; ++i) {
          // 100 Hz square at full scale, all sources in phase.
          const int16_t v = ((t * frame + i) / 240) % 2 ? 32767 : -32768;
          sq[2 * i] = sq[2 * i + 1] = v;
        }
        for (uint32_t id : ids) ASSERT_TRUE(m->Push(id, sq.data(), frame).ok());
        for (int16_t v : MixS(*m))
          worst = std::max<int16_t>(worst, static_cast<int16_t>(std::abs(v)));
      }
      EXPECT_LE(worst, static_cast<int16_t>(std::ceil(ceiling * 32768)));
      EXPECT_GT(worst, 30000);  // loud, not silenced
      EXPECT_GT(m->stats().limited_ticks, 0u);
    }
  }
  auto m = Make(48000, 1, 256);
  const float ceiling = DbToLinear(-0.1f);
  uint32_t id = AddF(*m);
  std::vector<float> wild(256);
  for (int i = 0; i < 256; ++i)
    wild[i] = i % 4 == 0   ? 1e30f
              : i % 4 == 1 ? -std::numeric_limits<float>::infinity()
              : i % 4 == 2 ? std::nanf("")
                           : 7.0f;
  for (int t = 0; t < 3; ++t) {
    ASSERT_TRUE(m->Push(id, wild.data(), 256).ok());
    for (float v : MixF(*m)) {
      ASSERT_FALSE(std::isnan(v));
      ASSERT_LE(std::fabs(v), ceiling);
    }
  }
}

TEST(MixerTest, LimiterIsTransparentBelowItsKnee) {
  auto m = Make(48000, 2, 960);
  uint32_t id = Add(*m);
  std::vector<int16_t> in(1920);
  for (int i = 0; i < 1920; ++i) in[i] = static_cast<int16_t>(25000 * std::sin(i * 0.01));
  ASSERT_TRUE(m->Push(id, in.data(), 960).ok());
  EXPECT_EQ(MixS(*m), in);
  EXPECT_EQ(m->stats().limited_ticks, 0u);
}

TEST(MixerTest, ResamplesAndMapsChannelsOfOtherSources) {
  // 16 kHz mono TTS into a 48 kHz stereo mixer: a 1 kHz tone arrives at unity gain on both
  // channels after the prebuffer.
  auto m = Make(48000, 2, 960, false);
  uint32_t id = AddMonoF(*m, 16000);
  std::vector<float> tone(320);
  std::vector<float> out;
  int silent = 0;
  for (int t = 0; t < 50; ++t) {
    for (int i = 0; i < 320; ++i)
      tone[i] = static_cast<float>(0.5 * std::sin(2 * kPi * 1000 * (t * 320 + i) / 16000));
    ASSERT_TRUE(m->Push(id, tone.data(), 320).ok());
    std::vector<float> f = MixF(*m);
    bool any = false;
    for (float v : f) any = any || v != 0.0f;
    if (!any) ++silent;
    if (t >= 10) out.insert(out.end(), f.begin(), f.end());
  }
  // The two-frame prebuffer plus soxr's start-up delay, and no gap afterwards.
  EXPECT_GE(silent, 2);
  EXPECT_LE(silent, 3);
  SourceStats st;
  ASSERT_TRUE(m->GetSourceStats(id, &st).ok());
  EXPECT_EQ(st.silent_ticks, static_cast<uint64_t>(silent));
  EXPECT_EQ(st.mixed_ticks, 50u - silent);
  double peak = 0;
  for (size_t i = 0; i < out.size(); i += 2) {
    ASSERT_EQ(out[i], out[i + 1]);
    peak = std::max(peak, double(std::fabs(out[i])));
  }
  EXPECT_NEAR(peak, 0.5, 0.002);

  // Stereo into a mono mixer at the same rate: (L + R) / 2, exactly.
  auto mono = Make(48000, 1, 4, false);
  SourceOptions so;
  so.channels = 2;
  uint32_t s = Add(*mono, so);
  const int16_t lr[] = {100, 300, -50, 50, 7, 9, 32767, 32767};
  ASSERT_TRUE(mono->Push(s, lr, 4).ok());
  EXPECT_EQ(MixS(*mono), (std::vector<int16_t>{200, 0, 8, 32767}));
}

TEST(MixerTest, EndSourceFlushesTheResamplerAndPadsTheLastFrame) {
  // 4,800 frames of a 24 kHz tone are 9,600 at 48 kHz: ended, exactly ten 960-frame ticks carry
  // it (soxr's tail included), the tenth padded with silence, then the source is empty.
  auto m = Make(48000, 1, 960, false);
  uint32_t id = AddMonoF(*m, 24000);
  std::vector<float> tone(4800);
  for (int i = 0; i < 4800; ++i) tone[i] = static_cast<float>(0.5 * std::sin(2 * kPi * 440 * i / 24000.0));
  ASSERT_TRUE(m->Push(id, tone.data(), 2400).ok());
  std::vector<float> out;
  for (int t = 0; t < 2; ++t) {
    std::vector<float> f = MixF(*m);
    out.insert(out.end(), f.begin(), f.end());
  }
  ASSERT_TRUE(m->Push(id, tone.data() + 2400, 2400).ok());
  for (int t = 0; t < 4; ++t) {  // room for the tail
    std::vector<float> f = MixF(*m);
    out.insert(out.end(), f.begin(), f.end());
  }
  SourceStats st;
  ASSERT_TRUE(m->GetSourceStats(id, &st).ok());
  const int before = st.queued_frames;
  EXPECT_LT(before % 960, 960 - 8) << "soxr holds its tail back until the flush";
  ASSERT_TRUE(m->EndSource(id).ok());
  ASSERT_TRUE(m->EndSource(id).ok());  // twice: a no-op
  ASSERT_TRUE(m->GetSourceStats(id, &st).ok());
  EXPECT_EQ(st.queued_frames % 960, 0);
  EXPECT_GT(st.queued_frames, before);
  float pushed = 0.5f;
  EXPECT_EQ(m->Push(id, &pushed, 1).message(), "This source has ended");
  for (int t = 0; t < 8; ++t) {
    std::vector<float> f = MixF(*m);
    out.insert(out.end(), f.begin(), f.end());
  }
  ASSERT_TRUE(m->GetSourceStats(id, &st).ok());
  EXPECT_EQ(st.queued_frames, 0);
  // Every one of the 9,600 samples came out: the first and the last above -20 dBFS of the
  // tone's envelope are 9,600 +- soxr's edge ripple apart, and nothing after the tenth tick.
  int first = -1, last = -1;
  for (size_t i = 0; i < out.size(); ++i) {
    if (std::fabs(out[i]) > 0.05f) {
      if (first < 0) first = static_cast<int>(i);
      last = static_cast<int>(i);
    }
  }
  ASSERT_GE(first, 0);
  EXPECT_NEAR(last - first, 9600, 48);
  EXPECT_LT(last, 10 * 960 + 3 * 960);  // within the prebuffer's two ticks plus ten
  EXPECT_EQ(st.mixed_ticks, 10u);
  for (size_t i = 9600 + 2 * 960; i < out.size(); ++i) ASSERT_EQ(out[i], 0.0f);
}

TEST(MixerTest, EndSourcePlaysAShortSourceAndWaitsForRoom) {
  // 300 frames at the mixer's rate, shorter than a frame and its prebuffer: ended, it plays at
  // once, padded.
  auto m = Make(48000, 1, 100, false);
  uint32_t a = Add(*m);
  std::vector<int16_t> f(250, 9);
  ASSERT_TRUE(m->Push(a, f.data(), 250).ok());
  ASSERT_TRUE(m->EndSource(a).ok());
  std::vector<int16_t> want(100, 9);
  EXPECT_EQ(MixS(*m), want);
  EXPECT_EQ(MixS(*m), want);
  std::fill(want.begin() + 50, want.end(), int16_t{0});
  EXPECT_EQ(MixS(*m), want);
  EXPECT_EQ(MixS(*m), std::vector<int16_t>(100, 0));
  EXPECT_EQ(m->EndSource(12345).code(), ErrorCode::kInvalidArgument);

  // A resampled source whose FIFO is full: kQueueFull, nothing lost, and it ends once there is
  // room.
  auto small = Make(48000, 1, 480, false, 32, 2);
  ASSERT_NE(small, nullptr);
  SourceOptions so;
  so.sample_rate = 16000;
  so.channels = 1;
  uint32_t r = Add(*small, so);
  std::vector<int16_t> in(80, 1000);
  int pushed = 0;
  while (small->Push(r, in.data(), 80).ok()) ++pushed;
  ASSERT_GE(pushed, 2);
  SourceStats st;
  ASSERT_TRUE(small->GetSourceStats(r, &st).ok());
  const int queued = st.queued_frames;
  EXPECT_EQ(small->EndSource(r).code(), ErrorCode::kQueueFull);
  ASSERT_TRUE(small->GetSourceStats(r, &st).ok());
  EXPECT_EQ(st.queued_frames, queued) << "a refused end changes nothing";
  int mixes = 0;
  for (; mixes < 3 && small->EndSource(r).code() == ErrorCode::kQueueFull; ++mixes) MixS(*small);
  EXPECT_GE(mixes, 1);
  EXPECT_LE(mixes, 2);
  ASSERT_TRUE(small->GetSourceStats(r, &st).ok());
  EXPECT_EQ(st.queued_frames % 480, 0);

  // A FIFO of two 4-frame ticks under 8 kHz -> 48 kHz, holding less than a tick: the end does
  // not wait for room (no tick would make any); the tail and the pad fill whole ticks.
  auto tiny = Make(48000, 1, 4, false, 32, 2);
  SourceOptions eight;
  eight.sample_rate = 8000;
  eight.channels = 1;
  uint32_t t = Add(*tiny, eight);
  std::vector<int16_t> two(1, 1000);
  ASSERT_TRUE(tiny->Push(t, two.data(), 1).ok());
  ASSERT_TRUE(tiny->GetSourceStats(t, &st).ok());
  ASSERT_LT(st.queued_frames, 4);
  ASSERT_TRUE(tiny->EndSource(t).ok());
  ASSERT_TRUE(tiny->GetSourceStats(t, &st).ok());
  EXPECT_EQ(st.queued_frames % 4, 0);
  EXPECT_GT(st.queued_frames, 0);
}

TEST(MixerTest, QueueLimitsAndSourceLimits) {
  MixerOptions o;
  o.channels = 1;
  o.frame_size = 100;
  o.queue_frames = 3;
  o.max_sources = 2;
  std::unique_ptr<Mixer> m;
  ASSERT_TRUE(Mixer::Create(o, &m).ok());
  uint32_t a = Add(*m);
  Add(*m);
  uint32_t c = 0;
  EXPECT_EQ(m->AddSource({}, &c).code(), ErrorCode::kQueueFull);
  std::vector<int16_t> f(100, 1);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(m->Push(a, f.data(), 100).ok());
  EXPECT_EQ(m->Push(a, f.data(), 100).code(), ErrorCode::kQueueFull);
  SourceStats st;
  ASSERT_TRUE(m->GetSourceStats(a, &st).ok());
  EXPECT_EQ(st.dropped_frames, 100u);
  EXPECT_EQ(st.queued_frames, 300);
  MixS(*m);
  EXPECT_TRUE(m->Push(a, f.data(), 100).ok());  // room again
  ASSERT_TRUE(m->ClearSource(a).ok());
  ASSERT_TRUE(m->GetSourceStats(a, &st).ok());
  EXPECT_EQ(st.queued_frames, 0);
  // Removing frees the slot; ids are not reused.
  ASSERT_TRUE(m->RemoveSource(a).ok());
  uint32_t d = Add(*m);
  EXPECT_NE(d, a);
  EXPECT_EQ(m->stats().sources, 2);
}

TEST(MixerTest, FifoWrapsWithOddPushSizes) {
  auto m = Make(48000, 2, 64, false, 32, 3);
  ASSERT_NE(m, nullptr);
  uint32_t id = Add(*m);
  int16_t next_in = 0, next_out = 0;
  for (int round = 0; round < 200; ++round) {
    const int n = 1 + (round * 37) % 60;
    std::vector<int16_t> in(2 * n);
    for (int i = 0; i < n; ++i) {
      in[2 * i] = next_in;
      in[2 * i + 1] = static_cast<int16_t>(-next_in);
      ++next_in;
    }
    ASSERT_TRUE(m->Push(id, in.data(), n).ok());
    SourceStats st;
    ASSERT_TRUE(m->GetSourceStats(id, &st).ok());
    while (st.queued_frames >= 64) {
      std::vector<int16_t> out = MixS(*m);
      for (int i = 0; i < 64; ++i) {
        ASSERT_EQ(out[2 * i], next_out);
        ASSERT_EQ(out[2 * i + 1], static_cast<int16_t>(-next_out));
        ++next_out;
      }
      ASSERT_TRUE(m->GetSourceStats(id, &st).ok());
    }
  }
}

TEST(MixerVolumeTest, MatchesPrismRoundingAndRampsWithoutClicks) {
  Volume v(48000, 2, 1.0);
  int16_t pcm[] = {1000, -1000, 32767, -32768, 3, -3};
  ASSERT_TRUE(v.Set(0.5, 0).ok());
  v.Process(pcm, 3);
  EXPECT_EQ(pcm[0], 500);
  EXPECT_EQ(pcm[1], -500);
  EXPECT_EQ(pcm[2], 16383);  // floor(16383.5)
  EXPECT_EQ(pcm[3], -16384);
  EXPECT_EQ(pcm[4], 1);   // floor(1.5)
  EXPECT_EQ(pcm[5], -2);  // floor(-1.5)
  int16_t loud[] = {30000, -30000};
  ASSERT_TRUE(v.Set(2.0, 0).ok());
  v.Process(loud, 1);
  EXPECT_EQ(loud[0], 32767);
  EXPECT_EQ(loud[1], -32768);
  EXPECT_EQ(v.Set(16, 0).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(v.Set(1, -1).code(), ErrorCode::kInvalidArgument);
  // Ramp 1 -> 0 over 10 ms on a DC 20000 stereo stream: steps <= 20000 / 480 + 1.
  Volume r(48000, 2, 1.0);
  ASSERT_TRUE(r.Set(0.0, 10).ok());
  std::vector<int16_t> dc(2 * 960, 20000);
  r.Process(dc.data(), 960);
  int worst = 0;
  for (size_t i = 2; i < dc.size(); ++i) worst = std::max(worst, std::abs(dc[i] - dc[i - 2]));
  EXPECT_LE(worst, 20000 / 480 + 1);
  EXPECT_EQ(dc[2 * 479], 0);
  EXPECT_EQ(dc.back(), 0);
  EXPECT_EQ(r.value(), 0.0);
}

}  // namespace
}  // namespace voxpool::mix
