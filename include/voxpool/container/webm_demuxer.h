// WebM / Matroska Opus demuxer on libwebm's webm_parser: bytes in, in any chunking; Opus frames
// out, with the track's OpusHead (its CodecPrivate) and each frame's timestamp. libwebm parses the
// EBML (known and unknown sizes: a live stream from `ffmpeg -live 1` has an unknown-size Segment,
// one from MediaRecorder unknown-size Clusters too) and splits laced blocks (Xiph, EBML and fixed
// lacing) into frames; this class chooses the track, gives each frame its timestamp and bounds what
// a hostile file can make it, or libwebm, hold.
//
// Which track: the first TrackEntry whose CodecID is "A_OPUS", or the track number the options
// name. Blocks of other tracks (a video track, a second audio track) are skipped unread. Only the
// first Segment is read: a second one (`cat a.webm b.webm`) is kMalformedContainer. An unknown
// size is accepted on the Segment and on Clusters only (as WebM's byte-stream format allows, and
// as live writers use it); on any other element it is kMalformedContainer.
//
// Push-based: libwebm reads straight from the bytes being pushed and asks for more (it gets
// kWouldBlock) once it has consumed them, so nothing is copied or kept between calls except a
// frame that a chunk boundary cuts (or the last frame of a BlockGroup, held until its
// DiscardPadding is known), never more than maxFrameBytes, and at most 3 bytes of an element
// header that would run past its parent's end (libwebm must read such an ID whole; see
// HoldsBack in webm_demuxer.cc).
//
// What libwebm itself holds is bounded here too: elements it would read whole into memory (strings,
// CodecPrivate, a CuePoint) larger than kWebmMaxElementBytes are skipped unread, elements this
// demuxer has no use for (Chapters, Tags, Video, BlockAdditions, ... and the SeekHead and Cues
// unless options.index asks for them) are skipped whatever their size, and a Cluster, whose blocks' headers libwebm keeps until the Cluster ends (about 32 bytes a
// SimpleBlock, 200 a BlockGroup), may hold at most kWebmMaxBlocksPerCluster blocks.
//
// Seeking (options.index, Seek): the reader pushes the file's start until kHead, learns where the
// Cues are (kCuesAt, from the SeekHead), seeks there and pushes them (kCues says where they end),
// then seeks to the Cluster of the last CuePoint at or before its target and pushes from there;
// options.start_ns drops the packets of that Cluster before the target. lib/demux-file.js is
// that reader.
#pragma once

#include <webm/callback.h>
#include <webm/dom_types.h>
#include <webm/element.h>
#include <webm/id.h>
#include <webm/reader.h>
#include <webm/status.h>
#include <webm/webm_parser.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "voxpool/status.h"

