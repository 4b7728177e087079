// container::WebmDemuxer's seeking: Seek (libwebm's DidSeek, the demuxer's own state reset) and
// the index events (options.index): where the Cues are and end, each CuePoint, the first Cluster.
#include <limits>
#include <string>

#include "voxpool/container/webm_demuxer.h"

namespace voxpool::container {

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
}  // namespace voxpool::container
