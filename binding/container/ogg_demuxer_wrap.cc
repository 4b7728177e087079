// NativeOggDemuxer: container::OggDemuxer on the pool, for lib/ogg-demuxer.js (the job and methods
// are demuxer_wrap.h's).
#include "container/ogg_demuxer_wrap.h"

#include <memory>

#include "container/demuxer_wrap.h"
#include "numbers.h"
#include "options.h"
#include "voxpool/container/ogg_demuxer.h"

namespace voxpool::binding {
namespace {

using container::OggDemuxer;

struct OggTraits {
  using Demuxer = OggDemuxer;
  using Output = container::OggOutput;
  using State = container::OggDemuxerStats;
  // Per event (lib/ogg-demuxer.js reads the same layout): kind, serial, granule, samples,
  // trimEnd, offset, size.
  static constexpr size_t kEventFields = 7;

  // { serial?, maxPacketBytes?, startSamples? }
  static container::OggDemuxerOptions ReadOptions(const Napi::Object& o) {
    container::OggDemuxerOptions options;
    options.serial = NumberOr(o, "serial", options.serial);
    options.max_packet_bytes = NumberOr(o, "maxPacketBytes", options.max_packet_bytes);
    options.start_samples = NumberOr<int64_t>(o, "startSamples", 0);
    return options;
  }
  static State Snapshot(const Demuxer& d) { return d.stats(); }
  static double* Write(const container::OggEvent& ev, double* e) {
    return PutNumbers(e, ev.kind, ev.serial, ev.granule, ev.samples, ev.trim_end, ev.offset,
                      ev.size);
  }
  static void Describe(Napi::Env env, const State& stats, Napi::Object* o) {
    o->Set("stats", NumberObject(env, {{"bytes", stats.bytes},
                                       {"pages", stats.pages},
                                       {"packets", stats.packets},
                                       {"skippedBytes", stats.skipped_bytes},
                                       {"holes", stats.holes},
                                       {"chains", stats.chains},
                                       {"otherPages", stats.other_pages},
                                       {"droppedPackets", stats.dropped_packets},
                                       {"seeks", stats.seeks}}));
  }
};

class NativeOggDemuxer : public DemuxerWrap<NativeOggDemuxer, OggTraits> {
 public:
  static constexpr ClassId kClass = ClassId::kOggDemuxer;
  using DemuxerWrap::DemuxerWrap;
};

}  // namespace

Napi::Function DefineOggDemuxer(Napi::Env env) { return NativeOggDemuxer::Define(env); }

}  // namespace voxpool::binding
