// Ogg Opus demuxer on libogg: bytes in, in any chunking; Opus packets out, with the stream's
// OpusHead and OpusTags, the granule position at the end of every packet and a mark at each
// chain boundary. libogg finds pages (and skips bytes that are not one, including a page whose
// CRC fails), reassembles packets that continue across pages and reports holes in the page
// sequence; this class chooses the stream, gives each packet its granule and bounds what a
// hostile file can make it hold.
//
// Which stream: the first logical stream whose first packet is an OpusHead, or the serial the
// options name. Pages of other streams (a multiplexed video or Vorbis track) are skipped. When the
// followed stream ends (its EOS page), the next Opus stream to begin is followed in turn: that is a
// chained file (`cat a.opus b.opus`), and a kChainEnd event marks the join.
#pragma once

#include <ogg/ogg.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "voxpool/status.h"

namespace voxpool::container {

// The most bytes one packet may take, OpusTags included (embedded cover art makes them large). A
// packet that grows past the limit while it continues across pages is kMalformedContainer.
inline constexpr size_t kOggDefaultMaxPacketBytes = 16u << 20;
inline constexpr size_t kOggMaxPacketBytesLimit = 256u << 20;
// Bytes read without finding a single page before the input is declared "not Ogg".
inline constexpr size_t kOggMaxLeadingGarbageBytes = 1u << 16;
// The largest serial number (Ogg's is 32-bit).
inline constexpr int64_t kOggMaxSerial = 4294967295;
// No serial chosen: follow the first Opus stream.
inline constexpr int64_t kOggAnySerial = -1;
// An Ogg granule position that marks "no packet ends on this page".
inline constexpr int64_t kOggNoGranule = -1;

// The latest start the options take, in 48 kHz samples: 2^53 (5.9 years), exact as a JS number.
inline constexpr int64_t kOggMaxStartSamples = int64_t{1} << 53;

struct OggDemuxerOptions {
  int64_t serial = kOggAnySerial;  // a serial number (0..2^32-1) to follow, or kOggAnySerial
  size_t max_packet_bytes = kOggDefaultMaxPacketBytes;  // 1..kOggMaxPacketBytesLimit
  // Audio packets are read and dropped, not emitted, until the first one that ends after this
  // presentation time (48 kHz samples after the first one played: granule minus pre-skip); a
  // packet whose granule is unknown (after a Seek) is dropped too. Once one is emitted, none is
  // dropped. 0..kOggMaxStartSamples.
  int64_t start_samples = 0;
};

// Where FindOggPage found a page.
struct OggPageInfo {
  size_t offset = 0;   // of its first byte ("OggS") in the bytes searched
  int64_t granule = kOggNoGranule;
};

// Finds, in `size` bytes from anywhere in an Ogg file, the first whole page (its CRC checked by
// libogg) of stream `serial` that states a granule position: a bisection step of a seek (see
// lib/demux-file.js). Returns false when there is none. Thread-safe (no shared state); allocates
// libogg's sync buffer (`size` bytes).
bool FindOggPage(const uint8_t* data, size_t size, uint32_t serial, OggPageInfo* out);

enum class OggEventKind : uint8_t {
  kHead,      // an OpusHead packet: a stream (or the next link of a chain) begins
  kTags,      // its OpusTags packet
  kPacket,    // an Opus audio packet
  kChainEnd,  // the followed stream ended (EOS) and another one may follow
};

// One thing the demuxer found. Its bytes are out.bytes[offset, offset + size).
struct OggEvent {
  OggEventKind kind;
  uint32_t serial;
  // kPacket: the granule position at the end of this packet (48 kHz samples since the stream's
  // start, pre-skip included), worked back from the page's granule; kOggNoGranule while no page
  // has stated one yet (a packet whose page ends in a continued packet).
  int64_t granule;
  // kPacket: 48 kHz samples the packet decodes to (0 when its TOC byte is invalid).
  int samples;
  // kPacket: samples to drop from the end of this packet's output (the last packet of a stream
  // whose final granule ends mid-packet: RFC 7845 end trimming); 0 otherwise.
  int trim_end;
  size_t offset;
  size_t size;
};

// What one Push or Finish produced. The caller clears it between calls (Clear keeps capacity,
// so a steady stream reuses its buffers).
struct OggOutput {
  std::vector<OggEvent> events;
  std::vector<uint8_t> bytes;
  void Clear() noexcept {
    events.clear();
    bytes.clear();
  }
};

// Counters since creation. A value type.
struct OggDemuxerStats {
  uint64_t bytes = 0;          // bytes pushed
  uint64_t pages = 0;          // pages of the followed stream read
  uint64_t packets = 0;        // audio packets emitted
  uint64_t skipped_bytes = 0;  // bytes libogg skipped: garbage, or pages whose CRC failed
  uint64_t holes = 0;          // gaps in the followed stream's page sequence (lost pages)
  uint64_t chains = 0;         // streams followed to their end
  uint64_t other_pages = 0;    // pages of streams not followed
  uint64_t dropped_packets = 0;  // audio packets before options.start_samples, not emitted
  uint64_t seeks = 0;            // Seek calls
};

// Not thread-safe: one stream, one caller at a time (the binding runs it on one strand).
class OggDemuxer {
 public:
  // Checks the options and creates the demuxer. Allocates.
  [[nodiscard]] static Status Create(const OggDemuxerOptions& options,
                                     std::unique_ptr<OggDemuxer>* out);
  ~OggDemuxer();
  OggDemuxer(const OggDemuxer&) = delete;
  OggDemuxer& operator=(const OggDemuxer&) = delete;

