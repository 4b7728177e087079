// libsodium crypto_secretstream_xchacha20poly1305: a sequence of authenticated messages under
// one key, for streaming encryption between services and at rest. Each message is
// `kSecretStreamOverheadBytes` longer than its plaintext and carries a tag; reordering, dropping,
// duplicating or altering a message fails authentication, and a stream that ends without a FINAL
// message is reported as truncated.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include <sodium.h>

#include "voxpool/status.h"

namespace voxpool::crypto {

inline constexpr size_t kSecretStreamKeyBytes = crypto_secretstream_xchacha20poly1305_KEYBYTES;
inline constexpr size_t kSecretStreamHeaderBytes =
    crypto_secretstream_xchacha20poly1305_HEADERBYTES;
inline constexpr size_t kSecretStreamOverheadBytes = crypto_secretstream_xchacha20poly1305_ABYTES;
// Largest message the binding accepts in one call (lib/secretstream.js splits larger chunks).
inline constexpr size_t kSecretStreamMaxMessageBytes = 64 * 1024 * 1024;
// Message tags (libsodium's values).
inline constexpr uint8_t kTagMessage = crypto_secretstream_xchacha20poly1305_TAG_MESSAGE;
inline constexpr uint8_t kTagPush = crypto_secretstream_xchacha20poly1305_TAG_PUSH;
inline constexpr uint8_t kTagRekey = crypto_secretstream_xchacha20poly1305_TAG_REKEY;
inline constexpr uint8_t kTagFinal = crypto_secretstream_xchacha20poly1305_TAG_FINAL;

// The encrypting end. Not thread-safe: messages are sequential by construction (use a strand).
class SecretStreamPush {
 public:
  // Starts a stream with a 32-byte `key` (wiped on destruction) and writes the 24-byte header the
  // other end needs into `header`. kInvalidArgument for a wrong key size. Allocates.
  [[nodiscard]] static Status Create(const uint8_t* key, size_t key_size,
                                     uint8_t header[kSecretStreamHeaderBytes],
                                     std::unique_ptr<SecretStreamPush>* out);
  ~SecretStreamPush();
  SecretStreamPush(const SecretStreamPush&) = delete;
  SecretStreamPush& operator=(const SecretStreamPush&) = delete;

  // Encrypts `size` bytes with `tag` (kTagMessage, kTagPush, kTagRekey or kTagFinal) into `out`
  // (`capacity` >= size + kSecretStreamOverheadBytes; `out` may equal `message`). After a FINAL
  // message further pushes fail with kInvalidArgument. Never allocates on success.
  [[nodiscard]] Status Push(const uint8_t* message, size_t size, uint8_t tag, uint8_t* out,
                            size_t capacity, size_t* written) noexcept;
  bool finished() const noexcept { return finished_; }

 private:
  SecretStreamPush() = default;
  crypto_secretstream_xchacha20poly1305_state state_;
  bool finished_ = false;
};

// The decrypting end. Not thread-safe (sequential by construction).
class SecretStreamPull {
 public:
  // Starts reading a stream with `key` and the 24-byte `header` from the pushing end.
  // kInvalidArgument for a wrong key size, kMalformedPacket for an invalid header. Allocates.
  [[nodiscard]] static Status Create(const uint8_t* key, size_t key_size, const uint8_t* header,
                                     size_t header_size, std::unique_ptr<SecretStreamPull>* out);
  ~SecretStreamPull();
  SecretStreamPull(const SecretStreamPull&) = delete;
  SecretStreamPull& operator=(const SecretStreamPull&) = delete;

  // Decrypts one message into `out` (`capacity` >= size - kSecretStreamOverheadBytes; `out` may
  // equal `message`) and sets `tag`. kCryptoAuthFailed when the message is altered, out of order,
  // repeated or under another key (the state is then unchanged, but the stream should be
  // abandoned); kMalformedPacket when shorter than the overhead; kInvalidArgument after FINAL.
  // Never allocates on success.
  [[nodiscard]] Status Pull(const uint8_t* message, size_t size, uint8_t* out, size_t capacity,
                            size_t* written, uint8_t* tag) noexcept;
  // Call at end of input: kStreamTruncated unless a FINAL message was pulled. Never allocates on
  // success.
  [[nodiscard]] Status Finish() const noexcept;
  bool finished() const noexcept { return finished_; }

 private:
  SecretStreamPull() = default;
  crypto_secretstream_xchacha20poly1305_state state_;
  bool finished_ = false;
};

}  // namespace voxpool::crypto
