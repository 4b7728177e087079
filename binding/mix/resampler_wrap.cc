// NativeResampler: the Node-API face of mix::Resampler (soxr). Synchronous only: it runs on the
// calling thread, so it has no strand. lib/resampler.js validates and explains. JS thread only.
#include <memory>
#include <vector>

#include "args.h"
#include "mix/mix_classes.h"
#include "options.h"
#include "sync_wrap.h"
#include "voxpool/mix/resampler.h"

namespace voxpool::binding {
namespace {

class NativeResampler : public SyncWrap<NativeResampler, mix::Resampler> {
 public:
  static constexpr ClassId kClass = ClassId::kResampler;

  static Napi::Function Define(Napi::Env env) {
    return DefineMethods<NativeResampler>(
        env, {VOXPOOL_METHOD(Process), VOXPOOL_METHOD(Flush), VOXPOOL_METHOD(Reset),
              VOXPOOL_METHOD(Delay), VOXPOOL_METHOD(Destroy)});
  }

  // new NativeResampler({ inputRate, outputRate, channels, format })
  explicit NativeResampler(const Napi::CallbackInfo& info) : SyncWrap(info) {
    Napi::Object o = OptionsArg(info);
    mix::ResamplerOptions r;
    r.input_rate = IntOr(o, "inputRate", 0);
    r.output_rate = IntOr(o, "outputRate", 0);
    r.channels = IntOr(o, "channels", 0);
    format_ = FormatOf(o);
    CreateAndTag(info, r);
    Report(info.Env());
  }

 private:
  // The converter's state and this wrapper's output buffers (they grow to the largest chunk).
  void Report(Napi::Env env) {
    memory_.Set(
        env, static_cast<int64_t>(core_->memory_bytes() + out_.capacity() + aligned_.capacity()));
  }

  // out_ sized for `capacity` frames; returns its data.
  uint8_t* OutFor(int capacity) {
    out_.resize(static_cast<size_t>(capacity) * core_->channels() * sizeof(float));
    return out_.data();
  }

  Napi::Value Output(Napi::Env env, int frames) {
    return Napi::Buffer<uint8_t>::Copy(
        env, out_.data(),
        static_cast<size_t>(frames) * core_->channels() * BytesPerSample(format_));
  }

  // process(pcm) -> Buffer: converts a chunk (whole frames, at most one second), keeping state.
  Napi::Value Process(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    mix::Resampler& r = Enter(info);
    const uint8_t* data = nullptr;
    const int frames =
        PcmFrames(env, Arg(info, 0), format_, r.channels(), r.input_rate(), &aligned_, &data);
    const int capacity = r.MaxOutputFrames(frames);
    uint8_t* out = OutFor(capacity);
    int got = 0;
    Check(env, WithSampleType(format_, [&](auto zero) {
            using T = decltype(zero);
            return r.Process(reinterpret_cast<const T*>(data), frames, reinterpret_cast<T*>(out),
                             capacity, &got);
          }));
    Report(env);
    return Output(env, got);
  }

  // flush() -> Buffer: the held tail; the resampler then starts a new stream.
  Napi::Value Flush(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    mix::Resampler& r = Enter(info);
    const int capacity = r.MaxOutputFrames(r.input_rate());
    uint8_t* out = OutFor(capacity);
    int got = 0;
    Check(env, WithSampleType(format_, [&](auto zero) {
            return r.Flush(reinterpret_cast<decltype(zero)*>(out), capacity, &got);
          }));
    return Output(env, got);
  }

  Napi::Value Reset(const Napi::CallbackInfo& info) {
    Enter(info).Reset();
    return info.Env().Undefined();
  }

  Napi::Value Delay(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), Enter(info).delay_frames());
  }

  // destroy(): frees the converter and its buffers now; later calls throw ERR_VOXPOOL_DESTROYED.
  Napi::Value Destroy(const Napi::CallbackInfo& info) {
    UnwrapTagged<NativeResampler>(info.Env(), info.This());
    core_.reset();
    std::vector<uint8_t>().swap(out_);
    std::vector<uint8_t>().swap(aligned_);
    memory_.Release(info.Env());
    return info.Env().Undefined();
  }

  SampleFormat format_ = SampleFormat::kS16;
  std::vector<uint8_t> out_;
  std::vector<uint8_t> aligned_;
};

}  // namespace

Napi::Function DefineNativeResampler(Napi::Env env) { return NativeResampler::Define(env); }

}  // namespace voxpool::binding
