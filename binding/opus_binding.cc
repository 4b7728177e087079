// NativeEncoder / NativeDecoder: the Node-API face of voxpool::opus. JS (lib/opus.js) validates
// and explains; this file re-checks cheap invariants, converts values and submits jobs.
#include "opus_binding.h"

#include <opus/opus.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "bytes.h"
#include "pool/env_context.h"
#include "errors.h"
#include "external_memory.h"
#include "pool/js_result.h"
#include "pool/lazy_strand.h"
#include "options.h"
#include "voxpool/opus/decoder.h"
#include "voxpool/opus/encoder.h"
#include "voxpool/pool/shared_pool.h"
#include "wrap.h"

namespace voxpool::binding {
namespace {

constexpr napi_type_tag kEncoderTag = {0x766f78706f6f6c01ULL, 0x4f707573456e6301ULL};
constexpr napi_type_tag kDecoderTag = {0x766f78706f6f6c02ULL, 0x4f70757344656302ULL};

// Largest PCM frame in bytes: 120 ms, stereo, float.
constexpr size_t kMaxPcmBytes = opus::kMaxFrameSamples * opus::kMaxChannels * sizeof(float);

// Checks PCM bytes against the codec's channel count and returns samples per channel.
int FrameSizeOf(Napi::Env env, const Bytes& pcm, int rate, int channels) {
  const size_t sample_bytes = pcm.is_float32() ? sizeof(float) : sizeof(int16_t);
  const size_t per_frame = sample_bytes * static_cast<size_t>(channels);
  if (pcm.size == 0 || pcm.size % per_frame != 0 || pcm.size > kMaxPcmBytes)
    ThrowRangeError(env, "PCM length is not a whole number of samples for this channel count");
  const int frame = static_cast<int>(pcm.size / per_frame);
  if (!opus::IsValidFrameSize(rate, frame))
    ThrowRangeError(env, "PCM length is not a valid Opus frame duration (2.5-120 ms)");
  return frame;
}

// Argument `i`, or null when the call passed fewer.
napi_value Arg(const Napi::CallbackInfo& info, size_t i) {
  return i < info.Length() ? static_cast<napi_value>(info[i]) : nullptr;
}

// ----- jobs ---------------------------------------------------------------------------------

class EncodeJob final : public pool::Job, public JsResult {
 public:
  static constexpr int kRecycleSlot = 0;

  // A recycled job when the environment has one (no allocation: the input vector keeps its
  // capacity), else a new one.
  static std::unique_ptr<EncodeJob> Make(Napi::Env env, std::shared_ptr<opus::Encoder> encoder,
                                         const Bytes& pcm, int frame_size) {
    std::unique_ptr<EncodeJob> job = EnvContext::Get(env).Reuse<EncodeJob>(kRecycleSlot);
    if (!job) job = std::make_unique<EncodeJob>();
    job->encoder_ = std::move(encoder);
    job->input_.assign(pcm.data, pcm.data + pcm.size);
    job->frame_size_ = frame_size;
    job->is_float_ = pcm.is_float32();
    job->length_ = 0;
    return job;
  }

  int recycle_slot() const override { return kRecycleSlot; }
  void ReleaseReferences() override { encoder_.reset(); }

  void Run() noexcept override {
    length_ = is_float_ ? encoder_->EncodeFloat(reinterpret_cast<const float*>(input_.data()),
                                                frame_size_, out_, sizeof(out_))
                        : encoder_->Encode(reinterpret_cast<const int16_t*>(input_.data()),
                                           frame_size_, out_, sizeof(out_));
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
  std::shared_ptr<opus::Encoder> encoder_;
  std::vector<uint8_t> input_;  // operator new alignment suits int16/float
  int frame_size_ = 0;
  bool is_float_ = false;
  int length_ = 0;
  uint8_t out_[opus::kMaxPacketBytes];
};

class DecodeJob final : public pool::Job, public JsResult {
 public:
  // `packet` may be null (packet-loss concealment). `frame_size` 0 means "the decoder's last".
  DecodeJob(std::shared_ptr<opus::Decoder> decoder, const Bytes* packet, int frame_size, bool fec,
            bool to_float)
      : decoder_(std::move(decoder)), frame_size_(frame_size), fec_(fec), to_float_(to_float) {
    if (packet != nullptr) packet_.assign(packet->data, packet->data + packet->size);
  }

