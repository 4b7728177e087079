// RAII over libopus's OpusDecoder, with packet-loss concealment and FEC recovery.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>

#include "voxpool/opus/constants.h"
#include "voxpool/status.h"

struct OpusDecoder;  // libopus

namespace voxpool::opus {

class Decoder {
 public:
  // Creates a decoder for `sample_rate` Hz (kSampleRates) and 1 or 2 channels. Allocates.
  // Thread-safe.
  [[nodiscard]] static Status Create(int sample_rate, int channels, std::unique_ptr<Decoder>* out);
  ~Decoder();
  Decoder(const Decoder&) = delete;
  Decoder& operator=(const Decoder&) = delete;

  // Decodes `packet` (`size` bytes) into interleaved s16 PCM. `max_samples` is the room in `out`
  // in samples per channel (kMaxFrameSamples always suffices).
  //  - packet == nullptr or size == 0: packet-loss concealment for `max_samples`, which must then
  //    be a valid frame size (the duration of the lost frame).
  //  - fec == true: recovers the *previous*, lost frame from the in-band FEC data in `packet`;
  //    `max_samples` must be the lost frame's duration.
  // Returns samples per channel (> 0) or a negative libopus error code (OPUS_INVALID_PACKET for
  // corrupt data). Never allocates. Thread-safe (serialised on an internal mutex).
  int Decode(const uint8_t* packet, size_t size, int16_t* out, int max_samples, bool fec) noexcept;
  // As Decode, producing interleaved float PCM.
  int DecodeFloat(const uint8_t* packet, size_t size, float* out, int max_samples, bool fec) noexcept;

  // SET-type decoder CTLs (OPUS_SET_GAIN_REQUEST, OPUS_SET_PHASE_INVERSION_DISABLED_REQUEST) and
  // OPUS_RESET_STATE; anything else is refused with kOpusUnimplemented. Thread-safe.
  [[nodiscard]] Status SetCtl(int request, int value) noexcept;
  // GET-type decoder CTLs yielding an opus_int32 (OPUS_GET_LAST_PACKET_DURATION_REQUEST, ...).
  [[nodiscard]] Status GetCtl(int request, int* value) noexcept;

  // Samples per channel of the last decoded (or concealed) frame; 0 before the first.
  int LastFrameSize() noexcept;

  int sample_rate() const noexcept { return sample_rate_; }
  int channels() const noexcept { return channels_; }
  // Bytes this decoder owns (libopus state included). Never allocates. Thread-safe.
  size_t memory_bytes() const noexcept { return MemoryBytesFor(channels_); }
  // Bytes a decoder of `channels` (1 or 2) owns. Never allocates. Thread-safe.
  static size_t MemoryBytesFor(int channels) noexcept;

  static bool IsSetRequest(int request) noexcept;
  static bool IsGetRequest(int request) noexcept;

 private:
  Decoder(::OpusDecoder* state, int sample_rate, int channels)
      : state_(state), sample_rate_(sample_rate), channels_(channels) {}
  std::mutex mutex_;
  ::OpusDecoder* state_;  // owned; guarded by mutex_
  const int sample_rate_;
  const int channels_;
};

}  // namespace voxpool::opus
