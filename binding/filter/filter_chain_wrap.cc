// NativeFilterChain: the Node-API face of filter::FilterChain. lib/filter-chain.js validates the
// Lavalink-shaped filters object and hands it over normalised (every group an object or absent,
// `equalizer` an array of 15 gains); this reads it through the core's field table, so a field
// added there reaches JS without an edit here. JS thread only.
#include <memory>
#include <utility>
#include <vector>

#include "args.h"
#include "filter/filter_module.h"
#include "options.h"
#include "pool/env_context.h"
#include "pool/js_result.h"
#include "pooled_wrap.h"
#include "voxpool/filter/filter_chain.h"

namespace voxpool::binding {
namespace {

using filter::FilterChain;
using filter::FilterSettings;

constexpr const char* kPcmMessage = "Expected PCM as a Buffer or TypedArray";

// The settings a normalised filters object describes; fields it leaves out keep their defaults.
FilterSettings SettingsOf(const Napi::Object& o) {
  FilterSettings s;
  for (const filter::FilterGroup& g : filter::kFilterGroups)
    if (g.present != nullptr) s.*g.present = o.Get(g.name).IsObject();
  for (const filter::FilterField& f : filter::kFilterFields) {
    Napi::Value holder = *f.group ? o.Get(f.group) : Napi::Value(o);
    if (!holder.IsObject()) continue;
    Napi::Value v = holder.As<Napi::Object>().Get(f.name);
    if (v.IsNumber()) s.*f.member = v.As<Napi::Number>().DoubleValue();
  }
  Napi::Value eq = o.Get("equalizer");
  if (eq.IsArray()) {
    Napi::Array gains = eq.As<Napi::Array>();
    for (uint32_t b = 0; b < filter::kEqualizerBands && b < gains.Length(); ++b) {
      Napi::Value g = gains.Get(b);
      if (g.IsNumber()) s.equalizer[b] = g.As<Napi::Number>().DoubleValue();
    }
  }
  return s;
}

// Runs `frames` frames of `pcm` (scratch afterwards) through every filter into `out` (grown when
// timescale needs more room than the input; a recycled vector keeps its capacity); returns the
// bytes written.
size_t RunChain(FilterChain& chain, SampleFormat format, std::vector<uint8_t>& pcm, int frames,
                std::vector<uint8_t>& out, int granule, bool end) {
  const size_t frame_bytes = BytesPerSample(format) * chain.channels();
  uint8_t* dest = pcm.data();
  size_t capacity = static_cast<size_t>(frames);
  if (chain.stretching()) {
    capacity = static_cast<size_t>(chain.OutputCapacity(frames));
    if (out.size() < capacity * frame_bytes) out.resize(capacity * frame_bytes);
    dest = out.data();
  }
  const int written = WithSampleType(format, [&](auto zero) {
    using T = decltype(zero);
    return chain.ProcessInto(reinterpret_cast<T*>(pcm.data()), frames, reinterpret_cast<T*>(dest),
                             static_cast<int>(capacity), granule, end);
  });
  if (dest != out.data()) out.swap(pcm);  // in place: the input vector holds the output
  return static_cast<size_t>(written) * frame_bytes;
}

// One call through the chain on the pool. Recycled: its vectors keep their capacity, so a
// steady stream submits without allocating.
class FilterJob final : public JsJob {
 public:
  static std::unique_ptr<FilterJob> Make(Napi::Env env, std::shared_ptr<FilterChain> chain,
                                         SampleFormat format, const Bytes& pcm, int frames,
                                         int granule, bool end) {
    std::unique_ptr<FilterJob> job = EnvContext::Get(env).Reuse<FilterJob>();
    if (!job) job = std::make_unique<FilterJob>();
    job->chain_ = std::move(chain);
    job->format_ = format;
    job->frames_ = frames;
    job->granule_ = granule;
    job->end_ = end;
    job->pcm_.assign(pcm.data, pcm.data + pcm.size);  // operator new: aligned for float
    return job;
  }
  bool recyclable() const override { return true; }
  void ReleaseReferences() override { chain_.reset(); }

