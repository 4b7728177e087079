// NativeTranscoder: the Node-API face of opus::Transcoder. lib/transcode-stream.js validates and
// explains; this file re-checks cheap invariants, converts values and submits one job per frame.
#include "transcoder_binding.h"

#include <memory>
#include <vector>

#include "bytes.h"
#include "pool/env_context.h"
#include "errors.h"
#include "external_memory.h"
#include "pool/js_result.h"
#include "pool/lazy_strand.h"
#include "opus_binding.h"
#include "options.h"
#include "voxpool/mix/mixer.h"
#include "voxpool/opus/transcoder.h"
#include "wrap.h"

namespace voxpool::binding {
namespace {

constexpr napi_type_tag kTranscoderTag = {0x766f78706f6f6c0cULL, 0x5472616e73636f64ULL};

class TranscodeJob final : public pool::Job, public JsResult {
 public:
  TranscodeJob(std::shared_ptr<opus::Transcoder> transcoder, const Bytes& packet,
               const opus::VolumeCommand& command)
      : transcoder_(std::move(transcoder)), packet_(packet.data, packet.data + packet.size),
        command_(command) {}

  void Run() noexcept override {
    length_ = transcoder_->Process(packet_.data(), packet_.size(), command_, out_, sizeof(out_));
    if (length_ < 0) status = Status::FromOpus(length_);
  }
  Napi::Value Result(Napi::Env env) override {
    return Napi::Buffer<uint8_t>::Copy(env, out_, static_cast<size_t>(length_));
  }
  bool ResultBytes(const uint8_t** data, size_t* size) const override {
    *data = out_;
    *size = static_cast<size_t>(length_);
    return true;
  }

 private:
  std::shared_ptr<opus::Transcoder> transcoder_;
  std::vector<uint8_t> packet_;
  opus::VolumeCommand command_;
  int length_ = 0;
  uint8_t out_[opus::kMaxPacketBytes];
};

class NativeTranscoder : public Napi::ObjectWrap<NativeTranscoder> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "NativeTranscoder",
                       {
                           InstanceMethod<&NativeTranscoder::ProcessAsync>("processAsync"),
                           InstanceMethod<&NativeTranscoder::Pending>("pending"),
                           InstanceMethod<&NativeTranscoder::Destroy>("destroy"),
                       });
  }

  // new NativeTranscoder(nativeEncoder, { volume, maxQueue?, overflow? }): re-encodes with the
  // given encoder (shared), so its owner's setters keep working.
  explicit NativeTranscoder(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NativeTranscoder>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 2 || !info[1].IsObject()) ThrowTypeError(env, "Expected an encoder and an options object");
    std::shared_ptr<opus::Encoder> encoder = SharedEncoderOf(env, info[0]);
    Napi::Object o = info[1].As<Napi::Object>();
    Napi::Value volume = o.Get("volume");
    strand_ = LazyStrand(ReadStrandOptions(o));
    std::unique_ptr<opus::Transcoder> transcoder;
    Status st = opus::Transcoder::Create(std::move(encoder),
                                         volume.IsNumber() ? volume.As<Napi::Number>().DoubleValue() : 1.0,
                                         &transcoder);
    if (!st.ok()) Throw(env, st);
    transcoder_ = std::move(transcoder);
    memory_.Set(env, static_cast<int64_t>(transcoder_->memory_bytes()));
    napi_type_tag_object(env, info.This(), &kTranscoderTag);
  }

  ~NativeTranscoder() override { memory_.Release(Env()); }

 private:
  static NativeTranscoder* Of(Napi::Env env, napi_value value) {
    return UnwrapTagged<NativeTranscoder>(env, value, kTranscoderTag,
                                          "Expected a NativeTranscoder (illegal invocation)");
  }

  const std::shared_ptr<opus::Transcoder>& Live(Napi::Env env) const {
    if (!transcoder_) Throw(env, Status(ErrorCode::kDestroyed, "The transcoder has been destroyed"));
    return transcoder_;
  }

  // processAsync(packet, generation, volume, rampMs, dueMs?) -> Promise<Buffer>; an empty packet
  // is a lost one (concealed).
  Napi::Value ProcessAsync(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Of(env, info.This());
    const auto& transcoder = Live(env);
    Bytes packet;
    if (info.Length() < 4 || !GetBytes(env, info[0], &packet))
      ThrowTypeError(env, "Expected an Opus packet as a Buffer or Uint8Array");
    if (packet.size > 0x7fffffff) ThrowRangeError(env, "Opus packet is too large");
    if (!info[1].IsNumber() || !info[2].IsNumber() || !info[3].IsNumber())
      ThrowTypeError(env, "Expected generation, volume and rampMs to be numbers");
    opus::VolumeCommand command;
    command.generation = static_cast<uint64_t>(info[1].As<Napi::Number>().Int64Value());
    command.target = info[2].As<Napi::Number>().DoubleValue();
    command.ramp_ms = info[3].As<Napi::Number>().DoubleValue();
    if (!(command.target >= 0 && command.target <= mix::kVolumeMax)) ThrowRangeError(env, "volume is out of range");
    if (!(command.ramp_ms >= 0 && command.ramp_ms <= mix::kMixerMaxRampMs)) ThrowRangeError(env, "rampMs is out of range");
    auto job = std::make_unique<TranscodeJob>(transcoder, packet, command);
    if (info.Length() > 4) ApplyDueMs(env, info[4], *job);
    return EnvContext::Get(env).Submit(env, strand_.Get(env), std::move(job));
  }

  Napi::Value Pending(const Napi::CallbackInfo& info) {
    Of(info.Env(), info.This());
    return Napi::Number::New(info.Env(), strand_.pending());
  }

  // destroy(): queued jobs reject with ERR_VOXPOOL_DESTROYED; a running one finishes.
  Napi::Value Destroy(const Napi::CallbackInfo& info) {
    Of(info.Env(), info.This());
    strand_.Close();
    transcoder_.reset();
    memory_.Release(info.Env());
    return info.Env().Undefined();
  }

  std::shared_ptr<opus::Transcoder> transcoder_;
  LazyStrand strand_;
  ExternalMemory memory_;
};

}  // namespace

void InitTranscoder(Napi::Env env, Napi::Object exports) {
  exports.Set("NativeTranscoder", NativeTranscoder::Define(env));
}

}  // namespace voxpool::binding
