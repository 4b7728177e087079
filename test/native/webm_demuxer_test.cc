// The WebM Opus demuxer against streams written by a small EBML writer in this file (the product
// never parses EBML itself; libwebm does): SimpleBlocks and BlockGroups, the three lacings, track
// selection, timestamps, chunking, unknown sizes, truncation, refusals and limits. Files made by
// ffmpeg are compared with ffprobe in the JS tests.
#include "voxpool/container/webm_demuxer.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "voxpool/container/opus_head.h"

namespace voxpool::container {
namespace {

using Bytes = std::vector<uint8_t>;

// ---- a minimal EBML writer ------------------------------------------------------------------

namespace ebml {

constexpr uint32_t kEbml = 0x1A45DFA3, kDocType = 0x4282, kSegment = 0x18538067, kInfo = 0x1549A966,
                   kTimecodeScale = 0x2AD7B1, kTitle = 0x7BA9, kTracks = 0x1654AE6B,
                   kTrackEntry = 0xAE, kTrackNumber = 0xD7, kTrackType = 0x83, kCodecId = 0x86,
                   kCodecPrivate = 0x63A2, kCodecDelay = 0x56AA, kSeekPreRoll = 0x56BB,
                   kAudio = 0xE1, kSamplingFrequency = 0xB5, kChannels = 0x9F,
                   kContentEncodings = 0x6D80, kCluster = 0x1F43B675, kTimecode = 0xE7,
                   kSimpleBlock = 0xA3, kBlockGroup = 0xA0, kBlock = 0xA1, kBlockDuration = 0x9B,
                   kDiscardPadding = 0x75A2, kCues = 0x1C53BB6B;

void Append(Bytes* out, const Bytes& b) { out->insert(out->end(), b.begin(), b.end()); }

Bytes Id(uint32_t id) {
  Bytes b;
  for (int shift = 24; shift >= 0; shift -= 8) {
    if ((id >> shift) != 0 || !b.empty()) b.push_back(static_cast<uint8_t>(id >> shift));
  }
  return b;
}

// An EBML variable-size integer of `length` bytes (0: the shortest that holds `v`).
Bytes VarInt(uint64_t v, int length = 0) {
  if (length == 0) {
    length = 1;
    while (length < 8 && v >= (uint64_t{1} << (7 * length)) - 1) ++length;
  }
  v |= uint64_t{1} << (7 * length);
  Bytes b;
  for (int i = length - 1; i >= 0; --i) b.push_back(static_cast<uint8_t>(v >> (8 * i)));
  return b;
}

constexpr uint64_t kUnknown = ~uint64_t{0};

// An element; size kUnknown writes the 8-byte unknown size (what ffmpeg's live mode writes).
Bytes Element(uint32_t id, const Bytes& body, uint64_t size = 0) {
  Bytes out = Id(id);
  Append(&out, size == kUnknown ? Bytes{0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}
                                : VarInt(body.size()));
  Append(&out, body);
  return out;
}

Bytes Uint(uint32_t id, uint64_t v) {
  Bytes body;
  do {
    body.insert(body.begin(), static_cast<uint8_t>(v));
    v >>= 8;
  } while (v != 0);
  return Element(id, body);
}

Bytes Int(uint32_t id, int64_t v) {
  Bytes body;
  for (int i = 7; i >= 0; --i)
    body.push_back(static_cast<uint8_t>(static_cast<uint64_t>(v) >> (8 * i)));
  return Element(id, body);
}

Bytes Float(uint32_t id, double v) {
  uint64_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  Bytes body;
  for (int i = 7; i >= 0; --i) body.push_back(static_cast<uint8_t>(bits >> (8 * i)));
  return Element(id, body);
}

Bytes String(uint32_t id, const std::string& s) { return Element(id, Bytes(s.begin(), s.end())); }

Bytes Concat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) Append(&out, p);
  return out;
}

enum class Lacing { kNone, kXiph, kFixed, kEbml };

// A (Simple)Block body: track number, 16-bit timecode, flags, the lacing header, the frames.
Bytes BlockBody(uint64_t track, int16_t timecode, const std::vector<Bytes>& frames, Lacing lacing,
                bool simple) {
  Bytes b = VarInt(track);
  b.push_back(static_cast<uint8_t>(static_cast<uint16_t>(timecode) >> 8));
  b.push_back(static_cast<uint8_t>(timecode));
  const uint8_t lacing_bits = lacing == Lacing::kNone    ? 0
                              : lacing == Lacing::kXiph  ? 0x02
                              : lacing == Lacing::kFixed ? 0x04
                                                         : 0x06;
  b.push_back(static_cast<uint8_t>((simple ? 0x80 : 0) | lacing_bits));
  if (lacing != Lacing::kNone) {
    b.push_back(static_cast<uint8_t>(frames.size() - 1));
    if (lacing == Lacing::kXiph) {
      for (size_t i = 0; i + 1 < frames.size(); ++i) {
        size_t n = frames[i].size();
        for (; n >= 255; n -= 255) b.push_back(255);
        b.push_back(static_cast<uint8_t>(n));
      }
    } else if (lacing == Lacing::kEbml) {
      Append(&b, VarInt(frames[0].size()));
      for (size_t i = 1; i + 1 < frames.size(); ++i) {
        const int64_t diff =
            static_cast<int64_t>(frames[i].size()) - static_cast<int64_t>(frames[i - 1].size());
        int length = 1;
        while ((diff < 0 ? -diff : diff) > (int64_t{1} << (7 * length - 1)) - 2) ++length;
        Append(&b,
               VarInt(static_cast<uint64_t>(diff + (int64_t{1} << (7 * length - 1)) - 1), length));
      }
    }
  }
  for (const Bytes& f : frames) Append(&b, f);
  return b;
}

Bytes SimpleBlock(uint64_t track, int16_t timecode, const std::vector<Bytes>& frames,
                  Lacing lacing = Lacing::kNone) {
  return Element(kSimpleBlock, BlockBody(track, timecode, frames, lacing, true));
}

// A BlockGroup with its Block first, then (as ffmpeg writes them) BlockDuration and DiscardPadding.
Bytes BlockGroup(uint64_t track, int16_t timecode, const std::vector<Bytes>& frames,
                 Lacing lacing = Lacing::kNone, int64_t discard_padding_ns = 0) {
  Bytes body = Element(kBlock, BlockBody(track, timecode, frames, lacing, false));
  Append(&body, Uint(kBlockDuration, 20));
  if (discard_padding_ns != 0) Append(&body, Int(kDiscardPadding, discard_padding_ns));
  return Element(kBlockGroup, body);
}

Bytes Cluster(uint64_t timecode, const std::vector<Bytes>& blocks, bool unknown_size = false) {
  Bytes body = Uint(kTimecode, timecode);
  for (const Bytes& b : blocks) Append(&body, b);
  return Element(kCluster, body, unknown_size ? kUnknown : 0);
}

Bytes Header(const std::string& doc_type = "webm") {
  return Element(kEbml, String(kDocType, doc_type));
}

Bytes Info(uint64_t timecode_scale = 1000000) {
  return Element(kInfo, Uint(kTimecodeScale, timecode_scale));
}

struct Track {
  uint64_t number = 1;
  std::string codec_id = "A_OPUS";
  Bytes codec_private;
  uint64_t channels = 2;
  double rate = 48000;
  uint64_t codec_delay = 0;
  uint64_t seek_pre_roll = 0;
  Bytes extra;  // more children, written last
};

Bytes TrackEntry(const Track& t) {
  Bytes body =
      Concat({Uint(kTrackNumber, t.number), Uint(kTrackType, 2), String(kCodecId, t.codec_id)});
  if (!t.codec_private.empty()) Append(&body, Element(kCodecPrivate, t.codec_private));
  if (t.codec_delay != 0) Append(&body, Uint(kCodecDelay, t.codec_delay));
  if (t.seek_pre_roll != 0) Append(&body, Uint(kSeekPreRoll, t.seek_pre_roll));
  Append(&body,
         Element(kAudio, Concat({Float(kSamplingFrequency, t.rate), Uint(kChannels, t.channels)})));
  Append(&body, t.extra);
  return Element(kTrackEntry, body);
}

Bytes Tracks(const std::vector<Track>& tracks) {
  Bytes body;
  for (const Track& t : tracks) Append(&body, TrackEntry(t));
  return Element(kTracks, body);
}

Bytes Segment(const Bytes& body, bool unknown_size = false) {
  return Element(kSegment, body, unknown_size ? kUnknown : 0);
}

}  // namespace ebml

