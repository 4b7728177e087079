// SpeakerMixer: timestamp alignment with jitter, reordering, loss (concealed or silent), late and
// duplicate packets, several speakers, wraparound, resync, per-speaker output, 16 kHz mono out.
#include "voxpool/mix/speaker_mixer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

namespace voxpool::mix {
namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr int kFrame = 960;  // 20 ms at 48 kHz

// Mono 48 kHz in and out, 20 ms ticks, limiter off unless asked: values come back exactly.
std::unique_ptr<SpeakerMixer> Make(ConcealMode conceal = ConcealMode::kSilence, int jitter = 3,
                                   int conceal_frames = 3) {
  SpeakerMixerOptions o;
  o.input_channels = 1;
  o.output_channels = 1;
  o.frame_size = kFrame;
  o.jitter_frames = jitter;
  o.conceal = conceal;
  o.conceal_frames = conceal_frames;
  o.limiter = false;
  std::unique_ptr<SpeakerMixer> m;
  EXPECT_TRUE(SpeakerMixer::Create(o, &m).ok());
  return m;
}

// Packet k of a speaker: a constant `value(k)` so each tick's output identifies the packet.
std::vector<int16_t> Packet(int16_t value, int frames = kFrame) {
  return std::vector<int16_t>(static_cast<size_t>(frames), value);
}

std::vector<int16_t> Tick(SpeakerMixer& m) {
  std::vector<int16_t> out(static_cast<size_t>(m.frame_samples()));
  m.Mix(out.data());
  return out;
}

void PushPacket(SpeakerMixer& m, uint32_t ssrc, uint32_t ts0, uint16_t seq0, int k, int16_t value) {
  std::vector<int16_t> p = Packet(value);
  ASSERT_TRUE(m.Push(ssrc, ts0 + static_cast<uint32_t>(k * kFrame), static_cast<uint16_t>(seq0 + k),
                     p.data(), kFrame)
                  .ok());
}

// First sample of each output tick.
std::vector<int16_t> Ticks(SpeakerMixer& m, int ticks) {
  std::vector<int16_t> firsts;
  for (int t = 0; t < ticks; ++t) {
    std::vector<int16_t> out = Tick(m);
    for (int16_t v : out) EXPECT_EQ(v, out[0]) << "tick " << t << " is not constant";
    firsts.push_back(out[0]);
  }
  return firsts;
}

TEST(SpeakerMixerTest, RejectsBadOptionsAndPackets) {
  auto bad = [](auto f, const char* what) {
    SCOPED_TRACE(what);
    SpeakerMixerOptions o;
    f(o);
    std::unique_ptr<SpeakerMixer> m;
    EXPECT_EQ(SpeakerMixer::Create(o, &m).code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(m, nullptr);
  };
  bad([](SpeakerMixerOptions& o) { o.input_rate = 7000; }, "input rate");
  bad([](SpeakerMixerOptions& o) { o.output_rate = 96000; }, "output rate");
  bad([](SpeakerMixerOptions& o) { o.input_channels = 3; }, "input channels");
  bad([](SpeakerMixerOptions& o) { o.output_channels = 0; }, "output channels");
  bad([](SpeakerMixerOptions& o) { o.frame_size = 0; }, "frame 0");
  bad(
      [](SpeakerMixerOptions& o) {
        o.output_rate = 44100;
        o.frame_size = 441;
        o.input_rate = 48000;
        o.frame_size = 440;
      },
      "fractional input tick");
  bad([](SpeakerMixerOptions& o) { o.jitter_frames = 0; }, "jitter 0");
  bad([](SpeakerMixerOptions& o) { o.jitter_frames = 51; }, "jitter 51");
  bad([](SpeakerMixerOptions& o) { o.max_speakers = 0; }, "speakers 0");
  bad([](SpeakerMixerOptions& o) { o.conceal_frames = -1; }, "conceal -1");
  bad([](SpeakerMixerOptions& o) { o.idle_frames = 2; }, "idle below jitter");
  bad([](SpeakerMixerOptions& o) { o.ceiling_db = 0.5f; }, "ceiling");
  auto m = Make();
  int16_t pcm[10] = {};
  EXPECT_EQ(m->Push(1, 0, 0, pcm, 0).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(m->Push(1, 0, 0, pcm, kSpeakerMaxPacketFrames + 1).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(m->Push(1, 0, 0, static_cast<const int16_t*>(nullptr), 10).code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(m->RemoveSpeaker(99).code(), ErrorCode::kInvalidArgument);
  SpeakerStats st;
  EXPECT_EQ(m->GetSpeakerStats(99, &st).code(), ErrorCode::kInvalidArgument);
}

TEST(SpeakerMixerTest, InOrderPacketsPlayAfterTheJitterDelay) {
  auto m = Make();
  // One packet per tick, pushed just before each tick (the receiver's rhythm).
  std::vector<int16_t> got;
  for (int k = 0; k < 10; ++k) {
    PushPacket(*m, 7, 1000, 50, k, static_cast<int16_t>(100 * (k + 1)));
    got.push_back(Ticks(*m, 1)[0]);
  }
  // Three ticks of delay, then packets 1..7 in order.
  EXPECT_EQ(got, (std::vector<int16_t>{0, 0, 0, 100, 200, 300, 400, 500, 600, 700}));
  SpeakerStats st;
  ASSERT_TRUE(m->GetSpeakerStats(7, &st).ok());
  EXPECT_EQ(st.packets, 10u);
  EXPECT_EQ(st.lost_packets, 0u);
  EXPECT_EQ(st.late_packets, 0u);
}

TEST(SpeakerMixerTest, JitterAndReorderingInsideTheWindowAreAbsorbed) {
  auto m = Make();
  // Arrival pattern per tick (packet indices): bursts, gaps and swaps, never later than 3 ticks.
  const std::vector<std::vector<int>> arrivals = {{0}, {},     {2, 1}, {3}, {}, {}, {4, 6, 5},
                                                  {7}, {9, 8}, {},     {},  {}, {}};
  std::vector<int16_t> got;
  for (const auto& batch : arrivals) {
    for (int k : batch)
      PushPacket(*m, 1, 0xfffff000u, 65530, k, static_cast<int16_t>(10 * (k + 1)));
    got.push_back(Ticks(*m, 1)[0]);
  }
  EXPECT_EQ(got, (std::vector<int16_t>{0, 0, 0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100}));
  SpeakerStats st;
  ASSERT_TRUE(m->GetSpeakerStats(1, &st).ok());
  EXPECT_EQ(st.late_packets, 0u);
  EXPECT_EQ(st.played_ticks, 10u);
  EXPECT_EQ(st.lost_packets, 0u);  // sequence wrapped 65535 -> 0 without counting loss
}

TEST(SpeakerMixerTest, LossIsSilentOrConcealedWithAFade) {
  for (ConcealMode mode : {ConcealMode::kSilence, ConcealMode::kRepeatFade}) {
    SCOPED_TRACE(mode == ConcealMode::kSilence ? "silence" : "repeat-fade");
    auto m = Make(mode, 1, 2);
    std::vector<float> out_all;
    for (int k = 0; k < 8; ++k) {
      if (k < 3 || k > 6) PushPacket(*m, 5, 0, 0, k, 8000);  // packets 3..6 lost
      std::vector<float> out(kFrame);
      m->Mix(out.data());
      out_all.insert(out_all.end(), out.begin(), out.end());
    }
    // Ticks 1..3 play packets 0..2; ticks 4..7 would play the lost 3..6.
    const float level = 8000 / 32768.0f;
    EXPECT_EQ(out_all[3 * kFrame + 5], level);
    if (mode == ConcealMode::kSilence) {
      for (int i = 4 * kFrame; i < 8 * kFrame; ++i) ASSERT_EQ(out_all[i], 0.0f);
    } else {
      // Two ticks of repeat fading linearly to zero, no step above level / 1920, then silence.
      EXPECT_NEAR(out_all[5 * kFrame - 1], level * 0.5f, 1e-6);
      EXPECT_NEAR(out_all[6 * kFrame - 1], 0.0f, 1e-6);
      for (int i = 4 * kFrame + 1; i < 6 * kFrame; ++i)
        ASSERT_LE(std::fabs(out_all[i] - out_all[i - 1]), level / 1920 * 1.01);
      for (int i = 6 * kFrame; i < 8 * kFrame; ++i) ASSERT_EQ(out_all[i], 0.0f);
    }
    SpeakerStats st;
    ASSERT_TRUE(m->GetSpeakerStats(5, &st).ok());
    EXPECT_EQ(st.lost_packets, 4u);
    EXPECT_EQ(st.concealed_ticks, mode == ConcealMode::kSilence ? 0u : 2u);
    // Plus the one tick of jitter delay before the first packet played.
    EXPECT_EQ(st.silent_ticks, mode == ConcealMode::kSilence ? 5u : 3u);
  }
}

// RFC 3550 sequence arithmetic across the 16-bit wrap: 65534, 65535, 0, 2 is one packet lost (1),
// not none (a delta computed wider than 16 bits sees 0 as far behind 65535).
TEST(SpeakerMixerTest, LossIsCountedAcrossTheSequenceWrap) {
  for (uint16_t start : {uint16_t{65534}, uint16_t{65533}, uint16_t{100}}) {
    SCOPED_TRACE(start);
    auto m = Make(ConcealMode::kSilence, 3);
    for (int k : {0, 1, 2, 4}) PushPacket(*m, 3, 0xffffe000u, start, k, 1000);
    SpeakerStats st;
    ASSERT_TRUE(m->GetSpeakerStats(3, &st).ok());
    EXPECT_EQ(st.packets, 4u);
    EXPECT_EQ(st.lost_packets, 1u);
    // The gap fills in late (within the jitter window): nothing is lost any more.
    PushPacket(*m, 3, 0xffffe000u, start, 3, 1000);
    ASSERT_TRUE(m->GetSpeakerStats(3, &st).ok());
    EXPECT_EQ(st.lost_packets, 0u);
    // Packet 6 skips 5: one lost again.
    PushPacket(*m, 3, 0xffffe000u, start, 6, 1000);
    ASSERT_TRUE(m->GetSpeakerStats(3, &st).ok());
    EXPECT_EQ(st.lost_packets, 1u);
  }
}

TEST(SpeakerMixerTest, LateAndDuplicatePacketsAreDroppedAndCounted) {
  auto m = Make(ConcealMode::kSilence, 2);
  std::vector<int16_t> got;
  for (int k = 0; k < 6; ++k) {
    if (k != 2) PushPacket(*m, 9, 0, 0, k, static_cast<int16_t>(k + 1));
    if (k == 3) PushPacket(*m, 9, 0, 0, 3, 4);  // duplicate
    if (k == 5) PushPacket(*m, 9, 0, 0, 2, 3);  // packet 2, after its tick (tick 4) has played
    got.push_back(Ticks(*m, 1)[0]);
  }
  got.push_back(Ticks(*m, 1)[0]);
  EXPECT_EQ(got, (std::vector<int16_t>{0, 0, 1, 2, 0, 4, 5}));
  SpeakerStats st;
  ASSERT_TRUE(m->GetSpeakerStats(9, &st).ok());
  EXPECT_EQ(st.late_packets, 1u);
  EXPECT_EQ(st.duplicate_packets, 1u);
  EXPECT_EQ(st.packets, 7u);
}

TEST(SpeakerMixerTest, SpeakersAlignByFirstArrivalAndMix) {
  auto m = Make();
  // Speaker A from tick 0 (values 1000+k), speaker B joins at tick 4 with an unrelated timestamp
  // origin (values 10+k); both then send one packet per tick.
  std::vector<int16_t> got;
  for (int t = 0; t < 12; ++t) {
    PushPacket(*m, 0xA, 123456, 0, t, static_cast<int16_t>(1000 + t));
    if (t >= 4) PushPacket(*m, 0xB, 0x80000000u, 999, t - 4, static_cast<int16_t>(10 + t - 4));
    got.push_back(Ticks(*m, 1)[0]);
  }
  std::vector<int16_t> want;
  for (int t = 0; t < 12; ++t) {
    int v = t >= 3 ? 1000 + t - 3 : 0;
    if (t >= 7) v += 10 + t - 7;
    want.push_back(static_cast<int16_t>(v));
  }
  EXPECT_EQ(got, want);
  uint32_t ssrcs[4];
  ASSERT_EQ(m->Speakers(ssrcs, 4), 2);
  EXPECT_EQ(ssrcs[0], 0xAu);
  EXPECT_EQ(ssrcs[1], 0xBu);
  // Per-speaker output of the last tick.
  std::vector<int16_t> a(kFrame), b(kFrame);
  ASSERT_TRUE(m->SpeakerFrame(0xA, a.data()).ok());
  ASSERT_TRUE(m->SpeakerFrame(0xB, b.data()).ok());
  EXPECT_EQ(a[0], 1008);
  EXPECT_EQ(b[0], 14);
}

TEST(SpeakerMixerTest, TimestampJumpReanchorsAndIdleSpeakersAreForgotten) {
  SpeakerMixerOptions o;
  o.input_channels = o.output_channels = 1;
  o.limiter = false;
  o.conceal = ConcealMode::kSilence;
  o.idle_frames = 10;
  std::unique_ptr<SpeakerMixer> m;
  ASSERT_TRUE(SpeakerMixer::Create(o, &m).ok());
  for (int k = 0; k < 3; ++k) PushPacket(*m, 3, 0, 0, k, 5);
  Ticks(*m, 6);
  // A jump of 10 s: re-anchored, plays after the jitter delay instead of being dropped as early.
  PushPacket(*m, 3, 480000, 3, 0, 6);
  std::vector<int16_t> got = Ticks(*m, 4);
  EXPECT_EQ(got, (std::vector<int16_t>{0, 0, 0, 6}));
  SpeakerStats st;
  ASSERT_TRUE(m->GetSpeakerStats(3, &st).ok());
  EXPECT_EQ(st.resyncs, 1u);
  Ticks(*m, 10);
  uint32_t ssrc;
  EXPECT_EQ(m->Speakers(&ssrc, 1), 0);
}

TEST(SpeakerMixerTest, SpeakerLimitIsEnforced) {
  SpeakerMixerOptions o;
  o.max_speakers = 2;
  std::unique_ptr<SpeakerMixer> m;
  ASSERT_TRUE(SpeakerMixer::Create(o, &m).ok());
  std::vector<int16_t> p(2 * kFrame, 1);
  ASSERT_TRUE(m->Push(1, 0, 0, p.data(), kFrame).ok());
  ASSERT_TRUE(m->Push(2, 0, 0, p.data(), kFrame).ok());
  EXPECT_EQ(m->Push(3, 0, 0, p.data(), kFrame).code(), ErrorCode::kQueueFull);
  ASSERT_TRUE(m->RemoveSpeaker(1).ok());
  EXPECT_TRUE(m->Push(3, 0, 0, p.data(), kFrame).ok());
}

// Transcription output: 48 kHz stereo Opus-decoded speech into 16 kHz mono, 20 ms ticks: a
// continuous 440 Hz tone comes out continuous, at the right level, with no gaps after start-up.
TEST(SpeakerMixerTest, SixteenKilohertzMonoForSpeechToText) {
  SpeakerMixerOptions o;
  o.input_rate = 48000;
  o.input_channels = 2;
  o.output_rate = 16000;
  o.output_channels = 1;
  o.frame_size = 320;
  std::unique_ptr<SpeakerMixer> m;
  ASSERT_TRUE(SpeakerMixer::Create(o, &m).ok());
  std::vector<float> out;
  std::vector<float> pkt(2 * kFrame);
  for (int k = 0; k < 100; ++k) {
    for (int i = 0; i < kFrame; ++i)
      pkt[2 * i] = pkt[2 * i + 1] =
          static_cast<float>(0.25 * std::sin(2 * kPi * 440 * (k * kFrame + i) / 48000.0));
    ASSERT_TRUE(m->Push(42, 777u + static_cast<uint32_t>(k * kFrame), static_cast<uint16_t>(k),
                        pkt.data(), kFrame)
                    .ok());
    std::vector<float> f(320);
    m->Mix(f.data());
    out.insert(out.end(), f.begin(), f.end());
  }
  // Find the first non-zero sample; from one tick later everything is the tone.
  size_t start = 0;
  while (start < out.size() && out[start] == 0.0f) ++start;
  EXPECT_LE(start, 320u * 7);  // jitter delay (3) + resampler start-up + prebuffer (2) + slack
  const size_t from = start + 640;
  double ss = 0, cc = 0, sc = 0, ys = 0, yc = 0;
  for (size_t i = from; i < out.size(); ++i) {
    const double s = std::sin(2 * kPi * 440 * i / 16000.0),
                 c = std::cos(2 * kPi * 440 * i / 16000.0);
    ss += s * s;
    cc += c * c;
    sc += s * c;
    ys += out[i] * s;
    yc += out[i] * c;
  }
  const double det = ss * cc - sc * sc;
  const double a = (ys * cc - yc * sc) / det, b = (yc * ss - ys * sc) / det;
  double res = 0;
  for (size_t i = from; i < out.size(); ++i) {
    const double fit =
        a * std::sin(2 * kPi * 440 * i / 16000.0) + b * std::cos(2 * kPi * 440 * i / 16000.0);
    res += (out[i] - fit) * (out[i] - fit);
  }
  const double amp = std::sqrt(a * a + b * b);
  EXPECT_NEAR(amp, 0.25, 0.001);
  EXPECT_GE(10 * std::log10(amp * amp / 2 / (res / (out.size() - from))), 80.0);  // no gaps
}

TEST(SpeakerMixerTest, MixedOutputIsLimited) {
  SpeakerMixerOptions o;
  o.input_channels = o.output_channels = 1;
  std::unique_ptr<SpeakerMixer> m;
  ASSERT_TRUE(SpeakerMixer::Create(o, &m).ok());
  std::vector<int16_t> loud(kFrame, 32767);
  int worst = 0;
  for (int k = 0; k < 10; ++k) {
    for (uint32_t s = 1; s <= 8; ++s)
      ASSERT_TRUE(m->Push(s, static_cast<uint32_t>(k * kFrame), static_cast<uint16_t>(k),
                          loud.data(), kFrame)
                      .ok());
    for (int16_t v : Tick(*m)) worst = std::max(worst, std::abs(static_cast<int>(v)));
  }
  EXPECT_LE(worst, static_cast<int>(std::ceil(std::pow(10.0, -0.1 / 20) * 32768)));
  EXPECT_GT(worst, 30000);
}

}  // namespace
}  // namespace voxpool::mix
