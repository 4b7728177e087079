// NativeCrossfade: the Node-API face of filter::Crossfade. Synchronous only (a multiply-add per
// sample: cheaper than a pool round trip), so it has no strand. lib/crossfade.js validates and
// explains. JS thread only.
#include <memory>
#include <vector>

#include "args.h"
#include "filter/filter_module.h"
#include "options.h"
#include "sync_wrap.h"
#include "voxpool/filter/crossfade.h"

namespace voxpool::binding {
namespace {

constexpr const char* kPcmMessage = "Expected PCM as a Buffer or TypedArray";

class NativeCrossfade : public SyncWrap<NativeCrossfade, filter::Crossfade> {
 public:
  static constexpr ClassId kClass = ClassId::kCrossfade;

  static Napi::Function Define(Napi::Env env) {
    return DefineMethods<NativeCrossfade>(env, {VOXPOOL_METHOD(Process), VOXPOOL_METHOD(Position),
                                                VOXPOOL_METHOD(Length), VOXPOOL_METHOD(Reset)});
  }

  // new NativeCrossfade({ sampleRate, channels, format, durationMs, curve (index) })
  explicit NativeCrossfade(const Napi::CallbackInfo& info) : SyncWrap(info) {
    Napi::Env env = info.Env();
    Napi::Object o = OptionsArg(info);
    filter::CrossfadeOptions options;
    ReadKeys(o, Key("sampleRate", &options.sample_rate), Key("channels", &options.channels),
             Key("durationMs", &options.duration_ms));
    if (!o.Get("curve").IsUndefined()) options.curve = FadeCurveOf(env, o.Get("curve"));
    format_ = FormatOf(o);
    CreateAndTag(info, options);
    memory_.Set(env, sizeof(filter::Crossfade));
  }

 private:
  // process(outgoing, incoming) -> Buffer: the mix of two equally long runs of whole frames.
  Napi::Value Process(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    filter::Crossfade& x = Enter(info);
    const Bytes a = BytesArg(info, 0, kPcmMessage);
    const Bytes b = BytesArg(info, 1, kPcmMessage);
    const size_t frame_bytes = BytesPerSample(format_) * x.channels();
    if (a.size != b.size || a.size % frame_bytes != 0)
      ThrowRangeError(env, "The two sources must be equally long runs of whole frames");
    Napi::Buffer<uint8_t> out = Napi::Buffer<uint8_t>::New(env, a.size);
    const int frames = static_cast<int>(a.size / frame_bytes);
    // A view may start at any byte: copied (into buffers kept between calls) only when it is not
    // aligned for its samples; `out` is freshly allocated, so aligned.
    const uint8_t* left = AlignedSamples(a, format_, &aligned_out_);
    const uint8_t* right = AlignedSamples(b, format_, &aligned_in_);
    WithSampleType(format_, [&](auto zero) {
      using T = decltype(zero);
      x.Process(reinterpret_cast<const T*>(left), reinterpret_cast<const T*>(right),
                reinterpret_cast<T*>(out.Data()), frames);
    });
    return out;
  }
  Napi::Value Position(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), static_cast<double>(Enter(info).position()));
  }
  Napi::Value Length(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), static_cast<double>(Enter(info).length()));
  }
  Napi::Value Reset(const Napi::CallbackInfo& info) {
    Enter(info).Reset();
    return info.Env().Undefined();
  }

  SampleFormat format_ = SampleFormat::kS16;
  std::vector<uint8_t> aligned_out_, aligned_in_;  // realigned copies of unaligned views
};

}  // namespace

Napi::Function DefineNativeCrossfade(Napi::Env env) { return NativeCrossfade::Define(env); }

}  // namespace voxpool::binding