using ebml::Lacing;

Bytes Head(int channels = 2, int pre_skip = 312) {
  OpusHead head;
  head.channels = channels;
  head.pre_skip = pre_skip;
  head.input_sample_rate = 48000;
  Bytes h;
  WriteOpusHead(head, &h);
  return h;
}

ebml::Track OpusTrack(uint64_t number = 1) {
  ebml::Track t;
  t.number = number;
  t.codec_private = Head();
  t.codec_delay = 6500000;
  t.seek_pre_roll = 80000000;
  return t;
}

// A 20 ms stereo CELT packet (TOC config 31, stereo, one frame) of `size` bytes: 960 samples.
Bytes AudioPacket(size_t size, uint32_t seed) {
  Bytes p(size);
  std::mt19937 rng(seed);
  for (auto& b : p) b = static_cast<uint8_t>(rng());
  p[0] = 0xFC;
  return p;
}

std::vector<Bytes> Packets(size_t n, uint32_t seed, size_t big_at = SIZE_MAX) {
  std::vector<Bytes> packets;
  std::mt19937 rng(seed);
  for (size_t i = 0; i < n; ++i) {
    packets.push_back(
        AudioPacket(i == big_at ? 150000 : 20 + rng() % 300, seed + static_cast<uint32_t>(i)));
  }
  return packets;
}

// A file of `packets` in clusters of `per_cluster` SimpleBlocks (or BlockGroups), one packet a
// block, 20 ms apart, on track `track` of `tracks`.
struct FileSpec {
  std::vector<ebml::Track> tracks{OpusTrack()};
  uint64_t track = 1;
  size_t per_cluster = 10;
  bool block_groups = false;
  bool unknown_sizes = false;
  uint64_t timecode_scale = 1000000;
  int64_t last_discard_padding_ns = 0;
};

Bytes File(const std::vector<Bytes>& packets, const FileSpec& spec = {}) {
  Bytes body = ebml::Concat({ebml::Info(spec.timecode_scale), ebml::Tracks(spec.tracks)});
  const uint64_t ticks_per_packet = 20000000 / spec.timecode_scale;
  for (size_t first = 0; first < packets.size(); first += spec.per_cluster) {
    std::vector<Bytes> blocks;
    for (size_t i = first; i < std::min(packets.size(), first + spec.per_cluster); ++i) {
      const auto tc = static_cast<int16_t>((i - first) * ticks_per_packet);
      const int64_t padding = i + 1 == packets.size() ? spec.last_discard_padding_ns : 0;
      blocks.push_back(spec.block_groups
                           ? ebml::BlockGroup(spec.track, tc, {packets[i]}, Lacing::kNone, padding)
                           : ebml::SimpleBlock(spec.track, tc, {packets[i]}));
    }
    ebml::Append(&body, ebml::Cluster(first * ticks_per_packet, blocks, spec.unknown_sizes));
  }
  return ebml::Concat({ebml::Header(), ebml::Segment(body, spec.unknown_sizes)});
}

struct Demuxed {
  Status push;
  Status finish;
  std::vector<WebmEvent> events;
  std::vector<Bytes> payloads;
  WebmDemuxerStats stats;
  WebmTrackInfo track;
};

void Collect(const WebmOutput& out, Demuxed* r) {
  for (const WebmEvent& e : out.events) {
    r->events.push_back(e);
    r->payloads.emplace_back(out.bytes.begin() + e.offset, out.bytes.begin() + e.offset + e.size);
  }
}

