// NativeVolume: the Node-API face of mix::Volume (createVolumeTransformer's native side).
// Synchronous only: it runs on the calling thread, so it has no strand. lib/volume-api.js
// validates and explains. JS thread only.
#include <memory>

#include "args.h"
#include "mix/mix_classes.h"
#include "options.h"
#include "sync_wrap.h"
#include "voxpool/mix/volume.h"

namespace voxpool::binding {
namespace {

constexpr const char* kPcmMessage = "Expected PCM as a Buffer or TypedArray";

class NativeVolume : public SyncWrap<NativeVolume, mix::Volume> {
 public:
  static constexpr ClassId kClass = ClassId::kVolume;

  static Napi::Function Define(Napi::Env env) {
    return DefineMethods<NativeVolume>(env, {VOXPOOL_METHOD(Process), VOXPOOL_METHOD(Set),
                                             VOXPOOL_METHOD(Value), VOXPOOL_METHOD(Target)});
  }

  // new NativeVolume({ sampleRate, channels, format, volume })
  explicit NativeVolume(const Napi::CallbackInfo& info) : SyncWrap(info) {
    Napi::Object o = OptionsArg(info);
    CreateAndTag(info, IntOr(o, "sampleRate", mix::kVolumeDefaultSampleRate),
                 IntOr(o, "channels", mix::kVolumeDefaultChannels), NumberOr(o, "volume", 1.0));
    format_ = FormatOf(o);
    memory_.Set(info.Env(), sizeof(mix::Volume));
  }

 private:
  // process(pcm) -> Buffer: a scaled copy (whole frames).
  Napi::Value Process(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    mix::Volume& volume = Enter(info);
    const Bytes pcm = BytesArg(info, 0, kPcmMessage);
    const size_t frame_bytes = BytesPerSample(format_) * volume.channels();
    if (pcm.size % frame_bytes != 0)
      ThrowRangeError(
          env, "PCM length is not a whole number of frames for this format and channel count");
    Napi::Buffer<uint8_t> out = Napi::Buffer<uint8_t>::Copy(env, pcm.data, pcm.size);
    const long frames = static_cast<long>(pcm.size / frame_bytes);
    // A copied Buffer is freshly allocated, so it is aligned for its samples.
    WithSampleType(format_, [&](auto zero) {
      volume.Process(reinterpret_cast<decltype(zero)*>(out.Data()), frames);
    });
    return out;
  }

  // set(linear, rampMs = 0)
  Napi::Value Set(const Napi::CallbackInfo& info) {
    mix::Volume& volume = Enter(info);
    const double v = NumberArg(info, 0, "Expected volume to be a number");
    Check(info.Env(), volume.Set(v, NumberArgOr(info, 1, 0.0)));
    return info.Env().Undefined();
  }
  Napi::Value Value(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), Enter(info).value());
  }
  Napi::Value Target(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), Enter(info).target());
  }

  SampleFormat format_ = SampleFormat::kS16;
};

}  // namespace

Napi::Function DefineNativeVolume(Napi::Env env) { return NativeVolume::Define(env); }

}  // namespace voxpool::binding
