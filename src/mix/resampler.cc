#include "voxpool/mix/resampler.h"

#include <soxr.h>

#include <cmath>
#include <cstring>
#include <string>

namespace voxpool::mix {
namespace {

// soxr HQ (20-bit) with its DFT blocks capped at 2^9: steadier per-call output (no empty 20 ms
// calls) for a small cost; docs/RESAMPLER.md has the measurements behind both choices.
constexpr unsigned kLog2DftSize = 9;

::soxr* NewSoxr(int in_rate, int out_rate, int channels, soxr_datatype_t type, std::string* error) {
  soxr_error_t err = nullptr;
  soxr_io_spec_t io = soxr_io_spec(type, type);
  // No TPDF dither on s16 output: the result is deterministic (same input, same bytes) and the
  // undithered 20-bit-quality conversion is already below the 16-bit noise floor.
  io.flags |= SOXR_NO_DITHER;
  soxr_quality_spec_t q = soxr_quality_spec(SOXR_HQ, 0);
  soxr_runtime_spec_t r = soxr_runtime_spec(1);
  r.log2_min_dft_size = r.log2_large_dft_size = kLog2DftSize;
  ::soxr* s = soxr_create(in_rate, out_rate, static_cast<unsigned>(channels), &err, &io, &q, &r);
  if (err != nullptr) {
    *error = err;
    soxr_delete(s);
    return nullptr;
  }
  return s;
}

}  // namespace

Status CheckResamplerRates(int input_rate, int output_rate) {
  Status st = CheckRange("inputRate", input_rate, kResamplerMinRate, kResamplerMaxRate, "Hz");
  if (st.ok()) st = CheckRange("outputRate", output_rate, kResamplerMinRate, kResamplerMaxRate, "Hz");
  return st;
}

Status Resampler::Create(const ResamplerOptions& o, std::unique_ptr<Resampler>* out) {
  Status st = CheckResamplerRates(o.input_rate, o.output_rate);
  if (st.ok()) st = CheckRange("channels", o.channels, 1, kResamplerMaxChannels);
  if (!st.ok()) return st;
  ::soxr* f32 = nullptr;
  ::soxr* s16 = nullptr;
  if (o.input_rate != o.output_rate) {
    std::string error;
    f32 = NewSoxr(o.input_rate, o.output_rate, o.channels, SOXR_FLOAT32_I, &error);
    if (f32 != nullptr)
      s16 = NewSoxr(o.input_rate, o.output_rate, o.channels, SOXR_INT16_I, &error);
    if (s16 == nullptr) {
      soxr_delete(f32);
      return Status(ErrorCode::kInvalidArgument, "libsoxr: " + error);
    }
  }
  out->reset(new Resampler(f32, s16, o.input_rate, o.output_rate, o.channels));
  return Status::Ok();
}

Resampler::~Resampler() {
  soxr_delete(f32_);
  soxr_delete(s16_);
}

int Resampler::MaxOutputFrames(int input_frames) const noexcept {
  if (input_frames < 0) input_frames = 0;
  const int64_t nominal =
      (static_cast<int64_t>(input_frames) * output_rate_ + input_rate_ - 1) / input_rate_;
  if (f32_ == nullptr) return input_frames;
  // soxr releases output in DFT-block bursts; with 2^9 blocks a burst is well under 100 ms.
  return static_cast<int>(nominal + output_rate_ / 10 + 1);
}

template <class T>
Status Resampler::Run(::soxr* s, const T* in, int in_frames, T* out, int out_capacity,
                      int* out_frames) noexcept {
  *out_frames = 0;
  if (in_frames < 0 || out_capacity < 0)
    return Status(ErrorCode::kInvalidArgument, "Frame counts must not be negative");
  if (s == nullptr) {  // equal rates
    if (in_frames > out_capacity)
      return Status(ErrorCode::kInvalidArgument, "Output buffer too small for the input");
    std::memcpy(out, in, sizeof(T) * static_cast<size_t>(in_frames) * channels_);
    *out_frames = in_frames;
    return Status::Ok();
  }
  size_t used = 0;
  size_t written = 0;
  // soxr may stop early when its output FIFO is momentarily full; keep calling until the input
  // is consumed (or, for a flush, until nothing more comes out).
  for (int guard = 0; guard < 64; ++guard) {
    size_t idone = 0;
    size_t odone = 0;
    const T* ip = in == nullptr ? nullptr : in + used * channels_;
    soxr_error_t err = soxr_process(s, ip, in == nullptr ? 0 : in_frames - used, &idone,
                                    out + written * channels_, out_capacity - written, &odone);
    if (err != nullptr) return Status(ErrorCode::kInvalidArgument, std::string("libsoxr: ") + err);
    used += idone;
    written += odone;
    *out_frames = static_cast<int>(written);
    const bool input_done = in == nullptr ? odone == 0 : used == static_cast<size_t>(in_frames);
    if (input_done) return Status::Ok();
    if (written == static_cast<size_t>(out_capacity))
      return Status(ErrorCode::kInvalidArgument, "Output buffer too small for the input");
  }
  return Status(ErrorCode::kInvalidArgument, "libsoxr made no progress");
}

template <class T>
Status Resampler::Feed(::soxr* s, const T* in, int in_frames, T* out, int out_capacity,
                       int* out_frames) noexcept {
  if (in == nullptr && in_frames > 0)
    return Status(ErrorCode::kInvalidArgument, "Input must not be null");
  // Run reads a null input as "flush"; no input here is an empty feed, not a flush.
  static const T kNothing = 0;
  return Run(s, in == nullptr ? &kNothing : in, in_frames, out, out_capacity, out_frames);
}

Status Resampler::Process(const float* in, int in_frames, float* out, int out_capacity,
                          int* out_frames) noexcept {
  return Feed(f32_, in, in_frames, out, out_capacity, out_frames);
}

Status Resampler::Process(const int16_t* in, int in_frames, int16_t* out, int out_capacity,
                          int* out_frames) noexcept {
  return Feed(s16_, in, in_frames, out, out_capacity, out_frames);
}

Status Resampler::Flush(float* out, int out_capacity, int* out_frames) noexcept {
  *out_frames = 0;
  if (f32_ == nullptr) return Status::Ok();
  Status st = Run<float>(f32_, nullptr, 0, out, out_capacity, out_frames);
  soxr_clear(f32_);
  return st;
}

Status Resampler::Flush(int16_t* out, int out_capacity, int* out_frames) noexcept {
  *out_frames = 0;
  if (s16_ == nullptr) return Status::Ok();
  Status st = Run<int16_t>(s16_, nullptr, 0, out, out_capacity, out_frames);
  soxr_clear(s16_);
  return st;
}

void Resampler::Reset() noexcept {
  if (f32_ != nullptr) soxr_clear(f32_);
  if (s16_ != nullptr) soxr_clear(s16_);
}

double Resampler::delay_frames() const noexcept {
  if (f32_ == nullptr) return 0;
  return soxr_delay(f32_) + soxr_delay(s16_);
}

size_t Resampler::memory_bytes() const noexcept {
  if (f32_ == nullptr) return sizeof(*this);  // equal rates: no converter
  constexpr size_t kMonoBytes = 216 * 1024;
  constexpr size_t kStereoBytes = 376 * 1024;
  return sizeof(*this) + (channels_ == 1 ? kMonoBytes : kStereoBytes);
}

}  // namespace voxpool::mix