  void Run() noexcept override {
    const bool conceal = packet_.empty() || fec_;
    int max = opus::kMaxFrameSamples;
    if (conceal) {
      max = frame_size_ != 0 ? frame_size_ : decoder_->LastFrameSize();
      if (max == 0) max = decoder_->sample_rate() / 50;  // nothing decoded yet: 20 ms
    }
    const size_t sample_bytes = to_float_ ? sizeof(float) : sizeof(int16_t);
    pcm_.resize(static_cast<size_t>(max) * decoder_->channels() * sample_bytes);
    const uint8_t* data = packet_.empty() ? nullptr : packet_.data();
    samples_ = to_float_ ? decoder_->DecodeFloat(data, packet_.size(),
                                                 reinterpret_cast<float*>(pcm_.data()), max, fec_)
                         : decoder_->Decode(data, packet_.size(),
                                            reinterpret_cast<int16_t*>(pcm_.data()), max, fec_);
    if (samples_ < 0) status = Status::FromOpus(samples_);
  }
  Napi::Value Result(Napi::Env env) override {
    const size_t sample_bytes = to_float_ ? sizeof(float) : sizeof(int16_t);
    return Napi::Buffer<uint8_t>::Copy(
        env, pcm_.data(), static_cast<size_t>(samples_) * decoder_->channels() * sample_bytes);
  }

 private:
  std::shared_ptr<opus::Decoder> decoder_;
  std::vector<uint8_t> packet_;
  int frame_size_;
  bool fec_;
  bool to_float_;
  std::vector<uint8_t> pcm_;
  int samples_ = 0;
};

// Settles once for all members: an array with a Buffer or a VoxpoolError per item, in order.
// Refuses a batch longer than the pool can queue before anything proportional to it is
// allocated (lib/ checks the same bound with a friendlier message).
void CheckBatchLength(Napi::Env env, uint32_t n) {
  if (n > pool::SharedPoolCapacity()) ThrowRangeError(env, "Expected a batch no longer than the pool's capacity");
}

class BatchJob final : public pool::JobGroup, public JsResult {
 public:
  explicit BatchJob(size_t size) : pool::JobGroup(size) {}
  Napi::Value Result(Napi::Env env) override {
    const size_t n = size();
    Napi::Array out = Napi::Array::New(env, n);
    // Byte results (packets) share one Buffer; see JsResult::ResultBytes.
    std::vector<std::pair<const uint8_t*, size_t>> parts;
    std::vector<uint32_t> slots;
    for (size_t i = 0; i < n; ++i) {
      pool::Job* member = members()[i].get();
      auto* js = dynamic_cast<JsResult*>(member);
      const uint8_t* data = nullptr;
      size_t bytes = 0;
      if (!member->status.ok()) {
        out.Set(static_cast<uint32_t>(i), MakeError(env, member->status));
      } else if (js->ResultBytes(&data, &bytes)) {
        parts.emplace_back(data, bytes);
        slots.push_back(static_cast<uint32_t>(i));
      } else {
        out.Set(static_cast<uint32_t>(i), js->Result(env));
      }
    }
    if (!parts.empty()) {
      Napi::Array views = EnvContext::Get(env).Views(env, parts);
      for (size_t k = 0; k < slots.size(); ++k) out.Set(slots[k], views.Get(static_cast<uint32_t>(k)));
    }
    return out;
  }
};

// ----- NativeEncoder ------------------------------------------------------------------------

class NativeEncoder : public Napi::ObjectWrap<NativeEncoder> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "NativeEncoder",
                       {
                           InstanceMethod<&NativeEncoder::Encode>("encode"),
                           InstanceMethod<&NativeEncoder::EncodeAsync>("encodeAsync"),
                           InstanceMethod<&NativeEncoder::EncodeBatch>("encodeBatch"),
                           InstanceMethod<&NativeEncoder::SetCtl>("setCtl"),
                           InstanceMethod<&NativeEncoder::GetCtl>("getCtl"),
                           InstanceMethod<&NativeEncoder::Pending>("pending"),
                           InstanceMethod<&NativeEncoder::Destroy>("destroy"),
                       });
  }

