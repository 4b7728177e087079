// Speech clean-up for voice agents: noise suppression, automatic gain control, voice activity
// detection and echo cancellation on one mono stream, by WebRTC's audio processing module
// (Debian's libwebrtc-audio-processing). The module works in 10 ms chunks; a call takes any whole
// number of them up to kSpeechMaxFrameMs (20 ms frames, the Opus frame a bot receives, are two).
//
// Echo cancellation needs the far end: what the device played, handed to ProcessReverse() before
// the near-end frame it echoes into, and the delay between the two (echo_delay_ms).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "voxpool/status.h"

namespace webrtc {
class AudioProcessing;
}  // namespace webrtc

namespace voxpool::speech {

// The module's chunk, and the most a call takes (6 chunks: Opus's longest frame).
inline constexpr int kSpeechChunkMs = 10;
inline constexpr int kSpeechMaxSampleRate = 48000;
inline constexpr int kSpeechMaxFrameMs = 60;
// Gain control's defaults and ranges (WebRTC's own): the target is a level below full scale, in
// dB (3 means -3 dBFS), the compression gain the most it adds, in dB.
inline constexpr int kSpeechDefaultTargetLevelDbfs = 3;
inline constexpr int kSpeechMaxTargetLevelDbfs = 31;
inline constexpr int kSpeechDefaultCompressionGainDb = 9;
inline constexpr int kSpeechMaxCompressionGainDb = 90;
// Echo cancellation's delay between a far-end frame and its echo in the near end, ms.
inline constexpr int kSpeechMaxEchoDelayMs = 500;
// What the module holds, bytes, measured with mallinfo2 after 100 frames (16 and 48 kHz): 38-74
// KiB without echo cancellation, about 314 KiB more with it (the extended filter's 128 ms tail).
inline constexpr size_t kSpeechModuleBytes = 80 * 1024;
inline constexpr size_t kSpeechEchoBytes = 320 * 1024;
// The VAD's first chunks are reported as no speech: its noise model starts from defaults and
// calls the first 40-80 ms of any noise voice (measured on white noise), which would start an
// utterance at every connection. Speech within it is caught late, by at most this much.
inline constexpr int kSpeechVadWarmupMs = 100;
// The level a silent frame reports, dBFS (20 log10 of one LSB over full scale, rounded down).
inline constexpr double kSpeechSilenceDbfs = -100;

// Sample rates the module takes (mono, s16).
bool SpeechRateSupported(int sample_rate) noexcept;

// Aggressiveness levels, off first; the names are the JS option values (speech_constants.h).
enum class NoiseLevel { kOff, kLow, kModerate, kHigh, kVeryHigh };
enum class GainMode { kOff, kAdaptiveDigital, kFixedDigital };
enum class VadLikelihood { kOff, kVeryLow, kLow, kModerate, kHigh };
enum class EchoLevel { kOff, kLow, kModerate, kHigh };

// The levels' names, indexed by the enums above: JS's option values (exported, never typed in lib/).
inline constexpr const char* kNoiseLevelNames[] = {"off", "low", "moderate", "high", "veryHigh"};
inline constexpr const char* kGainModeNames[] = {"off", "adaptiveDigital", "fixedDigital"};
inline constexpr const char* kVadLikelihoodNames[] = {"off", "veryLow", "low", "moderate", "high"};
inline constexpr const char* kEchoLevelNames[] = {"off", "low", "moderate", "high"};

struct SpeechOptions {
  int sample_rate = 16000;
  NoiseLevel noise_suppression = NoiseLevel::kModerate;
  GainMode gain_control = GainMode::kAdaptiveDigital;
  int target_level_dbfs = kSpeechDefaultTargetLevelDbfs;
  int compression_gain_db = kSpeechDefaultCompressionGainDb;
  bool limiter = true;
  VadLikelihood vad = VadLikelihood::kLow;
  EchoLevel echo_cancellation = EchoLevel::kOff;
  int echo_delay_ms = 0;
};

// What a call measured.
struct SpeechResult {
  bool speech = false;    // any 10 ms chunk of the call voiced (false with vad off)
  int voiced_chunks = 0;  // how many were
  double level_dbfs = kSpeechSilenceDbfs;  // RMS of the processed output, dBFS
};

// Process() and ProcessReverse() may run on two threads at once (the module's capture and render
// sides); each side one call at a time. Create() allocates; the calls never do.
class SpeechProcessor {
 public:
  // kInvalidArgument (with the field named) for an unsupported rate or a value out of range.
  [[nodiscard]] static Status Create(const SpeechOptions& options,
                                     std::unique_ptr<SpeechProcessor>* out);
  ~SpeechProcessor();
  SpeechProcessor(const SpeechProcessor&) = delete;
  SpeechProcessor& operator=(const SpeechProcessor&) = delete;

  // Cleans `samples` mono s16 samples in place and measures them. kInvalidArgument unless
  // `samples` is a whole number of 10 ms chunks, at most kSpeechMaxFrameMs. Never allocates.
  [[nodiscard]] Status Process(int16_t* pcm, int samples, SpeechResult* result) noexcept;
  // The far end (what was played) for echo cancellation, same rate and chunking; a no-op with
  // echo cancellation off. Never allocates.
  [[nodiscard]] Status ProcessReverse(const int16_t* pcm, int samples) noexcept;

  // Ok when `samples` is a length Process() takes (whole 10 ms chunks, 1 to 6 of them), else
  // kInvalidArgument. Thread-safe; never allocates.
  [[nodiscard]] Status CheckSamples(size_t samples) const noexcept;
  // Samples in one 10 ms chunk at this rate.
  int chunk_samples() const noexcept { return chunk_; }
  const SpeechOptions& options() const noexcept { return options_; }
  // What this object holds natively, bytes (the module's state is estimated: it does not say).
  size_t memory_bytes() const noexcept;

 private:
  SpeechProcessor(const SpeechOptions& options, webrtc::AudioProcessing* apm) noexcept;

  SpeechOptions options_;
  int chunk_;
  int64_t chunks_done_ = 0;  // capture chunks processed (the VAD's warm-up)
  std::unique_ptr<webrtc::AudioProcessing> apm_;
  // One 10 ms chunk per side, as the float samples the module's float interface takes (its
  // AudioFrame interface needs a header Debian's package lacks).
  using Chunk = std::array<float, kSpeechMaxSampleRate * kSpeechChunkMs / 1000>;
  Chunk capture_{};
  Chunk render_{};
};

}  // namespace voxpool::speech
