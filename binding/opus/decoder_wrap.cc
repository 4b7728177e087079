#include "opus/decoder_wrap.h"

#include <memory>
#include <type_traits>
#include <utility>
#include <vector>

#include "args.h"
#include "options.h"
#include "opus/batch.h"
#include "opus/ctl.h"
#include "pool/js_result.h"

namespace voxpool::binding {
namespace {

constexpr const char* kPacketMessage = "Expected an Opus packet as a Buffer or Uint8Array, or null";

// Largest PCM frame in bytes: 120 ms, stereo, float.
constexpr size_t kMaxPcmBytes = opus::kMaxFrameSamples * opus::kMaxChannels * sizeof(float);

// Samples per channel to decode into: a whole packet may hold up to 120 ms; a concealed frame is
// `frame_size`, else the last frame's size, else 20 ms.
int MaxFrameOf(opus::Decoder& decoder, bool conceal, int frame_size) {
  if (!conceal) return opus::kMaxFrameSamples;
  const int max = frame_size != 0 ? frame_size : decoder.LastFrameSize();
  return max != 0 ? max : decoder.sample_rate() / 50;  // nothing decoded yet: 20 ms
}

// Decodes `size` bytes at `data` (null: lost) into `pcm`, at most `max` samples per channel;
// returns the samples per channel or a negative libopus code.
int DecodeFrame(opus::Decoder& decoder, SampleFormat format, const uint8_t* data, size_t size,
                uint8_t* pcm, int max, bool fec) noexcept {
  return WithSampleType(format, [&](auto zero) {
    using T = decltype(zero);
    if constexpr (std::is_same_v<T, float>) {
      return decoder.DecodeFloat(data, size, reinterpret_cast<float*>(pcm), max, fec);
    } else {
      return decoder.Decode(data, size, reinterpret_cast<int16_t*>(pcm), max, fec);
    }
  });
}

class DecodeJob final : public JsJob {
 public:
  // `packet` may be null (packet-loss concealment). `frame_size` 0 means "the decoder's last".
  DecodeJob(std::shared_ptr<opus::Decoder> decoder, const Bytes* packet, int frame_size, bool fec,
            SampleFormat format)
      : decoder_(std::move(decoder)), frame_size_(frame_size), fec_(fec), format_(format) {
    if (packet != nullptr) packet_.assign(packet->data, packet->data + packet->size);
  }

  void Run() noexcept override {
    const int max = MaxFrameOf(*decoder_, packet_.empty() || fec_, frame_size_);
    pcm_.resize(static_cast<size_t>(max) * decoder_->channels() * BytesPerSample(format_));
    const uint8_t* data = packet_.empty() ? nullptr : packet_.data();
    samples_ = DecodeFrame(*decoder_, format_, data, packet_.size(), pcm_.data(), max, fec_);
    if (samples_ < 0) status = Status::FromOpus(samples_);
  }
  Napi::Value Result(Napi::Env env) override {
    return Napi::Buffer<uint8_t>::Copy(
        env, pcm_.data(),
        static_cast<size_t>(samples_) * decoder_->channels() * BytesPerSample(format_));
  }