  // new NativeEncoder({ sampleRate, channels, application, bitrate?, complexity?, signal?, vbr?,
  //                     vbrConstraint?, fec?, packetLoss?, dtx?, maxQueue?, overflow? })
  explicit NativeEncoder(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NativeEncoder>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsObject()) ThrowTypeError(env, "Expected an options object");
    Napi::Object o = info[0].As<Napi::Object>();
    const opus::EncoderOptions options = ReadEncoderOptions(o);
    strand_ = LazyStrand(ReadStrandOptions(o));
    std::unique_ptr<opus::Encoder> encoder;
    Status st = opus::Encoder::Create(options, &encoder);
    if (!st.ok()) Throw(env, st);
    encoder_ = std::move(encoder);
    memory_.Set(env, static_cast<int64_t>(encoder_->memory_bytes()));
    napi_type_tag_object(env, info.This(), &kEncoderTag);
  }

  ~NativeEncoder() override { memory_.Release(Env()); }

  static NativeEncoder* Of(Napi::Env env, napi_value value) {
    return UnwrapTagged<NativeEncoder>(env, value, kEncoderTag,
                                       "Expected a NativeEncoder (illegal invocation)");
  }

  // Returns the live encoder or throws ERR_VOXPOOL_DESTROYED.
  const std::shared_ptr<opus::Encoder>& Live(Napi::Env env) const {
    if (!encoder_) Throw(env, Status(ErrorCode::kDestroyed, "The encoder has been destroyed"));
    return encoder_;
  }

  pool::Strand& StrandFor(Napi::Env env) {
    return strand_.Get(env);
  }

  // Builds a job for `value` (PCM), validating it. Throws on bad input.
  std::unique_ptr<EncodeJob> MakeJob(Napi::Env env, napi_value value) {
    const auto& encoder = Live(env);
    Bytes pcm;
    if (!GetBytes(env, value, &pcm))
      ThrowTypeError(env, "Expected PCM as a Buffer, Int16Array or Float32Array");
    const int frame = FrameSizeOf(env, pcm, encoder->sample_rate(), encoder->channels());
    return EncodeJob::Make(env, encoder, pcm, frame);
  }

 private:
  // encode(pcm) -> Buffer (synchronous, on the calling thread)
  Napi::Value Encode(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Of(env, info.This());
    const auto& encoder = Live(env);
    Bytes pcm;
    if (info.Length() < 1 || !GetBytes(env, info[0], &pcm))
      ThrowTypeError(env, "Expected PCM as a Buffer, Int16Array or Float32Array");
    const int frame = FrameSizeOf(env, pcm, encoder->sample_rate(), encoder->channels());
    const void* samples = pcm.data;
    alignas(16) uint8_t aligned[kMaxPcmBytes];
    // A Buffer may start at any byte offset; libopus reads int16/float, so realign when needed.
    if (reinterpret_cast<uintptr_t>(pcm.data) % alignof(float) != 0) {
      std::memcpy(aligned, pcm.data, pcm.size);
      samples = aligned;
    }
    uint8_t out[opus::kMaxPacketBytes];
    const int n = pcm.is_float32()
                      ? encoder->EncodeFloat(static_cast<const float*>(samples), frame, out, sizeof(out))
                      : encoder->Encode(static_cast<const int16_t*>(samples), frame, out, sizeof(out));
    if (n < 0) Throw(env, Status::FromOpus(n));
    return Napi::Buffer<uint8_t>::Copy(env, out, static_cast<size_t>(n));
  }

  // encodeAsync(pcm, dueMs?) -> Promise<Buffer>
  Napi::Value EncodeAsync(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Of(env, info.This());
    if (info.Length() < 1) ThrowTypeError(env, "Expected PCM as a Buffer, Int16Array or Float32Array");
    auto job = MakeJob(env, info[0]);
    ApplyDueMs(env, Arg(info, 1), *job);
    return EnvContext::Get(env).Submit(env, StrandFor(env), std::move(job));
  }

  // encodeBatch([pcm, ...]) -> Promise<Array<Buffer | VoxpoolError>>
  Napi::Value EncodeBatch(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Of(env, info.This());
    if (info.Length() < 1 || !info[0].IsArray()) ThrowTypeError(env, "Expected an array of PCM frames");
    Napi::Array frames = info[0].As<Napi::Array>();
    const uint32_t n = frames.Length();
    CheckBatchLength(env, n);
    std::vector<std::pair<pool::Strand*, std::unique_ptr<pool::Job>>> members;
    members.reserve(n);
    pool::Strand& strand = StrandFor(env);
    for (uint32_t i = 0; i < n; ++i) members.emplace_back(&strand, MakeJob(env, frames.Get(i)));
    return EnvContext::Get(env).SubmitGroup(env, std::make_unique<BatchJob>(n), std::move(members));
  }

  // setCtl(request, value)
  Napi::Value SetCtl(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Of(env, info.This());
    if (info.Length() < 2 || !info[0].IsNumber() || !info[1].IsNumber())
      ThrowTypeError(env, "Expected ctl and value to be numbers");
    Status st = Live(env)->SetCtl(info[0].As<Napi::Number>().Int32Value(),
                                  info[1].As<Napi::Number>().Int32Value());
    if (!st.ok()) Throw(env, st);
    return env.Undefined();
  }

  // getCtl(request) -> number
  Napi::Value GetCtl(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Of(env, info.This());
    if (info.Length() < 1 || !info[0].IsNumber()) ThrowTypeError(env, "Expected ctl to be a number");
    int value = 0;
    Status st = Live(env)->GetCtl(info[0].As<Napi::Number>().Int32Value(), &value);
    if (!st.ok()) Throw(env, st);
    return Napi::Number::New(env, value);
  }

  Napi::Value Pending(const Napi::CallbackInfo& info) {
    Of(info.Env(), info.This());
    return Napi::Number::New(info.Env(), strand_.pending());
  }

  // destroy(): queued jobs reject with ERR_VOXPOOL_DESTROYED; a running one finishes.
  Napi::Value Destroy(const Napi::CallbackInfo& info) {
    Of(info.Env(), info.This());
    strand_.Close();
    encoder_.reset();
    memory_.Release(info.Env());
    return info.Env().Undefined();
  }

  std::shared_ptr<opus::Encoder> encoder_;
  LazyStrand strand_;
  ExternalMemory memory_;
};

