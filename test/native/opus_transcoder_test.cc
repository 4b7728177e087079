// Transcoder: Opus -> volume -> Opus in one call. Judged by decoding its output: the level
// follows the volume commands (applied once per new generation, at a frame boundary), a lost
// packet is concealed for the last frame's duration, bad input fails with libopus's code.
#include "voxpool/opus/transcoder.h"

#include <gtest/gtest.h>
#include <opus/opus.h>

#include <cmath>
#include <vector>

#include "test_signal.h"

namespace voxpool::opus {
namespace {

constexpr int kFrame = 960;

struct Fixture {
  std::shared_ptr<Encoder> source;   // makes the input packets
  std::shared_ptr<Encoder> output;   // the transcoder re-encodes with it
  std::unique_ptr<Decoder> checker;  // decodes what comes out
  std::unique_ptr<Transcoder> transcoder;
  std::vector<int16_t> pcm = test::SineMix(48000, 2, kFrame * 60);

  explicit Fixture(double volume = 1.0) {
    EncoderOptions options;
    options.bitrate = 96000;
    std::unique_ptr<Encoder> e;
    EXPECT_TRUE(Encoder::Create(options, &e).ok());
    source = std::move(e);
    EXPECT_TRUE(Encoder::Create(options, &e).ok());
    output = std::move(e);
    EXPECT_TRUE(Decoder::Create(48000, 2, &checker).ok());
    EXPECT_TRUE(Transcoder::Create(output, volume, &transcoder).ok());
  }

  std::vector<uint8_t> Packet(int frame, int frame_size = kFrame) {
    uint8_t out[kMaxPacketBytes];
    const int n = source->Encode(pcm.data() + static_cast<size_t>(frame) * kFrame * 2, frame_size, out, sizeof(out));
    EXPECT_GT(n, 0);
    return std::vector<uint8_t>(out, out + n);
  }

  // Transcodes frame `frame` and returns the RMS of the decoded result.
  double Step(int frame, const VolumeCommand& command) {
    std::vector<uint8_t> in = Packet(frame);
    uint8_t out[kMaxPacketBytes];
    const int n = transcoder->Process(in.data(), in.size(), command, out, sizeof(out));
    EXPECT_GT(n, 0);
    int16_t decoded[kFrame * 2];
    EXPECT_EQ(checker->Decode(out, static_cast<size_t>(n), decoded, kFrame, false), kFrame);
    double sum = 0;
    for (int16_t s : decoded) sum += static_cast<double>(s) * s;
    return std::sqrt(sum / (kFrame * 2));
  }
};

TEST(OpusTranscoder, VolumeCommandsApplyOncePerGenerationAtAFrameBoundary) {
  Fixture unity;
  Fixture f;
  VolumeCommand keep;  // generation 0: the initial volume (1)
  std::vector<double> reference;
  for (int i = 0; i < 40; ++i) reference.push_back(unity.Step(i, keep));

  for (int i = 0; i < 10; ++i) EXPECT_NEAR(f.Step(i, keep) / reference[i], 1.0, 0.05) << i;
  // A new generation steps to 0.5 from this frame on (after the codecs' few ms of delay).
  VolumeCommand half{1, 0.5, 0};
  for (int i = 10; i < 20; ++i) {
    const double ratio = f.Step(i, half) / reference[i];
    if (i >= 12) EXPECT_NEAR(ratio, 0.5, 0.03) << i;
  }
  // The same generation with another target is not a new command: the level stays at 0.5.
  VolumeCommand stale{1, 2.0, 0};
  for (int i = 20; i < 30; ++i) EXPECT_NEAR(f.Step(i, stale) / reference[i], 0.5, 0.03) << i;
  // A ramp to 0 over 200 ms (10 frames) is halfway after 5 frames and silent after it ends.
  VolumeCommand fade{2, 0.0, 200};
  std::vector<double> ratios;
  for (int i = 30; i < 40; ++i) ratios.push_back(f.Step(i, fade) / reference[i]);
  EXPECT_GT(ratios[1], ratios[5]);
  EXPECT_NEAR(ratios[5], 0.25, 0.1);
  EXPECT_LT(f.Step(40, fade), 50.0);
}

TEST(OpusTranscoder, InitialVolumeIsApplied) {
  Fixture unity;
  Fixture quiet(0.25);
  VolumeCommand keep;
  for (int i = 0; i < 10; ++i) {
    const double ratio = quiet.Step(i, keep) / unity.Step(i, keep);
    if (i >= 2) EXPECT_NEAR(ratio, 0.25, 0.02) << i;
  }
}

TEST(OpusTranscoder, ALostPacketIsConcealedForTheLastFrameDuration) {
  Fixture f;
  VolumeCommand keep;
  uint8_t out[kMaxPacketBytes];
  int16_t decoded[kMaxFrameSamples * 2];
  // Before anything was decoded: 20 ms.
  int n = f.transcoder->Process(nullptr, 0, keep, out, sizeof(out));
  ASSERT_GT(n, 0);
  EXPECT_EQ(f.checker->Decode(out, static_cast<size_t>(n), decoded, kMaxFrameSamples, false), 960);
  // After 10 ms packets: 10 ms.
  for (int i = 1; i < 5; ++i) {
    std::vector<uint8_t> in = f.Packet(i, 480);
    ASSERT_GT(f.transcoder->Process(in.data(), in.size(), keep, out, sizeof(out)), 0);
  }
  n = f.transcoder->Process(nullptr, 0, keep, out, sizeof(out));
  ASSERT_GT(n, 0);
  EXPECT_EQ(opus_packet_get_nb_samples(out, n, 48000), 480);
}

TEST(OpusTranscoder, BadInputFailsWithTheCodecsCode) {
  Fixture f;
  VolumeCommand keep;
  uint8_t out[kMaxPacketBytes];
  const uint8_t corrupt[] = {0xff, 0xff, 0xff, 0xff, 0xff};
  EXPECT_EQ(f.transcoder->Process(corrupt, sizeof(corrupt), keep, out, sizeof(out)), OPUS_INVALID_PACKET);
  // A 30 ms packet (three 10 ms frames) decodes but cannot be re-encoded as one frame: refused
  // before the volume moves.
  std::vector<uint8_t> ten = f.Packet(0, 480);
  const unsigned char* frames[3] = {ten.data(), ten.data(), ten.data()};
  OpusRepacketizer* rp = opus_repacketizer_create();
  for (int i = 0; i < 3; ++i) ASSERT_EQ(opus_repacketizer_cat(rp, frames[i], static_cast<opus_int32>(ten.size())), OPUS_OK);
  uint8_t thirty[kMaxPacketBytes];
  const opus_int32 len = opus_repacketizer_out(rp, thirty, sizeof(thirty));
  opus_repacketizer_destroy(rp);
  ASSERT_GT(len, 0);
  ASSERT_EQ(opus_packet_get_nb_samples(thirty, len, 48000), 1440);
  EXPECT_EQ(f.transcoder->Process(thirty, static_cast<size_t>(len), keep, out, sizeof(out)), OPUS_BAD_ARG);

  std::unique_ptr<Transcoder> t;
  EXPECT_EQ(Transcoder::Create(nullptr, 1.0, &t).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(Transcoder::Create(f.output, -0.1, &t).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(Transcoder::Create(f.output, mix::kVolumeMax * 2, &t).code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace voxpool::opus
