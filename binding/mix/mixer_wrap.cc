// NativeMixer: the Node-API face of mix::Mixer. lib/mixer.js and lib/mixer-streams.js validate
// and explain; this re-checks cheap invariants, converts values and submits ticks to the mixer's
// strand, so asynchronous ticks run in order. JS thread only.
#include <memory>
#include <unordered_map>
#include <utility>
#include <vector>

#include "args.h"
#include "mix/mix_classes.h"
#include "options.h"
#include "pool/js_result.h"
#include "pooled_wrap.h"
#include "voxpool/mix/mixer.h"

namespace voxpool::binding {
namespace {

constexpr const char* kSourceId = "Expected a source id";

// One tick of `mixer` into `out` (frame_samples() samples of `format`). Never allocates.
void MixInto(mix::Mixer& mixer, SampleFormat format, uint8_t* out) noexcept {
  WithSampleType(format, [&](auto zero) { mixer.Mix(reinterpret_cast<decltype(zero)*>(out)); });
}

class MixJob final : public pool::Job, public JsResult {
 public:
  MixJob(std::shared_ptr<mix::Mixer> mixer, SampleFormat format)
      : mixer_(std::move(mixer)),
        format_(format),
        out_(static_cast<size_t>(mixer_->frame_samples()) * BytesPerSample(format)) {}
  void Run() noexcept override { MixInto(*mixer_, format_, out_.data()); }
  Napi::Value Result(Napi::Env env) override {
    return Napi::Buffer<uint8_t>::Copy(env, out_.data(), out_.size());
  }

 private:
  std::shared_ptr<mix::Mixer> mixer_;
  SampleFormat format_;
  std::vector<uint8_t> out_;  // operator new alignment suits int16/float
};

class NativeMixer : public PooledWrap<NativeMixer, mix::Mixer> {
 public:
  static constexpr ClassId kClass = ClassId::kMixer;

  static Napi::Function Define(Napi::Env env) {
    return DefineWith(
        env, {VOXPOOL_METHOD(AddSource), VOXPOOL_METHOD(RemoveSource), VOXPOOL_METHOD(Push),
              VOXPOOL_METHOD(PushMany), VOXPOOL_METHOD(MixWith), VOXPOOL_METHOD(MixAsyncWith),
              VOXPOOL_METHOD(SetGain), VOXPOOL_METHOD(SetMuted), VOXPOOL_METHOD(SetSolo),
              VOXPOOL_METHOD(SetPan), VOXPOOL_METHOD(SetDucker), VOXPOOL_METHOD(ClearSource),
              VOXPOOL_METHOD(EndSource), VOXPOOL_METHOD(SetMasterGain), VOXPOOL_METHOD(SetDucking),
              VOXPOOL_METHOD(Mix), VOXPOOL_METHOD(MixAsync), VOXPOOL_METHOD(SourceStats),
              VOXPOOL_METHOD(Stats)});
  }

  // new NativeMixer({ sampleRate, channels, frameSize, format, maxSources?, queueFrames?,
  //                   limiter?, ceilingDb?, limiterReleaseMs?, maxQueue?, overflow? })
  explicit NativeMixer(const Napi::CallbackInfo& info) : PooledWrap(info) {
    Napi::Object o = OptionsArg(info);
    mix::MixerOptions m;
    ReadKeys(o, Key("sampleRate", &m.sample_rate), Key("channels", &m.channels),
             Key("frameSize", &m.frame_size), Key("maxSources", &m.max_sources),
             Key("queueFrames", &m.queue_frames), Key("limiter", &m.limiter),
             Key("ceilingDb", &m.ceiling_db), Key("limiterReleaseMs", &m.limiter_release_ms));
    format_ = FormatOf(o);
    // Tell V8 what the wrapper holds (FIFOs for every source slot), so an undestroyed mixer
    // creates GC pressure proportional to its real size.
    const int64_t bytes = static_cast<int64_t>(m.max_sources) * m.queue_frames * m.frame_size *
                              m.channels * static_cast<int64_t>(sizeof(float)) +
                          static_cast<int64_t>(mix::kMixerMaxPushFrames) * 2 * sizeof(float) * 8;
    AdoptNew(info, o, bytes, m);
  }

