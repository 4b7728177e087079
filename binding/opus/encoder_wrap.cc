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
  WithSampleType(format,
                 [&](auto zero) { filters.Process(static_cast<decltype(zero)*>(samples), frame); });
}

// A frame through filters that may time-stretch, then every whole frame they have ready encoded:
// 0..n packets, kept in vectors a recycled job reuses (their capacity stays).
class StretchedPackets {
 public:
  // Runs `frame` samples per channel at `input` (scratch afterwards) through `filters` and
  // encodes what comes out, `frame` samples a packet. `end`: the input is over (everything
  // inside comes out). Returns 0 or the first negative libopus code.
  int Run(PcmProcessor& filters, opus::Encoder& encoder, SampleFormat format, uint8_t* input,
          int frame, bool end) noexcept {
    count_ = 0;
    const size_t frame_bytes = BytesPerSample(format) * encoder.channels();
    const int capacity = filters.OutputCapacity(frame);
    const size_t bytes = static_cast<size_t>(capacity) * frame_bytes;
    if (pcm_.size() < bytes) pcm_.resize(bytes);  // once: a recycled job keeps it
    const int ready = WithSampleType(format, [&](auto zero) {
      using T = decltype(zero);
      return filters.ProcessInto(reinterpret_cast<T*>(input), end ? 0 : frame,
                                 reinterpret_cast<T*>(pcm_.data()), capacity, frame, end);
    });
    const int packets = ready / frame;
    if (packets_.size() < static_cast<size_t>(packets) * opus::kMaxPacketBytes) {
      packets_.resize(static_cast<size_t>(packets) * opus::kMaxPacketBytes);
      lengths_.resize(static_cast<size_t>(packets));
    }
    for (int p = 0; p < packets; ++p) {
      uint8_t* out = packets_.data() + static_cast<size_t>(p) * opus::kMaxPacketBytes;
      const int n = EncodeFrame(encoder, format, pcm_.data() + p * frame * frame_bytes, frame, out,
                                opus::kMaxPacketBytes);
      if (n < 0) return n;
      lengths_[p] = n;
      count_ = p + 1;
    }
    return 0;
  }

  // The packets as an Array of Buffers.
  Napi::Value Result(Napi::Env env) const {
    Napi::Array list = Napi::Array::New(env, static_cast<size_t>(count_));
    for (int p = 0; p < count_; ++p)
      list.Set(static_cast<uint32_t>(p),
               Napi::Buffer<uint8_t>::Copy(
                   env, packets_.data() + static_cast<size_t>(p) * opus::kMaxPacketBytes,
                   static_cast<size_t>(lengths_[p])));
    return list;
  }

 private:
  std::vector<uint8_t> pcm_;      // the filters' output
  std::vector<uint8_t> packets_;  // kMaxPacketBytes a packet
  std::vector<int> lengths_;
  int count_ = 0;
};

