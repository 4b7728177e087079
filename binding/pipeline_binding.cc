// NativeVoiceSender / NativeVoiceReceiver: the Node-API face of voice::VoiceSender and
// voice::VoiceReceiver. Every call is a job on the object's strand, so packets leave (and
// frames come back) in call order; lib/voice-pipeline.js validates and adds the DAVE seam.
#include "pipeline_binding.h"

#include <cstring>
#include <memory>
#include <optional>
#include <vector>

#include "bytes.h"
#include "env_context.h"
#include "errors.h"
#include "external_memory.h"
#include "js_result.h"
#include "lazy_strand.h"
#include "voxpool/voice/receiver.h"
#include "voxpool/voice/sender.h"
#include "options.h"
#include "wrap.h"

namespace voxpool::binding {
namespace {

constexpr napi_type_tag kSenderTag = {0x766f78706f6f6c06ULL, 0x53656e6465720001ULL};
constexpr napi_type_tag kReceiverTag = {0x766f78706f6f6c07ULL, 0x5265636569760001ULL};

crypto::VoiceMode ReadMode(Napi::Env env, const Napi::Object& o) {
  Napi::Value m = o.Get("mode");
  const crypto::VoiceModeInfo* info =
      m.IsString() ? crypto::FindVoiceMode(m.As<Napi::String>().Utf8Value()) : nullptr;
  if (info == nullptr) ThrowRangeError(env, "Unknown voice encryption mode");
  return info->mode;
}
Bytes ReadKey(Napi::Env env, const Napi::Object& o) {
  Bytes key;
  if (!GetBytes(env, o.Get("key"), &key))
    ThrowTypeError(env, "Expected the key as a Buffer or Uint8Array");
  return key;
}

// ----- sender jobs --------------------------------------------------------------------------

class SenderJob final : public pool::Job, public JsResult {
 public:
  enum class Kind { kSend, kEncode, kSeal, kSilence };
  SenderJob(std::shared_ptr<voice::VoiceSender> sender, Kind kind, const Bytes& input, int frame_size,
            int count = 1)
      : sender_(std::move(sender)),
        kind_(kind),
        input_(input.data, input.data + input.size),
        frame_size_(frame_size),
        count_(count) {}

  void Run() noexcept override {
    switch (kind_) {
      case Kind::kSend: {
        out_.emplace_back(voice::VoiceSender::kMaxSealedBytes);
        // The copy in `input_` is operator-new aligned, fine for int16 reads.
        status =
            Finish(sender_->EncodeAndSeal(reinterpret_cast<const int16_t*>(input_.data()),
                                          frame_size_, out_[0].data(), out_[0].size(), &written_),
                   0);
        break;
      }
      case Kind::kEncode: {
        out_.emplace_back(opus::kMaxPacketBytes);
        const int n =
            sender_->EncodeOnly(reinterpret_cast<const int16_t*>(input_.data()), frame_size_,
                                out_[0].data(), static_cast<int>(out_[0].size()));
        if (n < 0)
          status = Status::FromOpus(n);
        else
          out_[0].resize(static_cast<size_t>(n));
        break;
      }
      case Kind::kSeal: {
        out_.emplace_back(voice::VoiceSender::kMaxSealedBytes);
        status = Finish(sender_->SealOpus(input_.data(), input_.size(), frame_size_, out_[0].data(),
                                          out_[0].size(), &written_),
                        0);
        break;
      }
      case Kind::kSilence: {
        for (int i = 0; i < count_ && status.ok(); ++i) {
          out_.emplace_back(64);
          status = Finish(
              sender_->SealOpus(voice::VoiceSender::kSilenceFrame, sizeof(voice::VoiceSender::kSilenceFrame),
                                voice::VoiceSender::kSilenceFrameSamples, out_.back().data(),
                                out_.back().size(), &written_),
              out_.size() - 1);
        }
        break;
      }
    }
  }

  // One packet per job: let the environment batch it into a shared Buffer (see JsResult).
  bool ResultBytes(const uint8_t** data, size_t* size) const override {
    if (kind_ == Kind::kSilence) return false;
    *data = out_[0].data();
    *size = out_[0].size();
    return true;
  }

  Napi::Value Result(Napi::Env env) override {
    if (kind_ != Kind::kSilence)
      return Napi::Buffer<uint8_t>::Copy(env, out_[0].data(), out_[0].size());
    Napi::Array a = Napi::Array::New(env, out_.size());
    for (size_t i = 0; i < out_.size(); ++i)
      a.Set(static_cast<uint32_t>(i),
            Napi::Buffer<uint8_t>::Copy(env, out_[i].data(), out_[i].size()));
    return a;
  }

