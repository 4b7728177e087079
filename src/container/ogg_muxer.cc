#include "voxpool/container/ogg_muxer.h"

#include <opus/opus.h>

#include <string>

namespace voxpool::container {
namespace {

// OpusHead's pre-skip field and output gain field are 16 bits.
constexpr int kMaxPreSkip = 65535;

}  // namespace

Status OggMuxer::Create(const OggMuxerOptions& o, std::unique_ptr<OggMuxer>* out) {
  if (o.head.mapping_family != 0) {
    return Status(ErrorCode::kInvalidArgument, "Only mapping family 0 (mono or stereo) is written");
  }
  Status st = CheckRange("channels", o.head.channels, 1, 2);
  if (st.ok()) st = CheckRange("preSkip", o.head.pre_skip, 0, kMaxPreSkip, "samples");
  if (st.ok()) st = CheckRange("outputGain", o.head.output_gain, -32768, 32767, "Q7.8 dB");
  if (st.ok()) st = CheckRange("flushSamples", o.flush_samples, 1, static_cast<double>(kOggMaxFlushSamples), "samples");
  if (!st.ok()) return st;
  out->reset(new OggMuxer(o));
  return Status::Ok();
}

OggMuxer::OggMuxer(const OggMuxerOptions& options) : options_(options) {
  ogg_stream_init(&stream_, static_cast<int>(options.serial));
  // The granule counts every decoded sample from 0, pre-skip included (RFC 7845 §4): a player
  // plays granule - pre_skip of them.
  held_.reserve(kOpusMaxPacketBytes);  // a steady stream then never reallocates it
}

OggMuxer::~OggMuxer() { ogg_stream_clear(&stream_); }

void OggMuxer::Append(const uint8_t* data, size_t size, int64_t granule, bool eos) {
  ogg_packet p{};
  p.packet = const_cast<unsigned char*>(data);  // libogg copies it; the const_cast is its API's
  p.bytes = static_cast<long>(size);
  p.b_o_s = packetno_ == 0;
  p.e_o_s = eos;
  p.granulepos = granule;
  p.packetno = packetno_++;
  ogg_stream_packetin(&stream_, &p);
}

void OggMuxer::Drain(bool flush, std::vector<uint8_t>* out) {
  ogg_page page;
  while (flush ? ogg_stream_flush(&stream_, &page) != 0 : ogg_stream_pageout(&stream_, &page) != 0) {
    out->insert(out->end(), page.header, page.header + page.header_len);
    out->insert(out->end(), page.body, page.body + page.body_len);
    stats_.bytes += static_cast<uint64_t>(page.header_len + page.body_len);
    ++stats_.pages;
    const int64_t g = ogg_page_granulepos(&page);
    if (g > 0) flushed_granule_ = g;
  }
}

void OggMuxer::Start(std::vector<uint8_t>* out) {
  if (started_) return;
  started_ = true;
  // Each header packet ends its own page (RFC 7845 section 3).
  std::vector<uint8_t> packet;
  WriteOpusHead(options_.head, &packet);
  Append(packet.data(), packet.size(), 0, false);  // header packets have granule 0
  Drain(true, out);
  WriteOpusTags(options_.tags, &packet);
  Append(packet.data(), packet.size(), 0, false);
  Drain(true, out);
}

Status OggMuxer::Write(const uint8_t* packet, size_t size, std::vector<uint8_t>* out) {
  if (finished_) return Status(ErrorCode::kInvalidArgument, "The Ogg stream has been finished");
  if (packet == nullptr || size == 0 || size > kOpusMaxPacketBytes) {
    return OutOfRange("An Opus packet", 1, static_cast<double>(kOpusMaxPacketBytes), "bytes");
  }
  const int samples = opus_packet_get_nb_samples(packet, static_cast<opus_int32>(size), kOpusGranuleRate);
  if (samples <= 0) return Status::FromOpus(samples < 0 ? samples : OPUS_INVALID_PACKET);
  Start(out);
  // The newest packet is held back one Write, so that Finish can mark it EOS (libogg takes the
  // flag with the packet, and only Finish knows which packet was the last).
  if (!held_.empty()) Append(held_.data(), held_.size(), held_granule_, false);
  stats_.granule += samples;
  held_.assign(packet, packet + size);
  held_granule_ = stats_.granule;
  ++stats_.packets;
  // A page is due when libogg says it is full, and at the latest `flush_samples` after the last
  // one, so a live recording is readable up to its last second.
  Drain(stats_.granule - flushed_granule_ >= options_.flush_samples, out);
  return Status::Ok();
}

Status OggMuxer::Gap(int64_t samples, std::vector<uint8_t>* out) {
  if (finished_) return Status(ErrorCode::kInvalidArgument, "The Ogg stream has been finished");
  Status st = CheckRange("gap", samples, 0, static_cast<double>(kOggMaxGapSamples), "samples");
  if (!st.ok()) return st;
  if (options_.gap_mode == OggGapMode::kSilence) {
    for (; samples >= kOpusSilencePacketSamples; samples -= kOpusSilencePacketSamples) {
      st = Write(kOpusSilencePacket, sizeof(kOpusSilencePacket), out);
      if (!st.ok()) return st;
      ++stats_.silence_packets;
    }
  }
  if (samples == 0) return Status::Ok();
  // What is left (all of it in jump mode) moves the granule. A page states one granule, for its
  // last packet, and readers work the others back from it; so the jump has to fall between
  // pages: the packets before it go out now, on a page of their own.
  if (!held_.empty()) {
    Append(held_.data(), held_.size(), held_granule_, false);
    held_.clear();
  }
  Drain(true, out);
  stats_.granule += samples;
  return Status::Ok();
}

Status OggMuxer::Finish(std::vector<uint8_t>* out) {
  if (finished_) return Status::Ok();
  Start(out);
  finished_ = true;
  if (!held_.empty()) {
    Append(held_.data(), held_.size(), held_granule_, true);
    held_.clear();
  } else {
    // No audio at all: an empty packet carries the EOS flag.
    Append(nullptr, 0, stats_.granule, true);
  }
  Drain(true, out);
  return Status::Ok();
}

}  // namespace voxpool::container
