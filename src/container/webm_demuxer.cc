#include "voxpool/container/webm_demuxer.h"

#include <opus/opus.h>
#include <webm/dom_types.h>
#include <webm/element.h>
#include <webm/id.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <limits>
#include <string>

#include "voxpool/container/opus_head.h"

namespace voxpool::container {
namespace {

// The webm::Status a callback returns to stop libwebm with an error of its own (libwebm keeps
// codes <= 0; positive ones are the user's). The Status itself waits in refusal_.
constexpr std::int32_t kRefusedCode = 1;

constexpr int64_t kNsPerSecond = 1000000000;

// The parent of a top-level element, for IsReadMaster (0 is no EBML ID).
constexpr webm::Id kTopLevel = static_cast<webm::Id>(0);

Status Malformed(const std::string& what) { return Status(ErrorCode::kMalformedContainer, what); }
Status Truncated(const std::string& what) { return Status(ErrorCode::kStreamTruncated, what); }

// libwebm's own name for its status codes (webm/status.h), for messages.
const char* WebmStatusName(std::int32_t code) {
  switch (code) {
    case webm::Status::kOkCompleted:
      return "kOkCompleted";
    case webm::Status::kOkPartial:
      return "kOkPartial";
    case webm::Status::kWouldBlock:
      return "kWouldBlock";
    case webm::Status::kEndOfFile:
      return "kEndOfFile";
    case webm::Status::kInvalidElementId:
      return "kInvalidElementId";
    case webm::Status::kInvalidElementSize:
      return "kInvalidElementSize";
    case webm::Status::kIndefiniteUnknownElement:
      return "kIndefiniteUnknownElement";
    case webm::Status::kElementOverflow:
      return "kElementOverflow";
    case webm::Status::kNotEnoughMemory:
      return "kNotEnoughMemory";
    case webm::Status::kInvalidElementValue:
      return "kInvalidElementValue";
    case webm::Status::kExceededRecursionDepthLimit:
      return "kExceededRecursionDepthLimit";
    default:
      return "unknown";
  }
}

std::string IdText(webm::Id id) {
  char text[16];
  std::snprintf(text, sizeof text, "0x%X", static_cast<unsigned>(id));
  return text;
}

// A string from the file, made safe and short for a message.
std::string Quoted(const std::string& s) {
  constexpr size_t kMaxChars = 32;
  std::string q = "\"";
  for (size_t i = 0; i < s.size() && i < kMaxChars; ++i)
    q += s[i] >= 0x20 && s[i] < 0x7F ? s[i] : '?';
  if (s.size() > kMaxChars) q += "...";
  return q + "\"";
}

bool IsOpusCodecId(const std::string& codec_id) {
  // Before Opus in Matroska was final, ffmpeg wrote "A_OPUS/EXPERIMENTAL".
  const size_t n = sizeof kWebmOpusCodecId - 1;
  return codec_id == kWebmOpusCodecId ||
         (codec_id.size() > n && codec_id.compare(0, n, kWebmOpusCodecId) == 0 &&
          codec_id[n] == '/');
}

int PacketSamples(const uint8_t* data, size_t size) {
  if (size == 0 || size > static_cast<size_t>(std::numeric_limits<opus_int32>::max())) return 0;
  const int samples =
      opus_packet_get_nb_samples(data, static_cast<opus_int32>(size), kOpusGranuleRate);
  return samples > 0 ? samples : 0;
}

}  // namespace

// ---- Input ----------------------------------------------------------------------------------

void WebmDemuxer::Input::Set(const uint8_t* data, size_t size, bool end) noexcept {
  data_ = data;
  size_ = size;
  at_ = 0;
  end_ = end;
}

void WebmDemuxer::Input::Keep() {
  carry_.erase(carry_.begin(), carry_.begin() + static_cast<ptrdiff_t>(carry_at_));
  carry_at_ = 0;
  carry_.insert(carry_.end(), data_ + at_, data_ + size_);
  Set(nullptr, 0, end_);
}

void WebmDemuxer::Input::Reset(uint64_t position) noexcept {
  carry_.clear();
  carry_at_ = 0;
  Set(nullptr, 0, false);
  position_ = position;
}

void WebmDemuxer::Input::Consume(size_t n) noexcept {
  position_ += n;
  const size_t from_carry = std::min(n, carry_.size() - carry_at_);
  carry_at_ += from_carry;
  at_ += n - from_carry;
  if (carry_at_ == carry_.size() && !carry_.empty()) {
    carry_.clear();
    carry_at_ = 0;
  }
}

webm::Status WebmDemuxer::Input::Empty() const noexcept {
  return webm::Status(end_ ? webm::Status::kEndOfFile : webm::Status::kWouldBlock);
}

webm::Status WebmDemuxer::Input::Read(std::size_t num_to_read, std::uint8_t* buffer,
                                      std::uint64_t* num_actually_read) {
  *num_actually_read = 0;
  if (owner_->HoldsBack(position_, position_ + available()))
    return webm::Status(webm::Status::kWouldBlock);
  size_t n = 0;
  while (n < num_to_read && available() > 0) {
    const size_t piece = std::min(num_to_read - n, contiguous());
    std::memcpy(buffer + n, cursor(), piece);
    Consume(piece);
    n += piece;
  }
  *num_actually_read = n;
  if (n == 0) return Empty();
  return webm::Status(n == num_to_read ? webm::Status::kOkCompleted : webm::Status::kOkPartial);
}

webm::Status WebmDemuxer::Input::Skip(std::uint64_t num_to_skip,
                                      std::uint64_t* num_actually_skipped) {
  *num_actually_skipped = 0;
  if (owner_->HoldsBack(position_, position_ + available()))
    return webm::Status(webm::Status::kWouldBlock);
  const size_t n = static_cast<size_t>(std::min<std::uint64_t>(num_to_skip, available()));
  *num_actually_skipped = n;
  if (n == 0) return Empty();
  Consume(n);
  return webm::Status(n == num_to_skip ? webm::Status::kOkCompleted : webm::Status::kOkPartial);
}

// libwebm (as Debian builds it, with assertions on) aborts the process when it resumes reading an
// element ID that has already reached the end of its known-size parent: it asserts the parent
// still has room, where a whole ID read in one go gets kElementOverflow instead. So when a header
// starts within the last kMaxIdBytes - 1 bytes of such a parent, libwebm gets none of it until
// kMaxIdBytes are there to read (or the input has ended); the few bytes held back are carried to
// the next Push. A valid file is only delayed: a header that close to its parent's end is an
// element of at most one byte of data, and the bytes after it are on their way.
bool WebmDemuxer::HoldsBack(uint64_t position, uint64_t available_end) noexcept {
  constexpr uint64_t kMaxIdBytes = 4;  // EBML IDs are 1 to 4 bytes
  while (!open_.empty() && open_.back().end <= position) {
    open_.pop_back();
    header_start_ = UINT64_MAX;  // what comes after an element is the next one's header
  }
  if (open_.empty() || !open_.back().master) {
    header_start_ = UINT64_MAX;  // top-level headers (libwebm does not assert there) or data
    return false;
  }
  if (input_.at_end()) return false;
  if (header_start_ == UINT64_MAX) header_start_ = position;  // the first byte of a child's header
  const OpenElement& parent = open_.back();
  return parent.end - header_start_ < kMaxIdBytes && available_end - header_start_ < kMaxIdBytes;
}

namespace {

// Whether libwebm reads `id` as a master element (its body a run of child elements) where its
// parent is `parent` (kTopLevel for the top level); an ID out of place is an unknown element
// to libwebm, whose body it skips as data. Only the masters the demuxer reads are listed: those it
// skips are skipped as data (or, at an unknown size, refused).
bool IsReadMaster(webm::Id parent, webm::Id id) {
  using webm::Id;
  if (parent == kTopLevel) return id == Id::kEbml || id == Id::kSegment;
  if (parent == Id::kSegment) {
    return id == Id::kInfo || id == Id::kTracks || id == Id::kCluster || id == Id::kSeekHead ||
           id == Id::kCues;
  }
  if (parent == Id::kSeekHead) return id == Id::kSeek;
  if (parent == Id::kCues) return id == Id::kCuePoint;
  if (parent == Id::kCuePoint) return id == Id::kCueTrackPositions;
  if (parent == Id::kTracks) return id == Id::kTrackEntry;
  if (parent == Id::kTrackEntry) return id == Id::kAudio;
  if (parent == Id::kCluster) return id == Id::kBlockGroup;
  return false;
}

}  // namespace

// ---- WebmDemuxer ----------------------------------------------------------------------------

Status WebmDemuxer::Create(const WebmDemuxerOptions& options, std::unique_ptr<WebmDemuxer>* out) {
  if (options.track != kWebmAnyTrack) {
    Status st = CheckRange("track", options.track, 1, static_cast<double>(kWebmMaxTrackNumber));
    if (!st.ok()) return st;
  }
  Status st = CheckRange("maxFrameBytes", options.max_frame_bytes, 1,
                         static_cast<double>(kWebmMaxFrameBytesLimit), "bytes");
  if (!st.ok()) return st;
  st = CheckRange("startNs", options.start_ns, 0, static_cast<double>(kWebmMaxStartNs), "ns");
  if (!st.ok()) return st;
  out->reset(new WebmDemuxer(options));
  return Status::Ok();
}

WebmDemuxer::WebmDemuxer(const WebmDemuxerOptions& options) : options_(options) {}

WebmDemuxer::~WebmDemuxer() = default;

Status WebmDemuxer::Fail(Status status) {
  failed_ = status;
  return status;
}

webm::Status WebmDemuxer::Refuse(Status status) {
  refusal_ = std::move(status);
  return webm::Status(kRefusedCode);
}

Status WebmDemuxer::Push(const uint8_t* data, size_t size, WebmOutput* out) {
  if (!failed_.ok()) return failed_;
  if (data == nullptr && size > 0)
    return Status(ErrorCode::kInvalidArgument, "Input must not be null");
  if (out == nullptr) return Status(ErrorCode::kInvalidArgument, "Output must not be null");
  stats_.bytes += size;
  if (size == 0) return Status::Ok();
  input_.Set(data, size, false);
  return Parse(out);
}

Status WebmDemuxer::Seek(uint64_t position) {
  if (!failed_.ok()) return failed_;
  if (input_.at_end()) return Status(ErrorCode::kInvalidArgument, "Seek after Finish");
  if (!following_) {
    return Status(ErrorCode::kInvalidArgument,
                  "Seek before the followed track's TrackEntry has been read");
  }
  if (position < segment_data_ || position >= segment_end_) {
    return Status(ErrorCode::kInvalidArgument,
                  "Seek to byte " + std::to_string(position) + ", outside the WebM Segment");
  }
  // libwebm re-enters the Segment (as of unknown size) at the element found there; what this
  // demuxer knew of the elements open before is void, and anything held for them is dropped.
  input_.Reset(position);
  parser_.DidSeek();
  open_.clear();
  open_.push_back({webm::Id::kSegment, segment_end_, true});
  header_start_ = UINT64_MAX;
  frame_open_ = frame_held_ = false;
  frame_.clear();
  in_block_group_ = false;
  cluster_blocks_ = 0;
  seeked_ = true;
  ++stats_.seeks;
  return Status::Ok();
}

Status WebmDemuxer::Finish(WebmOutput* out) {
  if (!failed_.ok()) return failed_;
  if (out == nullptr) return Status(ErrorCode::kInvalidArgument, "Output must not be null");
  input_.Set(nullptr, 0, true);
  Status st = Parse(out);
  if (!st.ok()) return st;
  if (!saw_first_element_) return Fail(Truncated("The WebM input ended before its first element"));
  if (!following_) {
    if (!saw_tracks_) return Fail(Truncated("The WebM input ended before its Tracks"));
    return Fail(Malformed(options_.track == kWebmAnyTrack
                              ? "This WebM input holds no Opus track"
                              : "This WebM input holds no Opus track with number " +
                                    std::to_string(options_.track)));
  }
  if (stats_.frames + stats_.dropped_frames == 0)
    return Fail(Truncated("The WebM input ended before its first Opus frame"));
  return Status::Ok();
}

Status WebmDemuxer::Parse(WebmOutput* out) {
  out_ = out;
  const webm::Status st = parser_.Feed(this, &input_);
  out_ = nullptr;
  // libwebm asks for more only once it has consumed every byte it was given (its readers loop
  // while a read is partial), unless HoldsBack kept a few back: those are read first next time.
  if (st.code == webm::Status::kWouldBlock) {
    input_.Keep();
    return Status::Ok();
  }
  if (st.code == kRefusedCode) return Fail(refusal_);
  if (st.code == webm::Status::kEndOfFile)
    return Fail(Truncated("The WebM input ends inside an element"));
  if (st.completed_ok()) {
    // The document ended; that happens only at the end of the input (Finish).
    if (input_.available() == 0) return Status::Ok();
    return Fail(Status(ErrorCode::kInvalidArgument, "The WebM input continues after Finish"));
  }
  return Fail(Malformed("libwebm could not parse this WebM input (status " +
                        std::to_string(st.code) + ", " + WebmStatusName(st.code) + ")"));
}

// ---- elements -------------------------------------------------------------------------------

webm::Status WebmDemuxer::OnElementBegin(const webm::ElementMetadata& metadata,
                                         webm::Action* action) {
  // The header is read; the element is open until the reader passes its end (HoldsBack).
  header_start_ = UINT64_MAX;
  while (!open_.empty() && open_.back().end <= metadata.position) open_.pop_back();
  const webm::Id parent = open_.empty() ? kTopLevel : open_.back().id;
  const bool unknown_size = metadata.size == webm::kUnknownElementSize;
  if (seeked_) {
    // A seek must land on a Cluster or the Cues: libwebm would take any other Segment descendant
    // as found inside parents it never read.
    seeked_ = false;
    if (metadata.id != webm::Id::kCluster && metadata.id != webm::Id::kCues) {
      return Refuse(Malformed("A seek in the WebM input landed on an element (ID " +
                              IdText(metadata.id) + ") that is not a Cluster or the Cues"));
    }
  }
  webm::Status st = Classify(metadata, action);
  if (st.completed_ok() && unknown_size && metadata.id != webm::Id::kSegment &&
      metadata.id != webm::Id::kCluster) {
    // libwebm takes an unknown size on any master it knows; where that master ends would then be
    // known only to libwebm, and the open elements above (HoldsBack) rely on knowing it.
    st = Refuse(Malformed("A WebM element (ID " + IdText(metadata.id) +
                          ") has an unknown size, which only a Segment or a Cluster may have"));
  }
  if (st.completed_ok()) {
    open_.push_back(
        {metadata.id,
         unknown_size ? UINT64_MAX : metadata.position + metadata.header_size + metadata.size,
         *action == webm::Action::kRead && IsReadMaster(parent, metadata.id)});
  }
  return st;
}

webm::Status WebmDemuxer::Classify(const webm::ElementMetadata& metadata, webm::Action* action) {
  *action = webm::Action::kRead;
  const webm::Status ok(webm::Status::kOkCompleted);
  if (!in_segment_ && !in_ebml_header_) {
    // A top-level element: the EBML header first, then one Segment (Void is allowed anywhere).
    if (!saw_first_element_) {
      saw_first_element_ = true;
      if (metadata.id != webm::Id::kEbml) {
        return Refuse(Malformed("This input is not WebM: it does not begin with an EBML header"));
      }
    }
    switch (metadata.id) {
      case webm::Id::kEbml:
        in_ebml_header_ = true;
        return ok;
      case webm::Id::kSegment:
        if (saw_segment_) return Refuse(Malformed("This WebM input holds more than one Segment"));
        saw_segment_ = in_segment_ = true;
        segment_data_ = metadata.position + metadata.header_size;
        segment_end_ = UINT64_MAX;
        if (metadata.size != webm::kUnknownElementSize) {
          uint64_t end = 0;
          if (!__builtin_add_overflow(segment_data_, metadata.size, &end)) segment_end_ = end;
        }
        return ok;
      case webm::Id::kVoid:
        return ok;
      default:
        return Refuse(Malformed("This WebM input has an element (ID " + IdText(metadata.id) +
                                ") outside its Segment"));
    }
  }
  switch (metadata.id) {
    // What the demuxer reads. Master elements and blocks: libwebm holds none of them whole.
    case webm::Id::kInfo:
    case webm::Id::kAudio:
    case webm::Id::kBlock:
      return ok;
    case webm::Id::kTracks:
      saw_tracks_ = true;
      return ok;
    case webm::Id::kTrackEntry:
      entry_has_encodings_ = false;
      entry_oversized_private_ = 0;
      return ok;
    case webm::Id::kCluster:
      ++stats_.clusters;
      cluster_blocks_ = 0;
      if (options_.index && !saw_cluster_)
        EmitIndex(WebmEventKind::kFirstCluster, metadata.position, 0);
      saw_cluster_ = true;
      return ok;
    case webm::Id::kSeekHead:
      if (!options_.index) *action = webm::Action::kSkip;
      return ok;
    case webm::Id::kCues:
      if (!options_.index) {
        *action = webm::Action::kSkip;
      } else {
        // libwebm reads the Cues a CuePoint at a time (each bounded below); only its end is news.
        uint64_t end = 0;
        if (!__builtin_add_overflow(metadata.position + metadata.header_size, metadata.size, &end))
          EmitIndex(WebmEventKind::kCues, end, 0);
      }
      return ok;
    case webm::Id::kSimpleBlock:
    case webm::Id::kBlockGroup:
      // libwebm keeps every block's header in its Cluster value until the Cluster ends.
      if (++cluster_blocks_ > kWebmMaxBlocksPerCluster) {
        return Refuse(Malformed("A WebM Cluster holds more than " +
                                std::to_string(kWebmMaxBlocksPerCluster) + " blocks"));
      }
      return ok;
    // What it has no use for: skipped unread, so libwebm never stores them.
    case webm::Id::kContentEncodings:
      entry_has_encodings_ = true;
      *action = webm::Action::kSkip;
      return ok;
    case webm::Id::kChapters:
    case webm::Id::kTags:
    case webm::Id::kVideo:
    case webm::Id::kBlockAdditions:
    case webm::Id::kBlockVirtual:
    case webm::Id::kReferenceBlock:
    case webm::Id::kSlices:
      *action = webm::Action::kSkip;
      return ok;
    default:
      // A string or binary element is read whole into memory: a large one is skipped. (Numbers
      // are at most 8 bytes; libwebm refuses a larger one.)
      if (metadata.size > kWebmMaxElementBytes) {
        if (metadata.id == webm::Id::kCodecPrivate) entry_oversized_private_ = metadata.size;
        *action = webm::Action::kSkip;
      }
      return ok;
  }
}

webm::Status WebmDemuxer::OnEbml(const webm::ElementMetadata&, const webm::Ebml& ebml) {
  in_ebml_header_ = false;
  const std::string& doc_type = ebml.doc_type.value();
  if (doc_type != "webm" && doc_type != "matroska") {
    return Refuse(
        Malformed("This EBML input is not WebM or Matroska (DocType " + Quoted(doc_type) + ")"));
  }
  return webm::Status(webm::Status::kOkCompleted);
}

webm::Status WebmDemuxer::OnSegmentEnd(const webm::ElementMetadata&) {
  in_segment_ = false;
  open_.clear();
  header_start_ = UINT64_MAX;
  return webm::Status(webm::Status::kOkCompleted);
}

webm::Status WebmDemuxer::OnClusterEnd(const webm::ElementMetadata&, const webm::Cluster&) {
  // An unknown-size Cluster ends where libwebm meets an element that is not its child: close it
  // (and what is left open inside it) here, since no position says so.
  for (size_t i = open_.size(); i-- > 0;) {
    if (open_[i].id == webm::Id::kCluster) {
      open_.resize(i);
      break;
    }
  }
  header_start_ = UINT64_MAX;
  return webm::Status(webm::Status::kOkCompleted);
}

webm::Status WebmDemuxer::OnInfo(const webm::ElementMetadata&, const webm::Info& info) {
  if (info.timecode_scale.value() == 0)
    return Refuse(Malformed("The WebM Segment's TimecodeScale is 0"));
  track_.timecode_scale_ns = info.timecode_scale.value();
  return webm::Status(webm::Status::kOkCompleted);
}

webm::Status WebmDemuxer::OnTrackEntry(const webm::ElementMetadata&,
                                       const webm::TrackEntry& entry) {
  const webm::Status ok(webm::Status::kOkCompleted);
  if (following_) return ok;  // the followed track is chosen already
  const uint64_t number = entry.track_number.value();
  const bool opus = IsOpusCodecId(entry.codec_id.value());
  if (options_.track == kWebmAnyTrack) {
    if (!opus) return ok;
  } else {
    if (number != static_cast<uint64_t>(options_.track)) return ok;
    if (!opus) {
      return Refuse(Malformed("WebM track " + std::to_string(number) + " is not Opus (CodecID " +
                              Quoted(entry.codec_id.value()) + ")"));
    }
  }
  if (number == 0) return Refuse(Malformed("The WebM Opus track's TrackNumber is 0"));
  if (entry_has_encodings_) {
    return Refuse(
        Malformed("The WebM Opus track is compressed or encrypted (ContentEncodings), which is not "
                  "supported"));
  }
  if (entry_oversized_private_ > 0) {
    return Refuse(Malformed("The WebM Opus track's CodecPrivate of " +
                            std::to_string(entry_oversized_private_) + " bytes exceeds " +
                            std::to_string(kWebmMaxElementBytes)));
  }
  const std::vector<uint8_t>& head = entry.codec_private.value();
  if (!head.empty()) {
    OpusHead parsed;
    Status st = ParseOpusHead(head.data(), head.size(), &parsed);
    if (!st.ok()) return Refuse(st);
  }
  following_ = true;
  track_.number = number;
  track_.channels = entry.audio.value().channels.value();
  track_.sampling_frequency = entry.audio.value().sampling_frequency.value();
  track_.codec_delay_ns = entry.codec_delay.value();
  track_.seek_pre_roll_ns = entry.seek_pre_roll.value();
  if (!head.empty()) Emit(WebmEventKind::kHead, head.data(), head.size(), 0, 0, 0);
  return ok;
}

webm::Status WebmDemuxer::OnClusterBegin(const webm::ElementMetadata&, const webm::Cluster& cluster,
                                         webm::Action* action) {
  *action = webm::Action::kRead;
  if (!following_) {
    // The Tracks are over (they come before the first Cluster) and none was the one asked for.
    return Refuse(Malformed(options_.track == kWebmAnyTrack
                                ? "This WebM input holds no Opus track"
                                : "This WebM input holds no Opus track with number " +
                                      std::to_string(options_.track)));
  }
  cluster_timecode_ = cluster.timecode.value();
  return webm::Status(webm::Status::kOkCompleted);
}

// ---- blocks and frames ----------------------------------------------------------------------

webm::Status WebmDemuxer::OnSimpleBlockBegin(const webm::ElementMetadata& metadata,
                                             const webm::SimpleBlock& simple_block,
                                             webm::Action* action) {
  in_block_group_ = false;
  block_end_ = metadata.position + metadata.header_size + metadata.size;
  return BeginBlock(simple_block, action);
}

webm::Status WebmDemuxer::OnBlockGroupBegin(const webm::ElementMetadata&, webm::Action* action) {
  *action = webm::Action::kRead;
  in_block_group_ = true;
  return webm::Status(webm::Status::kOkCompleted);
}

webm::Status WebmDemuxer::OnBlockBegin(const webm::ElementMetadata& metadata,
                                       const webm::Block& block, webm::Action* action) {
  if (frame_held_)
    EmitHeld(0);  // a second Block in one BlockGroup: the first one's padding is unknown
  block_end_ = metadata.position + metadata.header_size + metadata.size;
  return BeginBlock(block, action);
}

webm::Status WebmDemuxer::BeginBlock(const webm::Block& block, webm::Action* action) {
  if (!following_ || block.track_number != track_.number) {
    stats_.other_track_frames += static_cast<uint64_t>(block.num_frames);
    *action = webm::Action::kSkip;
    return webm::Status(webm::Status::kOkCompleted);
  }
  *action = webm::Action::kRead;
  int64_t ticks = 0;
  int64_t ns = 0;
  if (cluster_timecode_ > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) ||
      track_.timecode_scale_ns > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) ||
      __builtin_add_overflow(static_cast<int64_t>(cluster_timecode_), int64_t{block.timecode},
                             &ticks) ||
      __builtin_mul_overflow(ticks, static_cast<int64_t>(track_.timecode_scale_ns), &ns)) {
    return Refuse(Malformed("A WebM block's timestamp overflows 64-bit nanoseconds"));
  }
  block_timestamp_ns_ = ns;
  block_samples_ = 0;
  block_frames_ = block.num_frames;
  block_frame_ = 0;
  return webm::Status(webm::Status::kOkCompleted);
}