  void Run() noexcept override {
    length_ = RunChain(*chain_, format_, pcm_, frames_, out_, granule_, end_);
  }
  Napi::Value Result(Napi::Env env) override {
    return Napi::Buffer<uint8_t>::Copy(env, out_.data(), length_);
  }

 private:
  std::shared_ptr<FilterChain> chain_;
  SampleFormat format_ = SampleFormat::kS16;
  int frames_ = 0;
  int granule_ = 1;
  bool end_ = false;
  std::vector<uint8_t> pcm_;
  std::vector<uint8_t> out_;
  size_t length_ = 0;
};

class NativeFilterChain : public PooledWrap<NativeFilterChain, FilterChain> {
 public:
  static constexpr ClassId kClass = ClassId::kFilterChain;

  static Napi::Function Define(Napi::Env env) {
    return DefineWith(
        env, {VOXPOOL_METHOD(Process), VOXPOOL_METHOD(ProcessInPlace), VOXPOOL_METHOD(ProcessAsync),
              VOXPOOL_METHOD(SetFilters), VOXPOOL_METHOD(Fade), VOXPOOL_METHOD(Active),
              VOXPOOL_METHOD(Stretching)});
  }

  // new NativeFilterChain({ sampleRate, channels, format, filters, maxQueue?, overflow?,
  //                         deadlineMs? })
  explicit NativeFilterChain(const Napi::CallbackInfo& info) : PooledWrap(info) {
    Napi::Object o = OptionsArg(info);
    filter::FilterChainOptions options;
    ReadKeys(o, Key("sampleRate", &options.sample_rate), Key("channels", &options.channels));
    Napi::Value filters = o.Get("filters");
    if (filters.IsObject()) options.filters = SettingsOf(filters.As<Napi::Object>());
    format_ = FormatOf(o);
    AdoptNewCounted(info, o, options);
  }

 private:
  // Argument 0 as whole frames of this chain's format (at most kFilterMaxFrames).
  int FramesOf(Napi::Env env, const Bytes& pcm, const FilterChain& chain) const {
    const size_t frame_bytes = BytesPerSample(format_) * chain.channels();
    if (pcm.size % frame_bytes != 0)
      ThrowRangeError(
          env, "PCM length is not a whole number of frames for this format and channel count");
    if (pcm.size / frame_bytes > static_cast<size_t>(filter::kFilterMaxFrames))
      ThrowRangeError(env, "PCM is longer than filterConstants.MAX_FRAMES frames");
    return static_cast<int>(pcm.size / frame_bytes);
  }

  // Granule and end (arguments 1 and 2, optional): ProcessInto()'s.
  static int GranuleOf(Napi::Env env, const Napi::CallbackInfo& info) {
    if (info.Length() < 2 || info[1].IsUndefined()) return 1;
    Napi::Value v = info[1];
    const double g = v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : 0;
    if (!(g >= 1 && g <= filter::kFilterMaxFrames) || g != static_cast<int>(g))
      ThrowRangeError(env, "Expected a granule of 1 to filterConstants.MAX_FRAMES frames");
    return static_cast<int>(g);
  }
  static bool EndOf(const Napi::CallbackInfo& info) {
    return info.Length() > 2 && info[2].ToBoolean().Value();
  }

  // process(pcm, granule?, end?) -> Buffer: the filtered frames ready, on the calling thread
  // (as many as `pcm`, until timescale runs).
  Napi::Value Process(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    FilterChain& chain = *Enter(info);
    const Bytes pcm = BytesArg(info, 0, kPcmMessage);
    const int frames = FramesOf(env, pcm, chain);
    const int granule = GranuleOf(env, info);
    const bool end = EndOf(info);
    scratch_in_.assign(pcm.data, pcm.data + pcm.size);
    const size_t bytes = RunChain(chain, format_, scratch_in_, frames, scratch_out_, granule, end);
    return Napi::Buffer<uint8_t>::Copy(env, scratch_out_.data(), bytes);
  }

