// The container domain's exports: its classes, the OpusHead/OpusTags parsers lib/ uses for the
// parsed forms of the 'head' and 'tags' events, and containerConstants.
#include "container/container_module.h"

#include <ogg/ogg.h>

#include "args.h"
#include "container/ogg_demuxer_wrap.h"
#include "container/ogg_muxer_wrap.h"
#include "container/webm_demuxer_wrap.h"
#include "exports.h"
#include "voxpool/container/ogg_demuxer.h"
#include "voxpool/container/ogg_muxer.h"
#include "voxpool/container/opus_head.h"
#include "voxpool/container/seek.h"
#include "voxpool/container/webm_demuxer.h"

namespace voxpool::binding {
namespace {

Napi::Object Constants(Napi::Env env) {
  Napi::Object c = Napi::Object::New(env);
  c.Set("DEFAULT_MAX_PACKET_BYTES", static_cast<double>(container::kOggDefaultMaxPacketBytes));
  c.Set("MAX_PACKET_BYTES", static_cast<double>(container::kOggMaxPacketBytesLimit));
  c.Set("MAX_LEADING_GARBAGE_BYTES", static_cast<double>(container::kOggMaxLeadingGarbageBytes));
  c.Set("GRANULE_RATE", container::kOpusGranuleRate);
  c.Set("NO_GRANULE", static_cast<double>(container::kOggNoGranule));
  c.Set("DEFAULT_FLUSH_SAMPLES", static_cast<double>(container::kOggDefaultFlushSamples));
  c.Set("MAX_FLUSH_SAMPLES", static_cast<double>(container::kOggMaxFlushSamples));
  c.Set("MAX_GAP_SAMPLES", static_cast<double>(container::kOggMaxGapSamples));
  c.Set("MAX_OPUS_PACKET_BYTES", static_cast<double>(container::kOpusMaxPacketBytes));
  c.Set("MAX_SERIAL", static_cast<double>(container::kOggMaxSerial));
  c.Set("MAX_START_SAMPLES", static_cast<double>(container::kOggMaxStartSamples));
  c.Set("READ_BYTES", static_cast<double>(container::kContainerReadBytes));
  c.Set("SEEK_WINDOW_BYTES", static_cast<double>(container::kOggSeekWindowBytes));
  c.Set("MAX_START_MS", container::kContainerMaxStartMs);
  const container::OpusHead head;
  c.Set("DEFAULT_CHANNELS", head.channels);
  c.Set("DEFAULT_SERIAL", static_cast<double>(container::OggMuxerOptions{}.serial));
  c.Set("DEFAULT_VENDOR", container::kOggMuxerDefaultVendor);
  // Event kinds in NativeOggDemuxer's results, by name.
  Napi::Object kinds = Napi::Object::New(env);
  kinds.Set("HEAD", static_cast<double>(container::OggEventKind::kHead));
  kinds.Set("TAGS", static_cast<double>(container::OggEventKind::kTags));
  kinds.Set("PACKET", static_cast<double>(container::OggEventKind::kPacket));
  kinds.Set("CHAIN_END", static_cast<double>(container::OggEventKind::kChainEnd));
  c.Set("EVENT", kinds);
  // WebM / Matroska (libwebm).
  Napi::Object webm = Napi::Object::New(env);
  webm.Set("CODEC_ID", container::kWebmOpusCodecId);
  webm.Set("DEFAULT_MAX_FRAME_BYTES", static_cast<double>(container::kWebmDefaultMaxFrameBytes));
  webm.Set("MAX_FRAME_BYTES", static_cast<double>(container::kWebmMaxFrameBytesLimit));
  webm.Set("MAX_ELEMENT_BYTES", static_cast<double>(container::kWebmMaxElementBytes));
  webm.Set("MAX_BLOCKS_PER_CLUSTER", static_cast<double>(container::kWebmMaxBlocksPerCluster));
  webm.Set("MAX_TRACK_NUMBER", static_cast<double>(container::kWebmMaxTrackNumber));
  webm.Set("DEFAULT_TIMECODE_SCALE_NS", static_cast<double>(container::kWebmDefaultTimecodeScaleNs));
  webm.Set("MAX_START_NS", static_cast<double>(container::kWebmMaxStartNs));
  Napi::Object webmKinds = Napi::Object::New(env);
  webmKinds.Set("HEAD", static_cast<double>(container::WebmEventKind::kHead));
  webmKinds.Set("PACKET", static_cast<double>(container::WebmEventKind::kPacket));
  webmKinds.Set("CUES_AT", static_cast<double>(container::WebmEventKind::kCuesAt));
  webmKinds.Set("CUES", static_cast<double>(container::WebmEventKind::kCues));
  webmKinds.Set("CUE_POINT", static_cast<double>(container::WebmEventKind::kCuePoint));
  webmKinds.Set("FIRST_CLUSTER", static_cast<double>(container::WebmEventKind::kFirstCluster));
  webm.Set("EVENT", webmKinds);
  c.Set("WEBM", webm);
  return c;
}

// parseOpusHead(packet) -> { version, channels, preSkip, inputSampleRate, outputGain,
//   mappingFamily, streamCount, coupledCount, mapping? }
Napi::Value ParseOpusHead(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Bytes b = BytesArg(info, 0, "Expected the OpusHead packet as a Buffer or Uint8Array");
  container::OpusHead h;
  Check(env, container::ParseOpusHead(b.data, b.size, &h));
  Napi::Object o = Napi::Object::New(env);
  o.Set("version", h.version);
  o.Set("channels", h.channels);
  o.Set("preSkip", h.pre_skip);
  o.Set("inputSampleRate", static_cast<double>(h.input_sample_rate));
  o.Set("outputGain", h.output_gain);
  o.Set("mappingFamily", h.mapping_family);
  o.Set("streamCount", h.stream_count);
  o.Set("coupledCount", h.coupled_count);
  if (h.mapping_family != 0) o.Set("mapping", Napi::Buffer<uint8_t>::Copy(env, h.mapping.data(), h.mapping.size()));
  return o;
}

// parseOpusTags(packet) -> { vendor, comments: string[] }
Napi::Value ParseOpusTags(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Bytes b = BytesArg(info, 0, "Expected the OpusTags packet as a Buffer or Uint8Array");
  container::OpusTags t;
  Check(env, container::ParseOpusTags(b.data, b.size, &t));
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
                  {{"parseOpusHead", ParseOpusHead},
                   {"parseOpusTags", ParseOpusTags},
                   {"findOggPage", FindOggPage}});
  exports.Set("containerConstants", Constants(env));
}

}  // namespace voxpool::binding