 private:
  struct SourceInfo {
    SampleFormat format;
    int channels;
  };
  struct BatchItem {  // one checked push of a pushMany() batch
    uint32_t id;
    SampleFormat format;
    Bytes pcm;
    int frames;
  };

  // The source `id` (its format and channels), or ERR_VOXPOOL_INVALID_ARGUMENT.
  const SourceInfo& SourceOf(Napi::Env env, uint32_t id) const {
    auto it = sources_.find(id);
    if (it == sources_.end())
      Throw(env, Status(ErrorCode::kInvalidArgument, "No source with this id"));
    return it->second;
  }
  Status PushSamples(uint32_t id, SampleFormat format, const uint8_t* data, int frames) {
    return WithSampleType(format, [&](auto zero) {
      return core_->Push(id, reinterpret_cast<const decltype(zero)*>(data), frames);
    });
  }

  // addSource({ sampleRate?, channels?, format?, gain?, pan?, muted?, prebufferFrames? }) -> id
  Napi::Value AddSource(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    mix::Mixer& mixer = *Enter(info);
    Napi::Object o = info.Length() > 0 && info[0].IsObject() ? info[0].As<Napi::Object>()
                                                             : Napi::Object::New(env);
    mix::SourceOptions s;
    s.sample_rate = IntOr(o, "sampleRate", 0);
    s.channels = IntOr(o, "channels", 0);
    s.gain = NumberOr<float>(o, "gain", 1.0);
    s.pan = NumberOr<float>(o, "pan", 0.0);
    s.muted = BoolOr(o, "muted", false);
    s.prebuffer_frames = IntOr(o, "prebufferFrames", -1);
    s.format = o.Has("format") ? FormatOf(o) : format_;
    uint32_t id = 0;
    Check(env, mixer.AddSource(s, &id));
    sources_[id] = {s.format, s.channels == 0 ? mixer.channels() : s.channels};
    return Napi::Number::New(env, id);
  }

  Napi::Value RemoveSource(const Napi::CallbackInfo& info) {
    mix::Mixer& mixer = *Enter(info);
    const uint32_t id = U32Arg(info, 0, kSourceId);
    Check(info.Env(), mixer.RemoveSource(id));
    sources_.erase(id);
    return info.Env().Undefined();
  }

  // push(id, pcm): PCM in the source's format and channel count, any whole number of frames.
  Napi::Value Push(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Enter(info);
    const uint32_t id = U32Arg(info, 0, kSourceId);
    const SourceInfo& source = SourceOf(env, id);
    const uint8_t* data = nullptr;
    const int frames = PcmFrames(env, Arg(info, 1), source.format, source.channels,
                                 mix::kMixerMaxPushFrames, &aligned_, &data);
    Check(env, PushSamples(id, source.format, data, frames));
    return env.Undefined();
  }

  // pushMany(ids, frames) -> number: frames[i] into source ids[i], for every i, in one crossing
  // (a tick's worth of pushes). Every argument is checked before anything is pushed; a push the
  // source's FIFO cannot take is refused and counted in its droppedFrames, and the others still
  // go in. Returns how many were refused. Never allocates (batch_ is reserved up front).
  Napi::Value PushMany(const Napi::CallbackInfo& info) {
    Enter(info);
    return Napi::Number::New(info.Env(), PushBatch(info));
  }

  // mixWith(ids, frames) -> Buffer: pushMany then mix, in one crossing.
  Napi::Value MixWith(const Napi::CallbackInfo& info) {
    Enter(info);
    PushBatch(info);
    return Mix(info);
  }

