// NativeOggMuxer: container::OggMuxer on the pool, for lib/ogg-muxer.js. Each packet, gap or finish
// is one job on the object's strand (in order); its Promise resolves with the Ogg bytes it
// completed (often none: a page holds about a second).
#include "container/ogg_muxer_wrap.h"

#include <memory>
#include <new>
#include <string>
#include <vector>

#include "args.h"
#include "options.h"
#include "pool/js_result.h"
#include "pooled_wrap.h"
#include "voxpool/container/ogg_muxer.h"

namespace voxpool::binding {
namespace {

using container::OggMuxer;

class MuxJob final : public pool::Job, public JsResult {
 public:
  enum class Kind { kWrite, kGap, kFinish };
  MuxJob(std::shared_ptr<OggMuxer> muxer, Kind kind, const Bytes& packet, int64_t gap = 0)
      : muxer_(std::move(muxer)),
        kind_(kind),
        packet_(packet.data, packet.data + packet.size),
        gap_(gap) {}

  void Run() noexcept override {
    try {
      switch (kind_) {
        case Kind::kWrite:
          status = muxer_->Write(packet_.data(), packet_.size(), &out_);
          break;
        case Kind::kGap:
          status = muxer_->Gap(gap_, &out_);
          break;
        case Kind::kFinish:
          status = muxer_->Finish(&out_);
          break;
      }
    } catch (const std::bad_alloc&) {
      status = Status(ErrorCode::kInvalidArgument, "Out of memory while muxing");
    }
    granule_ = muxer_->stats().granule;
  }

  // { bytes: Buffer, granule: number }
  Napi::Value Result(Napi::Env env) override {
    Napi::Object o = Napi::Object::New(env);
    o.Set("bytes", Napi::Buffer<uint8_t>::Copy(env, out_.data(), out_.size()));
    o.Set("granule", static_cast<double>(granule_));
    return o;
  }

 private:
  std::shared_ptr<OggMuxer> muxer_;
  Kind kind_;
  std::vector<uint8_t> packet_;
  int64_t gap_;
  std::vector<uint8_t> out_;
  int64_t granule_ = 0;
};

class NativeOggMuxer : public PooledWrap<NativeOggMuxer, OggMuxer> {
 public:
  static constexpr ClassId kClass = ClassId::kOggMuxer;

  static Napi::Function Define(Napi::Env env) {
    return DefineWith(
        env, {VOXPOOL_METHOD(WriteAsync), VOXPOOL_METHOD(GapAsync), VOXPOOL_METHOD(FinishAsync)});
  }

  // new NativeOggMuxer({ channels, preSkip, inputSampleRate, outputGain, serial, flushSamples,
  //   gap: 'silence' | 'jump', vendor, comments: string[], maxQueue?, overflow? })
  explicit NativeOggMuxer(const Napi::CallbackInfo& info) : PooledWrap(info) {
    Napi::Object o = OptionsArg(info);
    container::OggMuxerOptions m;
    m.head.channels = IntOr(o, "channels", m.head.channels);
    m.head.pre_skip = IntOr(o, "preSkip", m.head.pre_skip);
    m.head.input_sample_rate = NumberOr(o, "inputSampleRate", m.head.input_sample_rate);
    m.head.output_gain = IntOr(o, "outputGain", m.head.output_gain);
    ReadKeys(o, Key("serial", &m.serial), Key("flushSamples", &m.flush_samples));
    if (OptionIs(o, "gap", "jump")) m.gap_mode = container::OggGapMode::kJump;
    Napi::Value vendor = o.Get("vendor");
    if (vendor.IsString()) m.tags.vendor = vendor.As<Napi::String>().Utf8Value();
    Napi::Value comments = o.Get("comments");
    if (comments.IsArray()) {
      Napi::Array a = comments.As<Napi::Array>();
      for (uint32_t i = 0; i < a.Length(); ++i)
        m.tags.comments.push_back(a.Get(i).ToString().Utf8Value());
    }
    AdoptNew(info, o, sizeof(OggMuxer) + container::kOpusMaxPacketBytes, m);
  }

 private:
  // writeAsync(packet) -> Promise<{ bytes, granule }>
  Napi::Value WriteAsync(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    const auto& m = Enter(info);
    Bytes packet = BytesArg(info, 0, "Expected the Opus packet as a Buffer or Uint8Array");
    return Submit(env, std::make_unique<MuxJob>(m, MuxJob::Kind::kWrite, packet));
  }
  // gapAsync(samples) -> Promise<{ bytes, granule }>
  Napi::Value GapAsync(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    const auto& m = Enter(info);
    const int64_t samples =
        IntegerArg(info, 0, 0, container::kOggMaxGapSamples, "Expected gap samples as a number",
                   "gap must be a whole number of samples within the limit");
    return Submit(env, std::make_unique<MuxJob>(m, MuxJob::Kind::kGap, Bytes{}, samples));
  }
  // finishAsync() -> Promise<{ bytes, granule }>
  Napi::Value FinishAsync(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    return Submit(env, std::make_unique<MuxJob>(Enter(info), MuxJob::Kind::kFinish, Bytes{}));
  }
};

}  // namespace

Napi::Function DefineOggMuxer(Napi::Env env) { return NativeOggMuxer::Define(env); }

}  // namespace voxpool::binding
