// The send half of a Discord voice connection as one object: Opus encoder + RTP header state +
// transport cipher. A fused call turns one PCM frame into one UDP-ready packet; the split calls
// (EncodeOnly, then SealOpus) leave room for an end-to-end layer (DAVE) to transform the Opus
// frame in between without disturbing sequence/timestamp/nonce order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "voxpool/opus/encoder.h"
#include "voxpool/voice/rtp.h"
#include "voxpool/status.h"
#include "voxpool/crypto/voice_cipher.h"

namespace voxpool::voice {

struct VoiceSenderOptions {
  uint32_t ssrc = 0;
  crypto::VoiceMode mode = crypto::VoiceMode::kXChaCha20Poly1305RtpSize;
  uint16_t sequence = 0;   // first packet's sequence number (Discord: random)
  uint32_t timestamp = 0;  // first packet's timestamp, 48 kHz units (Discord: random)
  uint8_t payload_type = rtp::kDiscordPayloadType;
  opus::EncoderOptions encoder;  // sample_rate must be 48000 (the RTP clock)
};

class VoiceSender {
 public:
  // The Opus "silence" frame Discord expects five of when audio stops.
  static constexpr uint8_t kSilenceFrame[3] = {0xF8, 0xFF, 0xFE};
  static constexpr int kSilenceFrameSamples = 960;  // 20 ms at 48 kHz
  // silence(count): frames sealed when no count is given, and the most one call seals.
  static constexpr int kDefaultSilenceFrames = 5;
  static constexpr int kMaxSilenceFrames = 1000;

  // Creates the encoder and cipher. kInvalidArgument for a sample rate other than 48000 or a bad
  // key; libopus / kCryptoUnavailable errors pass through. Allocates. Thread-safe.
  [[nodiscard]] static Status Create(const VoiceSenderOptions& options, const uint8_t* key,
                                     size_t key_size, std::unique_ptr<VoiceSender>* out);

  // Encodes one frame of interleaved s16 PCM (`frame_size` samples per channel, a valid Opus
  // frame size at 48 kHz) and writes the sealed packet into `out` (`capacity` >= kMaxSealedBytes
  // always suffices). Advances sequence by 1, timestamp by `frame_size` and the nonce by 1, only
  // on success. Never allocates on success. Not thread-safe: run a sender's calls on one strand.
  [[nodiscard]] Status EncodeAndSeal(const int16_t* pcm, int frame_size, uint8_t* out,
                                     size_t capacity, size_t* written) noexcept;

  // Encodes only; returns the Opus length (> 0) or a negative libopus error. Does not advance
  // the RTP state. Never allocates. Thread-safe (the encoder serialises).
  int EncodeOnly(const int16_t* pcm, int frame_size, uint8_t* out, int capacity) noexcept;

  // Seals an Opus frame (`size` bytes, 1..opus::kMaxPacketBytes + 1024 to allow an end-to-end
  // layer's overhead) lasting `frame_size` samples as the next packet. Same state rules as
  // EncodeAndSeal. Never allocates on success. Not thread-safe.
  [[nodiscard]] Status SealOpus(const uint8_t* opus, size_t size, int frame_size, uint8_t* out,
                                size_t capacity, size_t* written) noexcept;

  uint16_t sequence() const noexcept { return sequence_; }    // of the next packet
  uint32_t timestamp() const noexcept { return timestamp_; }  // of the next packet
  uint32_t ssrc() const noexcept { return ssrc_; }
  // Bytes this sender owns (its encoder and cipher). Never allocates. Thread-safe.
  size_t memory_bytes() const noexcept {
    return sizeof(*this) + encoder_->memory_bytes() + sizeof(crypto::VoiceCipher);
  }
  const crypto::VoiceCipher& cipher() const noexcept { return *cipher_; }
  int channels() const noexcept { return encoder_->channels(); }

  // Largest Opus frame SealOpus accepts (room for an end-to-end layer's overhead).
  static constexpr size_t kMaxOpusBytes = opus::kMaxPacketBytes + 1024;
  static constexpr size_t kMaxSealedBytes =
      rtp::kFixedHeaderBytes + kMaxOpusBytes + crypto::kVoiceOverheadBytes;

 private:
  VoiceSender() = default;
  std::unique_ptr<opus::Encoder> encoder_;
  std::unique_ptr<crypto::VoiceCipher> cipher_;
  uint32_t ssrc_ = 0;
  uint16_t sequence_ = 0;
  uint32_t timestamp_ = 0;
  uint8_t payload_type_ = rtp::kDiscordPayloadType;
};

}  // namespace voxpool::voice