// ----- NativeDecoder ------------------------------------------------------------------------

class NativeDecoder : public Napi::ObjectWrap<NativeDecoder> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "NativeDecoder",
                       {
                           InstanceMethod<&NativeDecoder::Decode>("decode"),
                           InstanceMethod<&NativeDecoder::DecodeAsync>("decodeAsync"),
                           InstanceMethod<&NativeDecoder::DecodeBatch>("decodeBatch"),
                           InstanceMethod<&NativeDecoder::SetCtl>("setCtl"),
                           InstanceMethod<&NativeDecoder::GetCtl>("getCtl"),
                           InstanceMethod<&NativeDecoder::LastFrameSize>("lastFrameSize"),
                           InstanceMethod<&NativeDecoder::Pending>("pending"),
                           InstanceMethod<&NativeDecoder::Destroy>("destroy"),
                       });
  }

  // new NativeDecoder({ sampleRate, channels, format: 's16le' | 'f32le', maxQueue?, overflow? })
  explicit NativeDecoder(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NativeDecoder>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsObject()) ThrowTypeError(env, "Expected an options object");
    Napi::Object o = info[0].As<Napi::Object>();
    const int rate = OptionalInt(o, "sampleRate").value_or(48000);
    const int channels = OptionalInt(o, "channels").value_or(2);
    Napi::Value format = o.Get("format");
    to_float_ = format.IsString() && format.As<Napi::String>().Utf8Value() == "f32le";
    strand_ = LazyStrand(ReadStrandOptions(o));
    std::unique_ptr<opus::Decoder> decoder;
    Status st = opus::Decoder::Create(rate, channels, &decoder);
    if (!st.ok()) Throw(env, st);
    decoder_ = std::move(decoder);
    memory_.Set(env, static_cast<int64_t>(decoder_->memory_bytes()));
    napi_type_tag_object(env, info.This(), &kDecoderTag);
  }

  ~NativeDecoder() override { memory_.Release(Env()); }

  static NativeDecoder* Of(Napi::Env env, napi_value value) {
    return UnwrapTagged<NativeDecoder>(env, value, kDecoderTag,
                                       "Expected a NativeDecoder (illegal invocation)");
  }

  const std::shared_ptr<opus::Decoder>& Live(Napi::Env env) const {
    if (!decoder_) Throw(env, Status(ErrorCode::kDestroyed, "The decoder has been destroyed"));
    return decoder_;
  }

  pool::Strand& StrandFor(Napi::Env env) {
    return strand_.Get(env);
  }

  // Reads (packet | null | undefined, frameSize, fec) and checks them. Returns false for "no
  // packet" (concealment).
  bool ReadArgs(Napi::Env env, napi_value packet_value, napi_value frame_value,
                napi_value fec_value, Bytes* packet, int* frame_size, bool* fec) {
    const auto& decoder = Live(env);
    napi_valuetype type;
    napi_typeof(env, packet_value, &type);
    bool has_packet = false;
    if (type != napi_null && type != napi_undefined) {
      if (!GetBytes(env, packet_value, packet))
        ThrowTypeError(env, "Expected an Opus packet as a Buffer or Uint8Array, or null");
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
        if (*frame_size != 0 && (*frame_size != f || !opus::IsValidFrameSize(decoder->sample_rate(), *frame_size)))
          ThrowRangeError(env, "frameSize is not a valid Opus frame size for this sample rate");
      }
    }
    *fec = false;
    if (fec_value != nullptr) {
      bool b = false;
      if (napi_get_value_bool(env, fec_value, &b) == napi_ok) *fec = b;
    }
    if (*fec && !has_packet) ThrowTypeError(env, "FEC decoding needs the packet that follows the lost one");
    return has_packet;
  }

  std::unique_ptr<DecodeJob> MakeJob(Napi::Env env, napi_value packet_value, napi_value frame_value,
                                     napi_value fec_value) {
    Bytes packet;
    int frame_size = 0;
    bool fec = false;
    const bool has = ReadArgs(env, packet_value, frame_value, fec_value, &packet, &frame_size, &fec);
    return std::make_unique<DecodeJob>(decoder_, has ? &packet : nullptr, frame_size, fec, to_float_);
  }

 private:

  // decode(packet | null, frameSize = 0, fec = false) -> Buffer
  Napi::Value Decode(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Of(env, info.This());
    if (info.Length() < 1) ThrowTypeError(env, "Expected an Opus packet as a Buffer or Uint8Array, or null");
    Bytes packet;
    int frame_size = 0;
    bool fec = false;
    const bool has = ReadArgs(env, info[0], Arg(info, 1), Arg(info, 2), &packet, &frame_size, &fec);
    const auto& decoder = decoder_;
    int max = opus::kMaxFrameSamples;
    if (!has || fec) {
      max = frame_size != 0 ? frame_size : decoder->LastFrameSize();
      if (max == 0) max = decoder->sample_rate() / 50;
    }
    alignas(16) uint8_t pcm[kMaxPcmBytes];
    const int n = to_float_
                      ? decoder->DecodeFloat(has ? packet.data : nullptr, has ? packet.size : 0,
                                             reinterpret_cast<float*>(pcm), max, fec)
                      : decoder->Decode(has ? packet.data : nullptr, has ? packet.size : 0,
                                        reinterpret_cast<int16_t*>(pcm), max, fec);
    if (n < 0) Throw(env, Status::FromOpus(n));
    const size_t sample_bytes = to_float_ ? sizeof(float) : sizeof(int16_t);
    return Napi::Buffer<uint8_t>::Copy(env, pcm, static_cast<size_t>(n) * decoder->channels() * sample_bytes);
  }

  // decodeAsync(packet | null, frameSize = 0, fec = false, dueMs?) -> Promise<Buffer>
  Napi::Value DecodeAsync(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Of(env, info.This());
    if (info.Length() < 1) ThrowTypeError(env, "Expected an Opus packet as a Buffer or Uint8Array, or null");
    auto job = MakeJob(env, info[0], Arg(info, 1), Arg(info, 2));
    ApplyDueMs(env, Arg(info, 3), *job);
    return EnvContext::Get(env).Submit(env, StrandFor(env), std::move(job));
  }

  // decodeBatch([packet | null, ...], frameSize = 0) -> Promise<Array<Buffer | VoxpoolError>>
  Napi::Value DecodeBatch(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Of(env, info.This());
    if (info.Length() < 1 || !info[0].IsArray()) ThrowTypeError(env, "Expected an array of Opus packets");
    Napi::Array packets = info[0].As<Napi::Array>();
    const uint32_t n = packets.Length();
    CheckBatchLength(env, n);
    std::vector<std::pair<pool::Strand*, std::unique_ptr<pool::Job>>> members;
    members.reserve(n);
    pool::Strand& strand = StrandFor(env);
    for (uint32_t i = 0; i < n; ++i)
      members.emplace_back(&strand, MakeJob(env, packets.Get(i), Arg(info, 1), nullptr));
    return EnvContext::Get(env).SubmitGroup(env, std::make_unique<BatchJob>(n), std::move(members));
  }

  Napi::Value SetCtl(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Of(env, info.This());
    if (info.Length() < 2 || !info[0].IsNumber() || !info[1].IsNumber())
      ThrowTypeError(env, "Expected ctl and value to be numbers");
    Status st = Live(env)->SetCtl(info[0].As<Napi::Number>().Int32Value(),
                                  info[1].As<Napi::Number>().Int32Value());
    if (!st.ok()) Throw(env, st);
    return env.Undefined();
  }

  Napi::Value GetCtl(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Of(env, info.This());
    if (info.Length() < 1 || !info[0].IsNumber()) ThrowTypeError(env, "Expected ctl to be a number");
    int value = 0;
    Status st = Live(env)->GetCtl(info[0].As<Napi::Number>().Int32Value(), &value);
    if (!st.ok()) Throw(env, st);
    return Napi::Number::New(env, value);
  }

  Napi::Value LastFrameSize(const Napi::CallbackInfo& info) {
    Of(info.Env(), info.This());
    return Napi::Number::New(info.Env(), Live(info.Env())->LastFrameSize());
  }

  Napi::Value Pending(const Napi::CallbackInfo& info) {
    Of(info.Env(), info.This());
    return Napi::Number::New(info.Env(), strand_.pending());
  }

  Napi::Value Destroy(const Napi::CallbackInfo& info) {
    Of(info.Env(), info.This());
    strand_.Close();
    decoder_.reset();
    memory_.Release(info.Env());
    return info.Env().Undefined();
  }

  std::shared_ptr<opus::Decoder> decoder_;
  LazyStrand strand_;
  ExternalMemory memory_;
  bool to_float_ = false;
};

