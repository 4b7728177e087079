#include "voxpool/crypto/secret_stream.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace voxpool::crypto {
namespace {

using Bytes = std::vector<uint8_t>;

Bytes Key(uint8_t x = 0) {
  Bytes k(kSecretStreamKeyBytes);
  for (size_t i = 0; i < k.size(); ++i) k[i] = static_cast<uint8_t>(i * 7 + x);
  return k;
}

struct Stream {
  Bytes header = Bytes(kSecretStreamHeaderBytes);
  std::vector<Bytes> messages;
};

Stream PushAll(const Bytes& key, const std::vector<std::string>& parts, bool final_tag = true) {
  Stream s;
  std::unique_ptr<SecretStreamPush> push;
  EXPECT_TRUE(SecretStreamPush::Create(key.data(), key.size(), s.header.data(), &push).ok());
  for (size_t i = 0; i < parts.size(); ++i) {
    const bool last = i + 1 == parts.size();
    Bytes out(parts[i].size() + kSecretStreamOverheadBytes);
    size_t n = 0;
    EXPECT_TRUE(push->Push(reinterpret_cast<const uint8_t*>(parts[i].data()), parts[i].size(),
                           last && final_tag ? kTagFinal : kTagMessage, out.data(), out.size(), &n)
                    .ok());
    EXPECT_EQ(n, out.size());
    s.messages.push_back(out);
  }
  return s;
}

// Pulls every message; returns the first failing status (or Finish()'s).
Status PullAll(const Bytes& key, const Stream& s, std::string* text) {
  std::unique_ptr<SecretStreamPull> pull;
  Status st =
      SecretStreamPull::Create(key.data(), key.size(), s.header.data(), s.header.size(), &pull);
  if (!st.ok()) return st;
  for (const Bytes& m : s.messages) {
    Bytes out(m.size());
    size_t n = 0;
    uint8_t tag = 0xFF;
    st = pull->Pull(m.data(), m.size(), out.data(), out.size(), &n, &tag);
    if (!st.ok()) return st;
    text->append(reinterpret_cast<const char*>(out.data()), n);
  }
  return pull->Finish();
}

TEST(SecretStream, RoundTripWithFinal) {
  const Bytes key = Key();
  Stream s = PushAll(key, {"hello ", "", "secret ", "stream"});
  std::string text;
  Status st = PullAll(key, s, &text);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(text, "hello secret stream");
}

TEST(SecretStream, HeadersDifferPerStream) {
  const Bytes key = Key();
  EXPECT_NE(PushAll(key, {"x"}).header, PushAll(key, {"x"}).header);
}

TEST(SecretStream, MissingFinalIsTruncation) {
  const Bytes key = Key();
  Stream s = PushAll(key, {"a", "b", "c"}, /*final_tag=*/false);
  std::string text;
  EXPECT_EQ(PullAll(key, s, &text).code(), ErrorCode::kStreamTruncated);
  Stream full = PushAll(key, {"a", "b", "c"});
  full.messages.pop_back();  // drop the FINAL message
  text.clear();
  EXPECT_EQ(PullAll(key, full, &text).code(), ErrorCode::kStreamTruncated);
}

TEST(SecretStream, ReorderDropDuplicateFailAuthentication) {
  const Bytes key = Key();
  Stream s = PushAll(key, {"a", "b", "c", "d"});
  std::string text;
  Stream swapped = s;
  std::swap(swapped.messages[1], swapped.messages[2]);
  EXPECT_EQ(PullAll(key, swapped, &text).code(), ErrorCode::kCryptoAuthFailed);
  Stream dropped = s;
  dropped.messages.erase(dropped.messages.begin() + 1);
  EXPECT_EQ(PullAll(key, dropped, &text).code(), ErrorCode::kCryptoAuthFailed);
  Stream dup = s;
  dup.messages.insert(dup.messages.begin() + 1, dup.messages[0]);
  EXPECT_EQ(PullAll(key, dup, &text).code(), ErrorCode::kCryptoAuthFailed);
}

TEST(SecretStream, FailedPullLeavesStateSoTheRightMessageStillOpens) {
  const Bytes key = Key();
  Stream s = PushAll(key, {"a", "b"});
  std::unique_ptr<SecretStreamPull> pull;
  ASSERT_TRUE(
      SecretStreamPull::Create(key.data(), key.size(), s.header.data(), s.header.size(), &pull)
          .ok());
  Bytes out(64);
  size_t n = 0;
  uint8_t tag = 0;
  EXPECT_EQ(pull->Pull(s.messages[1].data(), s.messages[1].size(), out.data(), out.size(), &n, &tag)
                .code(),
            ErrorCode::kCryptoAuthFailed);
  ASSERT_TRUE(
      pull->Pull(s.messages[0].data(), s.messages[0].size(), out.data(), out.size(), &n, &tag)
          .ok());
  EXPECT_EQ(tag, kTagMessage);
  ASSERT_TRUE(
      pull->Pull(s.messages[1].data(), s.messages[1].size(), out.data(), out.size(), &n, &tag)
          .ok());
  EXPECT_EQ(tag, kTagFinal);
  EXPECT_TRUE(pull->finished());
  // Nothing may follow FINAL.
  EXPECT_EQ(pull->Pull(s.messages[1].data(), s.messages[1].size(), out.data(), out.size(), &n, &tag)
                .code(),
            ErrorCode::kInvalidArgument);
}

TEST(SecretStream, TamperEveryByteAndWrongKey) {
  const Bytes key = Key();
  Stream s = PushAll(key, {"tamper me"});
  for (size_t i = 0; i < s.messages[0].size(); ++i) {
    Stream bad = s;
    bad.messages[0][i] ^= 0x01;
    std::string text;
    EXPECT_EQ(PullAll(key, bad, &text).code(), ErrorCode::kCryptoAuthFailed) << i;
  }
  for (size_t i = 0; i < s.header.size(); ++i) {
    Stream bad = s;
    bad.header[i] ^= 0x01;
    std::string text;
    EXPECT_FALSE(PullAll(key, bad, &text).ok()) << i;
  }
  std::string text;
  EXPECT_EQ(PullAll(Key(1), s, &text).code(), ErrorCode::kCryptoAuthFailed);
}

TEST(SecretStream, TagsArePreserved) {
  const Bytes key = Key();
  Bytes header(kSecretStreamHeaderBytes);
  std::unique_ptr<SecretStreamPush> push;
  ASSERT_TRUE(SecretStreamPush::Create(key.data(), key.size(), header.data(), &push).ok());
  std::unique_ptr<SecretStreamPull> pull;
  ASSERT_TRUE(
      SecretStreamPull::Create(key.data(), key.size(), header.data(), header.size(), &pull).ok());
  for (uint8_t tag : {kTagMessage, kTagPush, kTagRekey, kTagMessage, kTagFinal}) {
    const uint8_t msg[3] = {1, 2, 3};
    uint8_t c[3 + kSecretStreamOverheadBytes];
    uint8_t m[sizeof(c)];
    size_t n = 0;
    ASSERT_TRUE(push->Push(msg, 3, tag, c, sizeof(c), &n).ok());
    uint8_t got = 0xFF;
    ASSERT_TRUE(pull->Pull(c, n, m, sizeof(m), &n, &got).ok());
    EXPECT_EQ(got, tag);
    EXPECT_EQ(n, 3u);
  }
  EXPECT_TRUE(push->finished());
  uint8_t c[64];
  size_t n = 0;
  EXPECT_EQ(push->Push(c, 1, kTagMessage, c + 8, 40, &n).code(), ErrorCode::kInvalidArgument);
}

TEST(SecretStream, BadArguments) {
  const Bytes key = Key();
  Bytes header(kSecretStreamHeaderBytes);
  std::unique_ptr<SecretStreamPush> push;
  EXPECT_EQ(SecretStreamPush::Create(key.data(), 16, header.data(), &push).code(),
            ErrorCode::kInvalidArgument);
  ASSERT_TRUE(SecretStreamPush::Create(key.data(), key.size(), header.data(), &push).ok());
  uint8_t buf[64];
  size_t n = 0;
  EXPECT_EQ(push->Push(buf, 10, 0x42, buf + 20, 40, &n).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(push->Push(buf, 10, kTagMessage, buf + 20, 26, &n).code(), ErrorCode::kInvalidArgument);
  std::unique_ptr<SecretStreamPull> pull;
  EXPECT_EQ(SecretStreamPull::Create(key.data(), key.size(), header.data(), 23, &pull).code(),
            ErrorCode::kMalformedPacket);
  ASSERT_TRUE(
      SecretStreamPull::Create(key.data(), key.size(), header.data(), header.size(), &pull).ok());
  uint8_t tag;
  for (size_t len = 0; len < kSecretStreamOverheadBytes; ++len)
    EXPECT_EQ(pull->Pull(buf, len, buf, sizeof(buf), &n, &tag).code(), ErrorCode::kMalformedPacket);
  EXPECT_EQ(pull->Finish().code(), ErrorCode::kStreamTruncated);
}

}  // namespace
}  // namespace voxpool::crypto
