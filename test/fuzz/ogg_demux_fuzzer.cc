// libFuzzer target: OggDemuxer::Push/Seek/Finish and FindOggPage on arbitrary bytes. Input: one
// control byte (its low 7 bits the chunk size the rest is pushed in: 1 + bits * 193 bytes, so
// both byte-at-a-time and page-sized feeds are explored; its high bit seeking), then the stream. Invariants checked on every call: each event's
// bytes lie inside the output, no packet exceeds maxPacketBytes, an audio packet's trim is within
// its samples, and once a call fails every later call fails with the same code.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>

#include "voxpool/container/ogg_demuxer.h"

namespace {

using namespace voxpool::container;

void Check(bool ok) {
  if (!ok) std::abort();
}

// Small enough that the fuzzer reaches the limit with inputs of a few pages.
constexpr size_t kMaxPacketBytes = 70000;

void CheckOutput(const OggOutput& out) {
  for (const OggEvent& e : out.events) {
    Check(e.offset <= out.bytes.size() && e.size <= out.bytes.size() - e.offset);
    Check(e.size <= kMaxPacketBytes);
    Check(e.trim_end >= 0 && e.trim_end <= e.samples);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  // The control byte's high bit: a start point, and up to 3 seeks to arbitrary bytes of the input.
  const bool seeking = (data[0] & 0x80) != 0;
  const size_t chunk = 1 + static_cast<size_t>(data[0] & 0x7F) * 193;
  data += 1;
  size -= 1;
  OggPageInfo page;
  if (FindOggPage(data, size, 0, &page)) Check(page.offset < size);
  OggDemuxerOptions options;
  options.max_packet_bytes = kMaxPacketBytes;
  options.start_samples = seeking ? 1440 : 0;
  std::unique_ptr<OggDemuxer> demuxer;
  Check(OggDemuxer::Create(options, &demuxer).ok());
  OggOutput out;
  voxpool::Status failed;
  int seeks = 0;
  for (size_t at = 0; at < size;) {
    out.Clear();
    const size_t n = chunk < size - at ? chunk : size - at;
    voxpool::Status st = demuxer->Push(data + at, n, &out);
    at += n;
    CheckOutput(out);
    if (!failed.ok()) Check(st.code() == failed.code());
    if (!st.ok()) failed = st;
    if (seeking && st.ok() && seeks < 3 && at < size) {
      const size_t to = (at * 7919 + static_cast<size_t>(seeks)) % size;
      const voxpool::Status sought = demuxer->Seek(to);
      Check(sought.ok() || sought.code() == voxpool::ErrorCode::kInvalidArgument);
      if (sought.ok()) {
        ++seeks;
        at = to;
      }
    }
  }
  out.Clear();
  voxpool::Status st = demuxer->Finish(&out);
  Check(out.events.empty());
  if (!failed.ok()) Check(st.code() == failed.code());
  return 0;
}