webm::Status WebmDemuxer::FrameTimestamp(int64_t* ns) {
  // block_samples_ is at most 255 frames of 5,760 samples: the product cannot overflow.
  const int64_t offset = block_samples_ * kNsPerSecond / kOpusGranuleRate;
  if (__builtin_add_overflow(block_timestamp_ns_, offset, ns)) {
    return Refuse(Malformed("A WebM block's timestamp overflows 64-bit nanoseconds"));
  }
  return webm::Status(webm::Status::kOkCompleted);
}

webm::Status WebmDemuxer::OnFrame(const webm::FrameMetadata& frame, webm::Reader*,
                                  std::uint64_t* bytes_remaining) {
  // Only frames of the followed track get here: other tracks' blocks were skipped at their start.
  // libwebm reads them from input_, the reader it was handed.
  const bool hold = in_block_group_ && block_frame_ + 1 == block_frames_;
  if (!frame_open_) {
    if (frame_held_) EmitHeld(0);  // never expected: a held frame ends its BlockGroup
    // Checked before a byte of the frame is read or stored. libwebm has checked the lace sizes'
    // sum against the block, but a sum can wrap: each frame is checked against the block's end.
    if (frame.size > options_.max_frame_bytes) {
      return Refuse(Malformed("A WebM frame of " + std::to_string(frame.size) +
                              " bytes exceeds maxFrameBytes (" +
                              std::to_string(options_.max_frame_bytes) + ")"));
    }
    if (input_.Position() > block_end_ || frame.size > block_end_ - input_.Position()) {
      return Refuse(Malformed("A WebM block's lace sizes run past the block"));
    }
    frame_open_ = true;
    frame_.clear();
    const auto size = static_cast<size_t>(frame.size);
    if (!hold && input_.contiguous() >= size) {
      // The whole frame is in this Push: straight from the caller's bytes to the output.
      int64_t timestamp = 0;
      webm::Status st = FrameTimestamp(&timestamp);
      if (!st.completed_ok()) return st;
      const int samples = PacketSamples(input_.cursor(), size);
      Emit(WebmEventKind::kPacket, input_.cursor(), size, timestamp, samples, 0);
      input_.Consume(size);
      *bytes_remaining = 0;
      frame_open_ = false;
      ++block_frame_;
      block_samples_ += samples;
      return webm::Status(webm::Status::kOkCompleted);
    }
  }
  while (*bytes_remaining > 0) {
    const auto n =
        static_cast<size_t>(std::min<std::uint64_t>(*bytes_remaining, input_.contiguous()));
    if (n == 0) return input_.Empty();  // resumed with the same frame on the next Push
    frame_.insert(frame_.end(), input_.cursor(), input_.cursor() + n);
    input_.Consume(n);
    *bytes_remaining -= n;
  }
  frame_open_ = false;
  int64_t timestamp = 0;
  webm::Status st = FrameTimestamp(&timestamp);
  if (!st.completed_ok()) return st;
  const int samples = PacketSamples(frame_.data(), frame_.size());
  ++block_frame_;
  block_samples_ += samples;
  if (hold) {
    // The BlockGroup's DiscardPadding may follow its Block: the frame waits for the group's end.
    frame_held_ = true;
    held_timestamp_ns_ = timestamp;
    held_samples_ = samples;
  } else {
    Emit(WebmEventKind::kPacket, frame_.data(), frame_.size(), timestamp, samples, 0);
  }
  return webm::Status(webm::Status::kOkCompleted);
}

