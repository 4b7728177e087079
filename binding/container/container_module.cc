// The container domain's exports: its classes, the OpusHead/OpusTags parsers lib/ uses for the
// parsed forms of the 'head' and 'tags' events, and containerConstants.
#include "container/container_module.h"

#include <ogg/ogg.h>

#include "args.h"
#include "container/ogg_demuxer_wrap.h"
#include "container/ogg_muxer_wrap.h"
#include "container/webm_demuxer_wrap.h"
#include "exports.h"
#include "numbers.h"
#include "voxpool/container/ogg_demuxer.h"
#include "voxpool/container/ogg_muxer.h"
#include "voxpool/container/opus_head.h"
#include "voxpool/container/seek.h"
#include "voxpool/container/webm_demuxer.h"

namespace voxpool::binding {
namespace {

Napi::Object Constants(Napi::Env env) {
  using namespace container;
  Napi::Object c = NumberObject(env, {{"DEFAULT_MAX_PACKET_BYTES", kOggDefaultMaxPacketBytes},
                                      {"MAX_PACKET_BYTES", kOggMaxPacketBytesLimit},
                                      {"MAX_LEADING_GARBAGE_BYTES", kOggMaxLeadingGarbageBytes},
                                      {"GRANULE_RATE", kOpusGranuleRate},
                                      {"NO_GRANULE", kOggNoGranule},
                                      {"DEFAULT_FLUSH_SAMPLES", kOggDefaultFlushSamples},
                                      {"MAX_FLUSH_SAMPLES", kOggMaxFlushSamples},
                                      {"MAX_GAP_SAMPLES", kOggMaxGapSamples},
                                      {"MAX_OPUS_PACKET_BYTES", kOpusMaxPacketBytes},
                                      {"MAX_SERIAL", kOggMaxSerial},
                                      {"MAX_START_SAMPLES", kOggMaxStartSamples},
                                      {"READ_BYTES", kContainerReadBytes},
                                      {"SEEK_WINDOW_BYTES", kOggSeekWindowBytes},
                                      {"MAX_START_MS", kContainerMaxStartMs},
                                      {"DEFAULT_CHANNELS", OpusHead{}.channels},
                                      {"DEFAULT_SERIAL", OggMuxerOptions{}.serial}});
  c.Set("DEFAULT_VENDOR", kOggMuxerDefaultVendor);
  // Event kinds in NativeOggDemuxer's results, by name.
  c.Set("EVENT", NumberObject(env, {{"HEAD", OggEventKind::kHead},
                                    {"TAGS", OggEventKind::kTags},
                                    {"PACKET", OggEventKind::kPacket},
                                    {"CHAIN_END", OggEventKind::kChainEnd}}));
  // WebM / Matroska (libwebm).
  Napi::Object webm = Napi::Object::New(env);
  webm.Set("CODEC_ID", kWebmOpusCodecId);
  SetNumbers(webm, {{"DEFAULT_MAX_FRAME_BYTES", kWebmDefaultMaxFrameBytes},
                    {"MAX_FRAME_BYTES", kWebmMaxFrameBytesLimit},
                    {"MAX_ELEMENT_BYTES", kWebmMaxElementBytes},
                    {"MAX_BLOCKS_PER_CLUSTER", kWebmMaxBlocksPerCluster},
                    {"MAX_TRACK_NUMBER", kWebmMaxTrackNumber},
                    {"DEFAULT_TIMECODE_SCALE_NS", kWebmDefaultTimecodeScaleNs},
                    {"MAX_START_NS", kWebmMaxStartNs}});
  webm.Set("EVENT", NumberObject(env, {{"HEAD", WebmEventKind::kHead},
                                       {"PACKET", WebmEventKind::kPacket},
                                       {"CUES_AT", WebmEventKind::kCuesAt},
                                       {"CUES", WebmEventKind::kCues},
                                       {"CUE_POINT", WebmEventKind::kCuePoint},
                                       {"FIRST_CLUSTER", WebmEventKind::kFirstCluster}}));
  c.Set("WEBM", webm);
  return c;
}

// Argument 0 (a packet) parsed into a T by `parse(data, size, &out)`: TypeError(message) when it
// is not bytes, the VoxpoolError of a failed parse.
template <class T>
T ParsedArg(const Napi::CallbackInfo& info, const char* message,
            Status (*parse)(const uint8_t*, size_t, T*)) {
  Bytes b = BytesArg(info, 0, message);
  T out;
  Check(info.Env(), parse(b.data, b.size, &out));
  return out;
}

// parseOpusHead(packet) -> { version, channels, preSkip, inputSampleRate, outputGain,
//   mappingFamily, streamCount, coupledCount, mapping? }
Napi::Value ParseOpusHead(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const auto h = ParsedArg<container::OpusHead>(
      info, "Expected the OpusHead packet as a Buffer or Uint8Array", container::ParseOpusHead);
  Napi::Object o = Napi::Object::New(env);
  o.Set("version", h.version);
  o.Set("channels", h.channels);
  o.Set("preSkip", h.pre_skip);
  o.Set("inputSampleRate", static_cast<double>(h.input_sample_rate));
  o.Set("outputGain", h.output_gain);
  o.Set("mappingFamily", h.mapping_family);
  o.Set("streamCount", h.stream_count);
  o.Set("coupledCount", h.coupled_count);
  if (h.mapping_family != 0)
    o.Set("mapping", Napi::Buffer<uint8_t>::Copy(env, h.mapping.data(), h.mapping.size()));
  return o;
}

// parseOpusTags(packet) -> { vendor, comments: string[] }
Napi::Value ParseOpusTags(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const auto t = ParsedArg<container::OpusTags>(
      info, "Expected the OpusTags packet as a Buffer or Uint8Array", container::ParseOpusTags);
  Napi::Object o = Napi::Object::New(env);
  o.Set("vendor", Napi::String::New(env, t.vendor));
  Napi::Array comments = Napi::Array::New(env, t.comments.size());
  for (size_t i = 0; i < t.comments.size(); ++i) {
    comments.Set(static_cast<uint32_t>(i), Napi::String::New(env, t.comments[i]));
  }
  o.Set("comments", comments);
  return o;
}

// findOggPage(bytes, serial) -> { offset, granule } | null: the first whole page of `serial` in
// `bytes` that states a granule (container::FindOggPage). Synchronous: a seek's bisection step
// over one window of the file (lib/demux-file.js reads at most WINDOW_BYTES).
Napi::Value FindOggPage(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Bytes b = BytesArg(info, 0, "Expected the bytes as a Buffer or Uint8Array");
  const auto serial = static_cast<uint32_t>(NumberArg(info, 1, "Expected the serial as a number"));
  container::OggPageInfo page;
  if (!container::FindOggPage(b.data, b.size, serial, &page)) return env.Null();
  Napi::Object o = Napi::Object::New(env);
  o.Set("offset", static_cast<double>(page.offset));
  o.Set("granule", static_cast<double>(page.granule));
  return o;
}

}  // namespace

void InitContainer(Napi::Env env, Napi::Object exports) {
  exports.Set("NativeOggDemuxer", DefineOggDemuxer(env));
  exports.Set("NativeOggMuxer", DefineOggMuxer(env));
  exports.Set("NativeWebmDemuxer", DefineWebmDemuxer(env));
  ExportFunctions(env, exports,
                  {VOXPOOL_FUNCTION(ParseOpusHead), VOXPOOL_FUNCTION(ParseOpusTags),
                   VOXPOOL_FUNCTION(FindOggPage)});
  exports.Set("containerConstants", Constants(env));
}

}  // namespace voxpool::binding
