#include "voxpool/crypto/voice_cipher.h"

#include <cstring>
#include <mutex>
#include <string>

#include "voxpool/voice/rtp.h"

namespace voxpool::crypto {
namespace {

// Writes the 4 counter bytes big-endian into a zeroed full-size nonce.
void ExpandNonce(uint32_t counter, uint8_t* nonce) noexcept {
  std::memset(nonce, 0, kMaxNonceBytes);
  nonce[0] = static_cast<uint8_t>(counter >> 24);
  nonce[1] = static_cast<uint8_t>(counter >> 16);
  nonce[2] = static_cast<uint8_t>(counter >> 8);
  nonce[3] = static_cast<uint8_t>(counter);
}

}  // namespace

const VoiceModeInfo* FindVoiceMode(std::string_view name) noexcept {
  for (const auto& m : kVoiceModes)
    if (name == m.name) return &m;
  return nullptr;
}

const VoiceModeInfo& InfoOf(VoiceMode mode) noexcept {
  for (const auto& m : kVoiceModes)
    if (m.mode == mode) return m;
  return kVoiceModes[0];
}

Status InitSodium() noexcept {
  // sodium_init is thread-safe and idempotent in libsodium >= 1.0.11; call_once also makes the
  // cached result visible to every thread.
  static std::once_flag once;
  static int result = -1;
  std::call_once(once, [] { result = sodium_init(); });
  if (result < 0) return Status(ErrorCode::kCryptoUnavailable, "libsodium failed to initialise");
  return Status::Ok();
}

bool Aes256GcmAvailable() noexcept {
  if (!InitSodium().ok()) return false;
  return crypto_aead_aes256gcm_is_available() == 1;
}

Status VoiceCipher::Create(VoiceMode mode, const uint8_t* key, size_t key_size,
                           std::unique_ptr<VoiceCipher>* out) {
  Status st = InitSodium();
  if (!st.ok()) return st;
  const VoiceModeInfo& info = InfoOf(mode);
  if (key == nullptr || key_size != info.key_bytes) {
    return Status(ErrorCode::kInvalidArgument,
                  "The voice key must be " + std::to_string(info.key_bytes) + " bytes");
  }
  if (mode == VoiceMode::kAes256GcmRtpSize && crypto_aead_aes256gcm_is_available() != 1)
    return Status(ErrorCode::kCryptoUnavailable,
                  "aead_aes256_gcm_rtpsize needs a CPU with AES-NI; use "
                  "aead_xchacha20_poly1305_rtpsize");
  std::unique_ptr<VoiceCipher> c(new VoiceCipher(mode));
  std::memcpy(c->key_, key, kVoiceKeyBytes);
  if (mode == VoiceMode::kAes256GcmRtpSize) crypto_aead_aes256gcm_beforenm(&c->aes_state_, key);
  *out = std::move(c);
  return Status::Ok();
}

VoiceCipher::~VoiceCipher() {
  sodium_memzero(key_, sizeof(key_));
  sodium_memzero(&aes_state_, sizeof(aes_state_));
}

bool VoiceCipher::NextNonce(uint32_t* value) noexcept {
  uint32_t current = nonce_.load(std::memory_order_relaxed);
  do {
    // 0 is never sent (the counter is incremented before use), so wrapping to it would reuse the
    // key/nonce pair space: the caller must rekey instead.
    if (current == UINT32_MAX) return false;
  } while (!nonce_.compare_exchange_weak(current, current + 1, std::memory_order_relaxed));
  *value = current + 1;
  return true;
}

Status VoiceCipher::Seal(const uint8_t* rtp, size_t size, uint8_t* out, size_t capacity,
                         size_t* written) noexcept {
  voice::rtp::Header header;
  Status st = voice::rtp::ParseHeader(rtp, size, &header);
  if (!st.ok()) return st;
  const size_t ad_bytes = header.UnencryptedBytes();
  if (size < ad_bytes + header.ExtensionBodyBytes())
    return Status(ErrorCode::kMalformedPacket, "RTP extension body overruns the packet");
  if (out == nullptr || capacity < size + kVoiceOverheadBytes)
    return Status(ErrorCode::kInvalidArgument, "Output buffer is too small for the sealed packet");
  if (out != rtp && out < rtp + size && rtp < out + size + kVoiceOverheadBytes)
    return Status(ErrorCode::kInvalidArgument, "Output buffer overlaps the input");
  uint32_t counter;
  if (!NextNonce(&counter))
    return Status(ErrorCode::kCryptoNonceExhausted,
                  "The voice nonce counter is exhausted (2^32 - 1 packets); rekey the session");
  alignas(16) uint8_t nonce[kMaxNonceBytes];
  ExpandNonce(counter, nonce);
  if (out != rtp) std::memcpy(out, rtp, ad_bytes);
  const uint8_t* m = rtp + ad_bytes;
  const size_t mlen = size - ad_bytes;
  uint8_t* c = out + ad_bytes;
  unsigned long long clen = 0;
  int rc;
  switch (mode_) {
    case VoiceMode::kAes256GcmRtpSize:
      rc = crypto_aead_aes256gcm_encrypt_afternm(c, &clen, m, mlen, out, ad_bytes, nullptr, nonce,
                                                 &aes_state_);
      break;
    case VoiceMode::kXChaCha20Poly1305RtpSize:
      rc = crypto_aead_xchacha20poly1305_ietf_encrypt(c, &clen, m, mlen, out, ad_bytes, nullptr,
                                                      nonce, key_);
      break;
    default:
      rc = -1;
  }
  if (rc != 0) return Status(ErrorCode::kCryptoUnavailable, "libsodium refused to seal");
  std::memcpy(c + clen, nonce, kVoiceNonceBytesOnWire);
  *written = size + kVoiceOverheadBytes;
  return Status::Ok();
}

Status VoiceCipher::Open(const uint8_t* packet, size_t size, uint8_t* out, size_t capacity,
                         size_t* written, uint32_t* nonce_out) const noexcept {
  voice::rtp::Header header;
  Status st = voice::rtp::ParseHeader(packet, size, &header);
  if (!st.ok()) return st;
  const size_t ad_bytes = header.UnencryptedBytes();
  if (size < ad_bytes + kVoiceOverheadBytes)
    return Status(ErrorCode::kMalformedPacket,
                  "Voice packet is shorter than its header, tag and nonce");
  const size_t plain = size - kVoiceOverheadBytes;
  if (out == nullptr || capacity < plain)
    return Status(ErrorCode::kInvalidArgument, "Output buffer is too small for the opened packet");
  if (out != packet && out < packet + size && packet < out + plain)
    return Status(ErrorCode::kInvalidArgument, "Output buffer overlaps the input");
  alignas(16) uint8_t nonce[kMaxNonceBytes] = {};
  const uint8_t* wire_nonce = packet + size - kVoiceNonceBytesOnWire;
  std::memcpy(nonce, wire_nonce, kVoiceNonceBytesOnWire);
  const uint8_t* c = packet + ad_bytes;
  const size_t clen = size - kVoiceNonceBytesOnWire - ad_bytes;
  // In place (out == packet) the header bytes are never written and libsodium allows m == c, so
  // the additional data stays intact; the wire nonce lies past the plaintext and was copied.
  uint8_t* m = out + ad_bytes;
  unsigned long long mlen = 0;
  int rc;
  switch (mode_) {
    case VoiceMode::kAes256GcmRtpSize:
      rc = crypto_aead_aes256gcm_decrypt_afternm(m, &mlen, nullptr, c, clen, packet, ad_bytes,
                                                 nonce, &aes_state_);
      break;
    case VoiceMode::kXChaCha20Poly1305RtpSize:
      rc = crypto_aead_xchacha20poly1305_ietf_decrypt(m, &mlen, nullptr, c, clen, packet, ad_bytes,
                                                      nonce, key_);
      break;
    default:
      rc = -1;
  }
  if (rc != 0) {
    if (out != packet) std::memset(out, 0, plain);
    return Status(ErrorCode::kCryptoAuthFailed,
                  "Voice packet failed authentication (tampered, truncated or wrong key)");
  }
  if (out != packet) std::memcpy(out, packet, ad_bytes);
  if (nonce_out != nullptr)
    *nonce_out = (static_cast<uint32_t>(wire_nonce[0]) << 24) |
                 (static_cast<uint32_t>(wire_nonce[1]) << 16) |
                 (static_cast<uint32_t>(wire_nonce[2]) << 8) | wire_nonce[3];
  *written = plain;
  return Status::Ok();
}

}  // namespace voxpool::crypto