namespace voxpool::container {

// The Matroska CodecID of an Opus track.
inline constexpr char kWebmOpusCodecId[] = "A_OPUS";
// The most bytes one frame (one Opus packet) may take. A frame's size is known from its block's
// header before any of it is read, so a larger one is refused before anything is allocated.
inline constexpr size_t kWebmDefaultMaxFrameBytes = 16u << 20;
inline constexpr size_t kWebmMaxFrameBytesLimit = 256u << 20;
// The most bytes an element that libwebm reads whole into memory may take (CodecPrivate, Title,
// CodecID, DocType, ...); a larger one is skipped unread. An OpusHead is at most 276 bytes, so an
// Opus track whose CodecPrivate is larger is kMalformedContainer.
inline constexpr size_t kWebmMaxElementBytes = 1u << 16;
// The most blocks (SimpleBlocks and BlockGroups, of any track) one Cluster may hold. A Cluster's
// block timecodes are 16-bit offsets from its own, so at the default TimecodeScale (1 ms) it spans
// at most 32.767 s: 13,107 Opus frames of 2.5 ms, a fraction of this.
inline constexpr size_t kWebmMaxBlocksPerCluster = 1u << 16;
// No track chosen: follow the first Opus track.
inline constexpr int64_t kWebmAnyTrack = -1;
// The largest track number the options take. Matroska writers number tracks from 1 (ffmpeg,
// mkvmerge and MediaRecorder all do); a file's larger numbers can still be followed as the first
// Opus track.
inline constexpr int64_t kWebmMaxTrackNumber = 4294967295;
// Nanoseconds per Cluster and Block timecode tick when the Segment's Info states no TimecodeScale.
inline constexpr uint64_t kWebmDefaultTimecodeScaleNs = 1000000;

struct WebmDemuxerOptions {
  // A TrackNumber (1..kWebmMaxTrackNumber) to follow, or kWebmAnyTrack.
  int64_t track = kWebmAnyTrack;
  size_t max_frame_bytes = kWebmDefaultMaxFrameBytes;  // 1..kWebmMaxFrameBytesLimit
  // Packets that end at or before this presentation time (nanoseconds after the first sample:
  // the Block timestamp minus the CodecDelay) are read and dropped, not emitted: a start point,
  // or the end of a Seek's approach. 0..kWebmMaxStartNs.
  int64_t start_ns = 0;
  // Read the SeekHead and Cues (otherwise skipped unread) and report where the Cues are, each
  // CuePoint of the followed track and the first Cluster (kCuesAt, kCues, kCuePoint,
  // kFirstCluster), for a reader that seeks with Seek.
  bool index = false;
};

// The latest start the options take: 2^53 ns (104 days), exact as a JS number.
inline constexpr int64_t kWebmMaxStartNs = int64_t{1} << 53;

enum class WebmEventKind : uint8_t {
  kHead,    // the followed track's CodecPrivate: its OpusHead (not emitted when the track has none)
  kPacket,  // one Opus packet: one frame of a block (libwebm has split the lacing)
  // With options.index only. `position` is an absolute byte offset in the input.
  kCuesAt,        // the SeekHead names the Cues: they begin at `position`
  kCues,          // the Cues element begins here; `position` is just past its end
  kCuePoint,      // a CuePoint of the followed track: `timestamp_ns` (as a Block's) is in the
                  // Cluster at `position`
  kFirstCluster,  // the first Cluster begins at `position`
};

// One thing the demuxer found. Its bytes are out.bytes[offset, offset + size).
struct WebmEvent {
  WebmEventKind kind;
  uint64_t track;  // the TrackNumber
  // kPacket: the presentation time in nanoseconds: (Cluster timecode + Block timecode) times the
  // TimecodeScale, for the first frame of a block; a laced block's later frames add the 48 kHz
  // samples of the frames before them (rounded down to a nanosecond). May be negative (a Block
  // timecode before its Cluster's). 0 for kHead. This is the Block's own timestamp, which counts
  // the pre-skip as an Ogg granule does: ffmpeg's pts is this minus the track's CodecDelay
  // (track_info().codec_delay_ns).
  int64_t timestamp_ns;
  // kPacket: 48 kHz samples the packet decodes to (0 when its TOC byte is invalid).
  int samples;
  // kPacket: samples to drop from the end of this packet's output: the last frame of a BlockGroup
  // with a positive DiscardPadding, converted to 48 kHz samples (rounded to nearest, at most
  // `samples`), which is how WebM states end trimming; 0 otherwise.
  int trim_end;
  size_t offset;
  size_t size;
  // The index events' byte offset (see WebmEventKind); 0 for kHead and kPacket.
  uint64_t position;
};

// What one Push or Finish produced. The caller clears it between calls (Clear keeps capacity, so
// a steady stream reuses its buffers).
struct WebmOutput {
  std::vector<WebmEvent> events;
  std::vector<uint8_t> bytes;
  void Clear() noexcept {
    events.clear();
    bytes.clear();
  }
};

// Counters since creation. A value type.
struct WebmDemuxerStats {
  uint64_t bytes = 0;               // bytes pushed
  uint64_t clusters = 0;            // Clusters begun
  uint64_t frames = 0;              // frames (Opus packets) of the followed track emitted
  uint64_t other_track_frames = 0;  // frames in blocks of other tracks, skipped unread
  uint64_t dropped_frames = 0;      // frames of the followed track before options.start_ns
  uint64_t seeks = 0;               // Seek calls
};

// The followed track, from its TrackEntry (Matroska's defaults where an element is absent). A
// value type.
struct WebmTrackInfo {
  uint64_t number = 0;            // TrackNumber; 0 before a track is chosen
  uint64_t channels = 0;          // Audio/Channels (Matroska's default: 1)
  double sampling_frequency = 0;  // Audio/SamplingFrequency in Hz (Matroska's default: 8000)
  uint64_t codec_delay_ns = 0;    // CodecDelay: the OpusHead pre-skip, in nanoseconds (0: absent)
  uint64_t seek_pre_roll_ns = 0;  // SeekPreRoll in nanoseconds (0: absent; 80 ms in Opus files)
  uint64_t timecode_scale_ns = kWebmDefaultTimecodeScaleNs;  // the Segment's TimecodeScale
};

// Not thread-safe: one stream, one caller at a time (the binding runs it on one strand).
class WebmDemuxer final : private webm::Callback {
 public:
  // Checks the options and creates the demuxer. Allocates.
  [[nodiscard]] static Status Create(const WebmDemuxerOptions& options,
                                     std::unique_ptr<WebmDemuxer>* out);
  ~WebmDemuxer() override;
  WebmDemuxer(const WebmDemuxer&) = delete;
  WebmDemuxer& operator=(const WebmDemuxer&) = delete;