// Pushes `file` in chunks of `chunk` bytes (0: all at once) and collects every event.
Demuxed Demux(const Bytes& file, size_t chunk = 0, WebmDemuxerOptions options = {}) {
  std::unique_ptr<WebmDemuxer> d;
  EXPECT_TRUE(WebmDemuxer::Create(options, &d).ok());
  Demuxed r;
  WebmOutput out;
  const size_t step = chunk == 0 ? file.size() : chunk;
  for (size_t at = 0; at < file.size() && r.push.ok(); at += step) {
    out.Clear();
    r.push = d->Push(file.data() + at, std::min(step, file.size() - at), &out);
    Collect(out, &r);
  }
  if (r.push.ok()) {
    out.Clear();
    r.finish = d->Finish(&out);
    Collect(out, &r);
  }
  r.stats = d->stats();
  r.track = d->track_info();
  return r;
}

std::vector<Bytes> AudioOf(const Demuxed& r) {
  std::vector<Bytes> audio;
  for (size_t i = 0; i < r.events.size(); ++i) {
    if (r.events[i].kind == WebmEventKind::kPacket) audio.push_back(r.payloads[i]);
  }
  return audio;
}

std::vector<int64_t> TimestampsOf(const Demuxed& r) {
  std::vector<int64_t> ts;
  for (const WebmEvent& e : r.events) {
    if (e.kind == WebmEventKind::kPacket) ts.push_back(e.timestamp_ns);
  }
  return ts;
}

std::vector<int64_t> Every20Ms(size_t n, int64_t start_ns = 0) {
  std::vector<int64_t> ts;
  for (size_t i = 0; i < n; ++i) ts.push_back(start_ns + static_cast<int64_t>(i) * 20000000);
  return ts;
}

TEST(WebmDemuxer, SimpleBlocksGiveTheHeadThenEveryPacketWithItsTimestamp) {
  const auto packets = Packets(35, 1);
  const Demuxed r = Demux(File(packets));
  ASSERT_TRUE(r.push.ok()) << r.push.message();
  ASSERT_TRUE(r.finish.ok()) << r.finish.message();
  ASSERT_EQ(r.events.size(), 1 + packets.size());
  EXPECT_EQ(r.events[0].kind, WebmEventKind::kHead);
  EXPECT_EQ(r.payloads[0], Head());
  OpusHead head;
  ASSERT_TRUE(ParseOpusHead(r.payloads[0].data(), r.payloads[0].size(), &head).ok());
  EXPECT_EQ(head.pre_skip, 312);
  for (size_t i = 0; i < packets.size(); ++i) {
    const WebmEvent& e = r.events[1 + i];
    ASSERT_EQ(e.kind, WebmEventKind::kPacket) << i;
    EXPECT_EQ(r.payloads[1 + i], packets[i]) << i;
    EXPECT_EQ(e.samples, 960) << i;
    EXPECT_EQ(e.trim_end, 0) << i;
    EXPECT_EQ(e.track, 1u);
  }
  EXPECT_EQ(TimestampsOf(r), Every20Ms(packets.size()));
  EXPECT_EQ(r.stats.frames, packets.size());
  EXPECT_EQ(r.stats.clusters, 4u);
  EXPECT_EQ(r.stats.other_track_frames, 0u);
  EXPECT_EQ(r.stats.bytes, File(packets).size());
  EXPECT_EQ(r.track.number, 1u);
  EXPECT_EQ(r.track.channels, 2u);
  EXPECT_EQ(r.track.sampling_frequency, 48000.0);
  EXPECT_EQ(r.track.codec_delay_ns, 6500000u);
  EXPECT_EQ(r.track.seek_pre_roll_ns, 80000000u);
  EXPECT_EQ(r.track.timecode_scale_ns, kWebmDefaultTimecodeScaleNs);
}

TEST(WebmDemuxer, BlockGroupsWorkAndDiscardPaddingTrimsTheLastPacket) {
  const auto packets = Packets(23, 2);
  FileSpec spec;
  spec.block_groups = true;
  spec.last_discard_padding_ns = 13500000;  // 648 samples, as ffmpeg writes for a 3 s sine
  const Demuxed r = Demux(File(packets, spec));
  ASSERT_TRUE(r.finish.ok()) << r.finish.message();
  EXPECT_EQ(AudioOf(r), packets);
  EXPECT_EQ(TimestampsOf(r), Every20Ms(packets.size()));
  for (size_t i = 1; i + 1 < r.events.size(); ++i) EXPECT_EQ(r.events[i].trim_end, 0) << i;
  EXPECT_EQ(r.events.back().trim_end, 648);
  EXPECT_EQ(r.stats.frames, packets.size());
}

TEST(WebmDemuxer, XiphEbmlAndFixedLacingGiveOneEventPerFrame) {
  const auto varied = Packets(7, 3);
  std::vector<Bytes> same;
  for (uint32_t i = 0; i < 5; ++i) same.push_back(AudioPacket(100, 40 + i));
  // Frames of 255 and 510 bytes take Xiph lacing's 255-continuation; one of 20 kB makes EBML
  // lacing's differences take more than one byte.
  std::vector<Bytes> edges{AudioPacket(255, 50), AudioPacket(510, 51), AudioPacket(20000, 52),
                           AudioPacket(3, 53)};
  for (const Lacing lacing : {Lacing::kXiph, Lacing::kEbml, Lacing::kFixed}) {
    SCOPED_TRACE(static_cast<int>(lacing));
    const std::vector<Bytes>& a = lacing == Lacing::kFixed ? same : varied;
    std::vector<Bytes> blocks{ebml::SimpleBlock(1, 0, a, lacing)};
    std::vector<Bytes> expected = a;
    if (lacing != Lacing::kFixed) {
      blocks.push_back(ebml::BlockGroup(1, 500, edges, lacing, 5000000));
      expected.insert(expected.end(), edges.begin(), edges.end());
    }
    const Bytes file = ebml::Concat(
        {ebml::Header(), ebml::Segment(ebml::Concat({ebml::Info(), ebml::Tracks({OpusTrack()}),
                                                     ebml::Cluster(1000, blocks)}))});
    for (size_t chunk : {0, 1, 97}) {
      const Demuxed r = Demux(file, chunk);
      ASSERT_TRUE(r.finish.ok()) << r.finish.message();
      ASSERT_EQ(AudioOf(r), expected) << "chunk " << chunk;
      // A laced block's frames follow one another by their samples (960 each: 20 ms).
      std::vector<int64_t> ts = Every20Ms(a.size(), 1000000000);
      if (lacing != Lacing::kFixed) {
        const auto more = Every20Ms(edges.size(), 1500000000);
        ts.insert(ts.end(), more.begin(), more.end());
      }
      EXPECT_EQ(TimestampsOf(r), ts);
      // DiscardPadding trims the BlockGroup's last frame only: 5 ms is 240 samples.
      EXPECT_EQ(r.events.back().trim_end, lacing == Lacing::kFixed ? 0 : 240);
      EXPECT_EQ(r.events[r.events.size() - 2].trim_end, 0);
    }
  }
}

