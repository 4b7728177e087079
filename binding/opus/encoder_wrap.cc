#include "opus/encoder_wrap.h"

#include <cstring>
#include <memory>
#include <type_traits>
#include <utility>
#include <vector>

#include "args.h"
#include "filter/filter_module.h"
#include "options.h"
#include "opus/adaptive_wrap.h"
#include "opus/batch.h"
#include "opus/ctl.h"
#include "opus/packet_job.h"

namespace voxpool::binding {
namespace {

constexpr const char* kPcmMessage = "Expected PCM as a Buffer, Int16Array or Float32Array";

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

SampleFormat FormatOfView(const Bytes& pcm) {
  return pcm.is_float32() ? SampleFormat::kF32 : SampleFormat::kS16;
}

// Encodes `frame` samples per channel at `samples` (aligned for `format`) into `out`; returns the
// packet length or a negative libopus code.
int EncodeFrame(opus::Encoder& encoder, SampleFormat format, const void* samples, int frame,
                uint8_t* out, int capacity) noexcept {
  return WithSampleType(format, [&](auto zero) {
    using T = decltype(zero);
    if constexpr (std::is_same_v<T, float>) {
      return encoder.EncodeFloat(static_cast<const float*>(samples), frame, out, capacity);
    } else {
      return encoder.Encode(static_cast<const int16_t*>(samples), frame, out, capacity);
    }
  });
}

// Runs `filters` over `frame` samples per channel at `samples` (aligned for `format`), in place.
void FilterFrame(PcmProcessor& filters, SampleFormat format, void* samples, int frame) noexcept {
  WithSampleType(format, [&](auto zero) {
    filters.Process(static_cast<decltype(zero)*>(samples), frame);
  });
}

class EncodeJob final : public PacketJob {
 public:
  // A recycled job when the environment has one (no allocation: the input vector keeps its
  // capacity), else a new one.
  static std::unique_ptr<EncodeJob> Make(Napi::Env env, std::shared_ptr<opus::Encoder> encoder,
                                         const Bytes& pcm, int frame_size,
                                         std::shared_ptr<opus::AdaptiveComplexity> adaptive,
                                         uint64_t adaptive_id,
                                         std::shared_ptr<PcmProcessor> filters) {
    std::unique_ptr<EncodeJob> job = EnvContext::Get(env).Reuse<EncodeJob>();
    if (!job) job = std::make_unique<EncodeJob>();
    job->encoder_ = std::move(encoder);
    job->adaptive_ = std::move(adaptive);
    job->adaptive_id_ = adaptive_id;
    job->filters_ = std::move(filters);
    job->input_.assign(pcm.data, pcm.data + pcm.size);
    job->frame_size_ = frame_size;
    job->format_ = FormatOfView(pcm);
    job->length_ = 0;
    return job;
  }

  bool recyclable() const override { return true; }
  void ReleaseReferences() override {
    encoder_.reset();
    adaptive_.reset();
    filters_.reset();
  }

  void Run() noexcept override {
    // The job's own copy of the frame is filtered in place: filters and encode, one job.
    if (filters_) FilterFrame(*filters_, format_, input_.data(), frame_size_);
    if (!adaptive_) {
      Finish(EncodeFrame(*encoder_, format_, input_.data(), frame_size_, out_, sizeof(out_)));
      return;
    }
    // The controller's complexity for this stream now; then what the encode cost and how late
    // it finished against the due time the pool scheduled it by.
    const int complexity = adaptive_->ComplexityFor(adaptive_id_);
    encoder_->SetComplexity(complexity);
    const int64_t start = pool::NowNs();
    Finish(EncodeFrame(*encoder_, format_, input_.data(), frame_size_, out_, sizeof(out_)));
    const int64_t now = pool::NowNs();
    adaptive_->Record(complexity, now - start, due_ns != 0 ? now - due_ns : kNotDue, now);
  }

