#include "voxpool/crypto/secret_stream.h"

#include <string>

#include "voxpool/crypto/voice_cipher.h"  // InitSodium

namespace voxpool::crypto {
namespace {

bool ValidTag(uint8_t tag) noexcept {
  return tag == kTagMessage || tag == kTagPush || tag == kTagRekey || tag == kTagFinal;
}

// The key check both ends share.
Status CheckKey(const uint8_t* key, size_t key_size) {
  if (key != nullptr && key_size == kSecretStreamKeyBytes) return Status::Ok();
  return Status(ErrorCode::kInvalidArgument,
                "The secretstream key must be " + std::to_string(kSecretStreamKeyBytes) + " bytes");
}

}  // namespace

Status SecretStreamPush::Create(const uint8_t* key, size_t key_size,
                                uint8_t header[kSecretStreamHeaderBytes],
                                std::unique_ptr<SecretStreamPush>* out) {
  Status st = InitSodium();
  if (st.ok()) st = CheckKey(key, key_size);
  if (!st.ok()) return st;
  std::unique_ptr<SecretStreamPush> s(new SecretStreamPush());
  if (crypto_secretstream_xchacha20poly1305_init_push(&s->state_, header, key) != 0)
    return Status(ErrorCode::kCryptoUnavailable, "libsodium refused to start the stream");
  *out = std::move(s);
  return Status::Ok();
}

// The state holds the derived subkey: wipe it.
SecretStreamPush::~SecretStreamPush() { sodium_memzero(&state_, sizeof(state_)); }

Status SecretStreamPush::Push(const uint8_t* message, size_t size, uint8_t tag, uint8_t* out,
                              size_t capacity, size_t* written) noexcept {
  if (finished_) return Status(ErrorCode::kInvalidArgument, "The stream has already been finished");
  if (!ValidTag(tag)) return Status(ErrorCode::kInvalidArgument, "Unknown secretstream tag");
  if (size > crypto_secretstream_xchacha20poly1305_MESSAGEBYTES_MAX ||
      (message == nullptr && size != 0))
    return Status(ErrorCode::kInvalidArgument, "Secretstream message is too large");
  if (out == nullptr || capacity < size + kSecretStreamOverheadBytes)
    return Status(ErrorCode::kInvalidArgument, "Output buffer is too small for the message");
  unsigned long long clen = 0;
  if (crypto_secretstream_xchacha20poly1305_push(&state_, out, &clen, message, size, nullptr, 0,
                                                 tag) != 0)
    return Status(ErrorCode::kCryptoUnavailable, "libsodium refused to push the message");
  if (tag == kTagFinal) finished_ = true;
  *written = static_cast<size_t>(clen);
  return Status::Ok();
}

Status SecretStreamPull::Create(const uint8_t* key, size_t key_size, const uint8_t* header,
                                size_t header_size, std::unique_ptr<SecretStreamPull>* out) {
  Status st = InitSodium();
  if (st.ok()) st = CheckKey(key, key_size);
  if (!st.ok()) return st;
  if (header == nullptr || header_size != kSecretStreamHeaderBytes) {
    return Status(
        ErrorCode::kMalformedPacket,
        "The secretstream header must be " + std::to_string(kSecretStreamHeaderBytes) + " bytes");
  }
  std::unique_ptr<SecretStreamPull> s(new SecretStreamPull());
  if (crypto_secretstream_xchacha20poly1305_init_pull(&s->state_, header, key) != 0)
    return Status(ErrorCode::kMalformedPacket, "The secretstream header is invalid");
  *out = std::move(s);
  return Status::Ok();
}

SecretStreamPull::~SecretStreamPull() { sodium_memzero(&state_, sizeof(state_)); }

Status SecretStreamPull::Pull(const uint8_t* message, size_t size, uint8_t* out, size_t capacity,
                              size_t* written, uint8_t* tag) noexcept {
  if (finished_) return Status(ErrorCode::kInvalidArgument, "The stream has already been finished");
  if (message == nullptr || size < kSecretStreamOverheadBytes)
    return Status(ErrorCode::kMalformedPacket, "Secretstream message is shorter than its overhead");
  if (out == nullptr || capacity < size - kSecretStreamOverheadBytes)
    return Status(ErrorCode::kInvalidArgument, "Output buffer is too small for the message");
  // libsodium leaves the state untouched when authentication fails, so a caller may report the
  // error and stop without the state having advanced past a forged message.
  unsigned long long mlen = 0;
  unsigned char t = 0;
  if (crypto_secretstream_xchacha20poly1305_pull(&state_, out, &mlen, &t, message, size, nullptr,
                                                 0) != 0)
    return Status(ErrorCode::kCryptoAuthFailed,
                  "Secretstream message failed authentication (tampered, reordered, repeated or "
                  "wrong key)");
  if (t == kTagFinal) finished_ = true;
  *tag = t;
  *written = static_cast<size_t>(mlen);
  return Status::Ok();
}

Status SecretStreamPull::Finish() const noexcept {
  if (!finished_)
    return Status(ErrorCode::kStreamTruncated, "The stream ended without its FINAL message");
  return Status::Ok();
}

}  // namespace voxpool::crypto
