#include "voxpool/voice/rtp.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace voxpool::voice::rtp {
namespace {

std::vector<uint8_t> Hex(const char* s) {
  std::vector<uint8_t> out;
  auto nib = [](char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
  for (; s[0] && s[1]; s += 2) out.push_back(static_cast<uint8_t>(nib(s[0]) << 4 | nib(s[1])));
  return out;
}

TEST(RtpHeader, ParsesDiscordHeader) {
  auto p = Hex("80780001000003c00000002a");
  Header h;
  ASSERT_TRUE(ParseHeader(p.data(), p.size(), &h).ok());
  EXPECT_FALSE(h.padding);
  EXPECT_FALSE(h.extension);
  EXPECT_FALSE(h.marker);
  EXPECT_EQ(h.payload_type, kDiscordPayloadType);
  EXPECT_EQ(h.sequence, 1);
  EXPECT_EQ(h.timestamp, 960u);
  EXPECT_EQ(h.ssrc, 42u);
  EXPECT_EQ(h.csrc_count, 0);
  EXPECT_EQ(h.UnencryptedBytes(), 12u);
}

TEST(RtpHeader, WriteParseRoundTripAllFields) {
  for (int cc = 0; cc <= 15; ++cc) {
    for (int ext = 0; ext < 2; ++ext) {
      SCOPED_TRACE(testing::Message() << "cc=" << cc << " ext=" << ext);
      Header h;
      h.padding = cc % 2 == 1;
      h.marker = true;
      h.payload_type = 111;
      h.sequence = 0xFFFF;
      h.timestamp = 0xFFFFFFF0u;
      h.ssrc = 0x01020304u;
      h.csrc_count = static_cast<uint8_t>(cc);
      for (int i = 0; i < cc; ++i) h.csrcs[i] = 0xA0000000u + i;
      h.extension = ext == 1;
      h.extension_profile = 0x1003;
      h.extension_words = 2;
      uint8_t buf[kMaxHeaderBytes];
      const size_t n = WriteHeader(h, buf, sizeof(buf));
      ASSERT_EQ(n, h.UnencryptedBytes());
      EXPECT_EQ(buf[0] >> 6, 2);
      Header back;
      ASSERT_TRUE(ParseHeader(buf, n, &back).ok());
      EXPECT_EQ(back.padding, h.padding);
      EXPECT_EQ(back.marker, h.marker);
      EXPECT_EQ(back.payload_type, h.payload_type);
      EXPECT_EQ(back.sequence, h.sequence);
      EXPECT_EQ(back.timestamp, h.timestamp);
      EXPECT_EQ(back.ssrc, h.ssrc);
      ASSERT_EQ(back.csrc_count, h.csrc_count);
      for (int i = 0; i < cc; ++i) EXPECT_EQ(back.csrcs[i], h.csrcs[i]);
      EXPECT_EQ(back.extension, h.extension);
      if (h.extension) {
        EXPECT_EQ(back.extension_profile, 0x1003);
        EXPECT_EQ(back.extension_words, 2);
        EXPECT_EQ(ProfileOf(back.extension_profile), ExtensionProfile::kTwoByte);
      }
      // Every shorter prefix is rejected, never read past.
      for (size_t len = 0; len < n; ++len) {
        std::vector<uint8_t> prefix(buf, buf + len);
        Header ignored;
        EXPECT_EQ(ParseHeader(prefix.data(), len, &ignored).code(), ErrorCode::kMalformedPacket)
            << "len=" << len;
      }
    }
  }
}

TEST(RtpHeader, WriteRejectsBadFieldsAndSmallBuffers) {
  Header h;
  uint8_t buf[kMaxHeaderBytes];
  h.payload_type = 128;
  EXPECT_EQ(WriteHeader(h, buf, sizeof(buf)), 0u);
  h.payload_type = 120;
  h.csrc_count = 16;
  EXPECT_EQ(WriteHeader(h, buf, sizeof(buf)), 0u);
  h.csrc_count = 0;
  EXPECT_EQ(WriteHeader(h, buf, 11), 0u);
  EXPECT_EQ(WriteHeader(h, buf, 12), 12u);
}

TEST(RtpHeader, RejectsOtherVersions) {
  for (uint8_t v : {0, 1, 3}) {
    auto p = Hex("80780001000003c00000002a");
    p[0] = static_cast<uint8_t>((v << 6) | (p[0] & 0x3F));
    Header h;
    EXPECT_EQ(ParseHeader(p.data(), p.size(), &h).code(), ErrorCode::kMalformedPacket);
  }
}

TEST(RtpPacket, LocatesExtensionPayloadAndPadding) {
  // X and P set, one CSRC, one-byte extension of 1 word, payload 3 bytes, padding 4.
  auto p =
      Hex("b178000100000000000000070000000bbede000110aa0000"
          "010203"
          "00000004");
  Header h;
  PacketLayout l;
  ASSERT_TRUE(ParsePacket(p.data(), p.size(), &h, &l).ok());
  EXPECT_EQ(h.csrc_count, 1);
  EXPECT_EQ(h.csrcs[0], 11u);
  EXPECT_EQ(ProfileOf(h.extension_profile), ExtensionProfile::kOneByte);
  EXPECT_EQ(l.header_bytes, 20u);
  EXPECT_EQ(l.extension_offset, 20u);
  EXPECT_EQ(l.payload_offset, 24u);
  EXPECT_EQ(l.payload_bytes, 3u);
  EXPECT_EQ(l.padding_bytes, 4u);
  ExtensionElement el[4];
  size_t count = 0;
  ASSERT_TRUE(ParseExtensionElements(h.extension_profile, p.data() + 20, 4, el, 4, &count).ok());
  ASSERT_EQ(count, 1u);
  EXPECT_EQ(el[0].id, 1);
  EXPECT_EQ(el[0].size, 1u);
  EXPECT_EQ(el[0].data[0], 0xAA);
}

TEST(RtpPacket, RejectsBadPaddingAndOverrunningExtension) {
  Header h;
  PacketLayout l;
  auto zero_pad = Hex("a0780001000000000000000701020300");
  EXPECT_EQ(ParsePacket(zero_pad.data(), zero_pad.size(), &h, &l).code(),
            ErrorCode::kMalformedPacket);
  auto big_pad = Hex("a0780001000000000000000701020305");
  EXPECT_EQ(ParsePacket(big_pad.data(), big_pad.size(), &h, &l).code(),
            ErrorCode::kMalformedPacket);
  auto ok_pad = Hex("a0780001000000000000000701020304");
  EXPECT_TRUE(ParsePacket(ok_pad.data(), ok_pad.size(), &h, &l).ok());
  EXPECT_EQ(l.payload_bytes, 0u);
  auto overrun = Hex("90780001000000000000000bbede0002aabbccdd");
  EXPECT_EQ(ParsePacket(overrun.data(), overrun.size(), &h, &l).code(),
            ErrorCode::kMalformedPacket);
  EXPECT_TRUE(ParseHeader(overrun.data(), overrun.size(), &h).ok());  // header alone is fine
}

TEST(RtpExtension, TwoByteProfileAndErrors) {
  auto body =
      Hex("0102abcd00"
          "0500"
          "07");  // id 1 len 2, pad, id 5 len 0, then id 7 truncated
  ExtensionElement el[4];
  size_t count = 0;
  EXPECT_EQ(ParseExtensionElements(0x1000, body.data(), body.size(), el, 4, &count).code(),
            ErrorCode::kMalformedPacket);
  ASSERT_TRUE(ParseExtensionElements(0x1000, body.data(), body.size() - 1, el, 4, &count).ok());
  ASSERT_EQ(count, 2u);
  EXPECT_EQ(el[0].id, 1);
  EXPECT_EQ(el[0].size, 2u);
  EXPECT_EQ(el[1].id, 5);
  EXPECT_EQ(el[1].size, 0u);
  EXPECT_EQ(ParseExtensionElements(0x1234, body.data(), 4, el, 4, &count).code(),
            ErrorCode::kInvalidArgument);
  auto one =
      Hex("10aa"
          "f0"
          "ffff");  // stops at ID 15
  ASSERT_TRUE(ParseExtensionElements(kOneByteProfile, one.data(), one.size(), el, 4, &count).ok());
  EXPECT_EQ(count, 1u);
  auto over = Hex("13aabb");  // claims 4 bytes, has 2
  EXPECT_EQ(ParseExtensionElements(kOneByteProfile, over.data(), over.size(), el, 4, &count).code(),
            ErrorCode::kMalformedPacket);
  EXPECT_EQ(ProfileOf(0x100F), ExtensionProfile::kTwoByte);
  EXPECT_EQ(ProfileOf(0x1010), ExtensionProfile::kOther);
}

TEST(RtpWrap, SequenceAndTimestampArithmetic) {
  EXPECT_EQ(SequenceDelta(65535, 0), 1);
  EXPECT_EQ(SequenceDelta(0, 65535), -1);
  EXPECT_EQ(SequenceDelta(100, 90), -10);
  EXPECT_TRUE(SequenceNewer(65530, 3));
  EXPECT_FALSE(SequenceNewer(3, 65530));
  EXPECT_FALSE(SequenceNewer(7, 7));
  EXPECT_EQ(TimestampDelta(0xFFFFFC40u, 0u), 960);
  EXPECT_TRUE(TimestampNewer(0xFFFFFC40u, 0u));
  EXPECT_EQ(TimestampDelta(960u, 0u), -960);
}

}  // namespace
}  // namespace voxpool::voice::rtp