 private:
  std::shared_ptr<opus::Decoder> decoder_;
  std::vector<uint8_t> packet_;
  int frame_size_;
  bool fec_;
  SampleFormat format_;
  std::vector<uint8_t> pcm_;  // operator new alignment suits int16/float
  int samples_ = 0;
};

}  // namespace

Napi::Function NativeDecoder::Define(Napi::Env env) {
  return DefineWith(
      env, {VOXPOOL_METHOD(Decode), VOXPOOL_METHOD(DecodeAsync), VOXPOOL_METHOD(DecodeBatch),
            VOXPOOL_METHOD(SetCtl), VOXPOOL_METHOD(GetCtl), VOXPOOL_METHOD(LastFrameSize)});
}

NativeDecoder::NativeDecoder(const Napi::CallbackInfo& info) : PooledWrap(info) {
  Napi::Object o = OptionsArg(info);
  const int rate = IntOr(o, "sampleRate", opus::kDefaultSampleRate);
  const int channels = IntOr(o, "channels", opus::kDefaultChannels);
  format_ = FormatOf(o);
  AdoptNewCounted(info, o, rate, channels);
}

bool NativeDecoder::ReadArgs(Napi::Env env, napi_value packet_value, napi_value frame_value,
                             napi_value fec_value, Bytes* packet, int* frame_size, bool* fec) {
  const auto& decoder = Live(env);
  napi_valuetype type;
  napi_typeof(env, packet_value, &type);
  bool has_packet = false;
  if (type != napi_null && type != napi_undefined) {
    if (!GetBytes(env, packet_value, packet)) ThrowTypeError(env, kPacketMessage);
    if (packet->size > 0x7fffffff) ThrowRangeError(env, "Opus packet is too large");
    has_packet = packet->size > 0;
  }
  *frame_size = 0;
  if (frame_value != nullptr) {
    napi_typeof(env, frame_value, &type);
    if (type == napi_number) {
      double f = 0;
      napi_get_value_double(env, frame_value, &f);
      *frame_size = static_cast<int>(f);
      if (*frame_size != 0 &&
          (*frame_size != f || !opus::IsValidFrameSize(decoder->sample_rate(), *frame_size)))
        ThrowRangeError(env, "frameSize is not a valid Opus frame size for this sample rate");
    }
  }
  *fec = false;
  if (fec_value != nullptr) {
    bool b = false;
    if (napi_get_value_bool(env, fec_value, &b) == napi_ok) *fec = b;
  }
  if (*fec && !has_packet)
    ThrowTypeError(env, "FEC decoding needs the packet that follows the lost one");
  return has_packet;
}

std::unique_ptr<JsJob> NativeDecoder::MakeJob(Napi::Env env, napi_value packet_value,
                                              napi_value frame_value, napi_value fec_value) {
  Bytes packet;
  int frame_size = 0;
  bool fec = false;
  const bool has = ReadArgs(env, packet_value, frame_value, fec_value, &packet, &frame_size, &fec);
  return std::make_unique<DecodeJob>(core_, has ? &packet : nullptr, frame_size, fec, format_);
}

// decode(packet | null, frameSize = 0, fec = false) -> Buffer
Napi::Value NativeDecoder::Decode(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Of(env, info.This());
  if (info.Length() < 1) ThrowTypeError(env, kPacketMessage);
  Bytes packet;
  int frame_size = 0;
  bool fec = false;
  const bool has = ReadArgs(env, info[0], Arg(info, 1), Arg(info, 2), &packet, &frame_size, &fec);
  opus::Decoder& decoder = *core_;
  const int max = MaxFrameOf(decoder, !has || fec, frame_size);
  alignas(16) uint8_t pcm[kMaxPcmBytes];
  const int n = DecodeFrame(decoder, format_, has ? packet.data : nullptr, has ? packet.size : 0,
                            pcm, max, fec);
  if (n < 0) Throw(env, Status::FromOpus(n));
  return Napi::Buffer<uint8_t>::Copy(
      env, pcm, static_cast<size_t>(n) * decoder.channels() * BytesPerSample(format_));
}

// decodeAsync(packet | null, frameSize = 0, fec = false, dueMs?, toSink?) -> Promise<Buffer>
// (toSink: to the sink instead, see PooledWrap::Submit)
Napi::Value NativeDecoder::DecodeAsync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Of(env, info.This());
  if (info.Length() < 1) ThrowTypeError(env, kPacketMessage);
  return Submit(env, MakeJob(env, info[0], Arg(info, 1), Arg(info, 2)), Arg(info, 3), Arg(info, 4));
}

// decodeBatch([packet | null, ...], frameSize = 0) -> Promise<Array<Buffer | VoxpoolError>>
Napi::Value NativeDecoder::DecodeBatch(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return SubmitArray(
      *Of(env, info.This()), info, "Expected an array of Opus packets",
      [&](Napi::Value packet) { return MakeJob(env, packet, Arg(info, 1), nullptr); });
}

Napi::Value NativeDecoder::SetCtl(const Napi::CallbackInfo& info) {
  return SetCtlOf(*Of(info.Env(), info.This()), info);
}

Napi::Value NativeDecoder::GetCtl(const Napi::CallbackInfo& info) {
  return GetCtlOf(*Of(info.Env(), info.This()), info);
}

Napi::Value NativeDecoder::LastFrameSize(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), Enter(info)->LastFrameSize());
}

}  // namespace voxpool::binding
