// container::WebmDemuxer's blocks and frames: which blocks are read, each frame's timestamp and
// samples, a BlockGroup's DiscardPadding as end trimming, the start point, and the output.
#include <opus/opus.h>

#include <algorithm>
#include <limits>
#include <string>

#include "voxpool/container/opus_head.h"
#include "voxpool/container/webm_demuxer.h"
#include "webm_detail.h"

namespace voxpool::container {

using webm_detail::Malformed;

namespace {

constexpr int64_t kNsPerSecond = 1000000000;

int PacketSamples(const uint8_t* data, size_t size) {
  if (size == 0 || size > static_cast<size_t>(std::numeric_limits<opus_int32>::max())) return 0;
  const int samples =
      opus_packet_get_nb_samples(data, static_cast<opus_int32>(size), kOpusGranuleRate);
  return samples > 0 ? samples : 0;
}

}  // namespace

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
  // In 128 bits: a hostile timestamp and CodecDelay may each be near 2^63. (__extension__: GCC
  // and Clang have the type; ISO C++ does not name it.)
  __extension__ using Wide = __int128;
  const Wide end = Wide{timestamp_ns} - Wide{track_.codec_delay_ns} +
                   Wide{samples} * kNsPerSecond / kOpusGranuleRate;
  return end <= options_.start_ns;
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