  // Feeds `size` bytes (any split of the input) and appends what they completed to `out`: the
  // kHead event once the followed track's TrackEntry ends, a kPacket event per frame.
  // kMalformedContainer when the input is not WebM/Matroska with an Opus track, when libwebm
  // refuses it (the message names libwebm's status code) or when it breaks a limit; the demuxer is
  // then spent (later calls return the same error). Allocates: libwebm's parser state, a frame cut
  // by the chunk boundary (at most maxFrameBytes), `out` to this call's frames.
  [[nodiscard]] Status Push(const uint8_t* data, size_t size, WebmOutput* out);

  // The bytes pushed next begin at byte `position` of the input (as counted from its first byte),
  // which must be the start of an element inside the Segment (a Cluster or the Cues, from the
  // index events): the reader seeked. Allowed once the followed track is known (after kHead), not
  // after Finish or an error. What a chunk boundary cut short before the seek is dropped. Never
  // fails otherwise; allocates nothing.
  [[nodiscard]] Status Seek(uint64_t position);

  // The input ended. kStreamTruncated when it stopped inside an element of known size (a frame, a
  // block, a known-size Cluster or Segment), before the Tracks, or before the first Opus frame;
  // kMalformedContainer when the Tracks hold no Opus track (or not the one asked for). Unknown-size
  // elements end cleanly at the end of the input; when that closes a BlockGroup its held last
  // frame is appended to `out`, otherwise nothing is. Call nothing but the accessors afterwards.
  // Allocates only `out` and an error's message.
  [[nodiscard]] Status Finish(WebmOutput* out);

  // Never allocate. Not thread-safe (read between calls).
  const WebmDemuxerStats& stats() const noexcept { return stats_; }
  // The track number being followed, or kWebmAnyTrack before its TrackEntry has been read.
  int64_t track() const noexcept {
    return following_ ? static_cast<int64_t>(track_.number) : kWebmAnyTrack;
  }
  // The followed track's TrackEntry fields (all zero but timecode_scale_ns before one is chosen).
  const WebmTrackInfo& track_info() const noexcept { return track_; }