TEST(WebmDemuxer, TheFirstOpusTrackIsFollowedOrTheOneTheOptionsName) {
  ebml::Track video;
  video.number = 1;
  video.codec_id = "V_VP8";
  video.codec_private = Bytes(300, 0x55);
  const ebml::Track first = OpusTrack(2);
  ebml::Track second = OpusTrack(3);
  second.codec_private = Head(1, 3840);
  second.channels = 1;
  const auto a = Packets(12, 4);
  const auto b = Packets(12, 5);
  std::vector<Bytes> blocks;
  for (size_t i = 0; i < a.size(); ++i) {
    const auto tc = static_cast<int16_t>(i * 20);
    blocks.push_back(ebml::SimpleBlock(1, tc, {AudioPacket(50, 100)}));
    blocks.push_back(ebml::SimpleBlock(2, tc, {a[i]}));
    blocks.push_back(ebml::BlockGroup(3, tc, {b[i], b[i]}, Lacing::kXiph));
  }
  const Bytes file =
      ebml::Concat({ebml::Header("matroska"),
                    ebml::Segment(ebml::Concat({ebml::Info(), ebml::Tracks({video, first, second}),
                                                ebml::Cluster(0, blocks)}))});
  const Demuxed any = Demux(file, 333);
  ASSERT_TRUE(any.finish.ok()) << any.finish.message();
  EXPECT_EQ(AudioOf(any), a);
  EXPECT_EQ(any.stats.other_track_frames, a.size() + 2 * b.size());
  EXPECT_EQ(any.track.number, 2u);
  WebmDemuxerOptions chosen;
  chosen.track = 3;
  const Demuxed r = Demux(file, 333, chosen);
  ASSERT_TRUE(r.finish.ok()) << r.finish.message();
  std::vector<Bytes> doubled;
  for (const Bytes& p : b) doubled.insert(doubled.end(), {p, p});
  EXPECT_EQ(AudioOf(r), doubled);
  EXPECT_EQ(r.payloads[0], Head(1, 3840));
  EXPECT_EQ(r.events[1].track, 3u);
  EXPECT_EQ(r.track.channels, 1u);
  EXPECT_EQ(r.stats.other_track_frames, 2 * a.size());

  chosen.track = 1;
  const Demuxed not_opus = Demux(file, 0, chosen);
  EXPECT_EQ(not_opus.push.code(), ErrorCode::kMalformedContainer);
  EXPECT_EQ(not_opus.push.message(), "WebM track 1 is not Opus (CodecID \"V_VP8\")");
  chosen.track = 4;
  const Demuxed none = Demux(file, 0, chosen);
  EXPECT_EQ(none.push.code(), ErrorCode::kMalformedContainer);
  EXPECT_EQ(none.push.message(), "This WebM input holds no Opus track with number 4");

  ebml::Track vorbis = OpusTrack(1);
  vorbis.codec_id = "A_VORBIS";
  const Demuxed no_opus = Demux(File(a, FileSpec{{vorbis}}));
  EXPECT_EQ(no_opus.push.code(), ErrorCode::kMalformedContainer);
  EXPECT_EQ(no_opus.push.message(), "This WebM input holds no Opus track");
}

TEST(WebmDemuxer, TimestampsFollowTheTimecodeScale) {
  // 0.1 ms ticks; Block timecodes are offsets from the Cluster's and may be negative.
  const auto packets = Packets(4, 6);
  const Bytes file =
      ebml::Concat({ebml::Header(),
                    ebml::Segment(ebml::Concat(
                        {ebml::Info(100000), ebml::Tracks({OpusTrack()}),
                         ebml::Cluster(1000, {ebml::SimpleBlock(1, -10, {packets[0]}),
                                              ebml::SimpleBlock(1, 200, {packets[1]})}),
                         ebml::Cluster(300000, {ebml::BlockGroup(1, 32767, {packets[2]}),
                                                ebml::SimpleBlock(1, -32768, {packets[3]})})}))});
  const Demuxed r = Demux(file);
  ASSERT_TRUE(r.finish.ok()) << r.finish.message();
  EXPECT_EQ(TimestampsOf(r), (std::vector<int64_t>{99000000, 120000000, 33276700000, 26723200000}));
  EXPECT_EQ(r.track.timecode_scale_ns, 100000u);
  const Bytes early = ebml::Concat(
      {ebml::Header(),
       ebml::Segment(ebml::Concat({ebml::Info(), ebml::Tracks({OpusTrack()}),
                                   ebml::Cluster(0, {ebml::SimpleBlock(1, -13, {packets[0]})})}))});
  EXPECT_EQ(TimestampsOf(Demux(early)), std::vector<int64_t>{-13000000});
}

