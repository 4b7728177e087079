// Discord voice transport encryption (the "rtpsize" AEAD modes) with libsodium.
//
// Wire format, as @discordjs/voice 0.18 builds and parses it (dist/index.js, createAudioPacket /
// VoiceReceiver.decrypt):
//   packet = unencrypted header ‖ ciphertext ‖ tag (16) ‖ nonce counter (4, big-endian)
//   unencrypted header = 12 fixed bytes + 4 x CSRC count + 4-byte extension header if X is set;
//     it is the AEAD additional data. The extension *body* is encrypted with the payload and is
//     stripped by the receiver after opening.
//   nonce = the 4 counter bytes followed by zeros, 12 bytes (AES-256-GCM) or 24 (XChaCha20).
// The counter starts at 0 and is incremented before use, so the first packet carries 1.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include <sodium.h>

#include "voxpool/status.h"

namespace voxpool::crypto {

enum class VoiceMode : int { kAes256GcmRtpSize = 0, kXChaCha20Poly1305RtpSize = 1 };

// One row per supported mode. Adding a mode = a row here + a case in VoiceCipher's Seal/Open.
struct VoiceModeInfo {
  VoiceMode mode;
  const char* name;  // Discord's mode string
  size_t key_bytes;
  size_t nonce_bytes;  // full AEAD nonce; only the first 4 bytes travel
  size_t tag_bytes;
};
inline constexpr VoiceModeInfo kVoiceModes[] = {
    {VoiceMode::kAes256GcmRtpSize, "aead_aes256_gcm_rtpsize", crypto_aead_aes256gcm_KEYBYTES,
     crypto_aead_aes256gcm_NPUBBYTES, crypto_aead_aes256gcm_ABYTES},
    {VoiceMode::kXChaCha20Poly1305RtpSize, "aead_xchacha20_poly1305_rtpsize",
     crypto_aead_xchacha20poly1305_ietf_KEYBYTES, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
     crypto_aead_xchacha20poly1305_ietf_ABYTES},
};
inline constexpr size_t kVoiceKeyBytes = 32;
inline constexpr size_t kVoiceTagBytes = 16;
inline constexpr size_t kVoiceNonceBytesOnWire = 4;
// Bytes a sealed packet has beyond its cleartext form.
inline constexpr size_t kVoiceOverheadBytes = kVoiceTagBytes + kVoiceNonceBytesOnWire;
// Largest voice packet accepted: a UDP datagram.
inline constexpr size_t kMaxVoicePacketBytes = 65535;
// Most packets in one sealBatch/openBatch call (one connection's packets: 80 s of audio).
inline constexpr size_t kMaxVoiceBatchPackets = 4096;
inline constexpr size_t kMaxNonceBytes = 24;
// Largest nonce counter (it is 32 bits on the wire); setNonce accepts 0 .. kMaxVoiceNonce.
inline constexpr uint32_t kMaxVoiceNonce = 0xFFFFFFFFu;
static_assert(crypto_aead_aes256gcm_ABYTES == kVoiceTagBytes);
static_assert(crypto_aead_xchacha20poly1305_ietf_ABYTES == kVoiceTagBytes);

// Looks a mode up by Discord's name. nullptr when unknown. Never allocates. Thread-safe.
const VoiceModeInfo* FindVoiceMode(std::string_view name) noexcept;
const VoiceModeInfo& InfoOf(VoiceMode mode) noexcept;

// Initialises libsodium once per process (later calls return the first result). kCryptoUnavailable
// if it cannot. Thread-safe (sodium_init is itself idempotent; the result is cached).
[[nodiscard]] Status InitSodium() noexcept;
// True when libsodium's AES-256-GCM can run here (x86-64 with AES-NI and PCLMUL). Thread-safe.
bool Aes256GcmAvailable() noexcept;

class VoiceCipher {
 public:
  // Creates a cipher for `mode` with a 32-byte `key` (copied; wiped on destruction). Fails with
  // kInvalidArgument for a wrong key size, kCryptoUnavailable when the mode cannot run here.
  // Allocates. Thread-safe.
  [[nodiscard]] static Status Create(VoiceMode mode, const uint8_t* key, size_t key_size,
                                     std::unique_ptr<VoiceCipher>* out);
  ~VoiceCipher();
  VoiceCipher(const VoiceCipher&) = delete;
  VoiceCipher& operator=(const VoiceCipher&) = delete;

  // Seals a cleartext RTP packet `rtp` (header, extension body if X, payload) into `out`:
  // header ‖ ciphertext ‖ tag ‖ nonce. Needs `capacity` >= size + kVoiceOverheadBytes; `out` may
  // equal `rtp` (in place) but must not otherwise overlap it. Takes the next nonce (first 1);
  // when all 2^32 - 1 are used it fails with kCryptoNonceExhausted and the caller must rekey.
  // kMalformedPacket for a header that does not parse or an extension body that overruns.
  // Never allocates on success. Thread-safe (the counter is atomic: concurrent seals get distinct
  // nonces).
  [[nodiscard]] Status Seal(const uint8_t* rtp, size_t size, uint8_t* out, size_t capacity,
                            size_t* written) noexcept;

  // Opens a sealed packet into `out` as the cleartext RTP packet (header ‖ extension body ‖
  // payload ‖ padding), size - kVoiceOverheadBytes bytes. `out` may equal `packet`. Sets `nonce`
  // (if not null) to the packet's counter. kMalformedPacket for a packet too short or not RTP v2,
  // kCryptoAuthFailed when authentication fails (tampered, truncated, wrong key); `out` then holds
  // no plaintext (zeroed when separate; in place the packet's payload bytes are undefined). Never
  // allocates on success. Thread-safe (const).
  [[nodiscard]] Status Open(const uint8_t* packet, size_t size, uint8_t* out, size_t capacity,
                            size_t* written, uint32_t* nonce = nullptr) const noexcept;

  VoiceMode mode() const noexcept { return mode_; }
  // The last nonce handed out (0 before the first seal). Thread-safe.
  uint32_t nonce() const noexcept { return nonce_.load(std::memory_order_relaxed); }
  // Sets the counter; the next seal uses `value + 1`. For resuming a session and for tests.
  // Thread-safe.
  void set_nonce(uint32_t value) noexcept { nonce_.store(value, std::memory_order_relaxed); }

 private:
  VoiceCipher(VoiceMode mode) : mode_(mode) {}
  // Reserves the next nonce; false when exhausted.
  bool NextNonce(uint32_t* value) noexcept;

  const VoiceMode mode_;
  std::atomic<uint32_t> nonce_{0};
  // AES-GCM keeps libsodium's expanded key schedule (beforenm) so a seal skips key expansion.
  alignas(16) crypto_aead_aes256gcm_state aes_state_;
  uint8_t key_[kVoiceKeyBytes];
};

}  // namespace voxpool::crypto
