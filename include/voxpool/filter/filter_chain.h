// A stream's filter chain: Lavalink's filters in Lavalink's order (highPass first, then lowPass,
// channelMix, rotation, distortion, vibrato, tremolo, timescale, karaoke, equalizer), a
// compressor, the volume, a fade, then a soft limiter, over interleaved s16 or float PCM at one
// Opus rate. Process() works in place and leaves timescale out; ProcessInto() runs timescale too,
// which changes the amount of audio. Settings change at a frame boundary without clicks: gains and
// depths ramp over the next call, a filter switched on or off crossfades with the unfiltered signal
// over it, and filter state runs on across changes.
// Loudness normalization (loudness.h) runs between the compressor and the volume.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "voxpool/filter/channel_mix.h"
#include "voxpool/filter/compressor.h"
#include "voxpool/filter/distortion.h"
#include "voxpool/filter/equalizer.h"
#include "voxpool/filter/fade.h"
#include "voxpool/filter/filter_settings.h"
#include "voxpool/filter/high_pass.h"
#include "voxpool/filter/karaoke.h"
#include "voxpool/filter/loudness.h"
#include "voxpool/filter/rotation.h"
#include "voxpool/filter/smoothing_low_pass.h"
#include "voxpool/filter/time_stretch.h"
#include "voxpool/filter/tremolo.h"
#include "voxpool/filter/vibrato.h"
#include "voxpool/mix/limiter.h"
#include "voxpool/pcm_processor.h"
#include "voxpool/status.h"

namespace voxpool::filter {

struct FilterChainOptions {
  int sample_rate = 48000;  // Hz, kFilterMinSampleRate..kFilterMaxSampleRate
  int channels = 2;         // 1..kFilterMaxChannels
  FilterSettings filters;   // the settings the first frame uses
};

// Lavalink's volume curve (lavaplayer's): tan(0.79 v) up to v = 1.5, then 1.6408 v; exactly 1 at
// v = 1 (Lavalink leaves the filter out there). Thread-safe (pure).
double LavalinkVolumeGain(double volume) noexcept;

// Process() runs on one thread at a time (the object's strand, or the JS thread for the sync
// call); SetFilters() and filters() may be called from any thread at any time.
class FilterChain final : public PcmProcessor {
 public:
  // Checks `options` (rate, channels, every setting against kFilterFields), allocates the scratch
  // buffers for one kFilterBlockFrames block (and the loudness meter when loudness is on) and
  // creates the chain in *out. Allocates.
  [[nodiscard]] static Status Create(const FilterChainOptions& options,
                                     std::unique_ptr<FilterChain>* out);

  // Replaces every setting; the next Process() call moves to them. Thread-safe; allocates nothing,
  // except on the first call that turns loudness on (its meter, see Loudness::Prepare).
  [[nodiscard]] Status SetFilters(const FilterSettings& settings);
  // The settings last given (Create or SetFilters). Thread-safe.
  FilterSettings filters() const;

  // Fades from the gain now to `target` (linear, 0..1) over `duration_ms` (0..kFadeMaxMs; 0
  // jumps), starting with the next Process() call. After the filters and volume, before the
  // limiter. Thread-safe; allocates nothing.
  [[nodiscard]] Status StartFade(double target, double duration_ms, FadeCurve curve);

  // Filters `frames` (0..kFilterMaxFrames) interleaved frames in place, every filter but
  // timescale. Never allocates.
  void Process(float* pcm, int frames) noexcept override;
  // s16: converted to float, filtered, rounded back with saturation. With no filter on and none
  // switching off, the samples are left untouched (bit-exact). Never allocates.
  void Process(int16_t* pcm, int frames) noexcept override;