TEST(WebmDemuxer, AnyChunkingGivesTheSameEvents) {
  // Packet 20 is 150 kB: most chunkings cut it, and it is then gathered across calls.
  for (const bool groups : {false, true}) {
    FileSpec spec;
    spec.block_groups = groups;
    spec.last_discard_padding_ns = 2000000;
    const Bytes file = File(Packets(40, 7, 20), spec);
    const Demuxed whole = Demux(file);
    ASSERT_TRUE(whole.finish.ok()) << whole.finish.message();
    EXPECT_EQ(AudioOf(whole)[20].size(), 150000u);
    for (size_t chunk : {1, 2, 7, 4096, 65536, 100000}) {
      SCOPED_TRACE(chunk);
      const Demuxed r = Demux(file, chunk);
      ASSERT_TRUE(r.finish.ok()) << r.finish.message();
      ASSERT_EQ(r.payloads, whole.payloads);
      ASSERT_EQ(r.events.size(), whole.events.size());
      for (size_t i = 0; i < r.events.size(); ++i) {
        EXPECT_EQ(r.events[i].kind, whole.events[i].kind) << i;
        EXPECT_EQ(r.events[i].timestamp_ns, whole.events[i].timestamp_ns) << i;
        EXPECT_EQ(r.events[i].samples, whole.events[i].samples) << i;
        EXPECT_EQ(r.events[i].trim_end, whole.events[i].trim_end) << i;
      }
      EXPECT_EQ(r.stats.frames, whole.stats.frames);
    }
    EXPECT_EQ(whole.events.back().trim_end, groups ? 96 : 0)
        << "a SimpleBlock has no DiscardPadding";
  }
}

TEST(WebmDemuxer, UnknownSizeSegmentAndClustersAsALiveStreamWritesThem) {
  const auto packets = Packets(45, 8);
  FileSpec spec;
  spec.unknown_sizes = true;
  for (size_t chunk : {0, 1, 50}) {
    const Demuxed r = Demux(File(packets, spec), chunk);
    ASSERT_TRUE(r.push.ok()) << r.push.message();
    ASSERT_TRUE(r.finish.ok()) << r.finish.message();
    EXPECT_EQ(AudioOf(r), packets);
    EXPECT_EQ(TimestampsOf(r), Every20Ms(packets.size()));
    EXPECT_EQ(r.stats.clusters, 5u);
  }
  // A live stream cut between two elements ends cleanly; cut inside a block it is truncated.
  const Bytes file = File(packets, spec);
  const Bytes tail = ebml::SimpleBlock(1, 80, {packets.back()});
  const Demuxed clean =
      Demux(Bytes(file.begin(), file.end() - static_cast<ptrdiff_t>(tail.size())));
  ASSERT_TRUE(clean.finish.ok()) << clean.finish.message();
  EXPECT_EQ(AudioOf(clean).size(), packets.size() - 1);
  const Demuxed cut = Demux(Bytes(file.begin(), file.end() - 5));
  EXPECT_EQ(cut.finish.code(), ErrorCode::kStreamTruncated);
  EXPECT_EQ(cut.finish.message(), "The WebM input ends inside an element");
}

TEST(WebmDemuxer, TruncatedInputEndsWithStreamTruncated) {
  const Bytes file = File(Packets(20, 9));
  const Demuxed r = Demux(Bytes(file.begin(), file.end() - 40), 512);
  ASSERT_TRUE(r.push.ok());
  EXPECT_EQ(r.finish.code(), ErrorCode::kStreamTruncated);
  EXPECT_EQ(r.finish.message(), "The WebM input ends inside an element");
  const Demuxed empty = Demux(Bytes{});
  EXPECT_EQ(empty.finish.code(), ErrorCode::kStreamTruncated);
  EXPECT_EQ(empty.finish.message(), "The WebM input ended before its first element");
  const Demuxed header = Demux(ebml::Header());
  EXPECT_EQ(header.finish.code(), ErrorCode::kStreamTruncated);
  EXPECT_EQ(header.finish.message(), "The WebM input ended before its Tracks");
  const Demuxed no_frames = Demux(ebml::Concat(
      {ebml::Header(),
       ebml::Segment(ebml::Concat({ebml::Info(), ebml::Tracks({OpusTrack()})}), true)}));
  EXPECT_EQ(no_frames.finish.code(), ErrorCode::kStreamTruncated);
  EXPECT_EQ(no_frames.finish.message(), "The WebM input ended before its first Opus frame");
  ASSERT_EQ(no_frames.events.size(), 1u) << "the head was emitted";
}

TEST(WebmDemuxer, InputThatIsNotWebmIsRefusedAndTheDemuxerStaysSpent) {
  Bytes noise(100000);
  std::mt19937 rng(10);
  for (auto& b : noise) b = static_cast<uint8_t>(rng());
  noise[0] = 0x83;  // a valid one-byte ID and size, so the refusal is the demuxer's own
  noise[1] = 0x81;
  std::unique_ptr<WebmDemuxer> d;
  ASSERT_TRUE(WebmDemuxer::Create({}, &d).ok());
  WebmOutput out;
  Status st = d->Push(noise.data(), 4096, &out);
  EXPECT_EQ(st.code(), ErrorCode::kMalformedContainer);
  EXPECT_EQ(st.message(), "This input is not WebM: it does not begin with an EBML header");
  EXPECT_EQ(d->Push(noise.data() + 4096, 4096, &out).message(), st.message()) << "sticky";
  EXPECT_EQ(d->Finish(&out).message(), st.message());
  EXPECT_TRUE(out.events.empty());

  noise[0] = 0x00;  // not an EBML ID at all: libwebm's own refusal, with its status code
  const Demuxed r = Demux(noise, 1);
  EXPECT_EQ(r.push.code(), ErrorCode::kMalformedContainer);
  EXPECT_EQ(r.push.message(),
            "libwebm could not parse this WebM input (status -1025, kInvalidElementId)");
  EXPECT_EQ(r.stats.bytes, 1u);

  const Demuxed ogg = Demux(ebml::Concat({ebml::Header("ogg"), ebml::Segment({})}));
  EXPECT_EQ(ogg.push.message(), "This EBML input is not WebM or Matroska (DocType \"ogg\")");
  Bytes two = File(Packets(3, 11));
  const Bytes again = File(Packets(3, 12));
  two.insert(two.end(), again.begin(), again.end());
  EXPECT_EQ(Demux(two).push.message(), "This WebM input holds more than one Segment");
  const Bytes outside = ebml::Concat({ebml::Header(), ebml::Cluster(0, {})});
  EXPECT_EQ(Demux(outside).push.message(),
            "This WebM input has an element (ID 0x1F43B675) outside its Segment");
}