  // mixAsyncWith(ids, frames) -> Promise<Buffer>: pushMany now (the PCM is copied into the
  // FIFOs), then one tick on the pool, in order with earlier ticks.
  Napi::Value MixAsyncWith(const Napi::CallbackInfo& info) {
    Enter(info);
    PushBatch(info);
    return MixAsync(info);
  }

  int PushBatch(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 2 || !info[0].IsArray() || !info[1].IsArray())
      ThrowTypeError(env, "Expected an array of source ids and an array of PCM chunks");
    Napi::Array ids = info[0].As<Napi::Array>();
    Napi::Array frames = info[1].As<Napi::Array>();
    const uint32_t n = ids.Length();
    if (frames.Length() != n) ThrowRangeError(env, "Expected one PCM chunk per source id");
    if (n > static_cast<uint32_t>(mix::kMixerMaxSources))
      ThrowRangeError(env, "Too many pushes in one batch");
    batch_.clear();
    for (uint32_t i = 0; i < n; ++i) {
      Napi::Value idv = ids.Get(i);
      if (!idv.IsNumber()) ThrowTypeError(env, kSourceId);
      const uint32_t id = idv.As<Napi::Number>().Uint32Value();
      const SourceInfo& source = SourceOf(env, id);
      BatchItem item{id, source.format, {}, 0};
      item.frames = PcmFrameCount(env, frames.Get(i), source.format, source.channels,
                                  mix::kMixerMaxPushFrames, &item.pcm);
      batch_.push_back(item);
    }
    int refused = 0;
    for (const BatchItem& b : batch_) {
      const Status st =
          PushSamples(b.id, b.format, AlignedSamples(b.pcm, b.format, &aligned_), b.frames);
      if (st.code() == ErrorCode::kQueueFull) {
        ++refused;
      } else {
        Check(env, st);
      }
    }
    return refused;
  }

  Napi::Value SetGain(const Napi::CallbackInfo& info) {
    mix::Mixer& mixer = *Enter(info);
    Check(info.Env(),
          mixer.SetGain(U32Arg(info, 0, kSourceId),
                        static_cast<float>(NumberArg(info, 1, "Expected gain to be a number")),
                        static_cast<float>(NumberArgOr(info, 2, 0.0))));
    return info.Env().Undefined();
  }
  // setMuted / setSolo / setDucker: (sourceId, boolean) -> a Mixer setter.
  Napi::Value SetSourceFlag(const Napi::CallbackInfo& info,
                            Status (mix::Mixer::*set)(uint32_t, bool) noexcept,
                            const char* message) {
    mix::Mixer& mixer = *Enter(info);
    Check(info.Env(), (mixer.*set)(U32Arg(info, 0, kSourceId), BoolArg(info, 1, message)));
    return info.Env().Undefined();
  }
  Napi::Value SetMuted(const Napi::CallbackInfo& info) {
    return SetSourceFlag(info, &mix::Mixer::SetMuted, "Expected muted to be a boolean");
  }
  Napi::Value SetSolo(const Napi::CallbackInfo& info) {
    return SetSourceFlag(info, &mix::Mixer::SetSolo, "Expected solo to be a boolean");
  }
  Napi::Value SetPan(const Napi::CallbackInfo& info) {
    mix::Mixer& mixer = *Enter(info);
    Check(info.Env(),
          mixer.SetPan(U32Arg(info, 0, kSourceId),
                       static_cast<float>(NumberArg(info, 1, "Expected pan to be a number"))));
    return info.Env().Undefined();
  }
  Napi::Value SetDucker(const Napi::CallbackInfo& info) {
    return SetSourceFlag(info, &mix::Mixer::SetDucker, "Expected ducker to be a boolean");
  }
  Napi::Value ClearSource(const Napi::CallbackInfo& info) {
    mix::Mixer& mixer = *Enter(info);
    Check(info.Env(), mixer.ClearSource(U32Arg(info, 0, kSourceId)));
    return info.Env().Undefined();
  }
  Napi::Value EndSource(const Napi::CallbackInfo& info) {
    mix::Mixer& mixer = *Enter(info);
    Check(info.Env(), mixer.EndSource(U32Arg(info, 0, kSourceId)));
    return info.Env().Undefined();
  }
  Napi::Value SetMasterGain(const Napi::CallbackInfo& info) {
    mix::Mixer& mixer = *Enter(info);
    Check(info.Env(), mixer.SetMasterGain(
                          static_cast<float>(NumberArg(info, 0, "Expected gain to be a number")),
                          static_cast<float>(NumberArgOr(info, 1, 0.0))));
    return info.Env().Undefined();
  }
  // setDucking({ depthDb, attackMs, releaseMs, holdMs, thresholdDb })
  Napi::Value SetDucking(const Napi::CallbackInfo& info) {
    mix::Mixer& mixer = *Enter(info);
    Napi::Object o = OptionsArg(info);
    mix::DuckingOptions d;
    ReadKeys(o, Key("depthDb", &d.depth_db), Key("attackMs", &d.attack_ms),
             Key("releaseMs", &d.release_ms), Key("holdMs", &d.hold_ms),
             Key("thresholdDb", &d.threshold_db));
    Check(info.Env(), mixer.SetDucking(d));
    return info.Env().Undefined();
  }