// encodeMany([encoder, ...], [pcm, ...]) -> Promise<Array<Buffer | VoxpoolError>>: one crossing
// and one settlement for frames of many streams (a gateway tick).
Napi::Value EncodeMany(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsArray() || !info[1].IsArray())
    ThrowTypeError(env, "Expected arrays of encoders and PCM frames");
  Napi::Array encoders = info[0].As<Napi::Array>();
  Napi::Array frames = info[1].As<Napi::Array>();
  const uint32_t n = encoders.Length();
  CheckBatchLength(env, n);
  if (frames.Length() != n) ThrowRangeError(env, "Expected as many PCM frames as encoders");
  std::vector<std::pair<pool::Strand*, std::unique_ptr<pool::Job>>> members;
  members.reserve(n);
  for (uint32_t i = 0; i < n; ++i) {
    NativeEncoder* e = NativeEncoder::Of(env, encoders.Get(i));
    members.emplace_back(&e->StrandFor(env), e->MakeJob(env, frames.Get(i)));
  }
  return EnvContext::Get(env).SubmitGroup(env, std::make_unique<BatchJob>(n), std::move(members));
}

// decodeMany([decoder, ...], [packet | null, ...]) -> Promise<Array<Buffer | VoxpoolError>>
Napi::Value DecodeMany(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsArray() || !info[1].IsArray())
    ThrowTypeError(env, "Expected arrays of decoders and Opus packets");
  Napi::Array decoders = info[0].As<Napi::Array>();
  Napi::Array packets = info[1].As<Napi::Array>();
  const uint32_t n = decoders.Length();
  CheckBatchLength(env, n);
  if (packets.Length() != n) ThrowRangeError(env, "Expected as many Opus packets as decoders");
  std::vector<std::pair<pool::Strand*, std::unique_ptr<pool::Job>>> members;
  members.reserve(n);
  for (uint32_t i = 0; i < n; ++i) {
    NativeDecoder* d = NativeDecoder::Of(env, decoders.Get(i));
    members.emplace_back(&d->StrandFor(env), d->MakeJob(env, packets.Get(i), nullptr, nullptr));
  }
  return EnvContext::Get(env).SubmitGroup(env, std::make_unique<BatchJob>(n), std::move(members));
}

