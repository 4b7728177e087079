// NativeWebmDemuxer: container::WebmDemuxer on the pool, for lib/webm-demuxer.js (the job and
// methods are demuxer_wrap.h's). Each result also carries the followed track's TrackEntry once
// it has been read.
#include "container/webm_demuxer_wrap.h"

#include <memory>

#include "container/demuxer_wrap.h"
#include "options.h"
#include "voxpool/container/webm_demuxer.h"

namespace voxpool::binding {
namespace {

using container::WebmDemuxer;

struct WebmTraits {
  static constexpr ClassId kClass = ClassId::kWebmDemuxer;
  using Demuxer = WebmDemuxer;
  using Output = container::WebmOutput;
  struct State {
    container::WebmDemuxerStats stats;
    container::WebmTrackInfo track;
  };
  // Per event (lib/webm-demuxer.js reads the same layout): kind, track, timestampNs, samples,
  // trimEnd, offset, size, position. A timestamp is exact as a double up to 2^53 ns (104 days),
  // a position up to 2^53 bytes.
  static constexpr size_t kEventFields = 8;

  // { track?, maxFrameBytes?, startNs?, index? }
  static container::WebmDemuxerOptions ReadOptions(const Napi::Object& o) {
    container::WebmDemuxerOptions options;
    ReadKeys(o, Key("track", &options.track), Key("maxFrameBytes", &options.max_frame_bytes));
    options.start_ns = NumberOr<int64_t>(o, "startNs", 0);
    options.index = BoolOr(o, "index", false);
    return options;
  }
  static State Snapshot(const Demuxer& d) { return {d.stats(), d.track_info()}; }
  static double* Write(const container::WebmEvent& ev, double* e) {
    return PutNumbers(e, ev.kind, ev.track, ev.timestamp_ns, ev.samples, ev.trim_end, ev.offset,
                      ev.size, ev.position);
  }
  // stats, and track once a track is followed.
  static void Describe(Napi::Env env, const State& state, Napi::Object* o) {
    Napi::Object s = Napi::Object::New(env);
    s.Set("bytes", static_cast<double>(state.stats.bytes));
    s.Set("clusters", static_cast<double>(state.stats.clusters));
    s.Set("frames", static_cast<double>(state.stats.frames));
    s.Set("otherTrackFrames", static_cast<double>(state.stats.other_track_frames));
    s.Set("droppedFrames", static_cast<double>(state.stats.dropped_frames));
    s.Set("seeks", static_cast<double>(state.stats.seeks));
    o->Set("stats", s);
    if (state.track.number == 0) return;
    Napi::Object t = Napi::Object::New(env);
    t.Set("number", static_cast<double>(state.track.number));
    t.Set("channels", static_cast<double>(state.track.channels));
    t.Set("samplingFrequency", state.track.sampling_frequency);
    t.Set("codecDelayNs", static_cast<double>(state.track.codec_delay_ns));
    t.Set("seekPreRollNs", static_cast<double>(state.track.seek_pre_roll_ns));
    t.Set("timecodeScaleNs", static_cast<double>(state.track.timecode_scale_ns));
    o->Set("track", t);
  }
};

}  // namespace

Napi::Function DefineWebmDemuxer(Napi::Env env) { return DemuxerWrap<WebmTraits>::Define(env); }

}  // namespace voxpool::binding