  // Feeds `size` bytes (any split of the input) and appends what they completed to `out`.
  // kMalformedContainer when the input is not Ogg Opus or breaks a limit; the demuxer is then
  // spent (later calls return the same error). Allocates: libogg's buffers grow to the largest
  // page or packet seen, `out` to this call's packets.
  [[nodiscard]] Status Push(const uint8_t* data, size_t size, OggOutput* out);

  // The bytes pushed next come from another place in the input (the reader seeked): libogg
  // forgets what it held and finds the next page itself (the bytes before it count as skipped),
  // a packet continued from before that page is dropped, and the granules of the packets before
  // the first page that states one are kOggNoGranule; with options.start_samples those are
  // dropped too. The followed stream stays the one whose headers were read (a seek is within one
  // link of a chain). Allowed once its OpusTags have been read, not after Finish or an error;
  // never fails otherwise. `position` (the byte offset seeked to) is only counted.
  [[nodiscard]] Status Seek(uint64_t position);

  // The input ended. kStreamTruncated when it stopped inside a page or a packet, or before any
  // OpusHead; kMalformedContainer when no Opus stream was found. Appends nothing else to `out`
  // (a stream without an EOS page still ends cleanly: its last packet was already emitted).
  [[nodiscard]] Status Finish(OggOutput* out);

  const OggDemuxerStats& stats() const noexcept { return stats_; }
  // The serial being followed, or kOggAnySerial before the first OpusHead.
  int64_t serial() const noexcept { return following_ ? static_cast<int64_t>(serial_) : kOggAnySerial; }

 private:
  explicit OggDemuxer(const OggDemuxerOptions& options);
  // One page from the sync layer: choose, follow or skip it.
  Status OnPage(ogg_page* page, OggOutput* out);
  // Drains the packets the last page completed and gives them granules.
  Status DrainPackets(OggOutput* out);
  void Emit(OggEventKind kind, const uint8_t* data, size_t size, OggOutput* out);
  // Drops the packets of events [first, end) that end before options.start_samples (a prefix),
  // with their bytes, until one does not.
  void DropBeforeStart(size_t first, OggOutput* out);
  Status Fail(Status status);

  const OggDemuxerOptions options_;
  ogg_sync_state sync_;
  ogg_stream_state stream_;
  bool following_ = false;     // stream_ holds a stream that began and has not ended
  uint32_t serial_ = 0;
  int header_packets_ = 0;     // of the followed stream: 0 before OpusHead, 1 before OpusTags
  bool saw_head_ = false;      // any stream's OpusHead, for Finish's verdict
  int64_t last_granule_ = 0;   // granule at the end of the last packet emitted
  bool granule_known_ = true;  // false after a Seek until a page states a granule
  bool started_ = false;       // a packet at or after options.start_samples was emitted
  bool finished_ = false;      // Finish was called
  int64_t pre_skip_ = 0;       // the followed stream's OpusHead pre-skip
  size_t page_first_event_ = 0;
  Status failed_;              // sticky once the input is refused
  OggDemuxerStats stats_;
};

}  // namespace voxpool::container
