#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "test_signal.h"
#include "voxpool/voice/receiver.h"
#include "voxpool/voice/sender.h"

namespace voxpool::voice {
namespace {

constexpr int kFrame = 960;  // 20 ms at 48 kHz
const uint8_t kKey[32] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15, 16,
                          17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};

std::unique_ptr<VoiceSender> MakeSender(uint32_t ssrc, uint16_t seq, uint32_t ts,
                                        bool fec = false) {
  VoiceSenderOptions o;
  o.ssrc = ssrc;
  o.sequence = seq;
  o.timestamp = ts;
  o.encoder.bitrate = 64000;
  if (fec) {
    o.encoder.inband_fec = true;
    o.encoder.packet_loss = 20;
    o.encoder.application = opus::kApplicationVoip;
  }
  std::unique_ptr<VoiceSender> s;
  Status st = VoiceSender::Create(o, kKey, sizeof(kKey), &s);
  EXPECT_TRUE(st.ok()) << st.message();
  return s;
}

std::unique_ptr<VoiceReceiver> MakeReceiver(size_t window = 3, int sample_rate = 48000,
                                            int channels = 2) {
  VoiceReceiverOptions o;
  o.window = window;
  o.sample_rate = sample_rate;
  o.channels = channels;
  std::unique_ptr<VoiceReceiver> r;
  EXPECT_TRUE(VoiceReceiver::Create(o, kKey, sizeof(kKey), &r).ok());
  return r;
}

std::vector<std::vector<uint8_t>> SendAll(VoiceSender& s, const std::vector<int16_t>& pcm) {
  std::vector<std::vector<uint8_t>> packets;
  for (size_t at = 0; at + kFrame * 2 <= pcm.size(); at += kFrame * 2) {
    std::vector<uint8_t> p(VoiceSender::kMaxSealedBytes);
    size_t n = 0;
    Status st = s.EncodeAndSeal(pcm.data() + at, kFrame, p.data(), p.size(), &n);
    EXPECT_TRUE(st.ok()) << st.message();
    p.resize(n);
    packets.push_back(p);
  }
  return packets;
}

double BestSnr(const std::vector<int16_t>& ref, const std::vector<int16_t>& out) {
  double best = -1e9;
  for (size_t d = 0; d < 1000; ++d)
    best = std::max(best, test::SnrDb(ref, out, 2, d, 4800, ref.size() / 2 - 4800 - 1000));
  return best;
}

TEST(VoicePipeline, SenderPacketsAdvanceInOrderAndWrap) {
  auto s = MakeSender(77, 65534, 0xFFFFFFFFu - 959);
  auto pcm = test::SineMix(48000, 2, kFrame * 4);
  auto packets = SendAll(*s, pcm);
  ASSERT_EQ(packets.size(), 4u);
  const uint16_t seqs[] = {65534, 65535, 0, 1};
  const uint32_t tss[] = {0xFFFFFFFFu - 959, 0, 960, 1920};
  for (size_t i = 0; i < 4; ++i) {
    rtp::Header h;
    ASSERT_TRUE(rtp::ParseHeader(packets[i].data(), packets[i].size(), &h).ok());
    EXPECT_EQ(h.sequence, seqs[i]);
    EXPECT_EQ(h.timestamp, tss[i]);
    EXPECT_EQ(h.ssrc, 77u);
    EXPECT_EQ(h.payload_type, 0x78);
    EXPECT_EQ(packets[i][packets[i].size() - 1], i + 1);  // nonce
  }
  EXPECT_EQ(s->sequence(), 2);
}

TEST(VoicePipeline, SilenceFramesSealAsDiscordExpects) {
  auto s = MakeSender(5, 10, 0);
  auto r = MakeReceiver();
  std::vector<ReceivedFrame> frames;
  for (int i = 0; i < 5; ++i) {
    uint8_t p[64];
    size_t n = 0;
    ASSERT_TRUE(s->SealOpus(VoiceSender::kSilenceFrame, 3, VoiceSender::kSilenceFrameSamples, p,
                            sizeof(p), &n)
                    .ok());
    EXPECT_EQ(n, 12u + 3 + 20);
    ASSERT_TRUE(r->Push(p, n, &frames).ok());
  }
  ASSERT_EQ(frames.size(), 5u);
  for (const auto& f : frames) {
    EXPECT_EQ(f.pcm.size(), 960u * 2);
    EXPECT_TRUE(std::all_of(f.pcm.begin(), f.pcm.end(), [](int16_t v) { return v == 0; }));
  }
}

TEST(VoicePipeline, LossAndReorderingAreConcealedAndAudioSurvives) {
  const size_t count = 150;  // 3 s
  auto pcm = test::SineMix(48000, 2, kFrame * count);
  auto s = MakeSender(1234, 100, 5000);
  auto packets = SendAll(*s, pcm);
  // Reorder pairs (swap 5k+1 and 5k+2) and drop every 17th packet.
  std::vector<std::vector<uint8_t>> wire;
  for (size_t i = 0; i < packets.size(); ++i) {
    if (i % 17 == 16) continue;
    wire.push_back(packets[i]);
  }
  for (size_t i = 1; i + 1 < wire.size(); i += 5) std::swap(wire[i], wire[i + 1]);
  auto r = MakeReceiver(3);
  std::vector<ReceivedFrame> frames;
  for (const auto& p : wire) ASSERT_TRUE(r->Push(p.data(), p.size(), &frames).ok());
  r->Flush(&frames);
  // The last packets were all delivered, so every frame is accounted for.
  ASSERT_EQ(frames.size(), count);
  std::vector<int16_t> out;
  for (size_t i = 0; i < frames.size(); ++i) {
    EXPECT_EQ(frames[i].sequence, static_cast<uint16_t>(100 + i));
    EXPECT_EQ(frames[i].timestamp, 5000u + 960u * i);
    EXPECT_EQ(frames[i].pcm.size(), 960u * 2);
    EXPECT_EQ(frames[i].kind == ReceivedFrame::Kind::kDecoded, i % 17 != 16) << i;
    out.insert(out.end(), frames[i].pcm.begin(), frames[i].pcm.end());
  }
  EXPECT_EQ(r->stats().concealed + r->stats().recovered, count / 17);
  EXPECT_EQ(r->stats().late, 0u);
  const double snr = BestSnr(pcm, out);
  EXPECT_GT(snr, 8.0);
  RecordProperty("snr_db", std::to_string(snr));
  std::printf("loss/reorder loop SNR: %.1f dB\n", snr);
}

// The reorder window holds exactly `window` packets behind a gap: the missing packet arriving
// while `window` later ones wait is still decoded; one more later packet declares it lost.
TEST(VoicePipeline, ReorderWindowHoldsExactlyWindowPackets) {
  auto pcm = test::SineMix(48000, 2, kFrame * 12);
  auto s = MakeSender(77, 500, 0);
  auto packets = SendAll(*s, pcm);
  for (size_t window : {size_t{0}, size_t{1}, size_t{3}, size_t{5}}) {
    SCOPED_TRACE("window " + std::to_string(window));
    {
      auto r = MakeReceiver(window);
      std::vector<ReceivedFrame> frames;
      ASSERT_TRUE(r->Push(packets[0].data(), packets[0].size(), &frames).ok());
      for (size_t k = 2; k < 2 + window; ++k)
        ASSERT_TRUE(r->Push(packets[k].data(), packets[k].size(), &frames).ok());
      EXPECT_EQ(frames.size(), 1u) << "held back, waiting for packet 1";
      ASSERT_TRUE(r->Push(packets[1].data(), packets[1].size(), &frames).ok());
      ASSERT_EQ(frames.size(), window + 2);
      for (size_t i = 0; i < frames.size(); ++i) {
        EXPECT_EQ(frames[i].sequence, static_cast<uint16_t>(500 + i));
        EXPECT_EQ(frames[i].kind, ReceivedFrame::Kind::kDecoded) << i;
      }
      EXPECT_EQ(r->stats().concealed + r->stats().recovered, 0u);
    }
    {
      auto r = MakeReceiver(window);
      std::vector<ReceivedFrame> frames;
      ASSERT_TRUE(r->Push(packets[0].data(), packets[0].size(), &frames).ok());
      for (size_t k = 2; k < 3 + window; ++k)
        ASSERT_TRUE(r->Push(packets[k].data(), packets[k].size(), &frames).ok());
      ASSERT_EQ(frames.size(), window + 3) << "one packet too many: packet 1 is lost";
      EXPECT_NE(frames[1].kind, ReceivedFrame::Kind::kDecoded);
      ASSERT_TRUE(r->Push(packets[1].data(), packets[1].size(), &frames).ok());
      EXPECT_EQ(r->stats().late, 1u);
    }
  }
}

// RTP timestamps count the 48 kHz clock whatever the receiver's output rate, concealed frames
// included: a frame concealed at 16 kHz still advances the timeline by 960.
TEST(VoicePipeline, ConcealedFramesKeepTheSendersClockAtEveryOutputRate) {
  auto pcm = test::SineMix(48000, 2, kFrame * 10);
  auto s = MakeSender(5, 0, 123456);
  auto packets = SendAll(*s, pcm);
  packets.erase(packets.begin() + 4);  // frame 4 lost
  for (int rate : {8000, 12000, 16000, 24000, 48000}) {
    for (int channels : {1, 2}) {
      SCOPED_TRACE(std::to_string(rate) + " Hz, " + std::to_string(channels) + " ch");
      auto r = MakeReceiver(0, rate, channels);
      std::vector<ReceivedFrame> frames;
      for (const auto& p : packets) ASSERT_TRUE(r->Push(p.data(), p.size(), &frames).ok());
      r->Flush(&frames);
      ASSERT_EQ(frames.size(), 10u);
      for (size_t i = 0; i < frames.size(); ++i) {
        EXPECT_EQ(frames[i].timestamp, 123456u + 960u * i) << i;
        EXPECT_EQ(frames[i].pcm.size(), static_cast<size_t>(rate / 50 * channels)) << i;
      }
      EXPECT_NE(frames[4].kind, ReceivedFrame::Kind::kDecoded);
    }
  }
}

TEST(VoicePipeline, FecRecoversTheLostFrame) {
  const size_t count = 60;
  auto pcm = test::SineMix(48000, 2, kFrame * count);
  auto s = MakeSender(9, 0, 0, /*fec=*/true);
  auto packets = SendAll(*s, pcm);
  packets.erase(packets.begin() + 30);
  auto r = MakeReceiver(1);
  std::vector<ReceivedFrame> frames;
  for (const auto& p : packets) ASSERT_TRUE(r->Push(p.data(), p.size(), &frames).ok());
  r->Flush(&frames);
  ASSERT_EQ(frames.size(), count);
  EXPECT_EQ(frames[30].kind, ReceivedFrame::Kind::kRecovered);
  EXPECT_EQ(r->stats().recovered, 1u);
}

TEST(VoicePipeline, ManySsrcsLateDuplicateAndTamperedPackets) {
  auto a = MakeSender(1, 0, 0);
  auto b = MakeSender(2, 40000, 0);
  auto pcm = test::SineMix(48000, 2, kFrame * 10);
  auto pa = SendAll(*a, pcm);
  auto pb = SendAll(*b, pcm);
  auto r = MakeReceiver(2);
  std::vector<ReceivedFrame> frames;
  for (size_t i = 0; i < 10; ++i) {
    ASSERT_TRUE(r->Push(pa[i].data(), pa[i].size(), &frames).ok());
    ASSERT_TRUE(r->Push(pb[i].data(), pb[i].size(), &frames).ok());
  }
  ASSERT_TRUE(r->Push(pa[3].data(), pa[3].size(), &frames).ok());  // late duplicate
  EXPECT_EQ(r->stats().late, 1u);
  auto bad = pb[9];
  bad[20] ^= 1;
  EXPECT_EQ(r->Push(bad.data(), bad.size(), &frames).code(), ErrorCode::kCryptoAuthFailed);
  EXPECT_EQ(frames.size(), 20u);
  EXPECT_EQ(std::count_if(frames.begin(), frames.end(), [](const auto& f) { return f.ssrc == 2; }),
            10);
  EXPECT_EQ(frames.back().sequence, 40009);
}

TEST(VoicePipeline, SsrcLimitRefusesNewStreamsWithoutSideEffects) {
  VoiceReceiverOptions o;
  o.max_ssrcs = 1;
  std::unique_ptr<VoiceReceiver> r;
  ASSERT_TRUE(VoiceReceiver::Create(o, kKey, sizeof(kKey), &r).ok());
  auto a = MakeSender(1, 0, 0);
  auto b = MakeSender(2, 0, 0);
  auto pcm = test::SineMix(48000, 2, kFrame);
  auto pa = SendAll(*a, pcm);
  auto pb = SendAll(*b, pcm);
  std::vector<ReceivedFrame> frames;
  ASSERT_TRUE(r->Push(pa[0].data(), pa[0].size(), &frames).ok());
  EXPECT_EQ(r->Push(pb[0].data(), pb[0].size(), &frames).code(), ErrorCode::kQueueFull);
  EXPECT_EQ(r->stats().packets, 1u);
  r->Remove(1);
  EXPECT_TRUE(r->Push(pb[0].data(), pb[0].size(), &frames).ok());
  EXPECT_EQ(frames.size(), 2u);
}

TEST(VoicePipeline, BadSenderOptions) {
  VoiceSenderOptions o;
  o.encoder.sample_rate = 24000;
  std::unique_ptr<VoiceSender> s;
  EXPECT_EQ(VoiceSender::Create(o, kKey, sizeof(kKey), &s).code(), ErrorCode::kInvalidArgument);
  o.encoder.sample_rate = 48000;
  EXPECT_EQ(VoiceSender::Create(o, kKey, 16, &s).code(), ErrorCode::kInvalidArgument);
  ASSERT_TRUE(VoiceSender::Create(o, kKey, sizeof(kKey), &s).ok());
  uint8_t out[64];
  size_t n = 0;
  EXPECT_EQ(s->SealOpus(VoiceSender::kSilenceFrame, 3, 961, out, sizeof(out), &n).code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(s->SealOpus(VoiceSender::kSilenceFrame, 3, 960, out, 30, &n).code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(s->sequence(), 0);
}

}  // namespace
}  // namespace voxpool::voice
