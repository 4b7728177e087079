// Opus in, Opus out, with a volume between: decode -> gain -> encode in one call, so a stream
// whose volume can change (an AudioResource with inlineVolume) costs one pool job per frame
// instead of three (decoder, volume, encoder) and never touches the event loop in between.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "voxpool/opus/constants.h"
#include "voxpool/opus/decoder.h"
#include "voxpool/opus/encoder.h"
#include "voxpool/status.h"
#include "voxpool/mix/volume.h"
#include "voxpool/pcm_processor.h"

namespace voxpool::opus {

// A volume change requested by the owner, carried by each frame's job. The transcoder applies it
// when `generation` differs from the last one it applied, so changes take effect at a frame
// boundary in submission order and a ramp advances only as frames are processed.
struct VolumeCommand {
  uint64_t generation = 0;
  double target = 1.0;  // linear, 0..mix::kVolumeMax
  double ramp_ms = 0;   // 0..60000
};

class Transcoder {
 public:
  // Re-encodes with `encoder` (shared: its owner keeps changing bitrate, FEC, ... while this
  // runs; Encoder is thread-safe) and decodes at its rate and channel count; `volume` is the
  // initial linear volume (0..mix::kVolumeMax). Allocates. Thread-safe.
  [[nodiscard]] static Status Create(std::shared_ptr<Encoder> encoder, double volume,
                                     std::unique_ptr<Transcoder>* out);
  Transcoder(const Transcoder&) = delete;
  Transcoder& operator=(const Transcoder&) = delete;

  // Decodes `packet` (`size` bytes; size 0 = lost: concealed for the last frame's duration, 20 ms
  // before any), runs `stage` on the PCM when given (a filter chain at the encoder's rate and
  // channels), applies `command` if new, scales, and encodes into `out` (`capacity` bytes).
  // Returns the packet length (> 0) or a negative libopus error code (OPUS_INVALID_PACKET for a
  // corrupt packet; OPUS_BAD_ARG for a packet whose duration the encoder cannot produce, e.g.
  // 30 ms). Never allocates. Not thread-safe: one caller at a time (the owner's strand).
  int Process(const uint8_t* packet, size_t size, const VolumeCommand& command, uint8_t* out,
              int capacity, PcmProcessor* stage = nullptr) noexcept;

  // Bytes owned (the decoder and the frame buffer; the shared encoder is its owner's). Never
  // allocates. Thread-safe.
  size_t memory_bytes() const noexcept;

 private:
  Transcoder(std::unique_ptr<Decoder> decoder, std::shared_ptr<Encoder> encoder, double volume);

  std::unique_ptr<Decoder> decoder_;
  std::shared_ptr<Encoder> encoder_;
  mix::Volume volume_;
  uint64_t applied_generation_ = 0;
  int16_t pcm_[kMaxFrameSamples * kMaxChannels];
};

}  // namespace voxpool::opus
