// container::WebmDemuxer: creation, Push / Finish and what each element means (the track, the
// Segment's Info, what libwebm may read). Its reader is in webm_input.cc, blocks and frames in
// webm_frames.cc, seeking in webm_index.cc.
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
#include "webm_detail.h"

namespace voxpool::container {

using webm_detail::Malformed;
using webm_detail::Truncated;

namespace {

// The webm::Status a callback returns to stop libwebm with an error of its own (libwebm keeps
// codes <= 0; positive ones are the user's). The Status itself waits in refusal_.
constexpr std::int32_t kRefusedCode = 1;

// The parent of a top-level element, for IsReadMaster (0 is no EBML ID).
constexpr webm::Id kTopLevel = static_cast<webm::Id>(0);

// libwebm's status codes (webm/status.h), each named once: WebmStatusName spells them for
// messages.
// clang-format off
#define VOXPOOL_WEBM_STATUSES(X)                                                          \
  X(kOkCompleted) X(kOkPartial) X(kWouldBlock) X(kEndOfFile) X(kInvalidElementId)         \
  X(kInvalidElementSize) X(kIndefiniteUnknownElement) X(kElementOverflow)                 \
  X(kNotEnoughMemory) X(kInvalidElementValue) X(kExceededRecursionDepthLimit)
// clang-format on

// libwebm's own name for a status code, or "unknown".
const char* WebmStatusName(std::int32_t code) {
  switch (code) {
#define VOXPOOL_WEBM_STATUS_CASE(name) \
  case webm::Status::name:             \
    return #name;
    VOXPOOL_WEBM_STATUSES(VOXPOOL_WEBM_STATUS_CASE)
#undef VOXPOOL_WEBM_STATUS_CASE
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

}  // namespace voxpool::container