TEST(WebmDemuxer, AnElementIdRunningPastItsParentIsRefusedInAnyChunking) {
  // Debian's libwebm asserts (aborting the process) when it resumes inside an ID that has reached
  // its parent's end; the demuxer makes it read such an ID whole, and libwebm refuses it.
  ebml::Track straddling = OpusTrack();
  straddling.extra = Bytes{0x1F, 0x43};  // the first half of a Cluster ID, inside the TrackEntry
  // The same after an element libwebm does not know there, whose body it skips: an EBML header ID
  // is a master only at the top level.
  ebml::Track after_unknown = straddling;
  after_unknown.extra = ebml::Concat({ebml::Header(), Bytes{0x1F, 0x43}});
  for (const ebml::Track& track : {straddling, after_unknown}) {
    const Bytes file = File(Packets(3, 17), FileSpec{{track}});
    for (size_t chunk : {0, 1, 2, 3}) {
      const Demuxed r = Demux(file, chunk);
      EXPECT_EQ(r.push.code(), ErrorCode::kMalformedContainer) << chunk;
      EXPECT_EQ(r.push.message(),
                "libwebm could not parse this WebM input (status -1028, kElementOverflow)")
          << chunk;
    }
  }
  // Only a Segment or a Cluster may have an unknown size (libwebm takes it on any master).
  const Bytes open_tracks =
      ebml::Concat({ebml::Header(),
                    ebml::Segment(ebml::Concat(
                        {ebml::Info(), ebml::Element(ebml::kTracks, ebml::TrackEntry(OpusTrack()),
                                                     ebml::kUnknown)}))});
  EXPECT_EQ(Demux(open_tracks).push.message(),
            "A WebM element (ID 0x1654AE6B) has an unknown size, which only a Segment or a Cluster "
            "may have");
  EXPECT_EQ(Demux(ebml::Element(ebml::kEbml, ebml::String(ebml::kDocType, "webm"), ebml::kUnknown))
                .push.message(),
            "A WebM element (ID 0x1A45DFA3) has an unknown size, which only a Segment or a Cluster "
            "may have");
  // A valid element that close to its parent's end (an empty Void) is only delayed.
  ebml::Track padded = OpusTrack();
  padded.extra = Bytes{0xEC, 0x80};
  const auto packets = Packets(3, 18);
  for (size_t chunk : {0, 1, 2}) {
    const Demuxed r = Demux(File(packets, FileSpec{{padded}}), chunk);
    ASSERT_TRUE(r.finish.ok()) << r.finish.message();
    EXPECT_EQ(AudioOf(r), packets) << chunk;
  }
}

TEST(WebmDemuxer, AFrameOverTheLimitIsRefusedBeforeItIsRead) {
  WebmDemuxerOptions options;
  options.max_frame_bytes = 1000;
  const auto packets = Packets(3, 13);
  std::vector<Bytes> blocks{ebml::SimpleBlock(1, 0, {packets[0]}),
                            ebml::SimpleBlock(1, 20, {AudioPacket(2000, 14)})};
  const Bytes file = ebml::Concat(
      {ebml::Header(), ebml::Segment(ebml::Concat({ebml::Info(), ebml::Tracks({OpusTrack()}),
                                                   ebml::Cluster(0, blocks)}))});
  // Push everything up to the big block's header (ID, 2-byte size, track, timecode, flags): the
  // refusal comes before any of the frame's bytes have arrived.
  const size_t frame_start = file.size() - 2000;
  std::unique_ptr<WebmDemuxer> d;
  ASSERT_TRUE(WebmDemuxer::Create(options, &d).ok());
  WebmOutput out;
  Status st = d->Push(file.data(), frame_start, &out);
  EXPECT_EQ(st.code(), ErrorCode::kMalformedContainer);
  EXPECT_EQ(st.message(), "A WebM frame of 2000 bytes exceeds maxFrameBytes (1000)");
  EXPECT_EQ(d->stats().frames, 1u);
  out.Clear();
  EXPECT_EQ(d->Push(file.data() + frame_start, 10, &out).code(), ErrorCode::kMalformedContainer)
      << "sticky";
  EXPECT_EQ(d->Finish(&out).code(), ErrorCode::kMalformedContainer);

  // A block that claims 100 MiB under the default limit, in a live stream (unknown-size Segment
  // and Cluster, 1-byte sizes): refused from its 12-byte header.
  Bytes huge = ebml::Id(ebml::kSimpleBlock);
  ebml::Append(&huge, ebml::VarInt(100u << 20, 4));
  ebml::Append(&huge, Bytes{0x81, 0x00, 0x00, 0x80});
  const Bytes stream =
      ebml::Concat({ebml::Header(), ebml::Id(ebml::kSegment), Bytes{0xFF}, ebml::Info(),
                    ebml::Tracks({OpusTrack()}), ebml::Id(ebml::kCluster), Bytes{0xFF},
                    ebml::Uint(ebml::kTimecode, 0), huge});
  const Demuxed big = Demux(stream);
  EXPECT_EQ(big.push.message(), "A WebM frame of 104857596 bytes exceeds maxFrameBytes (16777216)");
}