  // processInPlace(buffer) -> boolean: filters whole frames in place and returns true, or, once
  // timescale has been on (the output's length may differ), touches nothing and returns false so
  // the caller uses process(). The sync path without a native allocation or copy: Node's pooled
  // Buffer.allocUnsafe makes the output cheaper than Napi::Buffer::Copy (~3 us a call measured).
  Napi::Value ProcessInPlace(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    FilterChain& chain = *Enter(info);
    const Bytes pcm = BytesArg(info, 0, kPcmMessage);
    const int frames = FramesOf(env, pcm, chain);
    // The caller's own Buffer.allocUnsafe memory (so writable); a misaligned view takes the copy.
    if (chain.stretching() || reinterpret_cast<uintptr_t>(pcm.data) % alignof(float) != 0)
      return Napi::Boolean::New(env, false);
    WithSampleType(format_, [&](auto zero) {
      using T = decltype(zero);
      chain.Process(reinterpret_cast<T*>(const_cast<uint8_t*>(pcm.data)), frames);
      return 0;
    });
    return Napi::Boolean::New(env, true);
  }

  // processAsync(pcm, granule?, end?, toSink?) -> Promise<Buffer>: the same on the chain's strand,
  // in submission order.
  Napi::Value ProcessAsync(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    const std::shared_ptr<FilterChain>& chain = Enter(info);
    const Bytes pcm = BytesArg(info, 0, kPcmMessage);
    const int frames = FramesOf(env, pcm, *chain);
    return SubmitMaybeToSink(
        env, FilterJob::Make(env, chain, format_, pcm, frames, GranuleOf(env, info), EndOf(info)),
        Arg(info, 3));
  }

  // setFilters(normalised filters): every setting replaced; the next frame moves to them.
  Napi::Value SetFilters(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    FilterChain& chain = *Enter(info);
    Check(env, chain.SetFilters(SettingsOf(ObjectArg(info, 0, "Expected a filters object"))));
    memory_.Set(env, static_cast<int64_t>(chain.memory_bytes()));  // loudness's meter, once made
    return env.Undefined();
  }

  // fade(target, durationMs, curveIndex): from the next frame.
  Napi::Value Fade(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    FilterChain& chain = *Enter(info);
    constexpr const char* kNumbers = "Expected the fade's target and duration as numbers";
    const double target = NumberArg(info, 0, kNumbers);
    const double duration_ms = NumberArg(info, 1, kNumbers);
    Check(env, chain.StartFade(target, duration_ms, FadeCurveOf(env, Arg(info, 2))));
    return env.Undefined();
  }

  Napi::Value Active(const Napi::CallbackInfo& info) {
    return Napi::Boolean::New(info.Env(), Enter(info)->active());
  }

  // Whether timescale has been set: results no longer follow the input frame for frame.
  Napi::Value Stretching(const Napi::CallbackInfo& info) {
    return Napi::Boolean::New(info.Env(), Enter(info)->stretching());
  }

  SampleFormat format_ = SampleFormat::kS16;
  std::vector<uint8_t> scratch_in_;   // process()'s input copy and, in place, its output
  std::vector<uint8_t> scratch_out_;  // process()'s output once timescale runs
};

}  // namespace

Napi::Function DefineNativeFilterChain(Napi::Env env) { return NativeFilterChain::Define(env); }

filter::FadeCurve FadeCurveOf(Napi::Env env, napi_value value) {
  Napi::Value v(env, value);
  const double i = v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : -1;
  if (!(i >= 0 && i < filter::kFadeCurveCount) || i != static_cast<int>(i))
    ThrowRangeError(env, "Expected a fade curve index");
  return static_cast<filter::FadeCurve>(static_cast<int>(i));
}

std::shared_ptr<FilterChain> SharedFilterChainOf(Napi::Env env, napi_value value) {
  return NativeFilterChain::Of(env, value)->Live(env);
}

}  // namespace voxpool::binding
