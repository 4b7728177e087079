#include "voxpool/pool/histogram.h"

namespace voxpool::pool {

int Histogram::BucketOf(uint64_t value) noexcept {
  if (value < (1u << kSubBits)) return static_cast<int>(value);
  const int msb = 63 - __builtin_clzll(value);
  const int sub = static_cast<int>((value >> (msb - kSubBits)) & ((1u << kSubBits) - 1));
  return ((msb - kSubBits + 1) << kSubBits) + sub;
}

uint64_t Histogram::BucketUpperBound(int bucket) noexcept {
  if (bucket < (1 << kSubBits)) return static_cast<uint64_t>(bucket);
  const int group = (bucket >> kSubBits) - 1 + kSubBits;  // msb of values in this bucket
  const uint64_t sub = static_cast<uint64_t>(bucket & ((1 << kSubBits) - 1));
  const uint64_t base = (uint64_t{1} << group) + (sub << (group - kSubBits));
  return base + (uint64_t{1} << (group - kSubBits)) - 1;
}

void Histogram::Record(int64_t nanoseconds) noexcept {
  const uint64_t v = nanoseconds < 0 ? 0 : static_cast<uint64_t>(nanoseconds);
  buckets_[BucketOf(v)].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_ns_.fetch_add(v, std::memory_order_relaxed);
  uint64_t prev = max_ns_.load(std::memory_order_relaxed);
  while (v > prev && !max_ns_.compare_exchange_weak(prev, v, std::memory_order_relaxed)) {
  }
}

HistogramSummary Histogram::Summarize() const noexcept {
  HistogramSummary s;
  std::array<uint64_t, kBuckets> snap;
  uint64_t total = 0;
  for (int i = 0; i < kBuckets; ++i) {
    snap[i] = buckets_[i].load(std::memory_order_relaxed);
    total += snap[i];
  }
  s.count = total;
  if (total == 0) return s;
  const double max_ns = static_cast<double>(max_ns_.load(std::memory_order_relaxed));
  auto percentile = [&](double q) {
    const uint64_t rank = static_cast<uint64_t>(q * static_cast<double>(total - 1)) + 1;
    uint64_t seen = 0;
    for (int i = 0; i < kBuckets; ++i) {
      seen += snap[i];
      if (seen >= rank) {
        const double bound = static_cast<double>(BucketUpperBound(i));
        return (bound < max_ns ? bound : max_ns) / 1000.0;
      }
    }
    return max_ns / 1000.0;
  };
  s.p50_us = percentile(0.50);
  s.p95_us = percentile(0.95);
  s.p99_us = percentile(0.99);
  s.max_us = max_ns / 1000.0;
  s.mean_us = static_cast<double>(sum_ns_.load(std::memory_order_relaxed)) /
              static_cast<double>(count_.load(std::memory_order_relaxed)) / 1000.0;
  return s;
}

void Histogram::Reset() noexcept {
  for (auto& b : buckets_) b.store(0, std::memory_order_relaxed);
  count_.store(0, std::memory_order_relaxed);
  sum_ns_.store(0, std::memory_order_relaxed);
  max_ns_.store(0, std::memory_order_relaxed);
}

}  // namespace voxpool::pool
