// Many PCM sources into one, WebRTC audio-mixer style: fixed frames, every buffer allocated at
// construction from constexpr maxima, float accumulation, then a soft limiter.
//
// Data flow: Push() converts a source's PCM (s16 or f32, its own rate and channel count) to float
// at the mixer's rate and channel count and appends it to that source's FIFO. Mix() takes exactly
// one frame from every source that has one (a source without a full frame is silent this tick,
// not an error), applies its gain ramps, sums in float, applies master gain and the limiter and
// writes s16 or f32.
//
// Threading: one mutex guards the source table, settings and FIFOs. Every public method takes it,
// so any thread may call any method; Mix() holds it for one tick (a few µs) and is the only code
// that touches the accumulation buffers, so the mix itself is single-threaded per mixer. Ticks
// must be issued in order by one caller at a time (the binding uses a per-mixer strand).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "voxpool/mix/gain_ramp.h"
#include "voxpool/mix/limiter.h"
#include "voxpool/pcm.h"
#include "voxpool/mix/resampler.h"
#include "voxpool/status.h"

namespace voxpool::mix {

inline constexpr int kMixerMaxSources = 256;
inline constexpr int kMixerMaxFrameSize = 5760;  // samples per channel: 120 ms at 48 kHz
inline constexpr int kMixerMaxChannels = 2;
inline constexpr int kMixerMinQueueFrames = 2;    // FIFO depth per source, in mixer frames
inline constexpr int kMixerMaxQueueFrames = 64;
inline constexpr int kMixerMaxPushFrames = 5760;  // frames per Push() call at the source's rate
inline constexpr float kMixerMinGainDb = -120.0f;
inline constexpr float kMixerMaxGainDb = 24.0f;
inline constexpr float kMixerMaxRampMs = 60000.0f;
inline constexpr float kMixerMinCeilingDb = -24.0f;  // limiter ceiling range: kMixerMinCeilingDb..0
inline constexpr float kMixerMinLimiterReleaseMs = 1.0f;
inline constexpr float kMixerMaxLimiterReleaseMs = 5000.0f;
inline constexpr float kMixerMaxDuckDepthDb = 120.0f;       // ducking depth: 0..this
inline constexpr float kMixerMinDuckThresholdDb = -120.0f;  // ducking threshold: this..0
// Turns (setImmediate) a mixing stream waits, instead of mixing a frame of silence, for an input
// whose end() was called to queue its last frame: its final() runs a few callbacks later.
inline constexpr int kMixerStreamEndWaits = 3;
// Mute, solo and pan changes fade over this long so they never click.
inline constexpr float kMixerSwitchRampMs = 5.0f;

struct MixerOptions {
  int sample_rate = 48000;   // Hz, kResamplerMinRate..kResamplerMaxRate
  int channels = 2;          // 1 or 2
  int frame_size = 960;      // samples per channel per tick, 1..kMixerMaxFrameSize
  int max_sources = 32;      // 1..kMixerMaxSources (FIFOs for all of them are allocated up front)
  int queue_frames = 8;      // FIFO depth per source in frames, 2..kMixerMaxQueueFrames
  bool limiter = true;       // off: f32 output is the raw sum, s16 output saturates
  float ceiling_db = -0.1f;  // limiter ceiling in dBFS, -24..0
  float limiter_release_ms = 60.0f;
};

struct SourceOptions {
  int sample_rate = 0;  // Hz of pushed PCM; 0 means the mixer's rate
  int channels = 0;     // of pushed PCM; 0 means the mixer's
  float gain = 1.0f;    // linear, DbToLinear(kMixerMinGainDb)..DbToLinear(kMixerMaxGainDb) or 0
  float pan = 0.0f;     // -1 (left) .. 1 (right); balance law, unity at 0 (stereo mixers)
  bool muted = false;
  // Sample format this source pushes (Push overload must match). s16 at the mixer's rate and
  // channel count is queued as is and converted inside the mix loop.
  SampleFormat format = SampleFormat::kS16;
  int prebuffer_frames = -1;  // frames to collect before the first tick uses this source;
                              // -1: 0 at the mixer's rate, 2 when resampling (soxr bursts)
};

// Ducking: while any source marked as a ducker is active (has a frame this tick whose RMS is at
// least threshold_db and is not muted), every other source is lowered by depth_db.
struct DuckingOptions {
  float depth_db = 12.0f;       // attenuation of the other sources, 0..120 dB
  float attack_ms = 10.0f;      // time to reach full attenuation, 0..kMixerMaxRampMs
  float release_ms = 300.0f;    // time to return to unity, 0..kMixerMaxRampMs
  float hold_ms = 100.0f;       // stays ducked this long after the ducker goes quiet
  float threshold_db = -50.0f;  // RMS of a ducker frame that counts as active, dBFS
};

struct SourceStats {
  uint64_t mixed_ticks = 0;     // ticks this source contributed a frame
  uint64_t silent_ticks = 0;    // ticks it had no full frame (underrun or not started)
  uint64_t dropped_frames = 0;  // input frames refused because the FIFO was full
  int queued_frames = 0;        // frames (at the mixer's rate) waiting in the FIFO
  float gain = 1.0f;            // current linear gain (mid-ramp values included)
};

struct MixerStats {
  uint64_t ticks = 0;
  uint64_t limited_ticks = 0;   // ticks in which the limiter reduced gain
  float gain_reduction_db = 0;  // limiter's current reduction (<= 0)
  int sources = 0;
  bool ducking = false;  // ducking currently engaged
};

class Mixer {
 public:
  // Validates `options` and allocates every buffer the mixer will use. Allocates. Thread-safe.
  [[nodiscard]] static Status Create(const MixerOptions& options, std::unique_ptr<Mixer>* out);
  Mixer(const Mixer&) = delete;
  Mixer& operator=(const Mixer&) = delete;
  ~Mixer();

