// The Ogg Opus demuxer against streams written by libogg itself (ogg_stream_packetin /
// pageout): packets, granules, chunking, chains, multiplexing, corruption and limits.
#include "voxpool/container/ogg_demuxer.h"

#include <gtest/gtest.h>
#include <ogg/ogg.h>

#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

#include "voxpool/container/opus_head.h"

namespace voxpool::container {
namespace {

using Bytes = std::vector<uint8_t>;

// A 20 ms stereo CELT packet (TOC config 31, stereo, one frame) of `size` bytes: 960 samples.
Bytes AudioPacket(size_t size, uint32_t seed) {
  Bytes p(size);
  std::mt19937 rng(seed);
  for (auto& b : p) b = static_cast<uint8_t>(rng());
  p[0] = 0xFC;
  return p;
}

// Writes one logical Ogg Opus stream with libogg: OpusHead and OpusTags on their own pages, then
// the audio packets, `per_page` to a page; the last page is EOS with granule `final_granule`
// (-1: the sum of the samples).
class StreamWriter {
 public:
  explicit StreamWriter(int serial) { ogg_stream_init(&os_, serial); }
  ~StreamWriter() { ogg_stream_clear(&os_); }

  void Headers(Bytes* out, int pre_skip = 312) {
    OpusHead head;
    head.pre_skip = pre_skip;
    head.input_sample_rate = 48000;
    Bytes h;
    WriteOpusHead(head, &h);
    Put(h, true, false, 0, out);
    Flush(out);
    OpusTags tags;
    tags.vendor = "voxpool test";
    tags.comments = {"TITLE=sine", "ARTIST=libogg"};
    Bytes t;
    WriteOpusTags(tags, &t);
    Put(t, false, false, 0, out);
    Flush(out);
  }

  // Packets [blind_from, blind_to) are written without a granule (-1), as a careless muxer
  // might: the pages they end get none.
  void Audio(const std::vector<Bytes>& packets, size_t per_page, Bytes* out,
             int64_t final_granule = -1, size_t blind_from = SIZE_MAX, size_t blind_to = SIZE_MAX) {
    int64_t granule = 0;
    for (size_t i = 0; i < packets.size(); ++i) {
      granule += 960;
      const bool last = i + 1 == packets.size();
      const bool blind = i >= blind_from && i < blind_to;
      Put(packets[i], false, last,
          blind ? -1 : last && final_granule >= 0 ? final_granule : granule, out);
      if ((i + 1) % per_page == 0 || last) Flush(out);
    }
  }

