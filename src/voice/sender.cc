#include "voxpool/voice/sender.h"

#include <cstring>
#include <string>

namespace voxpool::voice {

Status VoiceSender::Create(const VoiceSenderOptions& options, const uint8_t* key, size_t key_size,
                           std::unique_ptr<VoiceSender>* out) {
  if (options.encoder.sample_rate != rtp::kClockRate) {
    return Status(
        ErrorCode::kInvalidArgument,
        "A voice sender encodes at " + std::to_string(rtp::kClockRate) + " Hz (the RTP clock)");
  }
  Status range = CheckRange("The RTP payload type", options.payload_type, 0, rtp::kMaxPayloadType);
  if (!range.ok()) return range;
  std::unique_ptr<VoiceSender> s(new VoiceSender());
  Status st = crypto::VoiceCipher::Create(options.mode, key, key_size, &s->cipher_);
  if (!st.ok()) return st;
  st = opus::Encoder::Create(options.encoder, &s->encoder_);
  if (!st.ok()) return st;
  s->ssrc_ = options.ssrc;
  s->sequence_ = options.sequence;
  s->timestamp_ = options.timestamp;
  s->payload_type_ = options.payload_type;
  *out = std::move(s);
  return Status::Ok();
}

int VoiceSender::EncodeOnly(const int16_t* pcm, int frame_size, uint8_t* out,
                            int capacity) noexcept {
  return encoder_->Encode(pcm, frame_size, out, capacity);
}

Status VoiceSender::EncodeAndSeal(const int16_t* pcm, int frame_size, uint8_t* out, size_t capacity,
                                  size_t* written) noexcept {
  if (out == nullptr || capacity < rtp::kFixedHeaderBytes + crypto::kVoiceOverheadBytes + 1)
    return Status(ErrorCode::kInvalidArgument, "Output buffer is too small for a voice packet");
  // Encode straight behind the header's place, then seal in place: no intermediate copy.
  const size_t room = capacity - rtp::kFixedHeaderBytes - crypto::kVoiceOverheadBytes;
  const int n = encoder_->Encode(
      pcm, frame_size, out + rtp::kFixedHeaderBytes,
      static_cast<int>(room < opus::kMaxPacketBytes ? room : opus::kMaxPacketBytes));
  if (n < 0) return Status::FromOpus(n);
  return SealOpus(out + rtp::kFixedHeaderBytes, static_cast<size_t>(n), frame_size, out, capacity,
                  written);
}

Status VoiceSender::SealOpus(const uint8_t* opus, size_t size, int frame_size, uint8_t* out,
                             size_t capacity, size_t* written) noexcept {
  if (opus == nullptr || size == 0 || size > kMaxOpusBytes) {
    return OutOfRange("The Opus frame", 1, kMaxOpusBytes, "bytes");
  }
  if (!opus::IsValidFrameSize(rtp::kClockRate, frame_size)) {
    return Status(ErrorCode::kInvalidArgument, "frame_size is not an Opus frame size at " +
                                                   std::to_string(rtp::kClockRate) + " Hz");
  }
  const size_t packet = rtp::kFixedHeaderBytes + size;
  if (out == nullptr || capacity < packet + crypto::kVoiceOverheadBytes)
    return Status(ErrorCode::kInvalidArgument, "Output buffer is too small for the voice packet");
  rtp::Header h;
  h.payload_type = payload_type_;
  h.sequence = sequence_;
  h.timestamp = timestamp_;
  h.ssrc = ssrc_;
  // The payload may already sit at its final place (EncodeAndSeal); memmove handles both cases.
  if (opus != out + rtp::kFixedHeaderBytes) std::memmove(out + rtp::kFixedHeaderBytes, opus, size);
  if (rtp::WriteHeader(h, out, capacity) != rtp::kFixedHeaderBytes)
    return Status(ErrorCode::kInvalidArgument, "Could not write the RTP header");
  Status st = cipher_->Seal(out, packet, out, capacity, written);
  if (!st.ok()) return st;
  ++sequence_;  // wraps modulo 2^16, as RTP wants
  timestamp_ += static_cast<uint32_t>(frame_size);
  return Status::Ok();
}

}  // namespace voxpool::voice