  // Adds a source and returns its id (never reused by this mixer). kQueueFull when max_sources are
  // in use, kInvalidArgument for bad options. Allocates only when the source needs a resampler.
  // Thread-safe.
  [[nodiscard]] Status AddSource(const SourceOptions& options, uint32_t* id);
  // Removes a source; its queued audio is discarded. Never allocates. Thread-safe.
  [[nodiscard]] Status RemoveSource(uint32_t id) noexcept;

  // Appends `frames` interleaved frames (samples per channel, at the source's rate and channel
  // count, at most kMixerMaxPushFrames) to the source's FIFO. The overload must match the
  // source's format (else kInvalidArgument). Whole pushes only: kQueueFull (and the frames
  // counted as dropped) when the FIFO cannot take them. Never allocates. Thread-safe.
  [[nodiscard]] Status Push(uint32_t id, const int16_t* pcm, int frames) noexcept;
  [[nodiscard]] Status Push(uint32_t id, const float* pcm, int frames) noexcept;

  // Ends a source's input: flushes its resampler's tail into the FIFO and pads the FIFO with
  // silence to a whole frame, so every pushed sample is mixed (and a source shorter than its
  // prebuffer still plays). Later pushes fail with kInvalidArgument; ending twice is a no-op.
  // kQueueFull when the FIFO has no room for the tail and padding yet but holds a frame (nothing
  // changed: retry after a tick); a FIFO that cannot hold the tail at all keeps what fits.
  // Allocates for a resampled source (the flush resets soxr, see Resampler::Flush). Thread-safe.
  [[nodiscard]] Status EndSource(uint32_t id);

  // Per-source controls. `ramp_ms` (0..kMixerMaxRampMs) is how long the change takes; mute, solo
  // and pan always fade over kMixerSwitchRampMs. Never allocate. Thread-safe.
  [[nodiscard]] Status SetGain(uint32_t id, float linear, float ramp_ms) noexcept;
  [[nodiscard]] Status SetMuted(uint32_t id, bool muted) noexcept;
  // While any source is soloed, only soloed sources are heard.
  [[nodiscard]] Status SetSolo(uint32_t id, bool solo) noexcept;
  [[nodiscard]] Status SetPan(uint32_t id, float pan) noexcept;
  // Marks a source as a ducker (see DuckingOptions).
  [[nodiscard]] Status SetDucker(uint32_t id, bool ducker) noexcept;
  // Drops a source's queued audio (e.g. on seek). Never allocates, except for a resampled source:
  // its Resampler::Reset (soxr_clear) rebuilds soxr's state (test/alloc). Thread-safe.
  [[nodiscard]] Status ClearSource(uint32_t id) noexcept;

  // Mixer-wide controls. Never allocate. Thread-safe.
  [[nodiscard]] Status SetMasterGain(float linear, float ramp_ms) noexcept;
  [[nodiscard]] Status SetDucking(const DuckingOptions& options) noexcept;

  // Produces one frame: frame_size * channels interleaved samples into `out`. Never fails, never
  // allocates. Thread-safe (serialised on the mixer's lock); call from one thread at a time in
  // tick order.
  void Mix(int16_t* out) noexcept;
  void Mix(float* out) noexcept;

  [[nodiscard]] Status GetSourceStats(uint32_t id, SourceStats* out) const noexcept;
  MixerStats stats() const noexcept;

  int sample_rate() const noexcept { return options_.sample_rate; }
  int channels() const noexcept { return options_.channels; }
  int frame_size() const noexcept { return options_.frame_size; }
  int max_sources() const noexcept { return options_.max_sources; }
  // Samples (frame_size * channels) in one mixed frame.
  int frame_samples() const noexcept { return options_.frame_size * options_.channels; }

 private:
  struct Source;
  explicit Mixer(const MixerOptions& options);
  Source* Find(uint32_t id) noexcept;
  const Source* Find(uint32_t id) const noexcept;
  // Takes the lock, finds source `id` and applies `change` to it; kNotFound when there is none.
  // The one shape every per-source setter has (mixer_controls.cc).
  template <class Change>
  Status WithSource(uint32_t id, Change&& change) noexcept;
  template <class T>
  Status PushImpl(uint32_t id, const T* pcm, int frames) noexcept;
  // One tick into acc_ (float, interleaved, limited). mutex_ held.
  void MixLocked() noexcept;
  void UpdateGates() noexcept;
  // Adds the next frame of `s` to `acc` with its gains; `duck` is the duck ramp at tick start.
  void MixSource(const Source& s, const GainRamp& duck, float* acc) const noexcept;
  // Appends `frames` float frames of `rc` channels to a float FIFO (upmixing mono); the caller
  // has checked the room. Lock held.
  void AppendFloat(Source& s, const float* ready, int frames, int rc) noexcept;
  long MsToSamples(float ms) const noexcept;

  const MixerOptions options_;
  mutable std::mutex mutex_;        // guards everything below; a leaf lock
  std::vector<Source> sources_;     // max_sources slots, allocated at construction
  std::vector<float> acc_;          // frame_samples(): the accumulation buffer
  std::vector<float> scratch_in_;   // kMixerMaxPushFrames * 2: converted push input
  std::vector<float> scratch_out_;  // resampler output for one push
  GainRamp master_;
  GainRamp duck_;
  DuckingOptions ducking_;
  long duck_hold_left_ = 0;  // samples of hold remaining
  bool ducked_ = false;
  bool any_solo_ = false;
  Limiter limiter_;
  uint32_t next_id_ = 1;
  int active_ = 0;
  uint64_t ticks_ = 0;
  uint64_t limited_ticks_ = 0;
};

}  // namespace voxpool::mix
