// NativeOggDemuxer: container::OggDemuxer on the pool, for lib/ogg-demuxer.js (the job and methods
// are demuxer_wrap.h's).
#include "container/ogg_demuxer_wrap.h"

#include <memory>

#include "container/demuxer_wrap.h"
#include "options.h"
#include "voxpool/container/ogg_demuxer.h"

namespace voxpool::binding {
namespace {

using container::OggDemuxer;

struct OggTraits {
  static constexpr ClassId kClass = ClassId::kOggDemuxer;
  using Demuxer = OggDemuxer;
  using Output = container::OggOutput;
  using State = container::OggDemuxerStats;
  // Per event (lib/ogg-demuxer.js reads the same layout): kind, serial, granule, samples,
  // trimEnd, offset, size.
  static constexpr size_t kEventFields = 7;

  // { serial?, maxPacketBytes?, startSamples? }
  static container::OggDemuxerOptions ReadOptions(const Napi::Object& o) {
    container::OggDemuxerOptions options;
    ReadKeys(o, Key("serial", &options.serial), Key("maxPacketBytes", &options.max_packet_bytes));
    options.start_samples = NumberOr<int64_t>(o, "startSamples", 0);
    return options;
  }
  static State Snapshot(const Demuxer& d) { return d.stats(); }
  static double* Write(const container::OggEvent& ev, double* e) {
    return PutNumbers(e, ev.kind, ev.serial, ev.granule, ev.samples, ev.trim_end, ev.offset,
                      ev.size);
  }
  static void Describe(Napi::Env env, const State& stats, Napi::Object* o) {
    Napi::Object s = Napi::Object::New(env);
    s.Set("bytes", static_cast<double>(stats.bytes));
    s.Set("pages", static_cast<double>(stats.pages));
    s.Set("packets", static_cast<double>(stats.packets));
    s.Set("skippedBytes", static_cast<double>(stats.skipped_bytes));
    s.Set("holes", static_cast<double>(stats.holes));
    s.Set("chains", static_cast<double>(stats.chains));
    s.Set("otherPages", static_cast<double>(stats.other_pages));
    s.Set("droppedPackets", static_cast<double>(stats.dropped_packets));
    s.Set("seeks", static_cast<double>(stats.seeks));
    o->Set("stats", s);
  }
};

}  // namespace

Napi::Function DefineOggDemuxer(Napi::Env env) { return DemuxerWrap<OggTraits>::Define(env); }

}  // namespace voxpool::binding
