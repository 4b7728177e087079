// Loudness normalization: a gain that brings a stream to a target loudness (LUFS, EBU R128 /
// ITU-R BS.1770) under a true-peak ceiling (dBTP). Beyond Lavalink's set: without it a quiet
// speaker, a loud one and a song mastered at -8 LUFS all play at their own level.
//
// The measurement is libebur128's: K-weighting, the 400 ms mean square (its momentary loudness)
// read every 100 ms, and its 4x-oversampled true peak. A live stream has no end to integrate to,
// so the stage keeps the last kLoudnessWindowBlocks such blocks (10 s of programme) and applies
// BS.1770's gating to them (blocks below the silence gate are skipped, then the relative gate
// -10 LU): the integrated loudness of the last 10 s of programme. The gain is target minus that,
// bounded by the ceiling minus the window's highest true peak and by maxGainDb, and moved by a
// slew limit (kLoudnessRiseDbPerS up, kLoudnessFallDbPerS down), so it levels without pumping.
// The ceiling wins over the target: a signal whose peaks stand further above its loudness than
// ceiling - target (13 dB with the defaults) comes out quieter than the target rather than
// limited. A call whose own peak would exceed the ceiling at the current gain (a loud onset
// after quiet) lowers the gain at once, ramped over at most 1 ms before the first loud frame.
// libebur128 reports inter-sample peaks 6 frames late, so a call's last 12 frames are taken as
// up to 1 dB over their samples: the call ends that much lower and the next ramps back. (Full-band
// white noise starting in those frames can still pass the ceiling by ~0.1 dB.)
//
// Cost: about 1 MiB of libebur128 buffers per meter (48 kHz stereo), and most of the time per
// frame in libebur128's true-peak interpolator (bench/RESULTS.md).
//
// Silence: a 400 ms block quieter than targetLufs - maxGainDb - 10 LU (-44 LUFS with the defaults)
// is one the largest gain could not bring within BS.1770's relative gate of the target: a pause,
// silence or a noise floor. It is not measured and the gain holds, so a pause does not raise the
// gain and the next onset is not blasted.
#pragma once

#include <ebur128.h>  // libebur128's ebur128_state is an anonymous struct: no forward declaration

#include <array>
#include <atomic>
#include <cstddef>
#include <memory>

#include "voxpool/filter/filter_settings.h"
#include "voxpool/filter/stage.h"
#include "voxpool/status.h"

namespace voxpool::filter {

// Programme blocks (one per 100 ms, each the loudness of the 400 ms before it) the gain is measured
// over: 10 s.
inline constexpr int kLoudnessWindowBlocks = 100;
// Fastest gain changes, dB per second: up (a quiet stream is brought up over a few seconds) and
// down (a loud one is corrected within about a second).
inline constexpr double kLoudnessRiseDbPerS = 6;
inline constexpr double kLoudnessFallDbPerS = 12;
// A gain cut for a peak ramps in over at most this long, before the first loud frame.
inline constexpr double kLoudnessAttackMs = 1;

// Process(), Set(), Reset() and the accessors: one stream at a time (the chain's processing
// thread). Prepare() and memory_bytes(): thread-safe. Only Prepare() allocates.
class Loudness final : public Stage {
 public:
  Loudness(int sample_rate, int channels) noexcept;
  ~Loudness() override;

  // Creates libebur128's meter, once (later calls return Ok at once): about 1 MiB at 48 kHz
  // stereo (libebur128 keeps 400 ms of samples and its true-peak interpolator's buffers), so a
  // chain creates it only when loudness is first asked for. kInvalidArgument when libebur128
  // cannot create it (out of memory). Thread-safe (serialised: ebur128_init writes libebur128's
  // shared tables); allocates.
  [[nodiscard]] Status Prepare();

  bool On(const FilterSettings& s) const noexcept override { return s.loudness; }
  // New target, ceiling and gain limit; the measurement runs on and the gain moves to the new
  // target from the next Process(). Never allocates.
  void Set(const FilterSettings& s) noexcept override;
  // Restarts the measurement (the window emptied, the gain back to 0 dB, the first block again
  // 400 ms after this) without touching libebur128's meter, which cannot be reset without being
  // created again: the next 400 ms refill the meter's own buffer, so nothing measured before
  // reaches a block read after. Never allocates.
  void Reset() noexcept override;
  // Measures `frames` interleaved frames and applies the gain in place. Before Prepare() it leaves
  // them untouched. Never allocates.
  void Process(float* pcm, int frames) noexcept override;

  // The gated loudness of the window in LUFS; -infinity before the first block is measured.
  double loudness_lufs() const noexcept { return measured_lufs_; }
  // The gain in dB where the slew limit and the measured peaks leave it after the last Process()
  // (a call that ends in a possible peak ends up to 1 dB under it).
  double gain_db() const noexcept { return gain_db_; }
  // libebur128's buffers once Prepare() has created them, else 0. Thread-safe.
  size_t memory_bytes() const noexcept;

 private:
  struct MeterDeleter {
    void operator()(ebur128_state* meter) const noexcept;
  };
  struct Block {
    double energy;  // mean square of the K-weighted 400 ms (libebur128's momentary loudness)
    float peak;     // highest true peak of the 100 ms the block ends with, linear
  };

  void EndBlock(ebur128_state* meter) noexcept;  // every 100 ms of input
  void Measure() noexcept;                       // the window's gated loudness and peak
  void UpdateTarget() noexcept;

  int rate_;
  int channels_;
  int block_frames_;                                    // 100 ms, as libebur128 rounds it
  std::unique_ptr<ebur128_state, MeterDeleter> owner_;  // written once, under Prepare's lock
  std::atomic<ebur128_state*> meter_{nullptr};          // owner_'s meter, for Process()

  double target_lufs_ = -14, ceiling_db_ = -1, max_gain_db_ = 20;
  double silence_lufs_ = -44;  // blocks below are not measured

  std::array<Block, kLoudnessWindowBlocks> window_{};
  int window_size_ = 0, window_next_ = 0;
  int until_block_ = 0;    // frames until the next 100 ms boundary
  int warmup_blocks_ = 0;  // boundaries to pass before the meter holds 400 ms of this run
  float segment_peak_ = 0;
  double measured_lufs_ = 0;
  float window_peak_ = 0;  // highest peak in the window, linear
  double target_db_ = 0;   // the gain the measurement asks for
  double gain_db_ = 0;     // the gain now (after the slew limit and the ceiling)
  float gain_ = 1;         // gain_db_, linear, applied at the end of the last call
};

}  // namespace voxpool::filter
