#include "voxpool/crypto/voice_cipher.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <new>
#include <string>
#include <vector>

#include "voxpool/voice/rtp.h"

namespace voxpool::crypto {
namespace {

std::vector<uint8_t> Hex(const std::string& s) {
  std::vector<uint8_t> out;
  auto nib = [](char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
  for (size_t i = 0; i + 1 < s.size(); i += 2)
    out.push_back(static_cast<uint8_t>(nib(s[i]) << 4 | nib(s[i + 1])));
  return out;
}

std::vector<uint8_t> Key(uint8_t x = 0) {
  std::vector<uint8_t> k(32);
  for (int i = 0; i < 32; ++i) k[i] = static_cast<uint8_t>(i ^ x);
  return k;
}

std::unique_ptr<VoiceCipher> Make(VoiceMode mode, const std::vector<uint8_t>& key) {
  std::unique_ptr<VoiceCipher> c;
  Status st = VoiceCipher::Create(mode, key.data(), key.size(), &c);
  EXPECT_TRUE(st.ok()) << st.message();
  return c;
}

std::vector<uint8_t> SealOne(VoiceCipher& c, const std::vector<uint8_t>& rtp) {
  std::vector<uint8_t> out(rtp.size() + kVoiceOverheadBytes);
  size_t n = 0;
  Status st = c.Seal(rtp.data(), rtp.size(), out.data(), out.size(), &n);
  EXPECT_TRUE(st.ok()) << st.message();
  out.resize(n);
  return out;
}

class VoiceCipherModes : public testing::TestWithParam<VoiceMode> {
 protected:
  void SetUp() override {
    if (GetParam() == VoiceMode::kAes256GcmRtpSize && !Aes256GcmAvailable())
      GTEST_SKIP() << "no AES-NI";
  }
};

// Vectors computed independently with node:crypto (aes-256-gcm) and @noble/ciphers (XChaCha),
// exactly as @discordjs/voice 0.18 builds packets.
struct Vector {
  VoiceMode mode;
  uint8_t key_xor;
  uint32_t nonce;
  const char* cleartext;
  const char* sealed;
};
const Vector kVectors[] = {
    {VoiceMode::kAes256GcmRtpSize, 0, 1, "80780001000003c00000002af8fffe0102030405",
     "80780001000003c00000002abcc933ab0e59f0ade30fc6f20eb61293542adb9d858b9db100000001"},
    {VoiceMode::kXChaCha20Poly1305RtpSize, 0, 1, "80780001000003c00000002af8fffe0102030405",
     "80780001000003c00000002af158af216d0395da06e8d06e34f80eb38d5f59a29a5e2ad500000001"},
    {VoiceMode::kAes256GcmRtpSize, 0x5a, 7, "9078fffe12345678deadbeefbede000110aa0000fcff01020304",
     "9078fffe12345678deadbeefbede00016ea0cbe3f3494e5b9ad06de7d0ca807809960d4d75156ff55c330000000"
     "7"},
    {VoiceMode::kXChaCha20Poly1305RtpSize, 0x5a, 7,
     "9078fffe12345678deadbeefbede000110aa0000fcff01020304",
     "9078fffe12345678deadbeefbede0001fae71c3ae8ff5941831c4ee4072d6c56f2eb8d2518b985386e600000000"
     "7"},
};

TEST(VoiceCipher, KnownAnswerVectors) {
  for (const Vector& v : kVectors) {
    SCOPED_TRACE(v.sealed);
    if (v.mode == VoiceMode::kAes256GcmRtpSize && !Aes256GcmAvailable()) continue;
    auto c = Make(v.mode, Key(v.key_xor));
    c->set_nonce(v.nonce - 1);
    const auto clear = Hex(v.cleartext);
    EXPECT_EQ(SealOne(*c, clear), Hex(v.sealed));
    EXPECT_EQ(c->nonce(), v.nonce);
    const auto sealed = Hex(v.sealed);
    std::vector<uint8_t> back(sealed.size());
    size_t n = 0;
    uint32_t nonce = 0;
    ASSERT_TRUE(c->Open(sealed.data(), sealed.size(), back.data(), back.size(), &n, &nonce).ok());
    back.resize(n);
    EXPECT_EQ(back, clear);
    EXPECT_EQ(nonce, v.nonce);
  }
}

TEST(VoiceCipher, ModeTable) {
  ASSERT_NE(FindVoiceMode("aead_aes256_gcm_rtpsize"), nullptr);
  EXPECT_EQ(FindVoiceMode("aead_xchacha20_poly1305_rtpsize")->mode,
            VoiceMode::kXChaCha20Poly1305RtpSize);
  EXPECT_EQ(FindVoiceMode("xsalsa20_poly1305"), nullptr);
  EXPECT_EQ(FindVoiceMode(""), nullptr);
  for (const auto& m : kVoiceModes) {
    EXPECT_EQ(m.key_bytes, kVoiceKeyBytes);
    EXPECT_EQ(m.tag_bytes, kVoiceTagBytes);
    EXPECT_LE(m.nonce_bytes, kMaxNonceBytes);
  }
}

TEST_P(VoiceCipherModes, FirstNonceIsOneAndCountsUp) {
  auto c = Make(GetParam(), Key());
  EXPECT_EQ(c->nonce(), 0u);
  auto clear = Hex("80780001000003c00000002af8fffe");
  for (uint32_t i = 1; i <= 3; ++i) {
    auto p = SealOne(*c, clear);
    EXPECT_EQ(p[p.size() - 1], i);
    EXPECT_EQ(p[p.size() - 4], 0);
  }
}

TEST_P(VoiceCipherModes, NonceWrapIsExhaustionAndNothingIsWritten) {
  auto c = Make(GetParam(), Key());
  c->set_nonce(UINT32_MAX - 1);
  auto clear = Hex("80780001000003c00000002af8fffe");
  auto last = SealOne(*c, clear);
  EXPECT_EQ(Hex("ffffffff"), std::vector<uint8_t>(last.end() - 4, last.end()));
  std::vector<uint8_t> out(clear.size() + kVoiceOverheadBytes, 0xCC);
  size_t n = 0;
  Status st = c->Seal(clear.data(), clear.size(), out.data(), out.size(), &n);
  EXPECT_EQ(st.code(), ErrorCode::kCryptoNonceExhausted);
  EXPECT_NE(st.message().find("rekey"), std::string::npos);
  EXPECT_EQ(c->nonce(), UINT32_MAX);
  EXPECT_EQ(out, std::vector<uint8_t>(out.size(), 0xCC));
}

TEST_P(VoiceCipherModes, TamperingAnyByteFailsAuthentication) {
  auto c = Make(GetParam(), Key());
  // With CSRC and extension so every region (header, CSRC, ext header, ext body, payload, tag,
  // nonce) is covered.
  auto clear = Hex("917800050000000000000007000000aabede000110aa0000f8fffe0102");
  auto sealed = SealOne(*c, clear);
  std::vector<uint8_t> out(sealed.size());
  for (size_t i = 0; i < sealed.size(); ++i) {
    for (uint8_t flip : {0x01, 0x80}) {
      auto bad = sealed;
      bad[i] ^= flip;
      size_t n = 0;
      Status st = c->Open(bad.data(), bad.size(), out.data(), out.size(), &n);
      // Flipping version bits or the X/CC bits turns it into a different (malformed) header.
      ASSERT_FALSE(st.ok()) << "byte " << i << " flip " << int(flip);
      EXPECT_TRUE(st.code() == ErrorCode::kCryptoAuthFailed ||
                  st.code() == ErrorCode::kMalformedPacket)
          << "byte " << i;
      if (i >= 1) EXPECT_EQ(st.code(), ErrorCode::kCryptoAuthFailed) << "byte " << i;
    }
  }
  size_t n = 0;
  ASSERT_TRUE(c->Open(sealed.data(), sealed.size(), out.data(), out.size(), &n).ok());
}

TEST_P(VoiceCipherModes, TruncatedAndShortPackets) {
  auto c = Make(GetParam(), Key());
  auto clear = Hex("80780001000003c00000002af8fffe");
  auto sealed = SealOne(*c, clear);
  std::vector<uint8_t> out(sealed.size());
  for (size_t len = 0; len < sealed.size(); ++len) {
    std::vector<uint8_t> cut(sealed.begin(), sealed.begin() + len);
    size_t n = 0;
    Status st = c->Open(cut.data(), cut.size(), out.data(), out.size(), &n);
    ASSERT_FALSE(st.ok()) << len;
    if (len < 12 + kVoiceOverheadBytes)
      EXPECT_EQ(st.code(), ErrorCode::kMalformedPacket) << len;
    else
      EXPECT_EQ(st.code(), ErrorCode::kCryptoAuthFailed) << len;
  }
  size_t n = 0;
  EXPECT_EQ(c->Open(nullptr, 0, out.data(), out.size(), &n).code(), ErrorCode::kMalformedPacket);
}

TEST_P(VoiceCipherModes, WrongKeyFails) {
  auto a = Make(GetParam(), Key(0));
  auto b = Make(GetParam(), Key(1));
  auto sealed = SealOne(*a, Hex("80780001000003c00000002af8fffe"));
  std::vector<uint8_t> out(sealed.size());
  size_t n = 0;
  EXPECT_EQ(b->Open(sealed.data(), sealed.size(), out.data(), out.size(), &n).code(),
            ErrorCode::kCryptoAuthFailed);
}

TEST_P(VoiceCipherModes, ExtensionHeaderIsAdditionalDataAndBodyIsEncrypted) {
  auto c = Make(GetParam(), Key());
  auto clear = Hex("90780001000000000000000bbede000110aa0000f8fffe");
  auto sealed = SealOne(*c, clear);
  // Header and extension header in the clear; extension body not.
  EXPECT_TRUE(std::equal(clear.begin(), clear.begin() + 16, sealed.begin()));
  EXPECT_FALSE(std::equal(clear.begin() + 16, clear.begin() + 20, sealed.begin() + 16));
  // Same packet without the X bit: different additional data, so a different tag.
  auto c2 = Make(GetParam(), Key());
  auto plain = Hex("80780001000000000000000bbede000110aa0000f8fffe");
  auto sealed2 = SealOne(*c2, plain);
  EXPECT_NE(std::vector<uint8_t>(sealed.end() - 20, sealed.end() - 4),
            std::vector<uint8_t>(sealed2.end() - 20, sealed2.end() - 4));
  // Extension header claims more words than the packet has: refused before sealing.
  auto overrun = Hex("90780001000000000000000bbede0009aa");
  std::vector<uint8_t> out(64);
  size_t n = 0;
  EXPECT_EQ(c->Seal(overrun.data(), overrun.size(), out.data(), out.size(), &n).code(),
            ErrorCode::kMalformedPacket);
}

TEST_P(VoiceCipherModes, InPlaceSealAndOpen) {
  auto c = Make(GetParam(), Key());
  auto clear = Hex("80780001000003c00000002af8fffe0102030405");
  std::vector<uint8_t> buf(clear.size() + kVoiceOverheadBytes);
  std::memcpy(buf.data(), clear.data(), clear.size());
  size_t n = 0;
  ASSERT_TRUE(c->Seal(buf.data(), clear.size(), buf.data(), buf.size(), &n).ok());
  ASSERT_EQ(n, buf.size());
  c->set_nonce(0);
  EXPECT_EQ(buf, SealOne(*c, clear));
  ASSERT_TRUE(c->Open(buf.data(), buf.size(), buf.data(), buf.size(), &n).ok());
  buf.resize(n);
  EXPECT_EQ(buf, clear);
}

TEST_P(VoiceCipherModes, BadArgumentsNeverCrash) {
  auto c = Make(GetParam(), Key());
  auto clear = Hex("80780001000003c00000002af8fffe");
  std::vector<uint8_t> out(clear.size() + kVoiceOverheadBytes);
  size_t n = 0;
  EXPECT_EQ(c->Seal(clear.data(), clear.size(), out.data(), out.size() - 1, &n).code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(c->Seal(clear.data(), clear.size(), nullptr, 100, &n).code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(c->Seal(clear.data(), 5, out.data(), out.size(), &n).code(),
            ErrorCode::kMalformedPacket);
  EXPECT_EQ(c->nonce(), 0u);  // failed seals do not consume nonces
  std::unique_ptr<VoiceCipher> none;
  auto k = Key();
  EXPECT_EQ(VoiceCipher::Create(GetParam(), k.data(), 31, &none).code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(VoiceCipher::Create(GetParam(), nullptr, 32, &none).code(),
            ErrorCode::kInvalidArgument);
}

TEST_P(VoiceCipherModes, KeyIsWipedOnDestruction) {
  const auto key = Key(0x33);
  std::unique_ptr<VoiceCipher> c = Make(GetParam(), key);
  VoiceCipher* raw = c.release();
  const auto* bytes = reinterpret_cast<const unsigned char*>(raw);
  auto contains_key = [&] {
    return std::search(bytes, bytes + sizeof(VoiceCipher), key.begin(), key.end()) !=
           bytes + sizeof(VoiceCipher);
  };
  EXPECT_TRUE(contains_key());
  // Run the destructor but keep the storage, so its bytes can be inspected.
  raw->~VoiceCipher();
  EXPECT_FALSE(contains_key());
  if constexpr (alignof(VoiceCipher) > __STDCPP_DEFAULT_NEW_ALIGNMENT__)
    ::operator delete(static_cast<void*>(raw), std::align_val_t(alignof(VoiceCipher)));
  else
    ::operator delete(static_cast<void*>(raw));
}

INSTANTIATE_TEST_SUITE_P(Modes, VoiceCipherModes,
                         testing::Values(VoiceMode::kAes256GcmRtpSize,
                                         VoiceMode::kXChaCha20Poly1305RtpSize),
                         [](const auto& info) {
                           return info.param == VoiceMode::kAes256GcmRtpSize ? "Aes256Gcm"
                                                                             : "XChaCha20";
                         });

}  // namespace
}  // namespace voxpool::crypto
