// NativeOggDemuxer: container::OggDemuxer on the pool, for lib/ogg-demuxer.js. Each pushed chunk
// is one job on the object's strand (so chunks are parsed in order, never two at once); its
// Promise resolves with every event the chunk completed, their bytes in one Buffer.
#include "container/ogg_demuxer_wrap.h"

#include <memory>
#include <new>
#include <vector>

#include "args.h"
#include "options.h"
#include "pool/js_result.h"
#include "pooled_wrap.h"
#include "voxpool/container/ogg_demuxer.h"

namespace voxpool::binding {
namespace {

using container::OggDemuxer;
using container::OggEvent;

// Numbers per event in the result's `events` Float64Array (lib/ogg-demuxer.js reads the same
// layout): kind, serial, granule, samples, trimEnd, offset, size.
constexpr size_t kEventFields = 7;

class DemuxJob final : public pool::Job, public JsResult {
 public:
  // `finish`: the input ended (Finish) instead of a chunk (Push).
  DemuxJob(std::shared_ptr<OggDemuxer> demuxer, const Bytes& chunk, bool finish)
      : demuxer_(std::move(demuxer)), chunk_(chunk.data, chunk.data + chunk.size), finish_(finish) {}

  void Run() noexcept override {
    try {
      status = finish_ ? demuxer_->Finish(&out_) : demuxer_->Push(chunk_.data(), chunk_.size(), &out_);
    } catch (const std::bad_alloc&) {
      status = Status(ErrorCode::kMalformedContainer, "Out of memory while demuxing");
    }
    stats_ = demuxer_->stats();
  }

  // { bytes: Buffer, events: Float64Array, stats }
  Napi::Value Result(Napi::Env env) override {
    Napi::Object o = Napi::Object::New(env);
    o.Set("bytes", Napi::Buffer<uint8_t>::Copy(env, out_.bytes.data(), out_.bytes.size()));
    Napi::Float64Array events = Napi::Float64Array::New(env, out_.events.size() * kEventFields);
    double* e = events.Data();
    for (const OggEvent& ev : out_.events) {
      *e++ = static_cast<double>(ev.kind);
      *e++ = static_cast<double>(ev.serial);
      *e++ = static_cast<double>(ev.granule);
      *e++ = static_cast<double>(ev.samples);
      *e++ = static_cast<double>(ev.trim_end);
      *e++ = static_cast<double>(ev.offset);
      *e++ = static_cast<double>(ev.size);
    }
    o.Set("events", events);
    Napi::Object s = Napi::Object::New(env);
    s.Set("bytes", static_cast<double>(stats_.bytes));
    s.Set("pages", static_cast<double>(stats_.pages));
    s.Set("packets", static_cast<double>(stats_.packets));
    s.Set("skippedBytes", static_cast<double>(stats_.skipped_bytes));
    s.Set("holes", static_cast<double>(stats_.holes));
    s.Set("chains", static_cast<double>(stats_.chains));
    s.Set("otherPages", static_cast<double>(stats_.other_pages));
    o.Set("stats", s);
    return o;
  }

 private:
  std::shared_ptr<OggDemuxer> demuxer_;
  std::vector<uint8_t> chunk_;
  bool finish_;
  container::OggOutput out_;
  container::OggDemuxerStats stats_;
};

class NativeOggDemuxer : public PooledWrap<NativeOggDemuxer, OggDemuxer> {
 public:
  static constexpr ClassId kClass = ClassId::kOggDemuxer;

  static Napi::Function Define(Napi::Env env) {
    return DefineWith(env, {{"pushAsync", &NativeOggDemuxer::PushAsync},
                            {"finishAsync", &NativeOggDemuxer::FinishAsync}});
  }

  // new NativeOggDemuxer({ serial?, maxPacketBytes?, maxQueue?, overflow? })
  explicit NativeOggDemuxer(const Napi::CallbackInfo& info) : PooledWrap(info) {
    Napi::Env env = info.Env();
    Napi::Object o = OptionsArg(info);
    container::OggDemuxerOptions options;
    options.serial = static_cast<int64_t>(NumberOr(o, "serial", static_cast<double>(options.serial)));
    options.max_packet_bytes = static_cast<size_t>(
        NumberOr(o, "maxPacketBytes", static_cast<double>(options.max_packet_bytes)));
    std::unique_ptr<OggDemuxer> d;
    Check(env, OggDemuxer::Create(options, &d));
    Adopt(env, info.This(), std::move(d), sizeof(OggDemuxer), ReadStrandOptions(o));
  }

 private:
  // pushAsync(chunk) -> Promise<{ bytes, events, stats }>
  Napi::Value PushAsync(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Of(env, info.This());
    const auto& d = Live(env);
    Bytes chunk = BytesArg(info, 0, "Expected the chunk as a Buffer or Uint8Array");
    return Submit(env, std::make_unique<DemuxJob>(d, chunk, false));
  }
  // finishAsync() -> Promise<{ bytes, events, stats }>: the input ended.
  Napi::Value FinishAsync(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Of(env, info.This());
    return Submit(env, std::make_unique<DemuxJob>(Live(env), Bytes{}, true));
  }
};

}  // namespace

Napi::Function DefineOggDemuxer(Napi::Env env) { return NativeOggDemuxer::Define(env); }

}  // namespace voxpool::binding