 private:
  // webm::Reader over the bytes of the current Push, after any carried over from the last one:
  // never copies them, returns kWouldBlock once they are consumed (kEndOfFile in Finish), or when
  // the demuxer holds the rest back (HoldsBack). Defined in webm_demuxer.cc.
  class Input final : public webm::Reader {
   public:
    explicit Input(WebmDemuxer* owner) noexcept : owner_(owner) {}
    void Set(const uint8_t* data, size_t size, bool end) noexcept;
    // Moves the bytes not consumed into the carry, read first by the next Push. Allocates (a few
    // bytes: only a held-back element header is ever left).
    void Keep();
    // Drops every byte not consumed; the next one read is byte `position` of the input.
    void Reset(uint64_t position) noexcept;
    size_t available() const noexcept { return carry_.size() - carry_at_ + size_ - at_; }
    // The bytes readable in one piece from the cursor: the carry's, then the Push's.
    const uint8_t* cursor() const noexcept {
      return carry_at_ < carry_.size() ? carry_.data() + carry_at_ : data_ + at_;
    }
    size_t contiguous() const noexcept {
      return carry_at_ < carry_.size() ? carry_.size() - carry_at_ : size_ - at_;
    }
    void Consume(size_t n) noexcept;
    bool at_end() const noexcept { return end_; }
    // kWouldBlock or kEndOfFile: what a read returns when no bytes are left.
    webm::Status Empty() const noexcept;
    webm::Status Read(std::size_t num_to_read, std::uint8_t* buffer,
                      std::uint64_t* num_actually_read) override;
    webm::Status Skip(std::uint64_t num_to_skip, std::uint64_t* num_actually_skipped) override;
    std::uint64_t Position() const override { return position_; }

   private:
    WebmDemuxer* const owner_;
    std::vector<uint8_t> carry_;
    size_t carry_at_ = 0;
    const uint8_t* data_ = nullptr;
    size_t size_ = 0;
    size_t at_ = 0;
    bool end_ = false;
    uint64_t position_ = 0;  // bytes consumed since the start of the input
  };

  // An element libwebm is inside of, from its OnElementBegin until the reader passes its end (an
  // unknown-size Segment or Cluster: until libwebm ends it).
  struct OpenElement {
    webm::Id id;
    uint64_t end;  // reader position just past it; UINT64_MAX for an unknown size
    bool master;   // libwebm reads its body as child elements (a header comes next, not data)
  };

  explicit WebmDemuxer(const WebmDemuxerOptions& options);
  // Runs libwebm over the input set in input_ and maps what stopped it to a Status.
  Status Parse(WebmOutput* out);
  // Whether input_ must not yet give libwebm the byte at `position` (`available_end`: the position
  // just past the bytes it has): see the comment in webm_demuxer.cc.
  bool HoldsBack(uint64_t position, uint64_t available_end) noexcept;
  webm::Status Classify(const webm::ElementMetadata& metadata, webm::Action* action);
  Status Fail(Status status);
  // Records `status` for Parse and returns the webm::Status that stops libwebm with it.
  webm::Status Refuse(Status status);
  // The timestamp of the current block's next frame, or a refusal on overflow.
  webm::Status FrameTimestamp(int64_t* ns);
  void Emit(WebmEventKind kind, const uint8_t* data, size_t size, int64_t timestamp_ns, int samples,
            int trim_end);
  void EmitHeld(int trim_end);
  // Block-level bookkeeping shared by SimpleBlock and a BlockGroup's Block.
  webm::Status BeginBlock(const webm::Block& block, webm::Action* action);