 private:
  void Put(const Bytes& data, bool bos, bool eos, int64_t granule, Bytes* out) {
    ogg_packet p{};
    p.packet = const_cast<unsigned char*>(data.data());
    p.bytes = static_cast<long>(data.size());
    p.b_o_s = bos;
    p.e_o_s = eos;
    p.granulepos = granule;
    p.packetno = packetno_++;
    ogg_stream_packetin(&os_, &p);
    (void)out;
  }
  void Flush(Bytes* out) {
    ogg_page page;
    while (ogg_stream_flush(&os_, &page) != 0) {
      out->insert(out->end(), page.header, page.header + page.header_len);
      out->insert(out->end(), page.body, page.body + page.body_len);
    }
  }
  ogg_stream_state os_;
  int64_t packetno_ = 0;
};

std::vector<Bytes> Packets(size_t n, uint32_t seed, size_t big_at = SIZE_MAX) {
  std::vector<Bytes> packets;
  std::mt19937 rng(seed);
  for (size_t i = 0; i < n; ++i) {
    packets.push_back(AudioPacket(i == big_at ? 150000 : 20 + rng() % 300, seed + static_cast<uint32_t>(i)));
  }
  return packets;
}

Bytes OneStream(int serial, const std::vector<Bytes>& packets, size_t per_page = 5, int64_t final_granule = -1) {
  Bytes file;
  StreamWriter w(serial);
  w.Headers(&file);
  w.Audio(packets, per_page, &file, final_granule);
  return file;
}

struct Demuxed {
  Status push;
  Status finish;
  std::vector<OggEvent> events;
  std::vector<Bytes> payloads;
  OggDemuxerStats stats;
};

// Pushes `file` in chunks of `chunk` bytes (0: all at once) and collects every event.
Demuxed Demux(const Bytes& file, size_t chunk = 0, OggDemuxerOptions options = {}) {
  std::unique_ptr<OggDemuxer> d;
  EXPECT_TRUE(OggDemuxer::Create(options, &d).ok());
  Demuxed r;
  OggOutput out;
  const size_t step = chunk == 0 ? file.size() : chunk;
  for (size_t at = 0; at < file.size() && r.push.ok(); at += step) {
    out.Clear();
    r.push = d->Push(file.data() + at, std::min(step, file.size() - at), &out);
    for (const OggEvent& e : out.events) {
      r.events.push_back(e);
      r.payloads.emplace_back(out.bytes.begin() + e.offset, out.bytes.begin() + e.offset + e.size);
    }
  }
  if (r.push.ok()) r.finish = d->Finish(&out);
  r.stats = d->stats();
  return r;
}

std::vector<Bytes> AudioOf(const Demuxed& r) {
  std::vector<Bytes> audio;
  for (size_t i = 0; i < r.events.size(); ++i) {
    if (r.events[i].kind == OggEventKind::kPacket) audio.push_back(r.payloads[i]);
  }
  return audio;
}

TEST(OggDemuxer, PacketsHeadersAndGranulesMatchWhatLiboggWrote) {
  const auto packets = Packets(53, 1);
  const Demuxed r = Demux(OneStream(7, packets));
  ASSERT_TRUE(r.push.ok()) << r.push.message();
  ASSERT_TRUE(r.finish.ok()) << r.finish.message();
  ASSERT_EQ(r.events.size(), 2 + packets.size() + 1);
  EXPECT_EQ(r.events[0].kind, OggEventKind::kHead);
  OpusHead head;
  ASSERT_TRUE(ParseOpusHead(r.payloads[0].data(), r.payloads[0].size(), &head).ok());
  EXPECT_EQ(head.pre_skip, 312);
  EXPECT_EQ(head.channels, 2);
  EXPECT_EQ(r.events[1].kind, OggEventKind::kTags);
  OpusTags tags;
  ASSERT_TRUE(ParseOpusTags(r.payloads[1].data(), r.payloads[1].size(), &tags).ok());
  EXPECT_EQ(tags.vendor, "voxpool test");
  EXPECT_EQ(tags.comments, (std::vector<std::string>{"TITLE=sine", "ARTIST=libogg"}));
  for (size_t i = 0; i < packets.size(); ++i) {
    const OggEvent& e = r.events[2 + i];
    ASSERT_EQ(e.kind, OggEventKind::kPacket) << i;
    EXPECT_EQ(r.payloads[2 + i], packets[i]) << i;
    EXPECT_EQ(e.samples, 960) << i;
    EXPECT_EQ(e.granule, 960 * static_cast<int64_t>(i + 1)) << "packet " << i << ", worked back from its page";
    EXPECT_EQ(e.trim_end, 0);
    EXPECT_EQ(e.serial, 7u);
  }
  EXPECT_EQ(r.events.back().kind, OggEventKind::kChainEnd);
  EXPECT_EQ(r.stats.packets, packets.size());
  EXPECT_EQ(r.stats.chains, 1u);
  EXPECT_EQ(r.stats.skipped_bytes, 0u);
  EXPECT_EQ(r.stats.holes, 0u);
}

TEST(OggDemuxer, AnyChunkingGivesTheSameEvents) {
  // Packet 20 is 150 kB: it continues across three pages (libogg's pages hold 255 * 255 bytes).
  const Bytes file = OneStream(3, Packets(40, 2, 20));
  const Demuxed whole = Demux(file);
  ASSERT_TRUE(whole.finish.ok()) << whole.finish.message();
  for (size_t chunk : {1, 7, 4096, 65536, 100000}) {
    const Demuxed r = Demux(file, chunk);
    ASSERT_TRUE(r.finish.ok()) << chunk;
    ASSERT_EQ(r.payloads, whole.payloads) << "chunk " << chunk;
    for (size_t i = 0; i < r.events.size(); ++i) EXPECT_EQ(r.events[i].granule, whole.events[i].granule) << i;
  }
  EXPECT_EQ(AudioOf(whole)[20].size(), 150000u);
}

TEST(OggDemuxer, AShortFinalGranuleIsEndTrimming) {
  const auto packets = Packets(12, 3);
  const int64_t total = 960 * 12;
  const Demuxed r = Demux(OneStream(1, packets, 4, total - 500));
  ASSERT_TRUE(r.finish.ok());
  const OggEvent& last = r.events[r.events.size() - 2];
  ASSERT_EQ(last.kind, OggEventKind::kPacket);
  EXPECT_EQ(last.trim_end, 500);
  EXPECT_EQ(last.granule, total - 500);
  EXPECT_EQ(r.events[r.events.size() - 3].granule, total - 960) << "the packet before is not trimmed";
}

TEST(OggDemuxer, AChainedFileIsFollowedLinkByLink) {
  Bytes file = OneStream(10, Packets(6, 4));
  const Bytes second = OneStream(11, Packets(9, 5));
  file.insert(file.end(), second.begin(), second.end());  // what `cat a.opus b.opus` makes
  const Demuxed r = Demux(file, 333);
  ASSERT_TRUE(r.finish.ok());
  std::vector<OggEventKind> kinds;
  for (const OggEvent& e : r.events) kinds.push_back(e.kind);
  std::vector<OggEventKind> expected{OggEventKind::kHead, OggEventKind::kTags};
  expected.insert(expected.end(), 6, OggEventKind::kPacket);
  expected.push_back(OggEventKind::kChainEnd);
  expected.push_back(OggEventKind::kHead);
  expected.push_back(OggEventKind::kTags);
  expected.insert(expected.end(), 9, OggEventKind::kPacket);
  expected.push_back(OggEventKind::kChainEnd);
  EXPECT_EQ(kinds, expected);
  EXPECT_EQ(r.events[2].serial, 10u);
  EXPECT_EQ(r.events[11].serial, 11u);
  EXPECT_EQ(r.events[11].granule, 960) << "the second link's granules start again";
  EXPECT_EQ(r.stats.chains, 2u);
}

// Interleaves two single-page-at-a-time streams' pages, as a multiplexed file does.
Bytes Interleave(const Bytes& a, const Bytes& b) {
  auto pages = [](const Bytes& f) {
    std::vector<Bytes> out;
    ogg_sync_state sync;
    ogg_sync_init(&sync);
    char* buf = ogg_sync_buffer(&sync, static_cast<long>(f.size()));
    std::memcpy(buf, f.data(), f.size());
    ogg_sync_wrote(&sync, static_cast<long>(f.size()));
    ogg_page page;
    while (ogg_sync_pageout(&sync, &page) == 1) {
      Bytes p(page.header, page.header + page.header_len);
      p.insert(p.end(), page.body, page.body + page.body_len);
      out.push_back(p);
    }
    ogg_sync_clear(&sync);
    return out;
  };
  const auto pa = pages(a);
  const auto pb = pages(b);
  Bytes out;
  for (size_t i = 0; i < std::max(pa.size(), pb.size()); ++i) {
    if (i < pa.size()) out.insert(out.end(), pa[i].begin(), pa[i].end());
    if (i < pb.size()) out.insert(out.end(), pb[i].begin(), pb[i].end());
  }
  return out;
}

TEST(OggDemuxer, AMultiplexedFileFollowsTheFirstOpusStreamOrTheChosenSerial) {
  const auto first = Packets(10, 6);
  const auto second = Packets(14, 7);
  const Bytes file = Interleave(OneStream(100, first, 2), OneStream(200, second, 2));
  const Demuxed any = Demux(file, 500);
  ASSERT_TRUE(any.finish.ok()) << any.finish.message();
  EXPECT_EQ(AudioOf(any), first);
  EXPECT_GT(any.stats.other_pages, 0u);
  OggDemuxerOptions chosen;
  chosen.serial = 200;
  const Demuxed r = Demux(file, 500, chosen);
  ASSERT_TRUE(r.finish.ok()) << r.finish.message();
  EXPECT_EQ(AudioOf(r), second);
  chosen.serial = 300;
  const Demuxed none = Demux(file, 0, chosen);
  EXPECT_EQ(none.push.code(), ErrorCode::kMalformedContainer);
  EXPECT_EQ(none.push.message(), "This Ogg input holds no Opus stream with serial 300");
}

TEST(OggDemuxer, AStreamThatIsNotOpusIsSkipped) {
  // A Vorbis-like stream first (its BOS packet is not OpusHead), then the Opus one.
  Bytes other;
  {
    ogg_stream_state os;
    ogg_stream_init(&os, 55);
    Bytes ident = {0x01, 'v', 'o', 'r', 'b', 'i', 's', 0, 0, 0};
    ogg_packet p{};
    p.packet = ident.data();
    p.bytes = static_cast<long>(ident.size());
    p.b_o_s = 1;
    ogg_stream_packetin(&os, &p);
    ogg_page page;
    while (ogg_stream_flush(&os, &page) != 0) {
      other.insert(other.end(), page.header, page.header + page.header_len);
      other.insert(other.end(), page.body, page.body + page.body_len);
    }
    ogg_stream_clear(&os);
  }
  const auto packets = Packets(5, 8);
  Bytes file = other;
  const Bytes opus = OneStream(56, packets);
  file.insert(file.end(), opus.begin(), opus.end());
  const Demuxed r = Demux(file);
  ASSERT_TRUE(r.finish.ok()) << r.finish.message();
  EXPECT_EQ(AudioOf(r), packets);
  EXPECT_EQ(r.stats.other_pages, 1u);
}

TEST(OggDemuxer, APageWithABadCrcIsDroppedAndCounted) {
  const auto packets = Packets(30, 9);
  Bytes file = OneStream(4, packets, 5);
  // Corrupt one byte in the body of the fourth audio page (packets 15..19).
  ogg_sync_state sync;
  ogg_sync_init(&sync);
  size_t offset = 0;
  {
    char* buf = ogg_sync_buffer(&sync, static_cast<long>(file.size()));
    std::memcpy(buf, file.data(), file.size());
    ogg_sync_wrote(&sync, static_cast<long>(file.size()));
    ogg_page page;
    for (int i = 0; i < 5; ++i) {
      ASSERT_EQ(ogg_sync_pageout(&sync, &page), 1);
      offset += static_cast<size_t>(page.header_len + page.body_len);
    }
    ASSERT_EQ(ogg_sync_pageout(&sync, &page), 1);
    offset += static_cast<size_t>(page.header_len) + 3;
  }
  ogg_sync_clear(&sync);
  file[offset] ^= 0x40;
  const Demuxed r = Demux(file, 1000);
  ASSERT_TRUE(r.finish.ok()) << r.finish.message();
  std::vector<Bytes> expected(packets.begin(), packets.begin() + 15);
  expected.insert(expected.end(), packets.begin() + 20, packets.end());
  EXPECT_EQ(AudioOf(r), expected);
  EXPECT_GT(r.stats.skipped_bytes, 0u);
  EXPECT_EQ(r.stats.holes, 1u);
}

TEST(OggDemuxer, InputThatIsNotOggIsRefusedAfterABoundedRead) {
  Bytes noise(200000);
  std::mt19937 rng(10);
  for (auto& b : noise) b = static_cast<uint8_t>(rng());
  const Demuxed r = Demux(noise, 4096);
  EXPECT_EQ(r.push.code(), ErrorCode::kMalformedContainer);
  EXPECT_EQ(r.push.message(), "This input is not Ogg: no page in its first 65536 bytes");
  EXPECT_LE(r.stats.bytes, kOggMaxLeadingGarbageBytes + 2 * 4096);
}

TEST(OggDemuxer, ATruncatedFileEndsWithStreamTruncated) {
  const Bytes file = OneStream(5, Packets(20, 11));
  const Demuxed r = Demux(Bytes(file.begin(), file.end() - 40), 512);
  ASSERT_TRUE(r.push.ok());
  EXPECT_EQ(r.finish.code(), ErrorCode::kStreamTruncated);
  EXPECT_EQ(r.finish.message(), "The Ogg input ends inside a page");
  const Demuxed empty = Demux(Bytes{});
  EXPECT_EQ(empty.finish.code(), ErrorCode::kStreamTruncated);
  EXPECT_EQ(empty.finish.message(), "The Ogg input ended before its first page");
}

TEST(OggDemuxer, APacketOverTheLimitIsRefusedAndTheDemuxerStaysSpent) {
  OggDemuxerOptions options;
  options.max_packet_bytes = 100000;
  std::unique_ptr<OggDemuxer> d;
  ASSERT_TRUE(OggDemuxer::Create(options, &d).ok());
  const Bytes file = OneStream(6, Packets(25, 12, 10));
  OggOutput out;
  Status st = d->Push(file.data(), file.size(), &out);
  EXPECT_EQ(st.code(), ErrorCode::kMalformedContainer);
  EXPECT_EQ(st.message(), "An Ogg packet grows past maxPacketBytes (100000)");
  out.Clear();
  EXPECT_EQ(d->Push(file.data(), 10, &out).code(), ErrorCode::kMalformedContainer) << "sticky";
  EXPECT_EQ(d->Finish(&out).code(), ErrorCode::kMalformedContainer);
}

// The byte offsets at which the pages of `file` begin.
std::vector<size_t> PageOffsets(const Bytes& file) {
  std::vector<size_t> at;
  for (size_t i = 0; i + 4 <= file.size(); ++i) {
    if (std::memcmp(file.data() + i, "OggS", 4) == 0) at.push_back(i);
  }
  return at;
}

TEST(OggDemuxer, StartSamplesDropsThePacketsThatEndBeforeIt) {
  const auto packets = Packets(40, 21);
  const Bytes file = OneStream(5, packets);
  OggDemuxerOptions o;
  // Packet i ends at granule 960 (i + 1), presentation 960 (i + 1) - 312; the first to end after
  // 10,000 samples is i = 10 (10,248).
  o.start_samples = 10000;
  for (size_t chunk : {size_t{0}, size_t{97}}) {
    const Demuxed r = Demux(file, chunk, o);
    ASSERT_TRUE(r.push.ok() && r.finish.ok()) << r.push.message() << r.finish.message();
    const auto audio = AudioOf(r);
    ASSERT_EQ(audio.size(), 30u);
    EXPECT_EQ(audio.front(), packets[10]);
    EXPECT_EQ(r.stats.dropped_packets, 10u);
    EXPECT_EQ(r.stats.packets, 30u);
  }
  o.start_samples = 40 * 960;  // past the end: nothing is emitted, and that is no error
  const Demuxed past = Demux(file, 0, o);
  EXPECT_TRUE(past.finish.ok());
  EXPECT_EQ(AudioOf(past).size(), 0u);
  EXPECT_EQ(past.stats.dropped_packets, 40u);
}

TEST(OggDemuxer, FindOggPageGivesTheFirstWholePageOfTheStreamWithAGranule) {
  const Bytes file = OneStream(9, Packets(40, 22));
  const std::vector<size_t> pages = PageOffsets(file);
  ASSERT_GE(pages.size(), 6u);
  OggPageInfo page;
  // From the file's start: the OpusHead page states granule 0.
  ASSERT_TRUE(FindOggPage(file.data(), file.size(), 9, &page));
  EXPECT_EQ(page.offset, 0u);
  EXPECT_EQ(page.granule, 0);
  // From inside the third audio page: the fourth, whose granule is 20 packets of 960.
  const size_t from = pages[4] + 3;
  ASSERT_TRUE(FindOggPage(file.data() + from, file.size() - from, 9, &page));
  EXPECT_EQ(page.offset, pages[5] - from);
  EXPECT_EQ(page.granule, 4 * 5 * 960);
  // Another serial, or a page cut short: none.
  EXPECT_FALSE(FindOggPage(file.data(), file.size(), 10, &page));
  EXPECT_FALSE(FindOggPage(file.data() + pages[5], 30, 9, &page));
}

TEST(OggDemuxer, SeekResumesAtAnyByteWithTheRightGranules) {
  const auto packets = Packets(40, 23);
  const Bytes file = OneStream(3, packets);
  const std::vector<size_t> pages = PageOffsets(file);  // head, tags, then 5 packets a page
  for (size_t landing : {pages[4], pages[4] + 7}) {
    std::unique_ptr<OggDemuxer> d;
    ASSERT_TRUE(OggDemuxer::Create({}, &d).ok());
    OggOutput out;
    ASSERT_TRUE(d->Push(file.data(), pages[3], &out).ok());  // the headers and the first page
    EXPECT_EQ(d->Seek(landing).code(), ErrorCode::kOk);
    out.Clear();
    ASSERT_TRUE(d->Push(file.data() + landing, file.size() - landing, &out).ok());
    ASSERT_TRUE(d->Finish(&out).ok());
    // Landing on page 4 (packets 10..14) or inside it (libogg finds page 5: packets 15..).
    const size_t first = landing == pages[4] ? 10 : 15;
    std::vector<Bytes> audio;
    for (const OggEvent& e : out.events) {
      if (e.kind != OggEventKind::kPacket) continue;
      const size_t i = first + audio.size();
      audio.emplace_back(out.bytes.begin() + e.offset, out.bytes.begin() + e.offset + e.size);
      EXPECT_EQ(e.granule, static_cast<int64_t>(960 * (i + 1)));
    }
    ASSERT_EQ(audio.size(), 40 - first);
    EXPECT_EQ(audio.front(), packets[first]);
    EXPECT_EQ(d->stats().seeks, 1u);
    EXPECT_EQ(d->stats().holes, 0u);
  }
}

TEST(OggDemuxer, AfterASeekPacketsBeforeAStatedGranuleHaveNone) {
  // Pages 4 and 5 (packets 10..19) state no granule; page 6 (20..24) does.
  const auto packets = Packets(40, 25);
  Bytes file;
  StreamWriter w(3);
  w.Headers(&file);
  w.Audio(packets, 5, &file, -1, 10, 20);
  const std::vector<size_t> pages = PageOffsets(file);
  for (const int64_t start : {int64_t{0}, int64_t{1}}) {
    OggDemuxerOptions o;
    o.start_samples = start;
    std::unique_ptr<OggDemuxer> d;
    ASSERT_TRUE(OggDemuxer::Create(o, &d).ok());
    OggOutput out;
    // Without a start point, read up to packet 34 (its granule known), then seek back to page 4;
    // with one, seek there straight after the headers (a start drops packets only until one is
    // emitted).
    ASSERT_TRUE(d->Push(file.data(), start == 0 ? pages[9] : pages[2], &out).ok());
    ASSERT_TRUE(d->Seek(pages[4]).ok());
    out.Clear();
    ASSERT_TRUE(d->Push(file.data() + pages[4], file.size() - pages[4], &out).ok());
    std::vector<int64_t> granules;
    for (const OggEvent& e : out.events) {
      if (e.kind == OggEventKind::kPacket) granules.push_back(e.granule);
    }
    std::vector<int64_t> expected;
    if (start == 0) expected.assign(10, kOggNoGranule);  // a start point drops the unknown ones
    for (int i = 20; i < 40; ++i) expected.push_back(960 * (i + 1));
    EXPECT_EQ(granules, expected) << "start " << start;
  }
}

TEST(OggDemuxer, SeekNeedsTheHeadersAndAnOpenInput) {
  const Bytes file = OneStream(3, Packets(10, 24));
  std::unique_ptr<OggDemuxer> d;
  ASSERT_TRUE(OggDemuxer::Create({}, &d).ok());
  Status st = d->Seek(100);
  EXPECT_EQ(st.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(st.message(), "Seek before the OpusHead and OpusTags have been read");
  OggOutput out;
  ASSERT_TRUE(d->Push(file.data(), file.size(), &out).ok());
  ASSERT_TRUE(d->Finish(&out).ok());
  EXPECT_EQ(d->Seek(100).message(), "Seek after Finish");
}

TEST(OggDemuxer, OptionsAreChecked) {
  std::unique_ptr<OggDemuxer> d;
  OggDemuxerOptions o;
  o.serial = -2;
  Status st = OggDemuxer::Create(o, &d);
  EXPECT_EQ(st.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(st.message(), "serial must be from 0 to 4294967295");
  o = {};
  o.max_packet_bytes = 0;
  st = OggDemuxer::Create(o, &d);
  EXPECT_EQ(st.message(), "maxPacketBytes must be from 1 to 268435456 bytes");
  o = {};
  o.start_samples = -1;
  st = OggDemuxer::Create(o, &d);
  EXPECT_EQ(st.message(), "startSamples must be from 0 to 9007199254740992 samples");
}

TEST(OpusHeadPackets, RoundTripAndRefuseWhatDoesNotFit) {
  OpusHead h;
  h.channels = 1;
  h.pre_skip = 3840;
  h.input_sample_rate = 44100;
  h.output_gain = -256;
  Bytes b;
  WriteOpusHead(h, &b);
  ASSERT_EQ(b.size(), kOpusHeadMinBytes);
  OpusHead back;
  ASSERT_TRUE(ParseOpusHead(b.data(), b.size(), &back).ok());
  EXPECT_EQ(back.channels, 1);
  EXPECT_EQ(back.pre_skip, 3840);
  EXPECT_EQ(back.input_sample_rate, 44100u);
  EXPECT_EQ(back.output_gain, -256);
  EXPECT_EQ(back.coupled_count, 0);
  b[9] = 0;
  EXPECT_EQ(ParseOpusHead(b.data(), b.size(), &back).message(), "OpusHead says 0 channels");
  b[9] = 6;
  b[18] = 1;  // family 1 needs a table of 2 + 6 bytes that is not there
  EXPECT_EQ(ParseOpusHead(b.data(), b.size(), &back).message(), "The OpusHead channel mapping table is cut short");
  EXPECT_EQ(ParseOpusHead(b.data(), 10, &back).code(), ErrorCode::kMalformedContainer);

  // A comment count of 2^32-1 in a 20-byte packet: refused before anything is reserved.
  OpusTags tags;
  tags.vendor = "v";
  Bytes t;
  WriteOpusTags(tags, &t);
  t[t.size() - 4] = t[t.size() - 3] = t[t.size() - 2] = t[t.size() - 1] = 0xFF;
  OpusTags parsed;
  EXPECT_EQ(ParseOpusTags(t.data(), t.size(), &parsed).message(), "The OpusTags comment count exceeds the packet");
  t = {};
  tags.comments = {"A=1"};
  WriteOpusTags(tags, &t);
  t.pop_back();
  EXPECT_EQ(ParseOpusTags(t.data(), t.size(), &parsed).message(), "OpusTags comment 0 runs past the packet");
}

}  // namespace
}  // namespace voxpool::container
