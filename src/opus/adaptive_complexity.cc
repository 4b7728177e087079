#include "voxpool/opus/adaptive_complexity.h"

#include <algorithm>
#include <cmath>

namespace voxpool::opus {
namespace {

// Weight of a new service time in its level's average (1/16: a level's estimate follows a change
// in machine load within a few ticks of its streams, and one slow frame moves it little).
constexpr double kServiceAlpha = 1.0 / 16;
// Levels are tried in steps of a tenth of a complexity.
constexpr int kLevelStep = 10;

}  // namespace

int ComplexityAtLevel(int level, uint64_t id) noexcept {
  const int base = level / kLevelScale;
  const int fraction = level % kLevelScale;
  // Fibonacci hashing spreads consecutive ids evenly over 0..99.
  const auto h = static_cast<int>(((id * 0x9E3779B97F4A7C15ull) >> 32) % kLevelScale);
  return std::min(kMaxComplexity, h < fraction ? base + 1 : base);
}

Status AdaptiveComplexity::Create(const AdaptiveComplexityOptions& options,
                                  std::shared_ptr<AdaptiveComplexity>* out) {
  Status st = CheckRange("maxComplexity", options.max_complexity, 0, kMaxComplexity);
  if (!st.ok()) return st;
  st = CheckRange("minComplexity", options.min_complexity, 0, options.max_complexity);
  if (!st.ok()) return st;
  st = CheckRange("targetSlackNs", options.target_slack_ns, 0,
                  static_cast<double>(kAdaptiveMaxTargetSlackNs), "ns");
  if (!st.ok()) return st;
  st = CheckRange("threads", options.threads, 1, 1024);
  if (!st.ok()) return st;
  out->reset(new AdaptiveComplexity(options));
  return Status::Ok();
}

AdaptiveComplexity::AdaptiveComplexity(const AdaptiveComplexityOptions& options)
    : options_(options), level_(options.max_complexity * kLevelScale) {
  stats_.level = level_.load();
}

int AdaptiveComplexity::ComplexityFor(uint64_t id) const noexcept {
  return ComplexityAtLevel(level_.load(std::memory_order_relaxed), id);
}

void AdaptiveComplexity::Record(int complexity, int64_t service_ns, int64_t late_ns,
                                int64_t now_ns) noexcept {
  if (complexity < 0 || complexity > kMaxComplexity) return;
  std::lock_guard<std::mutex> lock(mutex_);
  if (window_start_ns_ == 0) window_start_ns_ = now_ns;
  ++stats_.frames[static_cast<size_t>(complexity)];
  ++window_frames_;
  double& s = service_ns_[static_cast<size_t>(complexity)];
  const auto service = static_cast<double>(std::max<int64_t>(service_ns, 1));
  s = s == 0 ? service : s + kServiceAlpha * (service - s);
  if (late_ns > 0) {
    ++window_late_;
    ++stats_.late_frames;
  }
  if (now_ns - window_start_ns_ >= kAdaptiveWindowNs) Decide(now_ns);
}

double AdaptiveComplexity::ServiceAt(int complexity) const noexcept {
  const auto c = static_cast<size_t>(complexity);
  if (service_ns_[c] > 0) return service_ns_[c];
  // Not measured: scale the nearest measured level by the prior's ratio.
  for (int d = 1; d <= kMaxComplexity; ++d) {
    for (const int n : {complexity - d, complexity + d}) {
      if (n < 0 || n > kMaxComplexity) continue;
      const auto m = static_cast<size_t>(n);
      if (service_ns_[m] > 0) return service_ns_[m] * kAdaptivePriorCost[c] / kAdaptivePriorCost[m];
    }
  }
  return 0;
}

double AdaptiveComplexity::CostAt(int level) const noexcept {
  const int base = level / kLevelScale;
  const double fraction = static_cast<double>(level % kLevelScale) / kLevelScale;
  const double low = ServiceAt(base);
  if (fraction == 0) return low;
  return (1 - fraction) * low + fraction * ServiceAt(std::min(base + 1, kMaxComplexity));
}

void AdaptiveComplexity::Decide(int64_t now_ns) noexcept {
  const auto elapsed = static_cast<double>(now_ns - window_start_ns_);
  // Late beyond what the on-time target allows (0.1 %): one stray frame (a page fault, a GC
  // pause on the JS thread) is not a reason to lower quality for every stream.
  const bool late = static_cast<double>(window_late_) >
                    static_cast<double>(window_frames_) * kAdaptiveLateFraction;
  streams_per_tick_ = static_cast<double>(window_frames_) * kAdaptiveFrameNs / elapsed;
  scale_ = late ? std::max(kMinScale, scale_ * kScaleDown) : std::min(1.0, scale_ + kScaleUp);
  const double budget = static_cast<double>(options_.threads) *
                        static_cast<double>(kAdaptiveFrameNs - options_.target_slack_ns) * scale_;
  const int low = options_.min_complexity * kLevelScale;
  const int high = options_.max_complexity * kLevelScale;
  const int current = level_.load(std::memory_order_relaxed);
  auto work = [&](int level) { return streams_per_tick_ * CostAt(level); };
  // The highest level whose predicted tick fits the budget (the lowest when none does).
  int fits = low;
  for (int level = high; level >= low; level -= kLevelStep) {
    if (work(level) <= budget) {
      fits = level;
      break;
    }
  }
  int next = current;
  if (fits < current) {
    next = fits;  // down at once, only as far as needed
  } else if (fits > current && !late) {
    // Up by at most a step, and only as far as fits with room to spare.
    next = std::min(fits, current + kMaxUpStep);
    while (next > current && work(next) > budget * (1 - kAdaptiveHysteresis)) next -= kLevelStep;
  }
  if (next < current) ++stats_.downgrades;
  if (next > current) ++stats_.upgrades;
  level_.store(next, std::memory_order_relaxed);
  stats_.level = next;
  window_start_ns_ = now_ns;
  window_frames_ = 0;
  window_late_ = 0;
}

AdaptiveComplexityStats AdaptiveComplexity::stats() const {
  std::lock_guard<std::mutex> lock(mutex_);
  AdaptiveComplexityStats s = stats_;
  s.scale = scale_;
  s.streams_per_tick = streams_per_tick_;
  return s;
}

}  // namespace voxpool::opus