 private:
  // A job without a due time (none is ever run so) counts as early.
  static constexpr int64_t kNotDue = -(int64_t{1} << 40);
  std::shared_ptr<opus::Encoder> encoder_;
  std::shared_ptr<opus::AdaptiveComplexity> adaptive_;
  uint64_t adaptive_id_ = 0;
  std::shared_ptr<PcmProcessor> filters_;
  std::vector<uint8_t> input_;  // operator new alignment suits int16/float
  int frame_size_ = 0;
  SampleFormat format_ = SampleFormat::kS16;
};

}  // namespace

Napi::Function NativeEncoder::Define(Napi::Env env) {
  return DefineWith(env, {{"encode", &NativeEncoder::Encode},
                          {"encodeAsync", &NativeEncoder::EncodeAsync},
                          {"encodeBatch", &NativeEncoder::EncodeBatch},
                          {"setCtl", &NativeEncoder::SetCtl},
                          {"getCtl", &NativeEncoder::GetCtl},
                          {"attachFilters", &NativeEncoder::AttachFilters}});
}

NativeEncoder::NativeEncoder(const Napi::CallbackInfo& info) : PooledWrap(info) {
  Napi::Env env = info.Env();
  Napi::Object o = OptionsArg(info);
  const opus::EncoderOptions options = ReadEncoderOptions(o);
  const pool::StrandOptions strand_options = ReadStrandOptions(o);
  auto encoder = CreateCore(env, options);
  const Napi::Value adaptive = o.Get("adaptive");
  if (!adaptive.IsUndefined()) {
    adaptive_ = SharedAdaptiveOf(env, adaptive);
    adaptive_id_ = adaptive_->Join();
  }
  Adopt(env, info.This(), std::move(encoder), strand_options);
}

std::unique_ptr<JsJob> NativeEncoder::MakeJob(Napi::Env env, napi_value value) {
  const auto& encoder = Live(env);
  Bytes pcm;
  if (!GetBytes(env, value, &pcm)) ThrowTypeError(env, kPcmMessage);
  const int frame = FrameSizeOf(env, pcm, encoder->sample_rate(), encoder->channels());
  return EncodeJob::Make(env, encoder, pcm, frame, adaptive_, adaptive_id_, filters_);
}

// encode(pcm) -> Buffer (synchronous, on the calling thread)
Napi::Value NativeEncoder::Encode(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const auto& encoder = Enter(info);
  const Bytes pcm = BytesArg(info, 0, kPcmMessage);
  const int frame = FrameSizeOf(env, pcm, encoder->sample_rate(), encoder->channels());
  const void* samples = pcm.data;
  alignas(16) uint8_t aligned[kMaxPcmBytes];
  // A Buffer may start at any byte offset; libopus reads int16/float, so realign when needed.
  // Filters work on a copy: the caller's frame is left as it was.
  if (filters_ || reinterpret_cast<uintptr_t>(pcm.data) % alignof(float) != 0) {
    std::memcpy(aligned, pcm.data, pcm.size);
    samples = aligned;
  }
  if (filters_) FilterFrame(*filters_, FormatOfView(pcm), aligned, frame);
  uint8_t out[opus::kMaxPacketBytes];
  const int n = EncodeFrame(*encoder, FormatOfView(pcm), samples, frame, out, sizeof(out));
  if (n < 0) Throw(env, Status::FromOpus(n));
  return Napi::Buffer<uint8_t>::Copy(env, out, static_cast<size_t>(n));
}

// encodeAsync(pcm, dueMs?) -> Promise<Buffer>
Napi::Value NativeEncoder::EncodeAsync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Of(env, info.This());
  if (info.Length() < 1) ThrowTypeError(env, kPcmMessage);  // before the destroyed check
  auto job = MakeJob(env, info[0]);
  ApplyDueMs(env, Arg(info, 1), *job);
  return Submit(env, std::move(job));
}

// encodeBatch([pcm, ...]) -> Promise<Array<Buffer | VoxpoolError>>
Napi::Value NativeEncoder::EncodeBatch(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Of(env, info.This());
  if (info.Length() < 1 || !info[0].IsArray())
    ThrowTypeError(env, "Expected an array of PCM frames");
  Napi::Array frames = info[0].As<Napi::Array>();
  const uint32_t n = frames.Length();
  CheckBatchLength(env, n);
  pool::Strand& strand = StrandFor(env);
  return SubmitBatch(
      env, n, [&](uint32_t i) { return std::make_pair(&strand, MakeJob(env, frames.Get(i))); });
}

Napi::Value NativeEncoder::SetCtl(const Napi::CallbackInfo& info) {
  return SetCtlOf(*Of(info.Env(), info.This()), info);
}

Napi::Value NativeEncoder::GetCtl(const Napi::CallbackInfo& info) {
  return GetCtlOf(*Of(info.Env(), info.This()), info);
}

// attachFilters(nativeFilterChain): frames submitted from now on run through the chain first.
// lib/opus.js checks that its rate and channels are the encoder's.
Napi::Value NativeEncoder::AttachFilters(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  NativeEncoder* self = Of(env, info.This());
  const auto& encoder = self->Live(env);
  std::shared_ptr<filter::FilterChain> chain = SharedFilterChainOf(env, Arg(info, 0));
  if (chain->sample_rate() != encoder->sample_rate() || chain->channels() != encoder->channels())
    ThrowRangeError(env, "The filter chain's sample rate and channels are not the encoder's");
  self->filters_ = std::move(chain);
  return env.Undefined();
}

std::shared_ptr<opus::Encoder> SharedEncoderOf(Napi::Env env, napi_value value) {
  return NativeEncoder::Of(env, value)->Live(env);
}

}  // namespace voxpool::binding
