// NativeVoiceReceiver: the Node-API face of voice::VoiceReceiver. Every call is a job on the
// object's strand, so frames come back in call order; lib/voice-pipeline.js validates.
#include "voice/receiver_wrap.h"

#include <memory>
#include <new>
#include <vector>

#include "args.h"
#include "options.h"
#include "pool/js_result.h"
#include "pooled_wrap.h"
#include "voice/voice_options.h"
#include "voxpool/crypto/voice_cipher.h"
#include "voxpool/voice/receiver.h"

namespace voxpool::binding {
namespace {

using voice::VoiceReceiver;

const char* KindName(voice::ReceivedFrame::Kind k) {
  switch (k) {
    case voice::ReceivedFrame::Kind::kDecoded:
      return "decoded";
    case voice::ReceivedFrame::Kind::kConcealed:
      return "concealed";
    case voice::ReceivedFrame::Kind::kRecovered:
      return "recovered";
  }
  return "decoded";
}

class ReceiverJob final : public pool::Job, public JsResult {
 public:
  enum class Kind { kPush, kPushOpus, kFlush, kRemove, kStats };
  ReceiverJob(std::shared_ptr<VoiceReceiver> receiver, Kind kind, const Bytes& input,
              uint32_t ssrc = 0, uint16_t sequence = 0, uint32_t timestamp = 0)
      : receiver_(std::move(receiver)),
        kind_(kind),
        input_(input.data, input.data + input.size),
        ssrc_(ssrc),
        sequence_(sequence),
        timestamp_(timestamp) {}

  void Run() noexcept override {
    try {
      switch (kind_) {
        case Kind::kPush:
          status = receiver_->Push(input_.data(), input_.size(), &frames_);
          break;
        case Kind::kPushOpus:
          status = receiver_->PushOpus(ssrc_, sequence_, timestamp_, input_.data(), input_.size(),
                                       &frames_);
          break;
        case Kind::kFlush:
          receiver_->Flush(&frames_);
          break;
        case Kind::kRemove:
          receiver_->Remove(ssrc_);
          break;
        case Kind::kStats:
          stats_ = receiver_->stats();
          break;
      }
    } catch (const std::bad_alloc&) {
      status = Status(ErrorCode::kOpusAllocFail, "Out of memory in the voice receiver");
    }
  }

  Napi::Value Result(Napi::Env env) override {
    if (kind_ == Kind::kStats) {
      Napi::Object o = Napi::Object::New(env);
      o.Set("packets", static_cast<double>(stats_.packets));
      o.Set("decoded", static_cast<double>(stats_.decoded));
      o.Set("concealed", static_cast<double>(stats_.concealed));
      o.Set("recovered", static_cast<double>(stats_.recovered));
      o.Set("late", static_cast<double>(stats_.late));
      o.Set("duplicates", static_cast<double>(stats_.duplicates));
      o.Set("corrupt", static_cast<double>(stats_.corrupt));
      return o;
    }
    Napi::Array a = Napi::Array::New(env, frames_.size());
    for (size_t i = 0; i < frames_.size(); ++i) {
      const voice::ReceivedFrame& f = frames_[i];
      Napi::Object o = Napi::Object::New(env);
      o.Set("ssrc", static_cast<double>(f.ssrc));
      o.Set("sequence", static_cast<double>(f.sequence));
      o.Set("timestamp", static_cast<double>(f.timestamp));
      o.Set("kind", KindName(f.kind));
      o.Set("pcm", Napi::Buffer<uint8_t>::Copy(env, reinterpret_cast<const uint8_t*>(f.pcm.data()),
                                               f.pcm.size() * sizeof(int16_t)));
      a.Set(static_cast<uint32_t>(i), o);
    }
    return a;
  }

 private:
  std::shared_ptr<VoiceReceiver> receiver_;
  Kind kind_;
  std::vector<uint8_t> input_;
  uint32_t ssrc_;
  uint16_t sequence_;
  uint32_t timestamp_;
  std::vector<voice::ReceivedFrame> frames_;
  voice::VoiceReceiverStats stats_;
};

class NativeVoiceReceiver : public PooledWrap<NativeVoiceReceiver, VoiceReceiver> {
 public:
  static constexpr ClassId kClass = ClassId::kVoiceReceiver;