TEST(WebmDemuxer, WhatLibwebmWouldHoldIsBounded) {
  const auto packets = Packets(5, 15);
  // A 100 kB Title is skipped unread; the file still plays.
  Bytes body = ebml::Concat(
      {ebml::Element(ebml::kInfo,
                     ebml::Concat({ebml::Uint(ebml::kTimecodeScale, 1000000),
                                   ebml::String(ebml::kTitle, std::string(100000, 't'))})),
       ebml::Tracks({OpusTrack()}), ebml::Element(ebml::kCues, Bytes(70000, 0xEC)),
       ebml::Cluster(0, {ebml::SimpleBlock(1, 0, {packets[0]})})});
  const Demuxed titled = Demux(ebml::Concat({ebml::Header(), ebml::Segment(body)}), 1000);
  ASSERT_TRUE(titled.finish.ok()) << titled.finish.message();
  EXPECT_EQ(AudioOf(titled).size(), 1u);

  // The Opus track's own CodecPrivate over the limit is refused.
  ebml::Track big = OpusTrack();
  big.codec_private = Head();
  big.codec_private.resize(kWebmMaxElementBytes + 1);
  EXPECT_EQ(Demux(File(packets, FileSpec{{big}})).push.message(),
            "The WebM Opus track's CodecPrivate of 65537 bytes exceeds 65536");
  ebml::Track bad_head = OpusTrack();
  bad_head.codec_private = Bytes{'O', 'p', 'u', 's'};
  EXPECT_EQ(Demux(File(packets, FileSpec{{bad_head}})).push.code(), ErrorCode::kMalformedContainer);
  ebml::Track encrypted = OpusTrack();
  encrypted.extra = ebml::Element(ebml::kContentEncodings, Bytes{0x62, 0x40, 0x80});
  EXPECT_EQ(
      Demux(File(packets, FileSpec{{encrypted}})).push.message(),
      "The WebM Opus track is compressed or encrypted (ContentEncodings), which is not supported");

  // A Cluster of more blocks than libwebm may be made to keep.
  Bytes cluster = ebml::Uint(ebml::kTimecode, 0);
  const Bytes block = ebml::SimpleBlock(1, 0, {Bytes{0xFC}});
  for (size_t i = 0; i <= kWebmMaxBlocksPerCluster; ++i) ebml::Append(&cluster, block);
  const Demuxed crowded = Demux(ebml::Concat(
      {ebml::Header(), ebml::Segment(ebml::Concat({ebml::Info(), ebml::Tracks({OpusTrack()}),
                                                   ebml::Element(ebml::kCluster, cluster)}))}));
  EXPECT_EQ(crowded.push.message(), "A WebM Cluster holds more than 65536 blocks");
  EXPECT_EQ(crowded.stats.frames, kWebmMaxBlocksPerCluster);
}

TEST(WebmDemuxer, ATrackWithoutCodecPrivateHasNoHeadEvent) {
  ebml::Track bare = OpusTrack();
  bare.codec_private.clear();
  const auto packets = Packets(3, 16);
  const Demuxed r = Demux(File(packets, FileSpec{{bare}}));
  ASSERT_TRUE(r.finish.ok()) << r.finish.message();
  ASSERT_EQ(r.events.size(), packets.size());
  EXPECT_EQ(AudioOf(r), packets);
}

// ---- seeking ---------------------------------------------------------------------------------

namespace ebml {
constexpr uint32_t kSeekHead = 0x114D9B74, kSeek = 0x4DBB, kSeekId = 0x53AB,
                   kSeekPosition = 0x53AC, kCuePoint = 0xBB, kCueTime = 0xB3,
                   kCueTrackPositions = 0xB7, kCueTrack = 0xF7, kCueClusterPosition = 0xF1;
// An unsigned integer in 8 bytes, so that a position written before it is known keeps its size.
Bytes Uint8Bytes(uint32_t id, uint64_t v) {
  Bytes body;
  for (int i = 7; i >= 0; --i) body.push_back(static_cast<uint8_t>(v >> (8 * i)));
  return Element(id, body);
}
}  // namespace ebml

// A file as ffmpeg writes one: SeekHead (naming the Cues), Info, Tracks, Clusters of
// `per_cluster` packets, then Cues with a CuePoint per Cluster. Positions are absolute.
struct IndexedFile {
  Bytes bytes;
  uint64_t cues = 0;                  // where the Cues begin
  std::vector<uint64_t> clusters;     // where each Cluster begins
  std::vector<int64_t> cluster_ns;    // its timecode in ns
};

IndexedFile Indexed(const std::vector<Bytes>& packets, size_t per_cluster) {
  using namespace ebml;
  const Bytes info_tracks = Concat({Info(), Tracks({OpusTrack()})});
  std::vector<Bytes> clusters;
  std::vector<int64_t> times;
  for (size_t first = 0; first < packets.size(); first += per_cluster) {
    std::vector<Bytes> blocks;
    for (size_t i = first; i < std::min(packets.size(), first + per_cluster); ++i)
      blocks.push_back(SimpleBlock(1, static_cast<int16_t>((i - first) * 20), {packets[i]}));
    clusters.push_back(Cluster(first * 20, blocks));
    times.push_back(static_cast<int64_t>(first) * 20000000);
  }
  auto seek_head = [](uint64_t cues_rel) {
    return Element(kSeekHead, Element(kSeek, Concat({Element(kSeekId, Id(kCues)),
                                                     Uint8Bytes(kSeekPosition, cues_rel)})));
  };
  uint64_t rel = seek_head(0).size() + info_tracks.size();
  std::vector<uint64_t> cluster_rel;
  Bytes body_clusters;
  for (const Bytes& c : clusters) {
    cluster_rel.push_back(rel);
    rel += c.size();
    Append(&body_clusters, c);
  }
  Bytes cue_points;
  for (size_t k = 0; k < clusters.size(); ++k) {
    Append(&cue_points,
           Element(kCuePoint, Concat({Uint(kCueTime, static_cast<uint64_t>(times[k] / 1000000)),
                                      Element(kCueTrackPositions,
                                              Concat({Uint(kCueTrack, 1),
                                                      Uint8Bytes(kCueClusterPosition,
                                                                 cluster_rel[k])}))})));
  }
  const Bytes body =
      Concat({seek_head(rel), info_tracks, body_clusters, Element(kCues, cue_points)});
  IndexedFile f;
  f.bytes = Concat({Header(), Segment(body)});
  const uint64_t data = f.bytes.size() - body.size();
  f.cues = data + rel;
  for (uint64_t r : cluster_rel) f.clusters.push_back(data + r);
  f.cluster_ns = times;
  return f;
}