  // Every filter, timescale included (PcmProcessor::ProcessInto): `frames` 0..kFilterMaxFrames of
  // `in` go in; out come the frames ready. While timescale has never been on, that is `frames`
  // (the in-place path, then a copy), if `capacity` allows. Once it has been on, the chain keeps
  // running the stretch (at 1/1/1 when it is switched off, so no audio is cut or doubled) and
  // writes about frames / (speed x rate) frames a call after a start-up latency of some tens of
  // ms; `capacity` >= frames x 4 + kTimescaleBurstFrames always takes all of it. `out` may be
  // `in` (all input is read before any output is written). Never allocates.
  int ProcessInto(int16_t* in, int frames, int16_t* out, int capacity, int granule,
                  bool end) noexcept override;
  int ProcessInto(float* in, int frames, float* out, int capacity, int granule,
                  bool end) noexcept override;
  // frames x 4 + kTimescaleBurstFrames (see ProcessInto). Thread-safe.
  int OutputCapacity(int frames) const noexcept override {
    return frames * 4 + kTimescaleBurstFrames;
  }
  // Whether timescale has been set (Create or SetFilters): ProcessInto() runs the time-stretch
  // from the next call on, and its output no longer follows its input frame for frame.
  // Thread-safe.
  bool stretching() const noexcept { return StretchMade(); }
  // True when a filter or a fade is on, switching off, or a change waits for the next call:
  // false means Process() would leave the samples untouched. Thread-safe (what the last call
  // ended with, and the changes handed over since).
  bool active() const noexcept;

  int sample_rate() const noexcept { return rate_; }
  int channels() const noexcept { return channels_; }
  // Heap and inline bytes this object holds (for the binding's report to V8).
  size_t memory_bytes() const noexcept;

  explicit FilterChain(const FilterChainOptions& options) noexcept;  // unchecked: use Create()

 private:
  // The filter stages in processing order (Lavalink's: highPass, lowPass, channelMix, rotation,
  // distortion, vibrato, tremolo, karaoke, equalizer; then the compressor and loudness
  // normalization). The volume, the fade and the limiter follow them.
  static constexpr int kStageCount = 11;
  using StageSet = std::array<bool, kStageCount>;

  // Stages before timescale (Lavalink's order) run on the input, the rest on its output.
  static constexpr int kStretchAt = 7;

  StageSet StagesOn(const FilterSettings& s) const noexcept;
  void Apply(const FilterSettings& s, const StageSet& next) noexcept;
  void ProcessBlock(float* pcm, int frames) noexcept;  // frames <= kFilterBlockFrames
  // Stages [first, last) over one block (switching ones crossfade), then marked as switched.
  void RunStages(float* pcm, int frames, int first, int last) noexcept;
  // Volume, fade and limiter over one block of output.
  void Finish(float* pcm, int frames) noexcept;
  template <typename T>
  int StretchInto(T* in, int frames, T* out, int capacity, int granule, bool end) noexcept;
  void ApplyVolume(float* pcm, int frames) noexcept;
  void TakePending() noexcept;
  bool Running() const noexcept;      // active(), on the processing thread, changes taken
  bool StretchMade() const noexcept;  // thread-safe

  int rate_;
  int channels_;
  StageSet on_{};    // stages running now
  StageSet next_{};  // stages the current call ends with (off -> on fades in, on -> off out)
  HighPass high_pass_;
  SmoothingLowPass low_pass_;
  ChannelMix channel_mix_;
  Rotation rotation_;
  Distortion distortion_;
  Vibrato vibrato_;
  Tremolo tremolo_;
  Karaoke karaoke_;
  Equalizer equalizer_;
  Compressor compressor_;
  Loudness loudness_;
  std::array<Stage*, kStageCount> stages_;  // the members above, in processing order
  float gain_ = 1, target_gain_ = 1;
  Fade fade_;
  mix::Limiter limiter_;
  std::vector<float> dry_;                // the input of a stage that crossfades (one block)
  std::vector<float> work_;               // float copy of s16 input (one block)
  std::unique_ptr<TimeStretch> stretch_;  // processing thread's, once timescale has been on
  std::vector<float> stretched_;          // one block of the stretch's output

  mutable std::mutex mutex_;  // guards settings_, stretch_made_, handover_ and pending_'s hand-off
  FilterSettings settings_;
  bool stretch_made_ = false;              // a TimeStretch exists (stretch_ or handover_)
  std::unique_ptr<TimeStretch> handover_;  // made by SetFilters(), taken by the next call
  std::atomic<bool> pending_{false};
  struct FadeRequest {
    float target;
    int64_t frames;
    FadeCurve curve;
  } fade_request_{};
  std::atomic<bool> fade_pending_{false};
  std::atomic<bool> running_{false};  // Running() at the end of the last call, for active()
};

}  // namespace voxpool::filter
