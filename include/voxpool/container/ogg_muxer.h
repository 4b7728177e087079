// Ogg Opus muxer on libogg: Opus packets in (no re-encode), a valid Ogg Opus stream out (RFC 7845):
// OpusHead and OpusTags on their own pages, audio pages whose granule is the 48 kHz sample count at
// the end of their last packet (pre-skip included), a page flushed at least every `flush_samples`
// so a recording being written is playable up to the last second, and an EOS page at Finish.
//
// A gap in the input (a speaker who stopped talking, lost packets) is either filled with Opus
// silence packets, so players that ignore granules stay in time, or written as a granule jump,
// which is smaller but which only granule-aware readers honour.
#pragma once

#include <ogg/ogg.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "voxpool/container/opus_head.h"
#include "voxpool/status.h"

namespace voxpool::container {

// The largest Opus packet the muxer accepts (RFC 6716 allows 1275 bytes per frame, 48 frames of
// 2.5 ms in a 120 ms packet: far above what any encoder writes).
inline constexpr size_t kOpusMaxPacketBytes = 61440;
// The most a page may wait for more packets: one second of 48 kHz samples.
inline constexpr int64_t kOggDefaultFlushSamples = kOpusGranuleRate;
inline constexpr int64_t kOggMaxFlushSamples = 10LL * kOpusGranuleRate;
// The longest gap one Gap() call may describe: an hour.
inline constexpr int64_t kOggMaxGapSamples = 3600LL * kOpusGranuleRate;
// The 20 ms packet a gap is filled with in kSilence mode: a CELT frame that decodes to silence
// (the one Discord sends when a speaker stops).
inline constexpr uint8_t kOpusSilencePacket[] = {0xF8, 0xFF, 0xFE};
inline constexpr int kOpusSilencePacketSamples = 960;

// The vendor string of OpusTags when the options name none.
inline constexpr char kOggMuxerDefaultVendor[] = "voxpool";

enum class OggGapMode : uint8_t {
  kSilence,  // fill with kOpusSilencePacket (whole 20 ms packets; the remainder is a jump)
  kJump,     // advance the granule only
};

struct OggMuxerOptions {
  uint32_t serial = 1;                        // the logical stream's serial number
  OpusHead head;                              // channels 1..2 (family 0), pre-skip, rates, gain
  OpusTags tags{kOggMuxerDefaultVendor, {}};  // vendor and comments
  int64_t flush_samples = kOggDefaultFlushSamples;  // 1..kOggMaxFlushSamples
  OggGapMode gap_mode = OggGapMode::kSilence;
};

// Counters since creation. A value type.
struct OggMuxerStats {
  uint64_t packets = 0;          // audio packets written (silence fill included)
  uint64_t silence_packets = 0;  // of those, gap fill
  uint64_t pages = 0;            // pages written, headers included
  uint64_t bytes = 0;            // bytes written
  int64_t granule = 0;           // granule position after the last packet
};

// Not thread-safe: one stream, one caller at a time (the binding runs it on one strand).
class OggMuxer {
 public:
  // Checks the options (channels 1 or 2 with mapping family 0, pre-skip and gain in range) and
  // creates the muxer. Allocates.
  [[nodiscard]] static Status Create(const OggMuxerOptions& options, std::unique_ptr<OggMuxer>* out);
  ~OggMuxer();
  OggMuxer(const OggMuxer&) = delete;
  OggMuxer& operator=(const OggMuxer&) = delete;

  // Appends `packet` (one Opus packet, 1..kOpusMaxPacketBytes bytes) and whatever pages it
  // completed to `out`; the header pages come before the first packet. kOpusInvalidPacket when
  // its TOC byte is invalid; kInvalidArgument after Finish. Allocates: `out`, libogg's buffers.
  [[nodiscard]] Status Write(const uint8_t* packet, size_t size, std::vector<uint8_t>* out);

  // `samples` (48 kHz, 0..kOggMaxGapSamples) of nothing before the next packet: silence packets or
  // a granule jump, per the options. Appends completed pages to `out`.
  [[nodiscard]] Status Gap(int64_t samples, std::vector<uint8_t>* out);

  // Flushes what is pending as an EOS page (the header pages too, for a stream with no packet).
  // Idempotent. Appends to `out`.
  [[nodiscard]] Status Finish(std::vector<uint8_t>* out);

  const OggMuxerStats& stats() const noexcept { return stats_; }

 private:
  explicit OggMuxer(const OggMuxerOptions& options);
  void Start(std::vector<uint8_t>* out);
  // Hands one packet to libogg with the granule at its end.
  void Append(const uint8_t* data, size_t size, int64_t granule, bool eos);
  // Moves pages libogg has completed (all pending ones when `flush`) to `out`.
  void Drain(bool flush, std::vector<uint8_t>* out);

  const OggMuxerOptions options_;
  ogg_stream_state stream_;
  bool started_ = false;
  bool finished_ = false;
  int64_t packetno_ = 0;
  int64_t flushed_granule_ = 0;  // granule of the last page written
  std::vector<uint8_t> held_;    // the newest packet, not yet given to libogg
  int64_t held_granule_ = 0;
  OggMuxerStats stats_;
};

}  // namespace voxpool::container
