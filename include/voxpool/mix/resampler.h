// Streaming sample-rate conversion over libsoxr (chosen over libspeexdsp by measurement: see
// docs/RESAMPLER.md). State (filter history, fractional phase) is kept between calls, so a stream
// can be fed in chunks of any size and the output is the same as converting it in one piece.
//
// Latency and flush: soxr holds a filter's worth of samples. The first output appears after a
// short start-up and the number of frames returned per call varies around the nominal ratio
// (for 20 ms chunks within about +-40 % of the nominal count; a frame-based consumer keeps a
// small FIFO, see Mixer's prebuffer). delay_frames() reports what is held right now; Flush()
// returns it at the end of a stream.
#pragma once

#include <cstdint>
#include <memory>

#include "voxpool/status.h"

struct soxr;  // libsoxr

namespace voxpool::mix {

// Rates accepted for input and output: any integer rate in [kResamplerMinRate, kResamplerMaxRate]
// (8, 11.025, 12, 16, 22.05, 24, 32, 44.1 and 48 kHz are the ones voice uses).
inline constexpr int kResamplerMinRate = 8000;
inline constexpr int kResamplerMaxRate = 48000;
inline constexpr int kResamplerMaxChannels = 2;

// The inputRate/outputRate range check every resampling class applies (a RangeError message
// naming the option). Never allocates on success. Thread-safe.
Status CheckResamplerRates(int input_rate, int output_rate);

struct ResamplerOptions {
  int input_rate = 48000;   // Hz
  int output_rate = 48000;  // Hz
  int channels = 2;         // 1 or 2, interleaved
};

class Resampler {
 public:
  // Creates a converter. Allocates (soxr builds its filters here). Thread-safe.
  [[nodiscard]] static Status Create(const ResamplerOptions& options,
                                     std::unique_ptr<Resampler>* out);
  ~Resampler();
  Resampler(const Resampler&) = delete;
  Resampler& operator=(const Resampler&) = delete;

  // Output capacity, in frames (samples per channel), that always suffices for one Process call
  // of `input_frames` frames. Never allocates. Thread-safe.
  int MaxOutputFrames(int input_frames) const noexcept;

  // Converts `in_frames` interleaved frames, consuming all of them, and writes what is ready to
  // `out` (at most `out_capacity` frames); `*out_frames` receives the count. kInvalidArgument if
  // the input is negative or the output does not fit (use MaxOutputFrames). Equal rates copy
  // through. Float samples are not clipped; s16 output is saturated.
  // Never allocates after Create. Not thread-safe: one stream, one caller at a time.
  [[nodiscard]] Status Process(const float* in, int in_frames, float* out, int out_capacity,
                               int* out_frames) noexcept;
  [[nodiscard]] Status Process(const int16_t* in, int in_frames, int16_t* out, int out_capacity,
                               int* out_frames) noexcept;

  // Ends the stream: writes the held tail (about delay_frames() frames) and resets, so the object
  // can start a new stream. Allocates (the reset is soxr_clear(), see Reset). Not thread-safe.
  [[nodiscard]] Status Flush(float* out, int out_capacity, int* out_frames) noexcept;
  [[nodiscard]] Status Flush(int16_t* out, int out_capacity, int* out_frames) noexcept;

  // Drops held samples and starts a new stream. Allocates: soxr_clear() frees and rebuilds soxr's
  // internal state (measured by test/alloc). Not thread-safe.
  void Reset() noexcept;

  // Output frames currently held inside the converter (its latency right now). Not thread-safe.
  double delay_frames() const noexcept;

  // Bytes this converter owns: soxr does not report its size, so this is the most its two states
  // (f32 and s16) took for any voice rate pair in a measurement with mallinfo2() (8-48 kHz: 113-214
  // KB mono, 204-374 KB stereo), an upper bound so the JS collector never underestimates it.
  // Never allocates. Thread-safe.
  size_t memory_bytes() const noexcept;

  int input_rate() const noexcept { return input_rate_; }
  int output_rate() const noexcept { return output_rate_; }
  int channels() const noexcept { return channels_; }

 private:
  Resampler(::soxr* f32, ::soxr* s16, int input_rate, int output_rate, int channels)
      : f32_(f32),
        s16_(s16),
        input_rate_(input_rate),
        output_rate_(output_rate),
        channels_(channels) {}
  // Process's common body: checks and feeds `in` (null only when in_frames is 0) to `s`.
  template <class T>
  Status Feed(::soxr* s, const T* in, int in_frames, T* out, int out_capacity,
              int* out_frames) noexcept;
  template <class T>
  Status Run(::soxr* s, const T* in, int in_frames, T* out, int out_capacity,
             int* out_frames) noexcept;

  // One soxr state per sample type (soxr fixes the I/O types at creation); a stream uses one.
  ::soxr* f32_;  // owned; null when the rates are equal
  ::soxr* s16_;  // owned; null when the rates are equal
  const int input_rate_;
  const int output_rate_;
  const int channels_;
};

}  // namespace voxpool::mix
