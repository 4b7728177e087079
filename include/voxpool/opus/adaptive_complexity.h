// Adaptive Opus complexity: one controller shared by the encoders that opt in, stepping their
// complexity down when the pool would finish a tick's frames too late, and back up, with
// hysteresis, when load falls.
//
// Model. Voice software submits a frame per stream per tick (20 ms), all due together; on T
// worker threads a tick's frames finish about sum(service time) / T after it starts. The
// controller measures the service time of each complexity it uses (an exponential average per
// level) and the frames per tick of its encoders (counted over a window), and predicts a tick's
// work for any mix of levels. It chooses the highest level whose predicted work fits the budget:
//
//   budget = T x (frame - targetSlack) x scale
//
// where `scale` (0.25..1) is feedback for what the model does not see (the JS thread, other jobs
// sharing the pool, a noisy machine): each window in which more than kAdaptiveLateFraction of the
// frames finished after their due time shrinks it by kScaleDown, each other window grows it by
// kScaleUp. (targetSlack is the model's margin; only a real miss is feedback.)
//
// Levels have a fraction: level 7.30 runs 30 % of the streams (chosen by a hash of their id, so
// the same ones) at 8 and the rest at 7, so the step down is only as large as needed. A level
// below the current one is taken at once (lateness is audible); a higher one only when its
// predicted work fits in (1 - hysteresis) of the budget, at most kMaxUpStep per window, so a
// steady load settles instead of oscillating. Decisions happen once a window, inside Record, and
// depend only on what was recorded and the `now` passed in: tests drive it with simulated times.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>

#include "voxpool/opus/constants.h"
#include "voxpool/status.h"

namespace voxpool::opus {

inline constexpr int kAdaptiveDefaultMinComplexity = 5;
inline constexpr int64_t kAdaptiveDefaultTargetSlackNs = 5'000'000;  // 5 ms
inline constexpr int64_t kAdaptiveMaxTargetSlackNs = 15'000'000;     // of a 20 ms frame
inline constexpr int64_t kAdaptiveFrameNs = 20'000'000;              // the tick
inline constexpr int64_t kAdaptiveWindowNs = 200'000'000;            // decision period: 10 ticks
inline constexpr double kAdaptiveHysteresis = 0.15;
// Levels are kept in hundredths (730 = 7.30).
inline constexpr int kLevelScale = 100;
// At most this many hundredths up per window (a whole complexity step).
inline constexpr int kMaxUpStep = 100;
inline constexpr double kScaleDown = 0.85;
inline constexpr double kScaleUp = 0.05;
// A window is late when more than this share of its frames finished after their due time.
inline constexpr double kAdaptiveLateFraction = 0.001;
inline constexpr double kMinScale = 0.25;
// A level's service time before it has been measured, relative to complexity 10's: Debian's
// libopus 1.3.1, 48 kHz stereo 64 kbps music, on the 2-core bench machine (`node
// bench/js/complexity-cost.js`, 2026-12-02; 8 and 9 cost what 10 does, and there encode the same
// bitstream). A measured neighbour scales it; the level's own measurement replaces it once it runs.
inline constexpr std::array<double, kMaxComplexity + 1> kAdaptivePriorCost = {
    0.30, 0.44, 0.48, 0.48, 0.49, 0.61, 0.61, 0.81, 1.0, 1.0, 1.0};

struct AdaptiveComplexityOptions {
  int min_complexity = kAdaptiveDefaultMinComplexity;  // 0..max_complexity
  int max_complexity = kMaxComplexity;                 // min_complexity..10
  int64_t target_slack_ns = kAdaptiveDefaultTargetSlackNs;  // 0..kAdaptiveMaxTargetSlackNs
  int threads = 1;  // pool worker threads the encodes share (1..1024)
};

// Counters since creation. A value type.
struct AdaptiveComplexityStats {
  std::array<uint64_t, kMaxComplexity + 1> frames{};  // frames encoded at each complexity
  uint64_t downgrades = 0;  // windows that lowered the level
  uint64_t upgrades = 0;    // windows that raised it
  uint64_t late_frames = 0;  // frames finished after their due time
  int level = 0;             // current level in hundredths (e.g. 730)
  double scale = 1;          // the budget's feedback factor
  double streams_per_tick = 0;  // as last measured
};

class AdaptiveComplexity {
 public:
  // Checks the options and creates the controller at max_complexity. Allocates.
  [[nodiscard]] static Status Create(const AdaptiveComplexityOptions& options,
                                     std::shared_ptr<AdaptiveComplexity>* out);

  // A new stream's id (each encoder that joins takes one). Thread-safe, lock-free.
  uint64_t Join() noexcept { return next_id_.fetch_add(1, std::memory_order_relaxed); }

  // The complexity stream `id` should encode its next frame at. Thread-safe, lock-free (one
  // atomic load), never allocates.
  int ComplexityFor(uint64_t id) const noexcept;

  // Records one encode: the complexity used, its service time (ns on the worker), how late it
  // finished (`late_ns` = finish - due; late when positive) and the time now (steady ns). Ends
  // the window and decides when a window has passed. Thread-safe (a mutex, held for a few
  // arithmetic steps); never allocates.
  void Record(int complexity, int64_t service_ns, int64_t late_ns, int64_t now_ns) noexcept;

  AdaptiveComplexityStats stats() const;
  const AdaptiveComplexityOptions& options() const noexcept { return options_; }

 private:
  explicit AdaptiveComplexity(const AdaptiveComplexityOptions& options);
  // Predicted service time of a frame at `level` (hundredths), from the per-level averages.
  double CostAt(int level) const noexcept;
  double ServiceAt(int complexity) const noexcept;
  void Decide(int64_t now_ns) noexcept;

  const AdaptiveComplexityOptions options_;
  std::atomic<uint64_t> next_id_{0};
  std::atomic<int> level_;

  mutable std::mutex mutex_;
  std::array<double, kMaxComplexity + 1> service_ns_{};  // averages; 0 = not measured yet
  int64_t window_start_ns_ = 0;
  uint64_t window_frames_ = 0;
  uint64_t window_late_ = 0;
  double scale_ = 1;
  double streams_per_tick_ = 0;
  AdaptiveComplexityStats stats_;
};

// Which of two adjacent complexities stream `id` gets at `level` (hundredths): the fraction
// level % 100 of the streams, chosen by a hash of the id, get the higher one. Thread-safe.
int ComplexityAtLevel(int level, uint64_t id) noexcept;

}  // namespace voxpool::opus
