// A lock-free latency histogram with log-linear buckets (4 equal-width sub-buckets per power of
// two). A percentile is reported as its bucket's upper bound (capped at the max), so it is never
// below the true value and at most +25% above it (the first sub-bucket above 2^k spans
// [2^k, 1.25 * 2^k)). Used for queue-wait and service times.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>

namespace voxpool::pool {

struct HistogramSummary {
  uint64_t count = 0;
  double p50_us = 0, p95_us = 0, p99_us = 0, max_us = 0, mean_us = 0;
};

class Histogram {
 public:
  // Records one value in nanoseconds. Never allocates. Thread-safe (relaxed atomics).
  void Record(int64_t nanoseconds) noexcept;
  // Percentiles in microseconds. Never allocates. Thread-safe; concurrent Records may or may not
  // be included.
  HistogramSummary Summarize() const noexcept;
  // Clears all buckets. Thread-safe but not atomic with respect to concurrent Records.
  void Reset() noexcept;

  static constexpr int kSubBits = 2;
  static constexpr int kBuckets = 64 << kSubBits;
  static int BucketOf(uint64_t value) noexcept;
  static uint64_t BucketUpperBound(int bucket) noexcept;

 private:
  std::array<std::atomic<uint64_t>, kBuckets> buckets_{};
  std::atomic<uint64_t> count_{0};
  std::atomic<uint64_t> sum_ns_{0};
  std::atomic<uint64_t> max_ns_{0};
};

}  // namespace voxpool::pool
