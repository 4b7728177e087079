// The receive half of a Discord voice connection: packets from many SSRCs are opened, stripped
// of RTP extension and padding, reordered in a small per-SSRC window, and decoded to PCM, with
// packet-loss concealment for frames that never arrive and in-band FEC recovery when the packet
// after a lost one is at hand.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <unordered_map>
#include <vector>

#include "voxpool/opus/decoder.h"
#include "voxpool/voice/rtp.h"
#include "voxpool/status.h"
#include "voxpool/crypto/voice_cipher.h"

namespace voxpool::voice {

struct VoiceReceiverOptions {
  crypto::VoiceMode mode = crypto::VoiceMode::kXChaCha20Poly1305RtpSize;
  int sample_rate = 48000;  // output rate, Hz (one of opus::kSampleRates)
  int channels = 2;         // output channels, 1 or 2
  // Packets held back while waiting for a missing one; when more than this many are queued the
  // missing frame is declared lost (concealed). 0 conceals as soon as a later packet arrives.
  size_t window = 3;
  // Most SSRCs tracked at once (each has a decoder); more are refused with kQueueFull.
  size_t max_ssrcs = 256;
};
// Largest `window` VoiceReceiver::Create accepts; and the most SSRCs lib/ lets one receiver track.
inline constexpr size_t kMaxReceiverWindow = 64;
inline constexpr size_t kMaxReceiverSsrcs = 65536;

struct ReceivedFrame {
  // kDecoded: the frame's own packet. kConcealed: packet-loss concealment. kRecovered: decoded
  // with FEC from the next (SILK or hybrid) packet; libopus conceals internally if that packet
  // carries no LBRR data.
  enum class Kind { kDecoded, kConcealed, kRecovered };
  uint32_t ssrc = 0;
  uint16_t sequence = 0;
  uint32_t timestamp = 0;  // RTP timestamp, 48 kHz units
  Kind kind = Kind::kDecoded;
  std::vector<int16_t> pcm;  // interleaved, samples x channels
};

struct VoiceReceiverStats {
  uint64_t packets = 0;  // opened successfully
  uint64_t decoded = 0;
  uint64_t concealed = 0;  // PLC frames
  uint64_t recovered = 0;  // FEC frames
  uint64_t late = 0;       // arrived after their slot was played or concealed
  uint64_t duplicates = 0;
  uint64_t corrupt = 0;  // opened but failed to decode (replaced by PLC)
};

class VoiceReceiver {
 public:
  // Creates the cipher; decoders are created per SSRC on first packet. kInvalidArgument for bad
  // options or key. Allocates. Thread-safe.
  [[nodiscard]] static Status Create(const VoiceReceiverOptions& options, const uint8_t* key,
                                     size_t key_size, std::unique_ptr<VoiceReceiver>* out);

  // Opens a sealed packet and queues its Opus payload (extension body and padding stripped);
  // appends the frames that became ready, in order per SSRC. On error (kMalformedPacket,
  // kCryptoAuthFailed, kQueueFull) nothing changes. Allocates (frames, new SSRCs). Not
  // thread-safe: run a receiver's calls on one strand.
  [[nodiscard]] Status Push(const uint8_t* packet, size_t size, std::vector<ReceivedFrame>* out);

  // Queues an Opus payload that was opened elsewhere (e.g. after an end-to-end layer decrypted
  // it). Same rules as Push. Not thread-safe.
  [[nodiscard]] Status PushOpus(uint32_t ssrc, uint16_t sequence, uint32_t timestamp,
                                const uint8_t* opus, size_t size, std::vector<ReceivedFrame>* out);

  // Plays out everything still queued (concealing gaps between queued packets), e.g. when a
  // speaker stops. Not thread-safe.
  void Flush(std::vector<ReceivedFrame>* out);

  // Forgets an SSRC (its decoder and queue). Not thread-safe.
  void Remove(uint32_t ssrc);

  const VoiceReceiverStats& stats() const noexcept { return stats_; }
  const crypto::VoiceCipher& cipher() const noexcept { return *cipher_; }

  // Bytes this receiver owns: its cipher and buffers plus, per tracked SSRC, a decoder and a
  // full reorder window of the largest packets (an upper bound). Never allocates. Thread-safe
  // (the SSRC count is read atomically while a strand may be adding one).
  size_t memory_bytes() const noexcept;

 private:
  struct Stream {
    std::unique_ptr<opus::Decoder> decoder;
    bool started = false;
    uint16_t next_sequence = 0;
    uint32_t next_timestamp = 0;
    std::map<uint16_t, std::pair<uint32_t, std::vector<uint8_t>>> queued;  // seq -> (ts, opus)
  };
  // A gap this large (in packets) is a restart, not loss: resynchronise instead of concealing.
  static constexpr int32_t kResyncGap = 50;

  VoiceReceiver() = default;
  void Release(uint32_t ssrc, Stream& s, bool flush, std::vector<ReceivedFrame>* out);
  void Emit(uint32_t ssrc, Stream& s, const uint8_t* opus, size_t size, bool fec,
            ReceivedFrame::Kind kind, uint32_t timestamp, std::vector<ReceivedFrame>* out);

  VoiceReceiverOptions options_;
  std::unique_ptr<crypto::VoiceCipher> cipher_;
  std::unordered_map<uint32_t, Stream> streams_;
  std::atomic<size_t> stream_count_{0};  // streams_.size(), readable from any thread
  std::vector<uint8_t> scratch_;  // opened packet
  VoiceReceiverStats stats_;
};

}  // namespace voxpool::voice