 private:
  Status Finish(Status st, size_t index) {
    if (st.ok()) out_[index].resize(written_);
    return st;
  }
  std::shared_ptr<voice::VoiceSender> sender_;
  Kind kind_;
  std::vector<uint8_t> input_;
  int frame_size_;
  int count_;
  size_t written_ = 0;
  std::vector<std::vector<uint8_t>> out_;
};

class NativeVoiceSender : public Napi::ObjectWrap<NativeVoiceSender> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "NativeVoiceSender",
                       {
                           InstanceMethod<&NativeVoiceSender::Send>("send"),
                           InstanceMethod<&NativeVoiceSender::Encode>("encode"),
                           InstanceMethod<&NativeVoiceSender::SealOpus>("sealOpus"),
                           InstanceMethod<&NativeVoiceSender::Silence>("silence"),
                           InstanceMethod<&NativeVoiceSender::Pending>("pending"),
                           InstanceMethod<&NativeVoiceSender::Destroy>("destroy"),
                       });
  }

  // new NativeVoiceSender({ ssrc, mode, key, sequence, timestamp, payloadType?, channels,
  //                         application?, bitrate?, complexity?, signal?, vbr?, fec?,
  //                         packetLoss?, dtx?, maxQueue?, overflow? })
  explicit NativeVoiceSender(const Napi::CallbackInfo& info)
      : Napi::ObjectWrap<NativeVoiceSender>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsObject()) ThrowTypeError(env, "Expected an options object");
    Napi::Object o = info[0].As<Napi::Object>();
    voice::VoiceSenderOptions options;
    options.ssrc = static_cast<uint32_t>(OptionalNumber(o, "ssrc").value_or(0));
    options.sequence = static_cast<uint16_t>(OptionalNumber(o, "sequence").value_or(0));
    options.timestamp = static_cast<uint32_t>(OptionalNumber(o, "timestamp").value_or(0));
    options.payload_type =
        static_cast<uint8_t>(OptionalInt(o, "payloadType").value_or(voice::rtp::kDiscordPayloadType));
    options.mode = ReadMode(env, o);
    options.encoder = ReadEncoderOptions(o);
    options.encoder.sample_rate = 48000;  // Discord voice is 48 kHz
    strand_ = LazyStrand(ReadStrandOptions(o));
    Bytes key = ReadKey(env, o);
    std::unique_ptr<voice::VoiceSender> sender;
    Status st = voice::VoiceSender::Create(options, key.data, key.size, &sender);
    if (!st.ok()) Throw(env, st);
    sender_ = std::move(sender);
    channels_ = options.encoder.channels;
    memory_.Set(env, static_cast<int64_t>(sender_->memory_bytes()));
    napi_type_tag_object(env, info.This(), &kSenderTag);
  }

  ~NativeVoiceSender() override { memory_.Release(Env()); }

 private:
  static NativeVoiceSender* Of(Napi::Env env, napi_value v) {
    return UnwrapTagged<NativeVoiceSender>(env, v, kSenderTag,
                                           "Expected a NativeVoiceSender (illegal invocation)");
  }
  const std::shared_ptr<voice::VoiceSender>& Live(Napi::Env env) {
    if (!sender_) Throw(env, Status(ErrorCode::kDestroyed, "The voice sender has been destroyed"));
    return sender_;
  }
  pool::Strand& StrandFor(Napi::Env env) {
    return strand_.Get(env);
  }
  // s16 PCM at 48 kHz; returns samples per channel.
  int PcmArg(const Napi::CallbackInfo& info, Bytes* pcm) {
    if (info.Length() < 1 || !GetBytes(info.Env(), info[0], pcm) || pcm->is_float32())
      ThrowTypeError(info.Env(), "Expected s16 PCM as a Buffer or Int16Array");
    const size_t per = 2u * static_cast<size_t>(channels_);
    const size_t frame = pcm->size / per;
    if (pcm->size % per != 0 || !opus::IsValidFrameSize(48000, static_cast<int>(frame)))
      ThrowRangeError(info.Env(), "PCM is not one whole Opus frame at 48 kHz");
    return static_cast<int>(frame);
  }

  // send(pcm) -> Promise<Buffer>: encode + RTP + seal in one job.
  Napi::Value Send(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Of(env, info.This());
    const auto& s = Live(env);
    Bytes pcm;
    const int frame = PcmArg(info, &pcm);
    return EnvContext::Get(env).Submit(
        env, StrandFor(env), std::make_unique<SenderJob>(s, SenderJob::Kind::kSend, pcm, frame));
  }
  // encode(pcm) -> Promise<Buffer>: the Opus frame only (RTP state untouched).
  Napi::Value Encode(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Of(env, info.This());
    const auto& s = Live(env);
    Bytes pcm;
    const int frame = PcmArg(info, &pcm);
    return EnvContext::Get(env).Submit(
        env, StrandFor(env), std::make_unique<SenderJob>(s, SenderJob::Kind::kEncode, pcm, frame));
  }
  // sealOpus(opus, frameSize) -> Promise<Buffer>: the next packet around a given Opus frame.
  Napi::Value SealOpus(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Of(env, info.This());
    const auto& s = Live(env);
    Bytes opus;
    if (info.Length() < 2 || !GetBytes(env, info[0], &opus) || !info[1].IsNumber())
      ThrowTypeError(env, "Expected an Opus frame and its frame size");
    if (opus.size == 0 || opus.size > voice::VoiceSender::kMaxOpusBytes)
      ThrowRangeError(env, "The Opus frame must be 1 to 5024 bytes");
    const int frame = info[1].As<Napi::Number>().Int32Value();
    return EnvContext::Get(env).Submit(
        env, StrandFor(env), std::make_unique<SenderJob>(s, SenderJob::Kind::kSeal, opus, frame));
  }
  // silence(count) -> Promise<Buffer[]>: `count` sealed f8 ff fe frames.
  Napi::Value Silence(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Of(env, info.This());
    const auto& s = Live(env);
    const int count =
        info.Length() > 0 && info[0].IsNumber() ? info[0].As<Napi::Number>().Int32Value() : 5;
    if (count < 1 || count > 1000) ThrowRangeError(env, "count must be 1..1000");
    return EnvContext::Get(env).Submit(
        env, StrandFor(env),
        std::make_unique<SenderJob>(s, SenderJob::Kind::kSilence, Bytes{}, 960, count));
  }
  Napi::Value Pending(const Napi::CallbackInfo& info) {
    Of(info.Env(), info.This());
    return Napi::Number::New(info.Env(), strand_.pending());
  }
  Napi::Value Destroy(const Napi::CallbackInfo& info) {
    Of(info.Env(), info.This());
    strand_.Close();
    sender_.reset();
    memory_.Release(info.Env());
    return info.Env().Undefined();
  }

  std::shared_ptr<voice::VoiceSender> sender_;
  LazyStrand strand_;
  ExternalMemory memory_;
  int channels_ = 2;
};

