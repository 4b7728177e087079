// libFuzzer target: SecretStreamPull::Pull of arbitrary ciphertext after a valid header.
// Input: a control byte, then messages framed as [u16 BE length][bytes]. Control bit 0 clear:
// the messages are pulled as ciphertext (forgeries: every one must fail, none may crash).
// Control bit 0 set: they are pushed as plaintext (tags from control bits), then pulled back and
// compared, with one ciphertext byte flipped when control bit 1 is set, which must fail.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#include "voxpool/crypto/secret_stream.h"

namespace {

using namespace voxpool::crypto;

void Check(bool ok) {
  if (!ok) std::abort();
}

const uint8_t* Key() {
  static uint8_t key[kSecretStreamKeyBytes];
  static bool init = [] {
    for (size_t i = 0; i < sizeof(key); ++i) key[i] = static_cast<uint8_t>(0x5A ^ i);
    return true;
  }();
  (void)init;
  return key;
}

// A header produced once by a real push end, so Create always succeeds on the pull side.
const uint8_t* FixedHeader() {
  static uint8_t header[kSecretStreamHeaderBytes];
  static bool init = [] {
    std::unique_ptr<SecretStreamPush> push;
    Check(SecretStreamPush::Create(Key(), kSecretStreamKeyBytes, header, &push).ok());
    return true;
  }();
  (void)init;
  return header;
}

std::vector<std::vector<uint8_t>> Split(const uint8_t* data, size_t size) {
  std::vector<std::vector<uint8_t>> out;
  size_t i = 0;
  while (i + 2 <= size && out.size() < 64) {
    size_t len = (static_cast<size_t>(data[i]) << 8) | data[i + 1];
    i += 2;
    if (len > size - i) len = size - i;
    out.emplace_back(data + i, data + i + len);
    i += len;
  }
  return out;
}

void PullForged(const std::vector<std::vector<uint8_t>>& messages) {
  std::unique_ptr<SecretStreamPull> pull;
  Check(SecretStreamPull::Create(Key(), kSecretStreamKeyBytes, FixedHeader(),
                                 kSecretStreamHeaderBytes, &pull)
            .ok());
  for (const auto& m : messages) {
    const size_t plain =
        m.size() >= kSecretStreamOverheadBytes ? m.size() - kSecretStreamOverheadBytes : 0;
    std::vector<uint8_t> out(plain == 0 ? 1 : plain);
    size_t written = 0;
    uint8_t tag = 0;
    // Forging a Poly1305 tag is out of reach: a success here means authentication is broken.
    Check(!pull->Pull(m.data(), m.size(), out.data(), plain, &written, &tag).ok());
  }
  Check(!pull->Finish().ok());
}

void RoundTrip(uint8_t control, const std::vector<std::vector<uint8_t>>& messages) {
  uint8_t header[kSecretStreamHeaderBytes];
  std::unique_ptr<SecretStreamPush> push;
  Check(SecretStreamPush::Create(Key(), kSecretStreamKeyBytes, header, &push).ok());
  std::unique_ptr<SecretStreamPull> pull;
  Check(SecretStreamPull::Create(Key(), kSecretStreamKeyBytes, header, sizeof(header), &pull).ok());
  const bool tamper = (control & 0x02) != 0;
  for (size_t k = 0; k < messages.size(); ++k) {
    const auto& m = messages[k];
    const bool last = k + 1 == messages.size();
    const uint8_t tags[] = {kTagMessage, kTagPush, kTagRekey};
    const uint8_t tag = last && (control & 0x04) ? kTagFinal : tags[(control >> 3) % 3];
    std::vector<uint8_t> sealed(m.size() + kSecretStreamOverheadBytes);
    size_t sealed_bytes = 0;
    Check(push->Push(m.data(), m.size(), tag, sealed.data(), sealed.size(), &sealed_bytes).ok());
    Check(sealed_bytes == sealed.size());
    if (tamper && last) sealed[(control * 31u + m.size()) % sealed.size()] ^= 0x80;
    if (!m.empty()) {
      // One byte less room must be refused without a write past it (and without consuming the
      // message: the real pull below still has to succeed).
      std::vector<uint8_t> short_out(m.size() - 1 == 0 ? 1 : m.size() - 1);
      size_t n = 0;
      uint8_t t = 0;
      Check(!pull->Pull(sealed.data(), sealed.size(), short_out.data(), m.size() - 1, &n, &t).ok());
    }
    std::vector<uint8_t> back(m.empty() ? 1 : m.size());
    size_t written = 0;
    uint8_t got = 0xFF;
    const bool ok =
        pull->Pull(sealed.data(), sealed.size(), back.data(), m.size(), &written, &got).ok();
    if (tamper && last) {
      Check(!ok);
      Check(!pull->Finish().ok());
      return;
    }
    Check(ok);
    Check(written == m.size());
    Check(got == tag);
    Check(m.empty() || std::memcmp(back.data(), m.data(), m.size()) == 0);
  }
  Check(pull->Finish().ok() == pull->finished());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint8_t control = data[0];
  const auto messages = Split(data + 1, size - 1);
  if (control & 0x01)
    RoundTrip(control, messages);
  else
    PullForged(messages);
  return 0;
}