class EncodeJob final : public PacketJob {
 public:
  // A recycled job when the environment has one (no allocation: the input vector keeps its
  // capacity), else a new one.
  static std::unique_ptr<EncodeJob> Make(Napi::Env env, std::shared_ptr<opus::Encoder> encoder,
                                         const Bytes& pcm, int frame_size,
                                         std::shared_ptr<opus::AdaptiveComplexity> adaptive,
                                         uint64_t adaptive_id,
                                         std::shared_ptr<PcmProcessor> filters,
                                         bool packets = false, bool end = false) {
    std::unique_ptr<EncodeJob> job = EnvContext::Get(env).Reuse<EncodeJob>();
    if (!job) job = std::make_unique<EncodeJob>();
    job->encoder_ = std::move(encoder);
    job->adaptive_ = std::move(adaptive);
    job->adaptive_id_ = adaptive_id;
    job->filters_ = std::move(filters);
    job->packets_ = packets && job->filters_;
    job->end_ = end;
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

  bool ResultBytes(const uint8_t** data, size_t* size) const override {
    return !packets_ && PacketJob::ResultBytes(data, size);
  }
  Napi::Value Result(Napi::Env env) override {
    return packets_ ? stretched_.Result(env) : PacketJob::Result(env);
  }

  void Run() noexcept override {
    if (packets_) {
      // Filters that may time-stretch, then each whole frame they have ready: one job.
      Finish(stretched_.Run(*filters_, *encoder_, format_, input_.data(), frame_size_, end_));
      return;
    }
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
  bool packets_ = false;  // the result is an Array of 0..n packets (a stream's time-stretch)
  bool end_ = false;      // the input is over: the filters give out what they hold
  StretchedPackets stretched_;
  std::vector<uint8_t> input_;  // operator new alignment suits int16/float
  int frame_size_ = 0;
  SampleFormat format_ = SampleFormat::kS16;
};

}  // namespace

Napi::Function NativeEncoder::Define(Napi::Env env) {
  return DefineWith(
      env, {VOXPOOL_METHOD(Encode), VOXPOOL_METHOD(EncodeAsync), VOXPOOL_METHOD(EncodeBatch),
            VOXPOOL_METHOD(SetCtl), VOXPOOL_METHOD(GetCtl), VOXPOOL_METHOD(AttachFilters)});
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

std::unique_ptr<JsJob> NativeEncoder::MakeJob(Napi::Env env, napi_value value, bool end) {
  const auto& encoder = Live(env);
  Bytes pcm;
  if (!GetBytes(env, value, &pcm)) ThrowTypeError(env, kPcmMessage);
  const int frame = FrameSizeOf(env, pcm, encoder->sample_rate(), encoder->channels());
  return EncodeJob::Make(env, encoder, pcm, frame, adaptive_, adaptive_id_, filters_, packets_,
                         end);
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

// encodeAsync(pcm, dueMs?, end?, toSink?) -> Promise<Buffer> (toSink: to the sink instead, see
// PooledWrap::Submit), or with filters attached in packets mode Promise<Buffer[]> (0..n packets;
// `end`: the input is over, the filters give out what they hold)
Napi::Value NativeEncoder::EncodeAsync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Of(env, info.This());
  if (info.Length() < 1) ThrowTypeError(env, kPcmMessage);  // before the destroyed check
  return Submit(env, MakeJob(env, info[0], info.Length() > 2 && info[2].ToBoolean().Value()),
                Arg(info, 1), Arg(info, 3));
}

// encodeBatch([pcm, ...]) -> Promise<Array<Buffer | VoxpoolError>>
Napi::Value NativeEncoder::EncodeBatch(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return SubmitArray(*Of(env, info.This()), info, "Expected an array of PCM frames",
                     [&](Napi::Value pcm) { return MakeJob(env, pcm); });
}

Napi::Value NativeEncoder::SetCtl(const Napi::CallbackInfo& info) {
  return SetCtlOf(*Of(info.Env(), info.This()), info);
}

Napi::Value NativeEncoder::GetCtl(const Napi::CallbackInfo& info) {
  return GetCtlOf(*Of(info.Env(), info.This()), info);
}

// attachFilters(nativeFilterChain, packets?): frames submitted from now on run through the chain
// first. `packets` (an encoder stream's): encodeAsync() settles with an Array of the 0..n packets
// the chain's output makes, which timescale needs (its output is not one frame per input).
// lib/opus.js checks that its rate and channels are the encoder's.
Napi::Value NativeEncoder::AttachFilters(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  NativeEncoder* self = Of(env, info.This());
  const auto& encoder = self->Live(env);
  std::shared_ptr<filter::FilterChain> chain = SharedFilterChainOf(env, Arg(info, 0));
  if (chain->sample_rate() != encoder->sample_rate() || chain->channels() != encoder->channels())
    ThrowRangeError(env, "The filter chain's sample rate and channels are not the encoder's");
  self->filters_ = std::move(chain);
  self->packets_ = info.Length() > 1 && info[1].ToBoolean().Value();
  return env.Undefined();
}

std::shared_ptr<opus::Encoder> SharedEncoderOf(Napi::Env env, napi_value value) {
  return NativeEncoder::Of(env, value)->Live(env);
}

}  // namespace voxpool::binding