webm::Status WebmDemuxer::OnBlockGroupEnd(const webm::ElementMetadata&,
                                          const webm::BlockGroup& block_group) {
  in_block_group_ = false;
  if (frame_held_) {
    // DiscardPadding: nanoseconds of padding at the end of the block (a negative value, padding
    // at its start, is not end trimming and is ignored). In 48 kHz samples, rounded to nearest.
    int trim = 0;
    const int64_t padding = block_group.discard_padding.value();
    if (block_group.discard_padding.is_present() && padding > 0) {
      trim =
          padding >= kNsPerSecond
              ? held_samples_
              : static_cast<int>(std::min<int64_t>(
                    held_samples_, (padding * kOpusGranuleRate + kNsPerSecond / 2) / kNsPerSecond));
    }
    EmitHeld(trim);
  }
  return webm::Status(webm::Status::kOkCompleted);
}

void WebmDemuxer::EmitHeld(int trim_end) {
  Emit(WebmEventKind::kPacket, frame_.data(), frame_.size(), held_timestamp_ns_, held_samples_,
       trim_end);
  frame_held_ = false;
  frame_.clear();
}

bool WebmDemuxer::BeforeStart(int64_t timestamp_ns, int samples) const noexcept {
  // In 128 bits: a hostile timestamp and CodecDelay may each be near 2^63.
  const __int128 end = __int128{timestamp_ns} - __int128{track_.codec_delay_ns} +
                       __int128{samples} * kNsPerSecond / kOpusGranuleRate;
  return end <= options_.start_ns;
}