// ----- receiver -----------------------------------------------------------------------------

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
  ReceiverJob(std::shared_ptr<voice::VoiceReceiver> receiver, Kind kind, const Bytes& input,
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
  std::shared_ptr<voice::VoiceReceiver> receiver_;
  Kind kind_;
  std::vector<uint8_t> input_;
  uint32_t ssrc_;
  uint16_t sequence_;
  uint32_t timestamp_;
  std::vector<voice::ReceivedFrame> frames_;
  voice::VoiceReceiverStats stats_;
};

class NativeVoiceReceiver : public Napi::ObjectWrap<NativeVoiceReceiver> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "NativeVoiceReceiver",
                       {
                           InstanceMethod<&NativeVoiceReceiver::Push>("push"),
                           InstanceMethod<&NativeVoiceReceiver::PushOpus>("pushOpus"),
                           InstanceMethod<&NativeVoiceReceiver::Flush>("flush"),
                           InstanceMethod<&NativeVoiceReceiver::Remove>("remove"),
                           InstanceMethod<&NativeVoiceReceiver::Stats>("stats"),
                           InstanceMethod<&NativeVoiceReceiver::Destroy>("destroy"),
                       });
  }

  // new NativeVoiceReceiver({ mode, key, sampleRate, channels, window, maxSsrcs, maxQueue?,
  // overflow? })
  explicit NativeVoiceReceiver(const Napi::CallbackInfo& info)
      : Napi::ObjectWrap<NativeVoiceReceiver>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsObject()) ThrowTypeError(env, "Expected an options object");
    Napi::Object o = info[0].As<Napi::Object>();
    voice::VoiceReceiverOptions options;
    options.mode = ReadMode(env, o);
    options.sample_rate = OptionalInt(o, "sampleRate").value_or(48000);
    options.channels = OptionalInt(o, "channels").value_or(2);
    options.window = static_cast<size_t>(OptionalInt(o, "window").value_or(3));
    options.max_ssrcs = static_cast<size_t>(OptionalInt(o, "maxSsrcs").value_or(256));
    strand_ = LazyStrand(ReadStrandOptions(o));
    Bytes key = ReadKey(env, o);
    std::unique_ptr<voice::VoiceReceiver> r;
    Status st = voice::VoiceReceiver::Create(options, key.data, key.size, &r);
    if (!st.ok()) Throw(env, st);
    receiver_ = std::move(r);
    memory_.Set(env, static_cast<int64_t>(receiver_->memory_bytes()));
    napi_type_tag_object(env, info.This(), &kReceiverTag);
  }

  ~NativeVoiceReceiver() override { memory_.Release(Env()); }

 private:
  static NativeVoiceReceiver* Of(Napi::Env env, napi_value v) {
    return UnwrapTagged<NativeVoiceReceiver>(env, v, kReceiverTag,
                                             "Expected a NativeVoiceReceiver (illegal invocation)");
  }
  const std::shared_ptr<voice::VoiceReceiver>& Live(Napi::Env env) {
    if (!receiver_)
      Throw(env, Status(ErrorCode::kDestroyed, "The voice receiver has been destroyed"));
    return receiver_;
  }
  Napi::Value Submit(Napi::Env env, std::unique_ptr<ReceiverJob> job) {
    // The receiver grows by a decoder per new SSRC (on its strand): report its size as of now,
    // one job behind at most.
    memory_.Set(env, static_cast<int64_t>(receiver_->memory_bytes()));
    return EnvContext::Get(env).Submit(env, strand_.Get(env), std::move(job));
  }
  static uint32_t U32(const Napi::CallbackInfo& info, size_t i) {
    if (i >= info.Length() || !info[i].IsNumber())
      ThrowTypeError(info.Env(), "Expected ssrc, sequence and timestamp numbers");
    return info[i].As<Napi::Number>().Uint32Value();
  }

  // push(packet) -> Promise<frame[]>
  Napi::Value Push(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Of(env, info.This());
    const auto& r = Live(env);
    Bytes packet;
    if (info.Length() < 1 || !GetBytes(env, info[0], &packet))
      ThrowTypeError(env, "Expected the packet as a Buffer or Uint8Array");
    if (packet.size > 65535) ThrowRangeError(env, "The packet is larger than a UDP datagram");
    return Submit(env, std::make_unique<ReceiverJob>(r, ReceiverJob::Kind::kPush, packet));
  }
  // pushOpus(ssrc, sequence, timestamp, opus) -> Promise<frame[]>
  Napi::Value PushOpus(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Of(env, info.This());
    const auto& r = Live(env);
    const uint32_t ssrc = U32(info, 0);
    const uint32_t seq = U32(info, 1);
    const uint32_t ts = U32(info, 2);
    Bytes opus;
    if (info.Length() < 4 || !GetBytes(env, info[3], &opus))
      ThrowTypeError(env, "Expected the Opus frame as a Buffer or Uint8Array");
    if (opus.size > 65535) ThrowRangeError(env, "The Opus frame is too large");
    return Submit(env, std::make_unique<ReceiverJob>(r, ReceiverJob::Kind::kPushOpus, opus, ssrc,
                                                     static_cast<uint16_t>(seq), ts));
  }
  Napi::Value Flush(const Napi::CallbackInfo& info) {
    Of(info.Env(), info.This());
    return Submit(info.Env(), std::make_unique<ReceiverJob>(Live(info.Env()),
                                                            ReceiverJob::Kind::kFlush, Bytes{}));
  }
  Napi::Value Remove(const Napi::CallbackInfo& info) {
    Of(info.Env(), info.This());
    return Submit(info.Env(),
                  std::make_unique<ReceiverJob>(Live(info.Env()), ReceiverJob::Kind::kRemove,
                                                Bytes{}, U32(info, 0)));
  }
  Napi::Value Stats(const Napi::CallbackInfo& info) {
    Of(info.Env(), info.This());
    return Submit(info.Env(), std::make_unique<ReceiverJob>(Live(info.Env()),
                                                            ReceiverJob::Kind::kStats, Bytes{}));
  }
  Napi::Value Destroy(const Napi::CallbackInfo& info) {
    Of(info.Env(), info.This());
    strand_.Close();
    receiver_.reset();
    memory_.Release(info.Env());
    return info.Env().Undefined();
  }

  std::shared_ptr<voice::VoiceReceiver> receiver_;
  LazyStrand strand_;
  ExternalMemory memory_;
};

}  // namespace

void InitPipeline(Napi::Env env, Napi::Object exports) {
  exports.Set("NativeVoiceSender", NativeVoiceSender::Define(env));
  exports.Set("NativeVoiceReceiver", NativeVoiceReceiver::Define(env));
}

}  // namespace voxpool::binding