  static Napi::Function Define(Napi::Env env) {
    return DefineWith(env, {VOXPOOL_METHOD(Push), VOXPOOL_METHOD(PushOpus), VOXPOOL_METHOD(Flush),
                            VOXPOOL_METHOD(Remove), VOXPOOL_METHOD(Stats)});
  }

  // new NativeVoiceReceiver({ mode, key, sampleRate, channels, window, maxSsrcs, maxQueue?,
  // overflow? }); absent numbers take VoiceReceiverOptions' defaults.
  explicit NativeVoiceReceiver(const Napi::CallbackInfo& info) : PooledWrap(info) {
    Napi::Env env = info.Env();
    Napi::Object o = OptionsArg(info);
    voice::VoiceReceiverOptions options;
    options.mode = ReadMode(env, o);
    options.sample_rate = OptionalInt(o, "sampleRate").value_or(options.sample_rate);
    options.channels = OptionalInt(o, "channels").value_or(options.channels);
    options.window =
        static_cast<size_t>(OptionalInt(o, "window").value_or(static_cast<int>(options.window)));
    options.max_ssrcs = static_cast<size_t>(
        OptionalInt(o, "maxSsrcs").value_or(static_cast<int>(options.max_ssrcs)));
    Bytes key = ReadKey(env, o);
    AdoptNewCounted(info, o, options, key.data, key.size);
  }

 private:
  Napi::Value SubmitJob(Napi::Env env, std::unique_ptr<ReceiverJob> job) {
    // The receiver grows by a decoder per new SSRC (on its strand): report its size as of now,
    // one job behind at most.
    memory_.Set(env, static_cast<int64_t>(core_->memory_bytes()));
    return Submit(env, std::move(job));
  }
  static uint32_t U32(const Napi::CallbackInfo& info, size_t i) {
    return U32Arg(info, i, "Expected ssrc, sequence and timestamp numbers");
  }

  // push(packet) -> Promise<frame[]>
  Napi::Value Push(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    const auto& r = Enter(info);
    Bytes packet = BytesArg(info, 0, "Expected the packet as a Buffer or Uint8Array");
    if (packet.size > crypto::kMaxVoicePacketBytes)
      ThrowRangeError(env, "The packet is larger than a UDP datagram");
    return SubmitJob(env, std::make_unique<ReceiverJob>(r, ReceiverJob::Kind::kPush, packet));
  }
  // pushOpus(ssrc, sequence, timestamp, opus) -> Promise<frame[]>
  Napi::Value PushOpus(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    const auto& r = Enter(info);
    const uint32_t ssrc = U32(info, 0);
    const uint32_t seq = U32(info, 1);
    const uint32_t ts = U32(info, 2);
    Bytes opus = BytesArg(info, 3, "Expected the Opus frame as a Buffer or Uint8Array");
    if (opus.size > crypto::kMaxVoicePacketBytes)
      ThrowRangeError(env, "The Opus frame is too large");
    return SubmitJob(env, std::make_unique<ReceiverJob>(r, ReceiverJob::Kind::kPushOpus, opus, ssrc,
                                                        static_cast<uint16_t>(seq), ts));
  }
  Napi::Value Flush(const Napi::CallbackInfo& info) {
    return SubmitJob(
        info.Env(), std::make_unique<ReceiverJob>(Enter(info), ReceiverJob::Kind::kFlush, Bytes{}));
  }
  Napi::Value Remove(const Napi::CallbackInfo& info) {
    Of(info.Env(), info.This());
    return SubmitJob(info.Env(),
                     std::make_unique<ReceiverJob>(Live(info.Env()), ReceiverJob::Kind::kRemove,
                                                   Bytes{}, U32(info, 0)));
  }
  Napi::Value Stats(const Napi::CallbackInfo& info) {
    return SubmitJob(
        info.Env(), std::make_unique<ReceiverJob>(Enter(info), ReceiverJob::Kind::kStats, Bytes{}));
  }
};

}  // namespace

Napi::Function DefineVoiceReceiver(Napi::Env env) { return NativeVoiceReceiver::Define(env); }

}  // namespace voxpool::binding