void WebmDemuxer::EmitIndex(WebmEventKind kind, uint64_t position, int64_t timestamp_ns) {
  // kCues states where the Cues end, which may be the Segment's end; the others where something
  // begins, which must be inside it. A position outside is no use to a reader.
  if (position < segment_data_ || position > segment_end_ ||
      (position == segment_end_ && kind != WebmEventKind::kCues))
    return;
  out_->events.push_back(
      WebmEvent{kind, track_.number, timestamp_ns, 0, 0, out_->bytes.size(), 0, position});
}

webm::Status WebmDemuxer::OnSeek(const webm::ElementMetadata&, const webm::Seek& seek) {
  if (!saw_cues_at_ && seek.id.value() == webm::Id::kCues && seek.position.is_present()) {
    saw_cues_at_ = true;
    uint64_t position = 0;
    if (!__builtin_add_overflow(segment_data_, seek.position.value(), &position))
      EmitIndex(WebmEventKind::kCuesAt, position, 0);
  }
  return webm::Status(webm::Status::kOkCompleted);
}

webm::Status WebmDemuxer::OnCuePoint(const webm::ElementMetadata&, const webm::CuePoint& cue) {
  if (!following_) return webm::Status(webm::Status::kOkCompleted);
  for (const auto& positions : cue.cue_track_positions) {
    const webm::CueTrackPositions& p = positions.value();
    if (p.track.value() != track_.number) continue;
    int64_t ns = 0;
    const uint64_t time = cue.time.value();
    if (time <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) &&
        track_.timecode_scale_ns <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) &&
        !__builtin_mul_overflow(static_cast<int64_t>(time),
                                static_cast<int64_t>(track_.timecode_scale_ns), &ns)) {
      uint64_t position = 0;
      if (!__builtin_add_overflow(segment_data_, p.cluster_position.value(), &position))
        EmitIndex(WebmEventKind::kCuePoint, position, ns);
    }
    break;
  }
  return webm::Status(webm::Status::kOkCompleted);
}

void WebmDemuxer::Emit(WebmEventKind kind, const uint8_t* data, size_t size, int64_t timestamp_ns,
                       int samples, int trim_end) {
  if (kind == WebmEventKind::kPacket && options_.start_ns > 0 &&
      BeforeStart(timestamp_ns, samples)) {
    ++stats_.dropped_frames;
    return;
  }
  const WebmEvent e{kind, track_.number, timestamp_ns, samples, trim_end, out_->bytes.size(),
                    size, 0};
  if (size > 0) out_->bytes.insert(out_->bytes.end(), data, data + size);
  out_->events.push_back(e);
  if (kind == WebmEventKind::kPacket) ++stats_.frames;
}

}  // namespace voxpool::container
