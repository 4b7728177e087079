// Opus encoder/decoder: round trips over every rate x channel count x frame size, the float path,
// packet-loss concealment, FEC recovery, corrupt packets, and bad-argument sweeps in the spirit of
// libopus's tests/test_opus_api.c.
#include <climits>
#include <cstring>
#include <memory>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>
#include <opus/opus.h>

#include "test_signal.h"
#include "voxpool/opus/constants.h"
#include "voxpool/opus/decoder.h"
#include "voxpool/opus/encoder.h"
#include "voxpool/status.h"

namespace voxpool::opus {
namespace {

using test::SineMix;
using test::SineMixFloat;
using test::SnrDb;

// Samples per channel for a duration given in tenths of a millisecond.
int FrameSamples(int rate, int tenth_ms) { return rate / 400 * tenth_ms / 25; }

std::unique_ptr<Encoder> MakeEncoder(const EncoderOptions& options) {
  std::unique_ptr<Encoder> encoder;
  Status st = Encoder::Create(options, &encoder);
  EXPECT_TRUE(st.ok()) << st.code_name() << ": " << st.message();
  return encoder;
}

std::unique_ptr<Decoder> MakeDecoder(int rate, int channels) {
  std::unique_ptr<Decoder> decoder;
  Status st = Decoder::Create(rate, channels, &decoder);
  EXPECT_TRUE(st.ok()) << st.code_name() << ": " << st.message();
  return decoder;
}

int Lookahead(Encoder& encoder) {
  int lookahead = -1;
  EXPECT_TRUE(encoder.GetCtl(OPUS_GET_LOOKAHEAD_REQUEST, &lookahead).ok());
  return lookahead;
}

// ---- constants agree with libopus ---------------------------------------------------------------

TEST(OpusConstants, FrameSizesAgreeWithTheirDurations) {
  for (int rate : kSampleRates) {
    SCOPED_TRACE("rate " + std::to_string(rate));
    EXPECT_TRUE(IsValidSampleRate(rate));
    for (int tenth_ms : kFrameDurationsTenthMs) {
      EXPECT_TRUE(IsValidFrameSize(rate, FrameSamples(rate, tenth_ms))) << tenth_ms;
    }
    EXPECT_FALSE(IsValidFrameSize(rate, 0));
    EXPECT_FALSE(IsValidFrameSize(rate, -FrameSamples(rate, 200)));
    EXPECT_FALSE(IsValidFrameSize(rate, FrameSamples(rate, 200) + 1));
  }
  EXPECT_EQ(FrameSamples(48000, 1200), kMaxFrameSamples);
  EXPECT_EQ(kApplicationVoip, OPUS_APPLICATION_VOIP);
  EXPECT_EQ(kApplicationAudio, OPUS_APPLICATION_AUDIO);
  EXPECT_EQ(kApplicationRestrictedLowDelay, OPUS_APPLICATION_RESTRICTED_LOWDELAY);
  EXPECT_EQ(kSignalAuto, OPUS_AUTO);
  EXPECT_EQ(kSignalVoice, OPUS_SIGNAL_VOICE);
  EXPECT_EQ(kSignalMusic, OPUS_SIGNAL_MUSIC);
  for (int rate : {0, 1, 7999, 8001, 11025, 22050, 32000, 44100, 96000, -48000}) {
    EXPECT_FALSE(IsValidSampleRate(rate)) << rate;
  }
}

// ---- round trips --------------------------------------------------------------------------------

// Minimum SNR (dB) of a decoded sine mix against the input, after removing the codec delay.
// Measured with libopus 1.3.1 (x86-64) the worst case over the whole sweep is 16.4 dB (2.5 ms
// CELT frames) and most cases are 25-40 dB; a wrong delay, a channel swap, a down-mix or garbage
// output all land far below 12 dB.
constexpr double kMinSnrDb = 12.0;

class RoundTrip : public ::testing::TestWithParam<std::tuple<int, int>> {};

TEST_P(RoundTrip, EveryFrameSizeDecodesToTheInput) {
  const auto [rate, channels] = GetParam();
  for (int tenth_ms : kFrameDurationsTenthMs) {
    const int frame = FrameSamples(rate, tenth_ms);
    SCOPED_TRACE(testing::Message() << rate << " Hz, " << channels << " ch, " << tenth_ms / 10.0
                                    << " ms (" << frame << " samples)");
    EncoderOptions options;
    options.sample_rate = rate;
    options.channels = channels;
    options.bitrate = 64000 * channels;
    std::unique_ptr<Encoder> encoder = MakeEncoder(options);
    std::unique_ptr<Decoder> decoder = MakeDecoder(rate, channels);
    ASSERT_TRUE(encoder && decoder);
    const int lookahead = Lookahead(*encoder);
    ASSERT_GT(lookahead, 0);
    ASSERT_LT(lookahead, rate / 50);

    // 600 ms or more of audio, a whole number of frames.
    const int count = (6000 + tenth_ms - 1) / tenth_ms;
    const size_t total = static_cast<size_t>(count) * frame;
    const std::vector<int16_t> input = SineMix(rate, channels, total);
    std::vector<int16_t> output(total * channels);
    std::vector<uint8_t> packet(kMaxPacketBytes);
    for (int i = 0; i < count; ++i) {
      const int bytes = encoder->Encode(&input[static_cast<size_t>(i) * frame * channels], frame,
                                        packet.data(), kMaxPacketBytes);
      ASSERT_GT(bytes, 0) << "frame " << i << ": " << opus_strerror(bytes);
      ASSERT_LE(bytes, kMaxPacketBytes);
      ASSERT_EQ(opus_packet_get_nb_samples(packet.data(), bytes, rate), frame) << "frame " << i;
      ASSERT_EQ(opus_packet_get_nb_channels(packet.data()), channels);
      const int samples =
          decoder->Decode(packet.data(), static_cast<size_t>(bytes),
                          &output[static_cast<size_t>(i) * frame * channels], frame, false);
      ASSERT_EQ(samples, frame) << "frame " << i << ": " << opus_strerror(samples);
      ASSERT_EQ(decoder->LastFrameSize(), frame);
    }
    // Skip 100 ms while the codec converges, then compare everything the delay leaves.
    const size_t skip = static_cast<size_t>(rate) / 10;
    const double snr = SnrDb(input, output, channels, static_cast<size_t>(lookahead), skip,
                             total - skip - static_cast<size_t>(lookahead));
    EXPECT_GE(snr, kMinSnrDb);
    // The delay really is the lookahead: comparing without it must be clearly worse.
    EXPECT_LT(SnrDb(input, output, channels, 0, skip, total - skip - lookahead), snr - 3.0);
    RecordProperty("snr_" + std::to_string(tenth_ms), std::to_string(snr));
  }
}

INSTANTIATE_TEST_SUITE_P(AllRatesAndChannels, RoundTrip,
                         ::testing::Combine(::testing::ValuesIn(kSampleRates),
                                            ::testing::Values(1, 2)),
                         [](const ::testing::TestParamInfo<RoundTrip::ParamType>& info) {
                           return std::to_string(std::get<0>(info.param)) + "Hz_" +
                                  std::to_string(std::get<1>(info.param)) + "ch";
                         });

TEST(OpusCodec, FloatRoundTrip) {
  for (int rate : kSampleRates) {
    for (int channels : {1, 2}) {
      SCOPED_TRACE(testing::Message() << rate << " Hz, " << channels << " ch");
      EncoderOptions options;
      options.sample_rate = rate;
      options.channels = channels;
      options.bitrate = 64000 * channels;
      std::unique_ptr<Encoder> encoder = MakeEncoder(options);
      std::unique_ptr<Decoder> decoder = MakeDecoder(rate, channels);
      ASSERT_TRUE(encoder && decoder);
      const int lookahead = Lookahead(*encoder);
      const int frame = rate / 50;
      const int count = 30;
      const size_t total = static_cast<size_t>(count) * frame;
      const std::vector<float> input = SineMixFloat(rate, channels, total);
      std::vector<float> output(total * channels);
      std::vector<uint8_t> packet(kMaxPacketBytes);
      for (int i = 0; i < count; ++i) {
        const int bytes = encoder->EncodeFloat(&input[static_cast<size_t>(i) * frame * channels],
                                               frame, packet.data(), kMaxPacketBytes);
        ASSERT_GT(bytes, 0) << opus_strerror(bytes);
        ASSERT_EQ(
            decoder->DecodeFloat(packet.data(), static_cast<size_t>(bytes),
                                 &output[static_cast<size_t>(i) * frame * channels], frame, false),
            frame);
      }
      for (float v : output) ASSERT_TRUE(v >= -2.0f && v <= 2.0f) << v;
      const size_t skip = static_cast<size_t>(rate) / 10;
      EXPECT_GE(SnrDb(input, output, channels, static_cast<size_t>(lookahead), skip,
                      total - skip - static_cast<size_t>(lookahead)),
                kMinSnrDb);
    }
  }
}

TEST(OpusCodec, FloatAndIntegerEncodersAgree) {
  // The same signal through the s16 and float entry points gives packets of the same duration
  // and decodes to nearly the same audio.
  EncoderOptions options;
  std::unique_ptr<Encoder> a = MakeEncoder(options);
  std::unique_ptr<Encoder> b = MakeEncoder(options);
  std::unique_ptr<Decoder> da = MakeDecoder(48000, 2);
  std::unique_ptr<Decoder> db = MakeDecoder(48000, 2);
  ASSERT_TRUE(a && b && da && db);
  const int frame = 960, count = 20;
  const std::vector<int16_t> s16 = SineMix(48000, 2, static_cast<size_t>(frame) * count);
  std::vector<float> f32(s16.size());
  for (size_t i = 0; i < s16.size(); ++i) f32[i] = static_cast<float>(s16[i]) / 32768.0f;
  std::vector<int16_t> out_a(s16.size()), out_b(s16.size());
  uint8_t packet[kMaxPacketBytes];
  for (int i = 0; i < count; ++i) {
    const size_t at = static_cast<size_t>(i) * frame * 2;
    int n = a->Encode(&s16[at], frame, packet, kMaxPacketBytes);
    ASSERT_GT(n, 0);
    ASSERT_EQ(da->Decode(packet, static_cast<size_t>(n), &out_a[at], frame, false), frame);
    n = b->EncodeFloat(&f32[at], frame, packet, kMaxPacketBytes);
    ASSERT_GT(n, 0);
    ASSERT_EQ(db->Decode(packet, static_cast<size_t>(n), &out_b[at], frame, false), frame);
  }
  EXPECT_GE(SnrDb(out_a, out_b, 2, 0, 4800, out_a.size() / 2 - 4800), 20.0);
}

// ---- loss: PLC and FEC --------------------------------------------------------------------------

TEST(OpusCodec, ConcealmentReturnsTheRequestedFrameSize) {
  for (int rate : kSampleRates) {
    std::unique_ptr<Encoder> encoder = MakeEncoder({rate, 1});
    std::unique_ptr<Decoder> decoder = MakeDecoder(rate, 1);
    ASSERT_TRUE(encoder && decoder);
    const int frame = rate / 50;
    const std::vector<int16_t> input = SineMix(rate, 1, static_cast<size_t>(frame) * 5);
    std::vector<int16_t> out(kMaxFrameSamples);
    uint8_t packet[kMaxPacketBytes];
    for (int i = 0; i < 5; ++i) {
      const int n =
          encoder->Encode(&input[static_cast<size_t>(i) * frame], frame, packet, kMaxPacketBytes);
      ASSERT_GT(n, 0);
      ASSERT_EQ(decoder->Decode(packet, static_cast<size_t>(n), out.data(), frame, false), frame);
    }
    for (int tenth_ms : {25, 50, 100, 200, 400, 600}) {
      const int lost = FrameSamples(rate, tenth_ms);
      SCOPED_TRACE(testing::Message() << rate << " Hz, lost " << lost << " samples");
      // A null packet and an empty packet both conceal exactly the requested duration.
      EXPECT_EQ(decoder->Decode(nullptr, 0, out.data(), lost, false), lost);
      EXPECT_EQ(decoder->LastFrameSize(), lost);
      EXPECT_EQ(decoder->Decode(packet, 0, out.data(), lost, false), lost);
      std::vector<float> fout(kMaxFrameSamples);
      EXPECT_EQ(decoder->DecodeFloat(nullptr, 0, fout.data(), lost, false), lost);
    }
    // Concealment of a duration that is not a multiple of 2.5 ms is refused.
    EXPECT_EQ(decoder->Decode(nullptr, 0, out.data(), rate / 400 + 1, false), OPUS_BAD_ARG);
  }
}

TEST(OpusCodec, InbandFecRecoversTheLostFrame) {
  const int rate = 16000, frame = 320, count = 40, lost = 25;
  EncoderOptions options;
  options.sample_rate = rate;
  options.channels = 1;
  options.application = kApplicationVoip;
  options.bitrate = 24000;
  options.inband_fec = true;
  options.packet_loss = 30;
  options.signal = kSignalVoice;
  std::unique_ptr<Encoder> encoder = MakeEncoder(options);
  ASSERT_TRUE(encoder);
  int value = 0;
  ASSERT_TRUE(encoder->GetCtl(OPUS_GET_INBAND_FEC_REQUEST, &value).ok());
  EXPECT_EQ(value, 1);
  ASSERT_TRUE(encoder->GetCtl(OPUS_GET_PACKET_LOSS_PERC_REQUEST, &value).ok());
  EXPECT_EQ(value, 30);

  const std::vector<int16_t> input = SineMix(rate, 1, static_cast<size_t>(frame) * count);
  std::vector<std::vector<uint8_t>> packets;
  for (int i = 0; i < count; ++i) {
    std::vector<uint8_t> packet(kMaxPacketBytes);
    const int n = encoder->Encode(&input[static_cast<size_t>(i) * frame], frame, packet.data(),
                                  kMaxPacketBytes);
    ASSERT_GT(n, 0);
    packet.resize(static_cast<size_t>(n));
    packets.push_back(std::move(packet));
  }

  // Two decoders see the same stream with packet `lost` missing: one conceals it (PLC), the other
  // recovers it from the FEC data carried in packet `lost + 1`.
  std::unique_ptr<Decoder> plc = MakeDecoder(rate, 1);
  std::unique_ptr<Decoder> fec = MakeDecoder(rate, 1);
  std::unique_ptr<Decoder> clean = MakeDecoder(rate, 1);
  ASSERT_TRUE(plc && fec && clean);
  std::vector<int16_t> out_plc(input.size()), out_fec(input.size()), out_clean(input.size());
  for (int i = 0; i < count; ++i) {
    const size_t at = static_cast<size_t>(i) * frame;
    const std::vector<uint8_t>& p = packets[i];
    ASSERT_EQ(clean->Decode(p.data(), p.size(), &out_clean[at], frame, false), frame);
    if (i == lost) {
      ASSERT_EQ(plc->Decode(nullptr, 0, &out_plc[at], frame, false), frame);
      const std::vector<uint8_t>& next = packets[i + 1];
      ASSERT_EQ(fec->Decode(next.data(), next.size(), &out_fec[at], frame, true), frame);
      EXPECT_EQ(fec->LastFrameSize(), frame);
    } else {
      ASSERT_EQ(plc->Decode(p.data(), p.size(), &out_plc[at], frame, false), frame);
      ASSERT_EQ(fec->Decode(p.data(), p.size(), &out_fec[at], frame, false), frame);
    }
  }
  // The FEC-recovered frame is audio, and it differs from what concealment invented (so the FEC
  // data was really used).
  const size_t begin = static_cast<size_t>(lost) * frame, end = begin + frame;
  EXPECT_GT(test::Rms(out_fec, 1, begin, end), 500.0);
  EXPECT_NE(std::vector<int16_t>(out_fec.begin() + begin, out_fec.begin() + end),
            std::vector<int16_t>(out_plc.begin() + begin, out_plc.begin() + end));
  // And it is closer to what the lost packet really held than the concealment is (measured:
  // FEC 4.5 dB, PLC 1.8 dB against the clean decode of that frame).
  const double fec_snr = SnrDb(out_clean, out_fec, 1, 0, begin, frame);
  const double plc_snr = SnrDb(out_clean, out_plc, 1, 0, begin, frame);
  EXPECT_GT(fec_snr, plc_snr);
  RecordProperty("fec_snr_vs_clean", std::to_string(fec_snr));
  RecordProperty("plc_snr_vs_clean", std::to_string(plc_snr));
}

// ---- corrupt packets ----------------------------------------------------------------------------

TEST(OpusCodec, CorruptPacketsAreRefusedWithInvalidPacket) {
  std::unique_ptr<Decoder> decoder = MakeDecoder(48000, 2);
  ASSERT_TRUE(decoder);
  std::vector<int16_t> out(kMaxFrameSamples * 2);
  std::vector<float> fout(kMaxFrameSamples * 2);
  const std::vector<std::vector<uint8_t>> corrupt = {
      {0x03},                    // code 3 without its frame-count byte
      {0x03, 0x00},              // code 3 with zero frames
      {0xFB, 0x07},              // code 3, 20 ms CELT frames x 7 = 140 ms > 120 ms
      {0x02, 0xFF},              // code 2, first frame longer than the packet
      {0x01, 0x00, 0x00, 0x00},  // code 1 (two equal frames) with an odd payload length
      {0x03, 0x42, 0xFF},        // code 3 VBR with padding flag and a frame length past the end
  };
  for (const std::vector<uint8_t>& packet : corrupt) {
    SCOPED_TRACE(testing::Message() << "packet of " << packet.size() << " bytes, first 0x"
                                    << std::hex << static_cast<int>(packet[0]));
    const int rc =
        decoder->Decode(packet.data(), packet.size(), out.data(), kMaxFrameSamples, false);
    EXPECT_EQ(rc, OPUS_INVALID_PACKET);
    const Status st = Status::FromOpus(rc);
    EXPECT_EQ(st.code(), ErrorCode::kOpusInvalidPacket);
    EXPECT_STREQ(st.code_name(), "ERR_VOXPOOL_OPUS_INVALID_PACKET");
    EXPECT_EQ(st.message(), opus_strerror(OPUS_INVALID_PACKET));
    EXPECT_EQ(st.message(), "corrupted stream");
    EXPECT_EQ(
        decoder->DecodeFloat(packet.data(), packet.size(), fout.data(), kMaxFrameSamples, false),
        OPUS_INVALID_PACKET);
  }
  // The decoder is still usable after refusing garbage.
  std::unique_ptr<Encoder> encoder = MakeEncoder({});
  ASSERT_TRUE(encoder);
  const std::vector<int16_t> input = SineMix(48000, 2, 960);
  uint8_t packet[kMaxPacketBytes];
  const int n = encoder->Encode(input.data(), 960, packet, kMaxPacketBytes);
  ASSERT_GT(n, 0);
  EXPECT_EQ(decoder->Decode(packet, static_cast<size_t>(n), out.data(), 960, false), 960);
  // A valid packet longer than the room in `out` is refused with BUFFER_TOO_SMALL.
  EXPECT_EQ(decoder->Decode(packet, static_cast<size_t>(n), out.data(), 480, false),
            OPUS_BUFFER_TOO_SMALL);
}

TEST(OpusCodec, RandomBytesNeverCrashTheDecoder) {
  std::unique_ptr<Decoder> decoder = MakeDecoder(48000, 2);
  ASSERT_TRUE(decoder);
  std::vector<int16_t> out(kMaxFrameSamples * 2);
  uint32_t lcg = 1;
  int invalid = 0;
  for (int i = 0; i < 2000; ++i) {
    std::vector<uint8_t> packet(1 + i % 200);
    for (uint8_t& b : packet) b = static_cast<uint8_t>((lcg = lcg * 1103515245u + 12345u) >> 16);
    const int rc =
        decoder->Decode(packet.data(), packet.size(), out.data(), kMaxFrameSamples, false);
    ASSERT_TRUE(rc == OPUS_INVALID_PACKET || (rc > 0 && rc <= kMaxFrameSamples)) << rc;
    if (rc == OPUS_INVALID_PACKET) ++invalid;
  }
  EXPECT_GT(invalid, 0);
}

// ---- bad arguments ------------------------------------------------------------------------------

const int kBadRates[] = {0, -1, 1, 7999, 8001, 11025, 22050, 32000, 44100, 96000, INT_MIN, INT_MAX};
const int kBadChannels[] = {0, -1, 3, 8, 255, INT_MIN, INT_MAX};

void ExpectBadArg(const Status& st) {
  EXPECT_EQ(st.code(), ErrorCode::kOpusBadArg) << st.code_name();
  EXPECT_EQ(st.message(), opus_strerror(OPUS_BAD_ARG));
}

TEST(OpusBadArguments, EncoderCreate) {
  for (int rate : kBadRates) {
    SCOPED_TRACE(rate);
    std::unique_ptr<Encoder> encoder;
    EncoderOptions options;
    options.sample_rate = rate;
    ExpectBadArg(Encoder::Create(options, &encoder));
    EXPECT_EQ(encoder, nullptr);
  }
  for (int channels : kBadChannels) {
    SCOPED_TRACE(channels);
    std::unique_ptr<Encoder> encoder;
    EncoderOptions options;
    options.channels = channels;
    ExpectBadArg(Encoder::Create(options, &encoder));
    EXPECT_EQ(encoder, nullptr);
  }
  for (int application : {0, -1, 2047, 2050, 2052, OPUS_AUTO, OPUS_SIGNAL_VOICE, INT_MAX}) {
    SCOPED_TRACE(application);
    std::unique_ptr<Encoder> encoder;
    EncoderOptions options;
    options.application = application;
    ExpectBadArg(Encoder::Create(options, &encoder));
    EXPECT_EQ(encoder, nullptr);
  }
  // Out-of-range settings are refused by libopus and surface as BAD_ARG from Create.
  const auto bad_option = [](auto mutate) {
    std::unique_ptr<Encoder> encoder;
    EncoderOptions options;
    mutate(options);
    ExpectBadArg(Encoder::Create(options, &encoder));
    EXPECT_EQ(encoder, nullptr);
  };
  bad_option([](EncoderOptions& o) { o.bitrate = 0; });
  bad_option([](EncoderOptions& o) { o.bitrate = -5; });
  bad_option([](EncoderOptions& o) { o.complexity = -1; });
  bad_option([](EncoderOptions& o) { o.complexity = 11; });
  bad_option([](EncoderOptions& o) { o.signal = 1234; });
  bad_option([](EncoderOptions& o) { o.packet_loss = -1; });
  bad_option([](EncoderOptions& o) { o.packet_loss = 101; });
  // Every valid combination is accepted.
  for (int rate : kSampleRates) {
    for (int channels : {1, 2}) {
      for (int application :
           {kApplicationVoip, kApplicationAudio, kApplicationRestrictedLowDelay}) {
        std::unique_ptr<Encoder> encoder;
        EXPECT_TRUE(Encoder::Create({rate, channels, application}, &encoder).ok());
        ASSERT_NE(encoder, nullptr);
        EXPECT_EQ(encoder->sample_rate(), rate);
        EXPECT_EQ(encoder->channels(), channels);
        int value = 0;
        ASSERT_TRUE(encoder->GetCtl(OPUS_GET_APPLICATION_REQUEST, &value).ok());
        EXPECT_EQ(value, application);
      }
    }
  }
}

TEST(OpusBadArguments, DecoderCreate) {
  for (int rate : kBadRates) {
    std::unique_ptr<Decoder> decoder;
    ExpectBadArg(Decoder::Create(rate, 2, &decoder));
    EXPECT_EQ(decoder, nullptr) << rate;
  }
  for (int channels : kBadChannels) {
    std::unique_ptr<Decoder> decoder;
    ExpectBadArg(Decoder::Create(48000, channels, &decoder));
    EXPECT_EQ(decoder, nullptr) << channels;
  }
}

TEST(OpusBadArguments, EncodeAcceptsExactlyTheValidFrameSizes) {
  // Exhaustive: every size from -1 to beyond 120 ms is accepted by libopus iff IsValidFrameSize
  // says so, at every rate.
  for (int rate : kSampleRates) {
    SCOPED_TRACE(rate);
    std::unique_ptr<Encoder> encoder = MakeEncoder({rate, 1});
    ASSERT_TRUE(encoder);
    const std::vector<int16_t> pcm(kMaxFrameSamples * 2 + 16, 0);
    uint8_t packet[kMaxPacketBytes];
    int accepted = 0;
    for (int n = -1; n <= rate / 8 + 1; ++n) {
      const int rc = encoder->Encode(pcm.data(), n, packet, kMaxPacketBytes);
      if (IsValidFrameSize(rate, n)) {
        EXPECT_GT(rc, 0) << "frame size " << n << ": " << opus_strerror(rc);
        ++accepted;
      } else {
        ASSERT_EQ(rc, OPUS_BAD_ARG) << "frame size " << n;
      }
    }
    EXPECT_EQ(accepted, static_cast<int>(kFrameDurationsTenthMs.size()));
  }
}

TEST(OpusBadArguments, EncodeAndDecodeBuffers) {
  std::unique_ptr<Encoder> encoder = MakeEncoder({});
  std::unique_ptr<Decoder> decoder = MakeDecoder(48000, 2);
  ASSERT_TRUE(encoder && decoder);
  const std::vector<int16_t> pcm = SineMix(48000, 2, 960);
  const std::vector<float> fpcm = SineMixFloat(48000, 2, 960);
  uint8_t packet[kMaxPacketBytes];
  EXPECT_EQ(encoder->Encode(nullptr, 960, packet, kMaxPacketBytes), OPUS_BAD_ARG);
  EXPECT_EQ(encoder->Encode(pcm.data(), 960, nullptr, kMaxPacketBytes), OPUS_BAD_ARG);
  EXPECT_EQ(encoder->Encode(pcm.data(), 960, packet, 0), OPUS_BAD_ARG);
  EXPECT_EQ(encoder->Encode(pcm.data(), 960, packet, -1), OPUS_BAD_ARG);
  EXPECT_EQ(encoder->EncodeFloat(nullptr, 960, packet, kMaxPacketBytes), OPUS_BAD_ARG);
  EXPECT_EQ(encoder->EncodeFloat(fpcm.data(), 960, nullptr, kMaxPacketBytes), OPUS_BAD_ARG);
  EXPECT_EQ(encoder->EncodeFloat(fpcm.data(), 961, packet, kMaxPacketBytes), OPUS_BAD_ARG);
  EXPECT_EQ(encoder->EncodeFloat(fpcm.data(), 960, packet, 0), OPUS_BAD_ARG);
  const int n = encoder->Encode(pcm.data(), 960, packet, kMaxPacketBytes);
  ASSERT_GT(n, 0);
  int16_t out[kMaxFrameSamples * 2];
  float fout[kMaxFrameSamples * 2];
  EXPECT_EQ(decoder->Decode(packet, static_cast<size_t>(n), nullptr, 960, false), OPUS_BAD_ARG);
  EXPECT_EQ(decoder->Decode(packet, static_cast<size_t>(n), out, 0, false), OPUS_BAD_ARG);
  EXPECT_EQ(decoder->Decode(packet, static_cast<size_t>(n), out, -960, false), OPUS_BAD_ARG);
  EXPECT_EQ(decoder->Decode(packet, size_t{1} << 40, out, 960, false), OPUS_BAD_ARG);
  EXPECT_EQ(decoder->DecodeFloat(packet, static_cast<size_t>(n), nullptr, 960, false),
            OPUS_BAD_ARG);
  EXPECT_EQ(decoder->DecodeFloat(packet, static_cast<size_t>(n), fout, 0, false), OPUS_BAD_ARG);
  // FEC decode needs the lost frame's duration, a multiple of 2.5 ms.
  EXPECT_EQ(decoder->Decode(packet, static_cast<size_t>(n), out, 961, true), OPUS_BAD_ARG);
  // Nothing above disturbed the state: a real decode still works.
  EXPECT_EQ(decoder->Decode(packet, static_cast<size_t>(n), out, 960, false), 960);
}

// Every CTL request number libopus defines, so the whitelist sweep covers all of them.
std::vector<int> AllRequestsToSweep() {
  std::vector<int> requests;
  for (int r = 3990; r <= 4200; ++r) requests.push_back(r);
  for (int r : {0, 1, -1, 11002, 11018, 11019, 5000, 10000, INT_MIN, INT_MAX})
    requests.push_back(r);
  return requests;
}

TEST(OpusBadArguments, EncoderCtlWhitelist) {
  std::unique_ptr<Encoder> encoder = MakeEncoder({});
  ASSERT_TRUE(encoder);
  int set_count = 0, get_count = 0;
  for (int request : AllRequestsToSweep()) {
    SCOPED_TRACE(request);
    const bool is_set = Encoder::IsSetRequest(request);
    const bool is_get = Encoder::IsGetRequest(request);
    EXPECT_FALSE(is_set && is_get);
    if (!is_set) {
      // A GET (pointer-taking) request through SetCtl would make libopus write through an
      // integer; it must be refused before reaching libopus.
      const Status st = encoder->SetCtl(request, 12345);
      EXPECT_EQ(st.code(), ErrorCode::kOpusUnimplemented);
      EXPECT_EQ(st.message(), opus_strerror(OPUS_UNIMPLEMENTED));
    } else {
      ++set_count;
    }
    if (!is_get) {
      int value = 777;
      EXPECT_EQ(encoder->GetCtl(request, &value).code(), ErrorCode::kOpusUnimplemented);
      EXPECT_EQ(value, 777);
    } else {
      ++get_count;
      int value = 0;
      const Status st = encoder->GetCtl(request, &value);
      EXPECT_TRUE(st.ok()) << st.message();
      EXPECT_EQ(encoder->GetCtl(request, nullptr).code(), ErrorCode::kOpusUnimplemented);
    }
  }
  EXPECT_EQ(set_count, 17);
  EXPECT_EQ(get_count, 20);
  // Libopus's own parity: SET requests are even, GET requests odd (RESET_STATE is neither).
  for (int request : AllRequestsToSweep()) {
    if (Encoder::IsGetRequest(request)) EXPECT_EQ(request % 2, 1) << request;
    if (Encoder::IsSetRequest(request) && request != OPUS_RESET_STATE) {
      EXPECT_EQ(request % 2, 0) << request;
    }
  }
  // SET then GET reads back; out-of-range values are BAD_ARG.
  ASSERT_TRUE(encoder->SetCtl(OPUS_SET_BITRATE_REQUEST, 96000).ok());
  int value = 0;
  ASSERT_TRUE(encoder->GetCtl(OPUS_GET_BITRATE_REQUEST, &value).ok());
  EXPECT_EQ(value, 96000);
  ASSERT_TRUE(encoder->SetCtl(OPUS_SET_COMPLEXITY_REQUEST, 3).ok());
  ASSERT_TRUE(encoder->GetCtl(OPUS_GET_COMPLEXITY_REQUEST, &value).ok());
  EXPECT_EQ(value, 3);
  ExpectBadArg(encoder->SetCtl(OPUS_SET_COMPLEXITY_REQUEST, 11));
  ExpectBadArg(encoder->SetCtl(OPUS_SET_PACKET_LOSS_PERC_REQUEST, 101));
  ExpectBadArg(encoder->SetCtl(OPUS_SET_BITRATE_REQUEST, 0));
  ExpectBadArg(encoder->SetCtl(OPUS_SET_APPLICATION_REQUEST, 1));
  EXPECT_TRUE(encoder->SetCtl(OPUS_RESET_STATE, 0).ok());
  ASSERT_TRUE(encoder->GetCtl(OPUS_GET_COMPLEXITY_REQUEST, &value).ok());
  EXPECT_EQ(value, 3);  // RESET_STATE keeps settings, clears only the signal history
}

TEST(OpusBadArguments, DecoderCtlWhitelist) {
  std::unique_ptr<Decoder> decoder = MakeDecoder(24000, 1);
  ASSERT_TRUE(decoder);
  int set_count = 0, get_count = 0;
  for (int request : AllRequestsToSweep()) {
    SCOPED_TRACE(request);
    const bool is_set = Decoder::IsSetRequest(request);
    const bool is_get = Decoder::IsGetRequest(request);
    EXPECT_FALSE(is_set && is_get);
    if (!is_set) {
      EXPECT_EQ(decoder->SetCtl(request, 1).code(), ErrorCode::kOpusUnimplemented);
    } else {
      ++set_count;
    }
    if (!is_get) {
      int value = 777;
      EXPECT_EQ(decoder->GetCtl(request, &value).code(), ErrorCode::kOpusUnimplemented);
      EXPECT_EQ(value, 777);
    } else {
      ++get_count;
      int value = -1;
      EXPECT_TRUE(decoder->GetCtl(request, &value).ok());
      EXPECT_EQ(decoder->GetCtl(request, nullptr).code(), ErrorCode::kOpusUnimplemented);
    }
  }
  EXPECT_EQ(set_count, 3);
  EXPECT_EQ(get_count, 7);
  int value = 0;
  ASSERT_TRUE(decoder->GetCtl(OPUS_GET_SAMPLE_RATE_REQUEST, &value).ok());
  EXPECT_EQ(value, 24000);
  EXPECT_EQ(decoder->LastFrameSize(), 0);
  ASSERT_TRUE(decoder->SetCtl(OPUS_SET_GAIN_REQUEST, -256).ok());
  ASSERT_TRUE(decoder->GetCtl(OPUS_GET_GAIN_REQUEST, &value).ok());
  EXPECT_EQ(value, -256);
  ExpectBadArg(decoder->SetCtl(OPUS_SET_GAIN_REQUEST, 40000));
  ExpectBadArg(decoder->SetCtl(OPUS_SET_PHASE_INVERSION_DISABLED_REQUEST, 2));
  EXPECT_TRUE(decoder->SetCtl(OPUS_RESET_STATE, 0).ok());
}

// ---- status mapping -----------------------------------------------------------------------------

TEST(Status, FromOpusMapsEveryLibopusError) {
  const std::pair<int, ErrorCode> expected[] = {
      {OPUS_BAD_ARG, ErrorCode::kOpusBadArg},
      {OPUS_BUFFER_TOO_SMALL, ErrorCode::kOpusBufferTooSmall},
      {OPUS_INTERNAL_ERROR, ErrorCode::kOpusInternalError},
      {OPUS_INVALID_PACKET, ErrorCode::kOpusInvalidPacket},
      {OPUS_UNIMPLEMENTED, ErrorCode::kOpusUnimplemented},
      {OPUS_INVALID_STATE, ErrorCode::kOpusInvalidState},
      {OPUS_ALLOC_FAIL, ErrorCode::kOpusAllocFail},
  };
  std::set<std::string> messages;
  for (const auto& [opus_code, code] : expected) {
    SCOPED_TRACE(opus_code);
    const Status st = Status::FromOpus(opus_code);
    EXPECT_FALSE(st.ok());
    EXPECT_EQ(st.code(), code);
    EXPECT_EQ(st.message(), opus_strerror(opus_code));
    EXPECT_STREQ(st.code_name(), ErrorCodeName(code));
    messages.insert(st.message());
  }
  EXPECT_EQ(messages.size(), 7u);  // the texts are libopus's, and distinct
  EXPECT_EQ(Status::FromOpus(OPUS_BAD_ARG).message(), "invalid argument");
  // Codes libopus does not define map to an internal error with libopus's "unknown" text.
  for (int unknown : {-8, -100, INT_MIN}) {
    const Status st = Status::FromOpus(unknown);
    EXPECT_EQ(st.code(), ErrorCode::kOpusInternalError);
    EXPECT_EQ(st.message(), opus_strerror(unknown));
  }
}

TEST(Status, ErrorCodeNamesAreStableAndDistinct) {
  const std::pair<ErrorCode, const char*> expected[] = {
      {ErrorCode::kOk, "OK"},
      {ErrorCode::kInvalidArgument, "ERR_VOXPOOL_INVALID_ARGUMENT"},
      {ErrorCode::kQueueFull, "ERR_VOXPOOL_QUEUE_FULL"},
      {ErrorCode::kDestroyed, "ERR_VOXPOOL_DESTROYED"},
      {ErrorCode::kShutdown, "ERR_VOXPOOL_SHUTDOWN"},
      {ErrorCode::kDropped, "ERR_VOXPOOL_DROPPED"},
      {ErrorCode::kDeadlineExceeded, "ERR_VOXPOOL_DEADLINE_EXCEEDED"},
      {ErrorCode::kAlreadyStarted, "ERR_VOXPOOL_ALREADY_STARTED"},
      {ErrorCode::kOpusBadArg, "ERR_VOXPOOL_OPUS_BAD_ARG"},
      {ErrorCode::kOpusBufferTooSmall, "ERR_VOXPOOL_OPUS_BUFFER_TOO_SMALL"},
      {ErrorCode::kOpusInternalError, "ERR_VOXPOOL_OPUS_INTERNAL_ERROR"},
      {ErrorCode::kOpusInvalidPacket, "ERR_VOXPOOL_OPUS_INVALID_PACKET"},
      {ErrorCode::kOpusUnimplemented, "ERR_VOXPOOL_OPUS_UNIMPLEMENTED"},
      {ErrorCode::kOpusInvalidState, "ERR_VOXPOOL_OPUS_INVALID_STATE"},
      {ErrorCode::kOpusAllocFail, "ERR_VOXPOOL_OPUS_ALLOC_FAIL"},
      {ErrorCode::kCryptoUnavailable, "ERR_VOXPOOL_CRYPTO_UNAVAILABLE"},
      {ErrorCode::kCryptoAuthFailed, "ERR_VOXPOOL_CRYPTO_AUTH_FAILED"},
      {ErrorCode::kCryptoNonceExhausted, "ERR_VOXPOOL_CRYPTO_NONCE_EXHAUSTED"},
      {ErrorCode::kMalformedPacket, "ERR_VOXPOOL_MALFORMED_PACKET"},
      {ErrorCode::kStreamTruncated, "ERR_VOXPOOL_STREAM_TRUNCATED"},
  };
  for (const auto& [code, name] : expected) EXPECT_STREQ(ErrorCodeName(code), name);

  // Every enumerator (walked through the same X-macro) has a distinct ERR_VOXPOOL_ name, so a
  // code added later without a name, or with a duplicate, fails here.
  std::set<std::string> names;
  int count = 0;
#define VOXPOOL_TEST_ENTRY(name, str)                                \
  ++count;                                                           \
  names.insert(ErrorCodeName(ErrorCode::name));                      \
  EXPECT_STREQ(ErrorCodeName(ErrorCode::name), str);                 \
  if (ErrorCode::name != ErrorCode::kOk) {                           \
    EXPECT_EQ(std::string(str).rfind("ERR_VOXPOOL_", 0), 0u) << str; \
  }
  VOXPOOL_ERROR_CODES(VOXPOOL_TEST_ENTRY)
#undef VOXPOOL_TEST_ENTRY
  EXPECT_EQ(names.size(), static_cast<size_t>(count));
  EXPECT_STREQ(ErrorCodeName(static_cast<ErrorCode>(count)), "ERR_VOXPOOL_UNKNOWN");
  EXPECT_STREQ(ErrorCodeName(static_cast<ErrorCode>(-1)), "ERR_VOXPOOL_UNKNOWN");

  const Status ok = Status::Ok();
  EXPECT_TRUE(ok.ok());
  EXPECT_TRUE(ok.message().empty());
  EXPECT_STREQ(ok.code_name(), "OK");
  const Status full(ErrorCode::kQueueFull, "full");
  EXPECT_FALSE(full.ok());
  EXPECT_EQ(full.message(), "full");
  EXPECT_STREQ(full.code_name(), "ERR_VOXPOOL_QUEUE_FULL");
}

}  // namespace
}  // namespace voxpool::opus