Napi::Object Constants(Napi::Env env) {
  Napi::Object c = Napi::Object::New(env);
  Napi::Array rates = Napi::Array::New(env, opus::kSampleRates.size());
  for (size_t i = 0; i < opus::kSampleRates.size(); ++i) rates.Set(static_cast<uint32_t>(i), opus::kSampleRates[i]);
  c.Set("SAMPLE_RATES", rates);
  Napi::Array durations = Napi::Array::New(env, opus::kFrameDurationsTenthMs.size());
  for (size_t i = 0; i < opus::kFrameDurationsTenthMs.size(); ++i)
    durations.Set(static_cast<uint32_t>(i), opus::kFrameDurationsTenthMs[i] / 10.0);
  c.Set("FRAME_DURATIONS_MS", durations);
  c.Set("MAX_PACKET_BYTES", opus::kMaxPacketBytes);
  c.Set("MAX_FRAME_SAMPLES", opus::kMaxFrameSamples);
  c.Set("MIN_BITRATE", opus::kMinBitrate);
  c.Set("MAX_BITRATE", opus::kMaxBitrate);
  c.Set("APPLICATION_VOIP", opus::kApplicationVoip);
  c.Set("APPLICATION_AUDIO", opus::kApplicationAudio);
  c.Set("APPLICATION_RESTRICTED_LOWDELAY", opus::kApplicationRestrictedLowDelay);
  c.Set("SIGNAL_AUTO", opus::kSignalAuto);
  c.Set("SIGNAL_VOICE", opus::kSignalVoice);
  c.Set("SIGNAL_MUSIC", opus::kSignalMusic);
  c.Set("OPUS_VERSION", opus_get_version_string());
  return c;
}

}  // namespace

std::shared_ptr<opus::Encoder> SharedEncoderOf(Napi::Env env, napi_value value) {
  return NativeEncoder::Of(env, value)->Live(env);
}

void InitOpus(Napi::Env env, Napi::Object exports) {
  exports.Set("NativeEncoder", NativeEncoder::Define(env));
  exports.Set("NativeDecoder", NativeDecoder::Define(env));
  exports.Set("encodeMany", Napi::Function::New(env, EncodeMany, "encodeMany"));
  exports.Set("decodeMany", Napi::Function::New(env, DecodeMany, "decodeMany"));
  exports.Set("opusConstants", Constants(env));
}

}  // namespace voxpool::binding
