// RAII over libopus's OpusEncoder.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>

#include "voxpool/opus/constants.h"
#include "voxpool/status.h"

struct OpusEncoder;  // libopus

namespace voxpool::opus {

// Settings applied at creation; unset fields keep libopus's defaults.
struct EncoderOptions {
  int sample_rate = kDefaultSampleRate;  // Hz, one of kSampleRates
  int channels = kDefaultChannels;       // 1 or 2
  int application = kApplicationAudio;
  std::optional<int> bitrate;         // bits/s, kMinBitrate..kMaxBitrate
  std::optional<int> complexity;      // 0..10
  std::optional<int> signal;          // kSignalAuto / kSignalVoice / kSignalMusic
  std::optional<bool> vbr;            // variable bitrate (libopus default: on)
  std::optional<bool> vbr_constraint; // constrained VBR
  std::optional<bool> inband_fec;     // in-band forward error correction
  std::optional<int> packet_loss;     // expected loss, percent 0..100
  std::optional<bool> dtx;            // discontinuous transmission
};

class Encoder {
 public:
  // Creates an encoder and applies `options`. Allocates. Thread-safe.
  [[nodiscard]] static Status Create(const EncoderOptions& options, std::unique_ptr<Encoder>* out);
  ~Encoder();
  Encoder(const Encoder&) = delete;
  Encoder& operator=(const Encoder&) = delete;

  // Encodes one frame of interleaved signed 16-bit PCM. `frame_size` is samples per channel and
  // must be a valid Opus frame size for the rate (2.5-120 ms). Writes at most `capacity` bytes.
  // Returns the packet length in bytes (> 0) or a negative libopus error code.
  // Never allocates. Thread-safe (calls are serialised on an internal mutex).
  int Encode(const int16_t* pcm, int frame_size, uint8_t* out, int capacity) noexcept;
  // As Encode, for interleaved float PCM in [-1, 1].
  int EncodeFloat(const float* pcm, int frame_size, uint8_t* out, int capacity) noexcept;

  // Sets the complexity (0..kMaxComplexity; clamped) for the frames encoded after it: what an
  // AdaptiveComplexity controller chooses per frame. Never allocates. Thread-safe.
  void SetComplexity(int complexity) noexcept;

  // Applies a SET-type encoder CTL (OPUS_SET_BITRATE_REQUEST, ...) or OPUS_RESET_STATE. Requests
  // that read or take a pointer are refused (kOpusUnimplemented) instead of being passed to the
  // variadic libopus call, where an integer would be used as a pointer. Thread-safe.
  [[nodiscard]] Status SetCtl(int request, int value) noexcept;
  // Reads a GET-type encoder CTL that yields an opus_int32 (OPUS_GET_BITRATE_REQUEST, ...).
  // Thread-safe.
  [[nodiscard]] Status GetCtl(int request, int* value) noexcept;

  int sample_rate() const noexcept { return sample_rate_; }
  int channels() const noexcept { return channels_; }
  // Bytes this encoder owns (libopus state included). Never allocates. Thread-safe.
  size_t memory_bytes() const noexcept;

  // True for the CTL requests SetCtl/GetCtl accept. Never allocates. Thread-safe.
  static bool IsSetRequest(int request) noexcept;
  static bool IsGetRequest(int request) noexcept;

 private:
  Encoder(::OpusEncoder* state, int sample_rate, int channels)
      : state_(state), sample_rate_(sample_rate), channels_(channels) {}
  std::mutex mutex_;
  ::OpusEncoder* state_;  // owned; guarded by mutex_
  const int sample_rate_;
  const int channels_;
};

}  // namespace voxpool::opus