TEST(WebmDemuxer, TheIndexNamesTheCuesTheFirstClusterAndEachCuePoint) {
  const auto packets = Packets(50, 31);
  const IndexedFile f = Indexed(packets, 10);
  WebmDemuxerOptions o;
  o.index = true;
  for (size_t chunk : {size_t{0}, size_t{13}}) {
    const Demuxed r = Demux(f.bytes, chunk, o);
    ASSERT_TRUE(r.finish.ok()) << r.finish.message();
    EXPECT_EQ(AudioOf(r), packets);
    std::vector<uint64_t> cue_positions;
    std::vector<int64_t> cue_times;
    uint64_t cues_at = 0, cues_end = 0, first_cluster = 0;
    for (const WebmEvent& e : r.events) {
      if (e.kind == WebmEventKind::kCuesAt) cues_at = e.position;
      if (e.kind == WebmEventKind::kCues) cues_end = e.position;
      if (e.kind == WebmEventKind::kFirstCluster) first_cluster = e.position;
      if (e.kind == WebmEventKind::kCuePoint) {
        cue_positions.push_back(e.position);
        cue_times.push_back(e.timestamp_ns);
      }
    }
    EXPECT_EQ(cues_at, f.cues);
    EXPECT_EQ(cues_end, f.bytes.size());
    EXPECT_EQ(first_cluster, f.clusters[0]);
    EXPECT_EQ(cue_positions, f.clusters);
    EXPECT_EQ(cue_times, f.cluster_ns);
  }
  // Without options.index, the same file gives no index events.
  const Demuxed plain = Demux(f.bytes);
  EXPECT_EQ(plain.events.size(), packets.size() + 1);
}

TEST(WebmDemuxer, SeekReadsTheCuesThenResumesAtACluster) {
  const auto packets = Packets(50, 32);
  const IndexedFile f = Indexed(packets, 10);
  WebmDemuxerOptions o;
  o.index = true;
  o.start_ns = 2 * 10 * 20000000 + 5 * 20000000 - 6500000 + 1;  // inside packet 25
  std::unique_ptr<WebmDemuxer> d;
  ASSERT_TRUE(WebmDemuxer::Create(o, &d).ok());
  Demuxed r;
  WebmOutput out;
  ASSERT_TRUE(d->Push(f.bytes.data(), f.clusters[0] + 20, &out).ok());  // into the first Cluster
  Collect(out, &r);
  out.Clear();
  ASSERT_TRUE(d->Seek(f.cues).ok());
  ASSERT_TRUE(d->Push(f.bytes.data() + f.cues, f.bytes.size() - f.cues, &out).ok());
  size_t cue_points = 0;
  for (const WebmEvent& e : out.events) cue_points += e.kind == WebmEventKind::kCuePoint;
  EXPECT_EQ(cue_points, 5u);
  out.Clear();
  ASSERT_TRUE(d->Seek(f.clusters[2]).ok());
  for (size_t at = f.clusters[2]; at < f.cues; at += 7) {  // chunked, up to the Cues
    ASSERT_TRUE(d->Push(f.bytes.data() + at, std::min<size_t>(7, f.cues - at), &out).ok());
  }
  ASSERT_TRUE(d->Finish(&out).ok());
  r = {};
  Collect(out, &r);
  // Cluster 2 holds packets 20..29; 20..24 end before the start (the CodecDelay counted).
  const auto audio = AudioOf(r);
  ASSERT_EQ(audio.size(), 25u);
  EXPECT_EQ(audio, std::vector<Bytes>(packets.begin() + 25, packets.end()));
  EXPECT_EQ(TimestampsOf(r), Every20Ms(25, 25 * 20000000));
  EXPECT_EQ(d->stats().seeks, 2u);
  EXPECT_EQ(d->stats().dropped_frames, 5u);  // the first Push ended inside the first block
}

TEST(WebmDemuxer, ASeekMustLandOnAClusterOrTheCuesInsideTheSegment) {
  const auto packets = Packets(30, 33);
  const IndexedFile f = Indexed(packets, 10);
  std::unique_ptr<WebmDemuxer> d;
  ASSERT_TRUE(WebmDemuxer::Create({}, &d).ok());
  Status st = d->Seek(f.clusters[1]);
  EXPECT_EQ(st.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(st.message(), "Seek before the followed track's TrackEntry has been read");
  WebmOutput out;
  ASSERT_TRUE(d->Push(f.bytes.data(), f.clusters[0] + 20, &out).ok());  // into the first Cluster
  st = d->Seek(f.bytes.size() + 5);
  EXPECT_EQ(st.message(), "Seek to byte " + std::to_string(f.bytes.size() + 5) +
                              ", outside the WebM Segment");
  // Landing inside a Cluster's ID, inside a block, or on a block: refused, never read as found.
  for (uint64_t landing : {f.clusters[1] + 1, f.clusters[1] + 9, f.clusters[1] + 6}) {
    ASSERT_TRUE(WebmDemuxer::Create({}, &d).ok());
    ASSERT_TRUE(d->Push(f.bytes.data(), f.clusters[0] + 20, &out).ok());
    ASSERT_TRUE(d->Seek(landing).ok());
    st = d->Push(f.bytes.data() + landing, f.bytes.size() - landing, &out);
    if (st.ok()) st = d->Finish(&out);
    EXPECT_EQ(st.code(), ErrorCode::kMalformedContainer) << landing - f.clusters[1];
  }
  ASSERT_TRUE(d->Finish(&out).code() == ErrorCode::kMalformedContainer);
  EXPECT_EQ(d->Seek(f.clusters[0]).code(), ErrorCode::kMalformedContainer);  // spent
}

TEST(WebmDemuxer, OptionsAreChecked) {
  std::unique_ptr<WebmDemuxer> d;
  WebmDemuxerOptions o;
  o.track = 0;
  Status st = WebmDemuxer::Create(o, &d);
  EXPECT_EQ(st.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(st.message(), "track must be from 1 to 4294967295");
  o = {};
  o.max_frame_bytes = 0;
  st = WebmDemuxer::Create(o, &d);
  EXPECT_EQ(st.message(), "maxFrameBytes must be from 1 to 268435456 bytes");
  o.max_frame_bytes = 1;
  o.start_ns = -1;
  st = WebmDemuxer::Create(o, &d);
  EXPECT_EQ(st.message(), "startNs must be from 0 to 9007199254740992 ns");
  o.start_ns = 0;
  o.max_frame_bytes = kWebmMaxFrameBytesLimit;
  o.track = kWebmMaxTrackNumber;
  ASSERT_TRUE(WebmDemuxer::Create(o, &d).ok());
  EXPECT_EQ(d->track(), kWebmAnyTrack);
  WebmOutput out;
  EXPECT_EQ(d->Push(nullptr, 1, &out).code(), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(d->Push(nullptr, 0, &out).ok());
}

}  // namespace
}  // namespace voxpool::container
