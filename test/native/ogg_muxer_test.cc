// The Ogg Opus muxer, read back by libogg (pages) and by the demuxer (packets and granules).
#include "voxpool/container/ogg_muxer.h"

#include <gtest/gtest.h>
#include <ogg/ogg.h>

#include <cstring>
#include <random>
#include <vector>

#include "voxpool/container/ogg_demuxer.h"

namespace voxpool::container {
namespace {

using Bytes = std::vector<uint8_t>;

// A 20 ms stereo CELT packet (TOC 0xFC) of `size` bytes.
Bytes AudioPacket(size_t size, uint32_t seed) {
  Bytes p(size);
  std::mt19937 rng(seed);
  for (auto& b : p) b = static_cast<uint8_t>(rng());
  p[0] = 0xFC;
  return p;
}

std::unique_ptr<OggMuxer> Muxer(OggMuxerOptions o = {}) {
  if (o.head.pre_skip == 0) o.head.pre_skip = 312;
  o.head.input_sample_rate = 48000;
  o.tags.vendor = "voxpool";
  o.tags.comments = {"TITLE=recording"};
  std::unique_ptr<OggMuxer> m;
  EXPECT_TRUE(OggMuxer::Create(o, &m).ok());
  return m;
}

struct Read {
  std::vector<OggEvent> events;
  std::vector<Bytes> payloads;
  Status finish;
};

Read Demux(const Bytes& file) {
  std::unique_ptr<OggDemuxer> d;
  EXPECT_TRUE(OggDemuxer::Create({}, &d).ok());
  OggOutput out;
  Read r;
  EXPECT_TRUE(d->Push(file.data(), file.size(), &out).ok());
  r.finish = d->Finish(&out);
  r.events = out.events;
  for (const OggEvent& e : out.events) {
    r.payloads.emplace_back(out.bytes.begin() + e.offset, out.bytes.begin() + e.offset + e.size);
  }
  return r;
}

// Granule of every page, in order (libogg's own reading of the bytes).
std::vector<int64_t> PageGranules(const Bytes& file, bool* last_is_eos) {
  std::vector<int64_t> granules;
  ogg_sync_state sync;
  ogg_sync_init(&sync);
  char* buf = ogg_sync_buffer(&sync, static_cast<long>(file.size()));
  std::memcpy(buf, file.data(), file.size());
  ogg_sync_wrote(&sync, static_cast<long>(file.size()));
  ogg_page page;
  while (ogg_sync_pageout(&sync, &page) == 1) {
    granules.push_back(ogg_page_granulepos(&page));
    *last_is_eos = ogg_page_eos(&page) != 0;
  }
  ogg_sync_clear(&sync);
  return granules;
}

TEST(OggMuxer, PacketsComeBackWithTheirGranulesAndPagesAreFlushedEverySecond) {
  auto m = Muxer();
  Bytes file;
  std::vector<Bytes> packets;
  // 6 s of small packets (a quiet speaker at a low bitrate): libogg alone would fill a page only
  // at 255 packets (5.1 s), so only the timed flush keeps pages a second apart.
  for (uint32_t i = 0; i < 300; ++i) {
    packets.push_back(AudioPacket(8 + i % 8, i));
    ASSERT_TRUE(m->Write(packets.back().data(), packets.back().size(), &file).ok());
  }
  ASSERT_TRUE(m->Finish(&file).ok());
  ASSERT_TRUE(m->Finish(&file).ok()) << "idempotent";
  EXPECT_EQ(m->stats().packets, 300u);
  EXPECT_EQ(m->stats().granule, 300 * 960);  // from 0: pre-skip is in the count

  const Read r = Demux(file);
  ASSERT_TRUE(r.finish.ok()) << r.finish.message();
  ASSERT_EQ(r.events.size(), 2u + 300u + 1u);
  OpusHead head;
  ASSERT_TRUE(ParseOpusHead(r.payloads[0].data(), r.payloads[0].size(), &head).ok());
  EXPECT_EQ(head.pre_skip, 312);
  OpusTags tags;
  ASSERT_TRUE(ParseOpusTags(r.payloads[1].data(), r.payloads[1].size(), &tags).ok());
  EXPECT_EQ(tags.comments, std::vector<std::string>{"TITLE=recording"});
  for (size_t i = 0; i < 300; ++i) {
    EXPECT_EQ(r.payloads[2 + i], packets[i]) << i;
    EXPECT_EQ(r.events[2 + i].granule, 960 * static_cast<int64_t>(i + 1)) << i;
  }
  EXPECT_EQ(r.events.back().kind, OggEventKind::kChainEnd);

  bool eos = false;
  const std::vector<int64_t> granules = PageGranules(file, &eos);
  EXPECT_TRUE(eos) << "the last page carries EOS";
  ASSERT_GE(granules.size(), 2u + 6u);
  EXPECT_EQ(granules[0], 0) << "OpusHead's page";
  EXPECT_EQ(granules[1], 0) << "OpusTags' page";
  for (size_t i = 3; i < granules.size(); ++i) {
    EXPECT_LE(granules[i] - granules[i - 1], kOggDefaultFlushSamples + 960) << "page " << i;
  }
}

TEST(OggMuxer, AGapIsFilledWithSilencePacketsOrWrittenAsAGranuleJump) {
  for (OggGapMode mode : {OggGapMode::kSilence, OggGapMode::kJump}) {
    OggMuxerOptions o;
    o.gap_mode = mode;
    auto m = Muxer(o);
    Bytes file;
    const Bytes p = AudioPacket(100, 1);
    for (int i = 0; i < 10; ++i) ASSERT_TRUE(m->Write(p.data(), p.size(), &file).ok());
    ASSERT_TRUE(m->Gap(5 * 960 + 100, &file).ok());
    for (int i = 0; i < 10; ++i) ASSERT_TRUE(m->Write(p.data(), p.size(), &file).ok());
    ASSERT_TRUE(m->Finish(&file).ok());
    const Read r = Demux(file);
    ASSERT_TRUE(r.finish.ok());
    std::vector<Bytes> audio;
    std::vector<int64_t> granules;
    for (size_t i = 0; i < r.events.size(); ++i) {
      if (r.events[i].kind != OggEventKind::kPacket) continue;
      audio.push_back(r.payloads[i]);
      granules.push_back(r.events[i].granule);
    }
    const int64_t end = 960 * 25 + 100;
    if (mode == OggGapMode::kSilence) {
      ASSERT_EQ(audio.size(), 25u);
      for (int i = 10; i < 15; ++i) EXPECT_EQ(audio[i], Bytes(std::begin(kOpusSilencePacket), std::end(kOpusSilencePacket)));
      EXPECT_EQ(m->stats().silence_packets, 5u);
    } else {
      ASSERT_EQ(audio.size(), 20u);
      EXPECT_EQ(granules[9], 960 * 10);
      EXPECT_EQ(m->stats().silence_packets, 0u);
    }
    EXPECT_EQ(granules.back(), end) << "the last packet ends after the whole gap";
    EXPECT_EQ(m->stats().granule, end);
  }
}

TEST(OggMuxer, BadPacketsOptionsAndLateWritesAreRefused) {
  auto m = Muxer();
  Bytes file;
  Status st = m->Write(nullptr, 0, &file);
  EXPECT_EQ(st.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(st.message(), "An Opus packet must be from 1 to 61440 bytes");
  const uint8_t no_frames[] = {0xFF, 0x00};  // code 3 with a frame count of 0
  EXPECT_EQ(m->Write(no_frames, sizeof(no_frames), &file).code(), ErrorCode::kOpusInvalidPacket);
  EXPECT_TRUE(file.empty()) << "nothing is written for a refused packet";
  ASSERT_TRUE(m->Finish(&file).ok());
  const Bytes p = AudioPacket(50, 2);
  EXPECT_EQ(m->Write(p.data(), p.size(), &file).message(), "The Ogg stream has been finished");
  EXPECT_EQ(m->Gap(960, &file).message(), "The Ogg stream has been finished");

  OggMuxerOptions o;
  o.head.channels = 3;
  std::unique_ptr<OggMuxer> bad;
  EXPECT_EQ(OggMuxer::Create(o, &bad).message(), "channels must be from 1 to 2");
  o = {};
  o.flush_samples = 0;
  EXPECT_EQ(OggMuxer::Create(o, &bad).message(), "flushSamples must be from 1 to 480000 samples");
  auto g = Muxer();
  EXPECT_EQ(g->Gap(-1, &file).message(), "gap must be from 0 to 172800000 samples");
}

TEST(OggMuxer, AStreamWithNoAudioStillHasHeadersAndAnEnd) {
  auto m = Muxer();
  Bytes file;
  ASSERT_TRUE(m->Finish(&file).ok());
  const Read r = Demux(file);
  ASSERT_TRUE(r.finish.ok()) << r.finish.message();
  ASSERT_GE(r.events.size(), 3u);
  EXPECT_EQ(r.events.front().kind, OggEventKind::kHead);
  EXPECT_EQ(r.events[1].kind, OggEventKind::kTags);
  EXPECT_EQ(r.events.back().kind, OggEventKind::kChainEnd);
}

}  // namespace
}  // namespace voxpool::container