  // mix() -> Buffer: one tick on the calling thread, written straight into the new Buffer.
  Napi::Value Mix(const Napi::CallbackInfo& info) {
    mix::Mixer& mixer = *Enter(info);
    const size_t samples = static_cast<size_t>(mixer.frame_samples());
    Napi::Buffer<uint8_t> out =
        Napi::Buffer<uint8_t>::New(info.Env(), samples * BytesPerSample(format_));
    MixInto(mixer, format_, out.Data());  // Node allocates Buffers with at least 8-byte alignment
    return out;
  }

  // mixAsync() -> Promise<Buffer>: one tick on the pool, in order with earlier ticks.
  Napi::Value MixAsync(const Napi::CallbackInfo& info) {
    Enter(info);
    return Submit(info.Env(), std::make_unique<MixJob>(core_, format_));
  }

  Napi::Value SourceStats(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    mix::Mixer& mixer = *Enter(info);
    mix::SourceStats st;
    Check(env, mixer.GetSourceStats(U32Arg(info, 0, kSourceId), &st));
    Napi::Object o = Napi::Object::New(env);
    o.Set("mixedTicks", static_cast<double>(st.mixed_ticks));
    o.Set("silentTicks", static_cast<double>(st.silent_ticks));
    o.Set("droppedFrames", static_cast<double>(st.dropped_frames));
    o.Set("queuedFrames", st.queued_frames);
    o.Set("gain", st.gain);
    return o;
  }

  Napi::Value Stats(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    const mix::MixerStats st = Enter(info)->stats();
    Napi::Object o = Napi::Object::New(env);
    o.Set("ticks", static_cast<double>(st.ticks));
    o.Set("limitedTicks", static_cast<double>(st.limited_ticks));
    o.Set("gainReductionDb", st.gain_reduction_db);
    o.Set("sources", st.sources);
    o.Set("ducking", st.ducking);
    return o;
  }

  // destroy(): queued ticks reject with ERR_VOXPOOL_DESTROYED; a running one finishes (queued
  // ticks hold their own reference to the mixer until they complete).
  Napi::Value Destroy(const Napi::CallbackInfo& info) {
    PooledWrap::Destroy(info);
    sources_.clear();
    return info.Env().Undefined();
  }

  SampleFormat format_ = SampleFormat::kS16;
  std::unordered_map<uint32_t, SourceInfo> sources_;  // JS thread only
  std::vector<uint8_t> aligned_;  // realignment scratch for odd Buffer offsets (JS thread only)
  std::vector<BatchItem> batch_ =
      std::vector<BatchItem>(mix::kMixerMaxSources);  // pushMany scratch
};

}  // namespace

Napi::Function DefineNativeMixer(Napi::Env env) { return NativeMixer::Define(env); }

}  // namespace voxpool::binding
