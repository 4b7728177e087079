// NativeVoiceSender: the Node-API face of voice::VoiceSender. Every call is a job on the object's
// strand, so packets leave in call order; lib/voice-pipeline.js validates and adds the DAVE seam.
#include "voice/sender_wrap.h"

#include <memory>
#include <string>
#include <vector>

#include "args.h"
#include "options.h"
#include "pool/js_result.h"
#include "pooled_wrap.h"
#include "voice/voice_options.h"
#include "voxpool/voice/rtp.h"
#include "voxpool/voice/sender.h"

namespace voxpool::binding {
namespace {

using voice::VoiceSender;

class SenderJob final : public pool::Job, public JsResult {
 public:
  enum class Kind { kSend, kEncode, kSeal, kSilence };
  SenderJob(std::shared_ptr<VoiceSender> sender, Kind kind, const Bytes& input, int frame_size,
            int count = 1)
      : sender_(std::move(sender)),
        kind_(kind),
        input_(input.data, input.data + input.size),
        frame_size_(frame_size),
        count_(count) {}

  void Run() noexcept override {
    switch (kind_) {
      case Kind::kSend: {
        out_.emplace_back(VoiceSender::kMaxSealedBytes);
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
        out_.emplace_back(VoiceSender::kMaxSealedBytes);
        status = Finish(sender_->SealOpus(input_.data(), input_.size(), frame_size_, out_[0].data(),
                                          out_[0].size(), &written_),
                        0);
        break;
      }
      case Kind::kSilence: {
        for (int i = 0; i < count_ && status.ok(); ++i) {
          out_.emplace_back(64);
          status = Finish(
              sender_->SealOpus(VoiceSender::kSilenceFrame, sizeof(VoiceSender::kSilenceFrame),
                                VoiceSender::kSilenceFrameSamples, out_.back().data(),
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
  std::shared_ptr<VoiceSender> sender_;
  Kind kind_;
  std::vector<uint8_t> input_;
  int frame_size_;
  int count_;
  size_t written_ = 0;
  std::vector<std::vector<uint8_t>> out_;
};

class NativeVoiceSender : public PooledWrap<NativeVoiceSender, VoiceSender> {
 public:
  static constexpr ClassId kClass = ClassId::kVoiceSender;

  static Napi::Function Define(Napi::Env env) {
    return DefineWith(env, {VOXPOOL_METHOD(Send), VOXPOOL_METHOD(Encode), VOXPOOL_METHOD(SealOpus),
                            VOXPOOL_METHOD(Silence)});
  }

  // new NativeVoiceSender({ ssrc, mode, key, sequence, timestamp, payloadType?, channels,
  //                         application?, bitrate?, complexity?, signal?, vbr?, fec?,
  //                         packetLoss?, dtx?, maxQueue?, overflow? })
  explicit NativeVoiceSender(const Napi::CallbackInfo& info) : PooledWrap(info) {
    Napi::Env env = info.Env();
    Napi::Object o = OptionsArg(info);
    voice::VoiceSenderOptions options;
    options.ssrc = static_cast<uint32_t>(OptionalNumber(o, "ssrc").value_or(0));
    options.sequence = static_cast<uint16_t>(OptionalNumber(o, "sequence").value_or(0));
    options.timestamp = static_cast<uint32_t>(OptionalNumber(o, "timestamp").value_or(0));
    options.payload_type = static_cast<uint8_t>(
        OptionalInt(o, "payloadType").value_or(voice::rtp::kDiscordPayloadType));
    options.mode = ReadMode(env, o);
    options.encoder = ReadEncoderOptions(o);
    options.encoder.sample_rate = voice::rtp::kClockRate;  // Discord voice is 48 kHz
    Bytes key = ReadKey(env, o);
    AdoptNewCounted(info, o, options, key.data, key.size);
    channels_ = options.encoder.channels;
  }

 private:
  // s16 PCM at the RTP clock rate; returns samples per channel.
  int PcmArg(const Napi::CallbackInfo& info, Bytes* pcm) {
    constexpr const char* kType = "Expected s16 PCM as a Buffer or Int16Array";
    *pcm = BytesArg(info, 0, kType);
    if (pcm->is_float32()) ThrowTypeError(info.Env(), kType);
    static const std::string range = "PCM is not one whole Opus frame at " +
                                     std::to_string(voice::rtp::kClockRate / 1000) + " kHz";
    const size_t per = 2u * static_cast<size_t>(channels_);
    const size_t frame = pcm->size / per;
    if (pcm->size % per != 0 ||
        !opus::IsValidFrameSize(voice::rtp::kClockRate, static_cast<int>(frame)))
      ThrowRangeError(info.Env(), range.c_str());
    return static_cast<int>(frame);
  }
  Napi::Value SubmitPcm(const Napi::CallbackInfo& info, SenderJob::Kind kind) {
    Napi::Env env = info.Env();
    const auto& s = Enter(info);
    Bytes pcm;
    const int frame = PcmArg(info, &pcm);
    return Submit(env, std::make_unique<SenderJob>(s, kind, pcm, frame));
  }

  // send(pcm) -> Promise<Buffer>: encode + RTP + seal in one job.
  Napi::Value Send(const Napi::CallbackInfo& info) {
    return SubmitPcm(info, SenderJob::Kind::kSend);
  }
  // encode(pcm) -> Promise<Buffer>: the Opus frame only (RTP state untouched).
  Napi::Value Encode(const Napi::CallbackInfo& info) {
    return SubmitPcm(info, SenderJob::Kind::kEncode);
  }
  // sealOpus(opus, frameSize) -> Promise<Buffer>: the next packet around a given Opus frame.
  Napi::Value SealOpus(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    const auto& s = Enter(info);
    constexpr const char* kType = "Expected an Opus frame and its frame size";
    Bytes opus = BytesArg(info, 0, kType);
    NumberArg(info, 1, kType);
    static const std::string range =
        "The Opus frame must be 1 to " + std::to_string(VoiceSender::kMaxOpusBytes) + " bytes";
    if (opus.size == 0 || opus.size > VoiceSender::kMaxOpusBytes)
      ThrowRangeError(env, range.c_str());
    const int frame = info[1].As<Napi::Number>().Int32Value();
    return Submit(env, std::make_unique<SenderJob>(s, SenderJob::Kind::kSeal, opus, frame));
  }
  // silence(count = 5) -> Promise<Buffer[]>: `count` sealed f8 ff fe frames.
  Napi::Value Silence(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    const auto& s = Enter(info);
    const int count = info.Length() > 0 && info[0].IsNumber()
                          ? info[0].As<Napi::Number>().Int32Value()
                          : VoiceSender::kDefaultSilenceFrames;
    static const std::string range =
        "count must be 1.." + std::to_string(VoiceSender::kMaxSilenceFrames);
    if (count < 1 || count > VoiceSender::kMaxSilenceFrames) ThrowRangeError(env, range.c_str());
    return Submit(env, std::make_unique<SenderJob>(s, SenderJob::Kind::kSilence, Bytes{},
                                                   VoiceSender::kSilenceFrameSamples, count));
  }

  int channels_ = 2;
};

}  // namespace

Napi::Function DefineVoiceSender(Napi::Env env) { return NativeVoiceSender::Define(env); }

}  // namespace voxpool::binding
