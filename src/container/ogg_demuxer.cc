#include "voxpool/container/ogg_demuxer.h"

#include <opus/opus.h>

#include <algorithm>
#include <cstring>
#include <string>

#include "voxpool/container/opus_head.h"

namespace voxpool::container {
namespace {

// Input is handed to libogg in slices of this size, so its sync buffer stays near one page
// (65,307 bytes at most) whatever chunk size the caller pushes.
constexpr size_t kFeedSliceBytes = 1u << 16;

Status Malformed(const std::string& what) { return Status(ErrorCode::kMalformedContainer, what); }

// Bytes of the followed stream's packet that libogg holds but has not returned: a packet that
// continues onto the next page.
size_t PendingPacketBytes(const ogg_stream_state& s) noexcept {
  return s.body_fill > s.body_returned ? static_cast<size_t>(s.body_fill - s.body_returned) : 0;
}

// Hands `size` bytes (at most kFeedSliceBytes) to libogg's sync layer. False when libogg cannot
// grow its buffer.
bool SyncWrite(ogg_sync_state* sync, const uint8_t* data, size_t size) {
  char* buffer = ogg_sync_buffer(sync, static_cast<long>(size));
  if (buffer == nullptr) return false;
  std::memcpy(buffer, data, size);
  ogg_sync_wrote(sync, static_cast<long>(size));
  return true;
}

}  // namespace

Status OggDemuxer::Create(const OggDemuxerOptions& options, std::unique_ptr<OggDemuxer>* out) {
  if (options.serial != kOggAnySerial) {
    Status st = CheckRange("serial", options.serial, 0, static_cast<double>(kOggMaxSerial));
    if (!st.ok()) return st;
  }
  Status st = CheckRange("maxPacketBytes", options.max_packet_bytes, 1,
                         static_cast<double>(kOggMaxPacketBytesLimit), "bytes");
  if (!st.ok()) return st;
  st = CheckRange("startSamples", options.start_samples, 0, static_cast<double>(kOggMaxStartSamples),
                  "samples");
  if (!st.ok()) return st;
  out->reset(new OggDemuxer(options));
  return Status::Ok();
}

OggDemuxer::OggDemuxer(const OggDemuxerOptions& options) : options_(options) {
  ogg_sync_init(&sync_);
  ogg_stream_init(&stream_, 0);
}

OggDemuxer::~OggDemuxer() {
  ogg_stream_clear(&stream_);
  ogg_sync_clear(&sync_);
}

Status OggDemuxer::Fail(Status status) {
  failed_ = status;
  return status;
}

Status OggDemuxer::Push(const uint8_t* data, size_t size, OggOutput* out) {
  if (!failed_.ok()) return failed_;
  if (data == nullptr && size > 0) return Status(ErrorCode::kInvalidArgument, "Input must not be null");
  stats_.bytes += size;
  size_t fed = 0;
  do {
    const size_t slice = std::min(kFeedSliceBytes, size - fed);
    if (slice > 0) {
      if (!SyncWrite(&sync_, data + fed, slice)) {
        return Fail(Status(ErrorCode::kInvalidArgument, "libogg could not grow its buffer"));
      }
      fed += slice;
    }
    ogg_page page;
    for (;;) {
      const long n = ogg_sync_pageseek(&sync_, &page);
      if (n == 0) break;  // the rest of a page has not arrived
      if (n < 0) {        // bytes that are not a page (or a page whose CRC failed) were skipped
        stats_.skipped_bytes += static_cast<uint64_t>(-n);
        if (stats_.pages + stats_.other_pages == 0 && stats_.skipped_bytes > kOggMaxLeadingGarbageBytes) {
          return Fail(Malformed("This input is not Ogg: no page in its first " +
                                std::to_string(kOggMaxLeadingGarbageBytes) + " bytes"));
        }
        continue;
      }
      Status st = OnPage(&page, out);
      if (!st.ok()) return Fail(st);
    }
  } while (fed < size);
  return Status::Ok();
}

Status OggDemuxer::OnPage(ogg_page* page, OggOutput* out) {
  const auto serial = static_cast<uint32_t>(ogg_page_serialno(page));
  if (!following_) {
    const bool wanted = options_.serial == kOggAnySerial || options_.serial == serial;
    if (ogg_page_bos(page) && wanted && HasOpusMagic(page->body, static_cast<size_t>(page->body_len), kOpusHeadMagic)) {
      // A new Opus stream begins: the first one, or the next link of a chain.
      ogg_stream_reset_serialno(&stream_, static_cast<int>(serial));
      following_ = true;
      serial_ = serial;
      header_packets_ = 0;
      last_granule_ = 0;
      granule_known_ = true;
    } else {
      ++stats_.other_pages;
      if (!saw_head_ && !ogg_page_bos(page)) {
        // The stream group's opening pages (all BOS) are over and none was the Opus stream asked for.
        return Malformed(options_.serial == kOggAnySerial
                             ? "This Ogg input holds no Opus stream"
                             : "This Ogg input holds no Opus stream with serial " + std::to_string(options_.serial));
      }
      return Status::Ok();
    }
  } else if (serial != serial_) {
    ++stats_.other_pages;  // a multiplexed stream beside the followed one
    return Status::Ok();
  }
  if (ogg_stream_pagein(&stream_, page) != 0) return Status::Ok();  // libogg refused it: not ours
  ++stats_.pages;
  page_first_event_ = out->events.size();
  Status st = DrainPackets(out);
  if (!st.ok()) return st;
  if (PendingPacketBytes(stream_) > options_.max_packet_bytes) {
    return Malformed("An Ogg packet grows past maxPacketBytes (" + std::to_string(options_.max_packet_bytes) + ")");
  }
  // Granules: the page states the one at the end of its last completed packet; the packets
  // before it are worked back by their sample counts. At the end of a stream a granule short of
  // the samples is end trimming (RFC 7845 section 4.5), not a different start.
  const int64_t page_granule = ogg_page_granulepos(page);
  const bool eos = ogg_page_eos(page) != 0;
  size_t first = page_first_event_;
  while (first < out->events.size() && out->events[first].kind != OggEventKind::kPacket) ++first;
  const size_t end = out->events.size();
  if (first < end) {
    int64_t forward = last_granule_;
    for (size_t i = first; i < end; ++i) forward += out->events[i].samples;
    if (granule_known_ && page_granule != kOggNoGranule && eos && page_granule < forward) {
      OggEvent& last = out->events[end - 1];
      last.trim_end = static_cast<int>(std::min<int64_t>(forward - page_granule, last.samples));
      forward = last_granule_;
      for (size_t i = first; i < end; ++i) {
        forward += out->events[i].samples;
        out->events[i].granule = std::min(forward, page_granule);
      }
    } else if (page_granule != kOggNoGranule) {
      int64_t g = page_granule;
      for (size_t i = end; i-- > first;) {
        out->events[i].granule = g;
        g -= out->events[i].samples;
      }
    } else if (granule_known_) {
      forward = last_granule_;
      for (size_t i = first; i < end; ++i) out->events[i].granule = forward += out->events[i].samples;
    }  // else: after a Seek, no page has stated a granule yet: they stay kOggNoGranule
    if (page_granule != kOggNoGranule) granule_known_ = true;
    last_granule_ = out->events[end - 1].granule;
    if (!started_ && options_.start_samples > 0) DropBeforeStart(first, out);
  }
  if (eos) {
    following_ = false;
    ++stats_.chains;
    Emit(OggEventKind::kChainEnd, nullptr, 0, out);
  }
  return Status::Ok();
}

Status OggDemuxer::DrainPackets(OggOutput* out) {
  ogg_packet packet;
  for (;;) {
    const int rc = ogg_stream_packetout(&stream_, &packet);
    if (rc == 0) return Status::Ok();
    if (rc < 0) {  // a page is missing: the packet that spanned it is lost
      ++stats_.holes;
      continue;
    }
    const auto size = static_cast<size_t>(packet.bytes);
    if (size > options_.max_packet_bytes) {
      return Malformed("An Ogg packet of " + std::to_string(size) + " bytes exceeds maxPacketBytes (" +
                       std::to_string(options_.max_packet_bytes) + ")");
    }
    if (header_packets_ == 0) {
      OpusHead head;
      Status st = ParseOpusHead(packet.packet, size, &head);
      if (!st.ok()) return st;
      saw_head_ = true;
      header_packets_ = 1;
      pre_skip_ = head.pre_skip;
      Emit(OggEventKind::kHead, packet.packet, size, out);
    } else if (header_packets_ == 1) {
      if (!HasOpusMagic(packet.packet, size, kOpusTagsMagic)) {
        return Malformed("The packet after OpusHead is not OpusTags");
      }
      header_packets_ = 2;
      Emit(OggEventKind::kTags, packet.packet, size, out);
    } else {
      Emit(OggEventKind::kPacket, packet.packet, size, out);
      ++stats_.packets;
    }
  }
}

void OggDemuxer::DropBeforeStart(size_t first, OggOutput* out) {
  size_t keep = first;
  while (keep < out->events.size()) {
    const OggEvent& e = out->events[keep];
    if (e.granule != kOggNoGranule && e.granule - pre_skip_ > options_.start_samples) break;
    ++keep;
  }
  if (keep == first) {
    started_ = true;
    return;
  }
  // The packets of one page are the last events and bytes appended: drop them from the middle.
  const size_t from = out->events[first].offset;
  const size_t to = keep < out->events.size() ? out->events[keep].offset : out->bytes.size();
  out->bytes.erase(out->bytes.begin() + static_cast<ptrdiff_t>(from),
                   out->bytes.begin() + static_cast<ptrdiff_t>(to));
  for (size_t i = keep; i < out->events.size(); ++i) out->events[i].offset -= to - from;
  out->events.erase(out->events.begin() + static_cast<ptrdiff_t>(first),
                    out->events.begin() + static_cast<ptrdiff_t>(keep));
  const auto dropped = static_cast<uint64_t>(keep - first);
  stats_.dropped_packets += dropped;
  stats_.packets -= dropped;
  if (first < out->events.size()) started_ = true;
}

Status OggDemuxer::Seek(uint64_t position) {
  (void)position;
  if (!failed_.ok()) return failed_;
  if (finished_) return Status(ErrorCode::kInvalidArgument, "Seek after Finish");
  if (!saw_head_ || header_packets_ < 2) {
    return Status(ErrorCode::kInvalidArgument, "Seek before the OpusHead and OpusTags have been read");
  }
  ogg_sync_reset(&sync_);
  ogg_stream_reset_serialno(&stream_, static_cast<int>(serial_));
  following_ = true;
  header_packets_ = 2;
  granule_known_ = false;
  ++stats_.seeks;
  return Status::Ok();
}

bool FindOggPage(const uint8_t* data, size_t size, uint32_t serial, OggPageInfo* out) {
  ogg_sync_state sync;
  ogg_sync_init(&sync);
  bool found = false;
  size_t offset = 0;
  size_t fed = 0;
  while (!found && fed < size) {
    const size_t slice = std::min(kFeedSliceBytes, size - fed);
    if (!SyncWrite(&sync, data + fed, slice)) break;
    fed += slice;
    ogg_page page;
    for (;;) {
      const long n = ogg_sync_pageseek(&sync, &page);
      if (n == 0) break;
      if (n < 0) {
        offset += static_cast<size_t>(-n);
        continue;
      }
      if (static_cast<uint32_t>(ogg_page_serialno(&page)) == serial &&
          ogg_page_granulepos(&page) != kOggNoGranule) {
        out->offset = offset;
        out->granule = ogg_page_granulepos(&page);
        found = true;
        break;
      }
      offset += static_cast<size_t>(n);
    }
  }
  ogg_sync_clear(&sync);
  return found;
}

void OggDemuxer::Emit(OggEventKind kind, const uint8_t* data, size_t size, OggOutput* out) {
  OggEvent e{kind, serial_, kOggNoGranule, 0, 0, out->bytes.size(), size};
  if (kind == OggEventKind::kPacket) {
    const int samples = opus_packet_get_nb_samples(data, static_cast<opus_int32>(size), kOpusGranuleRate);
    e.samples = samples > 0 ? samples : 0;
  }
  if (size > 0) out->bytes.insert(out->bytes.end(), data, data + size);
  out->events.push_back(e);
}

Status OggDemuxer::Finish(OggOutput* out) {
  (void)out;
  if (!failed_.ok()) return failed_;
  finished_ = true;
  if (sync_.fill > sync_.returned) return Fail(Status(ErrorCode::kStreamTruncated, "The Ogg input ends inside a page"));
  if (following_ && PendingPacketBytes(stream_) > 0) {
    return Fail(Status(ErrorCode::kStreamTruncated, "The Ogg input ends inside a packet"));
  }
  if (!saw_head_) {
    return Fail(stats_.pages + stats_.other_pages == 0
                    ? Status(ErrorCode::kStreamTruncated, "The Ogg input ended before its first page")
                    : Malformed("This Ogg input holds no Opus stream"));
  }
  return Status::Ok();
}

}  // namespace voxpool::container
