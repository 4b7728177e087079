// libFuzzer target: WebmDemuxer::Push/Seek/Finish on arbitrary bytes. Input: one control byte
// (its low 7 bits the chunk size the rest is pushed in: 1 + bits * 193 bytes, so both
// byte-at-a-time and cluster-sized feeds are explored; its high bit seeking by the input's own
// index), then the stream. Invariants checked on every call: each
// event's bytes lie inside the output, no frame exceeds maxFrameBytes, a packet's trim is within
// its samples, every packet belongs to the followed track, a head comes at most once and before
// any packet, index events carry no bytes, and once a call fails every later call fails with the same code. libwebm itself is
// the system's shared library (not instrumented for coverage); what a hostile input can make it
// allocate is bounded by the demuxer, which libFuzzer's malloc limit (-malloc_limit_mb, by default
// -rss_limit_mb) checks here.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>

#include "voxpool/container/webm_demuxer.h"

namespace {

using namespace voxpool::container;

void Check(bool ok) {
  if (!ok) std::abort();
}

// Small enough that the fuzzer reaches the limit with inputs of a few kilobytes.
constexpr size_t kMaxFrameBytes = 70000;

struct Seen {
  bool head = false;
  bool packet = false;
};

void CheckOutput(const WebmOutput& out, const WebmDemuxer& demuxer, Seen* seen) {
  for (const WebmEvent& e : out.events) {
    Check(e.offset <= out.bytes.size() && e.size <= out.bytes.size() - e.offset);
    Check(e.size <= kMaxFrameBytes);
    Check(e.samples >= 0 && e.trim_end >= 0 && e.trim_end <= e.samples);
    if (e.kind == WebmEventKind::kHead) {
      Check(static_cast<int64_t>(e.track) == demuxer.track());
      Check(!seen->head && !seen->packet);
      seen->head = true;
    } else if (e.kind == WebmEventKind::kPacket) {
      Check(static_cast<int64_t>(e.track) == demuxer.track());
      seen->packet = true;
    } else {
      // An index event (options.index; the SeekHead may come before the Tracks): no bytes.
      Check(e.size == 0);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  // The control byte's high bit: read the index (options.index, a start point) and seek to the
  // positions the input's own SeekHead and Cues name, as lib/demux-file.js does (at most 4 seeks).
  const bool seeking = (data[0] & 0x80) != 0;
  const size_t chunk = 1 + static_cast<size_t>(data[0] & 0x7F) * 193;
  data += 1;
  size -= 1;
  WebmDemuxerOptions options;
  options.max_frame_bytes = kMaxFrameBytes;
  options.index = seeking;
  options.start_ns = seeking ? 30000000 : 0;
  std::unique_ptr<WebmDemuxer> demuxer;
  Check(WebmDemuxer::Create(options, &demuxer).ok());
  WebmOutput out;
  Seen seen;
  voxpool::Status failed;
  int seeks = 0;
  for (size_t at = 0; at < size;) {
    out.Clear();
    const size_t n = chunk < size - at ? chunk : size - at;
    voxpool::Status st = demuxer->Push(data + at, n, &out);
    at += n;
    CheckOutput(out, *demuxer, &seen);
    if (!failed.ok()) Check(st.code() == failed.code() && out.events.empty());
    if (!st.ok()) failed = st;
    if (!seeking || !st.ok() || seeks == 4) continue;
    for (const WebmEvent& e : out.events) {
      if (e.kind == WebmEventKind::kHead || e.kind == WebmEventKind::kPacket ||
          e.kind == WebmEventKind::kCues || e.position >= size) {
        continue;
      }
      const voxpool::Status sought = demuxer->Seek(e.position);
      Check(sought.ok() || sought.code() == voxpool::ErrorCode::kInvalidArgument);
      if (sought.ok()) {
        ++seeks;
        at = static_cast<size_t>(e.position);
        break;
      }
    }
  }
  out.Clear();
  voxpool::Status st = demuxer->Finish(&out);
  CheckOutput(out, *demuxer, &seen);
  if (!failed.ok()) Check(st.code() == failed.code() && out.events.empty());
  if (st.ok()) {
    Check(demuxer->stats().frames + demuxer->stats().dropped_frames > 0 && demuxer->track() > 0);
  }
  return 0;
}