  // webm::Callback.
  webm::Status OnElementBegin(const webm::ElementMetadata& metadata, webm::Action* action) override;
  webm::Status OnEbml(const webm::ElementMetadata& metadata, const webm::Ebml& ebml) override;
  webm::Status OnSegmentEnd(const webm::ElementMetadata& metadata) override;
  webm::Status OnClusterEnd(const webm::ElementMetadata& metadata,
                            const webm::Cluster& cluster) override;
  webm::Status OnInfo(const webm::ElementMetadata& metadata, const webm::Info& info) override;
  webm::Status OnTrackEntry(const webm::ElementMetadata& metadata,
                            const webm::TrackEntry& track_entry) override;
  webm::Status OnClusterBegin(const webm::ElementMetadata& metadata, const webm::Cluster& cluster,
                              webm::Action* action) override;
  webm::Status OnSimpleBlockBegin(const webm::ElementMetadata& metadata,
                                  const webm::SimpleBlock& simple_block,
                                  webm::Action* action) override;
  webm::Status OnBlockGroupBegin(const webm::ElementMetadata& metadata,
                                 webm::Action* action) override;
  webm::Status OnBlockBegin(const webm::ElementMetadata& metadata, const webm::Block& block,
                            webm::Action* action) override;
  webm::Status OnBlockGroupEnd(const webm::ElementMetadata& metadata,
                               const webm::BlockGroup& block_group) override;
  webm::Status OnFrame(const webm::FrameMetadata& metadata, webm::Reader* reader,
                       std::uint64_t* bytes_remaining) override;
  webm::Status OnSeek(const webm::ElementMetadata& metadata, const webm::Seek& seek) override;
  webm::Status OnCuePoint(const webm::ElementMetadata& metadata,
                          const webm::CuePoint& cue_point) override;
  // An index event at absolute byte `position`, unless it lies outside the Segment.
  void EmitIndex(WebmEventKind kind, uint64_t position, int64_t timestamp_ns);
  // Whether a packet ending `samples` after `timestamp_ns` ends before options.start_ns.
  bool BeforeStart(int64_t timestamp_ns, int samples) const noexcept;

  const WebmDemuxerOptions options_;
  webm::WebmParser parser_;
  Input input_{this};
  WebmOutput* out_ = nullptr;  // the output of the Push or Finish in progress
  Status refusal_;             // why a callback stopped libwebm
  Status failed_;              // sticky once the input is refused

  // Where libwebm is: which top-level element, and facts about the TrackEntry being read.
  bool saw_first_element_ = false;
  bool in_ebml_header_ = false;
  bool in_segment_ = false;
  bool saw_segment_ = false;
  bool saw_tracks_ = false;
  bool saw_cluster_ = false;
  bool saw_cues_at_ = false;
  bool seeked_ = false;                  // Seek was called: the next element must be a Cluster/Cues
  uint64_t segment_data_ = 0;            // position of the Segment's first child
  uint64_t segment_end_ = UINT64_MAX;    // position just past the Segment (MAX: unknown size)
  bool entry_has_encodings_ = false;      // the current TrackEntry has ContentEncodings
  uint64_t entry_oversized_private_ = 0;  // the current TrackEntry's skipped CodecPrivate size
  size_t cluster_blocks_ = 0;
  std::vector<OpenElement> open_;       // the elements libwebm is inside of, outermost first
  uint64_t header_start_ = UINT64_MAX;  // where the element header being read began (none: MAX)

  // The followed track.
  bool following_ = false;
  WebmTrackInfo track_;

  // The block being read (of the followed track).
  uint64_t cluster_timecode_ = 0;
  int64_t block_timestamp_ns_ = 0;
  int64_t block_samples_ = 0;  // 48 kHz samples of the block's frames so far
  int block_frames_ = 0;       // frames in the block (its lace count)
  int block_frame_ = 0;        // index of the next frame
  bool in_block_group_ = false;
  uint64_t block_end_ = 0;  // reader position just past the block's body

  // The frame being read when a chunk boundary cuts it, or the BlockGroup's last frame, held.
  bool frame_open_ = false;
  bool frame_held_ = false;
  std::vector<uint8_t> frame_;
  int64_t held_timestamp_ns_ = 0;
  int held_samples_ = 0;

  WebmDemuxerStats stats_;
};

}  // namespace voxpool::container
