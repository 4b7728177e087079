// libFuzzer target: VoiceCipher::Open of arbitrary packets in both Discord modes under a fixed
// key, out of place (into a buffer of exactly the promised size) and in place. Forged packets
// cannot authenticate, so the input is also sealed as a cleartext RTP packet and opened again,
// which drives the success path with the same header shapes (CSRCs, extension, padding).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#include "voxpool/crypto/voice_cipher.h"

namespace {

using voxpool::crypto::kVoiceOverheadBytes;
using voxpool::crypto::VoiceCipher;
using voxpool::crypto::VoiceMode;

void Check(bool ok) {
  if (!ok) std::abort();
}

struct Ciphers {
  std::unique_ptr<VoiceCipher> modes[2];
  int count = 0;
};

const Ciphers& Get() {
  static const Ciphers* ciphers = [] {
    auto* c = new Ciphers();
    uint8_t key[32];
    for (int i = 0; i < 32; ++i) key[i] = static_cast<uint8_t>(0xA0 + i);
    // AES-256-GCM needs AES-NI; without it the XChaCha mode is still fuzzed.
    for (VoiceMode mode : {VoiceMode::kXChaCha20Poly1305RtpSize, VoiceMode::kAes256GcmRtpSize}) {
      if (VoiceCipher::Create(mode, key, sizeof(key), &c->modes[c->count]).ok()) ++c->count;
    }
    Check(c->count >= 1);
    return c;
  }();
  return *ciphers;
}

void OpenAll(VoiceCipher& cipher, const uint8_t* data, size_t size) {
  // Out of place, into exactly size - overhead bytes (at least one so the pointer is not null).
  const size_t plain = size >= kVoiceOverheadBytes ? size - kVoiceOverheadBytes : 0;
  std::vector<uint8_t> out(plain == 0 ? 1 : plain);
  size_t written = 0;
  uint32_t nonce = 0;
  if (cipher.Open(data, size, out.data(), plain, &written, &nonce).ok()) Check(written == plain);
  // One byte less room must be refused without a write past it.
  if (plain > 0) {
    std::vector<uint8_t> short_out(plain - 1 == 0 ? 1 : plain - 1);
    Check(!cipher.Open(data, size, short_out.data(), plain - 1, &written).ok());
  }
  // In place, on a heap copy of exactly `size` bytes.
  std::vector<uint8_t> copy(data, data + size);
  if (size > 0 && cipher.Open(copy.data(), size, copy.data(), size, &written).ok())
    Check(written == plain);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Ciphers& ciphers = Get();
  for (int m = 0; m < ciphers.count; ++m) {
    VoiceCipher& cipher = *ciphers.modes[m];
    OpenAll(cipher, data, size);

    // Round trip: seal the input as cleartext, open it back, compare. Also flip one byte of the
    // sealed packet (chosen by the input) and require the open to fail.
    std::vector<uint8_t> sealed(size + kVoiceOverheadBytes);
    size_t sealed_bytes = 0;
    cipher.set_nonce(static_cast<uint32_t>(size));
    if (!cipher.Seal(data, size, sealed.data(), sealed.size(), &sealed_bytes).ok()) continue;
    Check(sealed_bytes == size + kVoiceOverheadBytes);
    std::vector<uint8_t> back(size);
    size_t back_bytes = 0;
    uint32_t nonce = 0;
    Check(cipher.Open(sealed.data(), sealed_bytes, back.data(), back.size(), &back_bytes, &nonce)
              .ok());
    Check(back_bytes == size);
    Check(nonce == static_cast<uint32_t>(size) + 1);
    Check(std::memcmp(back.data(), data, size) == 0);
    const size_t at = size > 0 ? data[size - 1] % sealed_bytes : 0;
    sealed[at] ^= 0x01;
    Check(!cipher.Open(sealed.data(), sealed_bytes, back.data(), back.size(), &back_bytes).ok());
  }
  return 0;
}
