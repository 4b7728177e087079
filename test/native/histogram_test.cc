// Histogram: bucket bounds, percentile accuracy against exact percentiles of known
// distributions, and totals under concurrent Record.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "voxpool/pool/histogram.h"

namespace voxpool::pool {
namespace {

// Buckets 0..251 are reachable (the last holds values with the top bit set).
constexpr int kLastBucket = 251;

uint64_t LowerBound(int bucket) {
  return bucket == 0 ? 0 : Histogram::BucketUpperBound(bucket - 1) + 1;
}

TEST(Histogram, BucketsTileTheValueRangeWithoutGaps) {
  EXPECT_EQ(Histogram::BucketOf(~uint64_t{0}), kLastBucket);
  EXPECT_LT(kLastBucket, Histogram::kBuckets);
  EXPECT_EQ(Histogram::BucketUpperBound(kLastBucket), ~uint64_t{0});
  for (int b = 0; b <= kLastBucket; ++b) {
    SCOPED_TRACE(b);
    const uint64_t lo = LowerBound(b), hi = Histogram::BucketUpperBound(b);
    ASSERT_LE(lo, hi);
    ASSERT_EQ(Histogram::BucketOf(lo), b);
    ASSERT_EQ(Histogram::BucketOf(hi), b);
    if (b >= 4) {
      // Four linear sub-buckets per power of two: a bucket is at most a quarter of its lower
      // bound wide, so an upper-bound estimate is at most +25% off.
      ASSERT_LE(static_cast<double>(hi - lo + 1), static_cast<double>(lo) / 4.0 + 1e-9);
    }
  }
  // Small values are exact, and every value up to 2^20 lands in a bucket that contains it.
  for (uint64_t v = 0; v < 4; ++v)
    EXPECT_EQ(Histogram::BucketUpperBound(Histogram::BucketOf(v)), v);
  int previous = 0;
  for (uint64_t v = 0; v <= (1u << 20); ++v) {
    const int b = Histogram::BucketOf(v);
    ASSERT_GE(b, previous) << v;  // monotonic
    ASSERT_LE(LowerBound(b), v);
    ASSERT_GE(Histogram::BucketUpperBound(b), v);
    previous = b;
  }
  for (int bit = 2; bit < 64; ++bit) {
    const uint64_t p = uint64_t{1} << bit;
    EXPECT_EQ(Histogram::BucketOf(p), Histogram::BucketOf(p - 1) + 1) << bit;
  }
}

// Exact percentile with the histogram's rank rule: the value at rank floor(q * (n - 1)) + 1.
double ExactPercentileUs(std::vector<int64_t> values, double q) {
  std::sort(values.begin(), values.end());
  const size_t rank = static_cast<size_t>(q * static_cast<double>(values.size() - 1));
  return static_cast<double>(values[rank]) / 1000.0;
}

void ExpectSummaryMatches(const std::vector<int64_t>& values) {
  Histogram h;
  for (int64_t v : values) h.Record(v);
  const HistogramSummary s = h.Summarize();
  ASSERT_EQ(s.count, values.size());
  const double max_us =
      static_cast<double>(*std::max_element(values.begin(), values.end())) / 1000.0;
  double sum = 0;
  for (int64_t v : values) sum += static_cast<double>(v);
  EXPECT_DOUBLE_EQ(s.max_us, max_us);
  EXPECT_NEAR(s.mean_us, sum / values.size() / 1000.0, 1e-9 * max_us + 1e-9);
  const std::pair<double, double> reported[] = {
      {0.50, s.p50_us}, {0.95, s.p95_us}, {0.99, s.p99_us}};
  for (const auto& [q, got] : reported) {
    SCOPED_TRACE(q);
    const double exact = ExactPercentileUs(values, q);
    // Never below the true value, never above the bucket's upper bound (<= +25%) or the max.
    EXPECT_GE(got, exact);
    EXPECT_LE(got, exact * 1.25);
    EXPECT_LE(got, max_us);
  }
  EXPECT_LE(s.p50_us, s.p95_us);
  EXPECT_LE(s.p95_us, s.p99_us);
  EXPECT_LE(s.p99_us, s.max_us);
}

TEST(Histogram, PercentilesOfKnownDistributions) {
  {
    SCOPED_TRACE("uniform 1 us .. 100 ms");
    std::vector<int64_t> v;
    for (int64_t i = 1; i <= 100000; ++i) v.push_back(i * 1000);
    ExpectSummaryMatches(v);
  }
  {
    SCOPED_TRACE("exponential, mean 50 us");
    std::mt19937_64 rng(42);
    std::exponential_distribution<double> d(1.0 / 50000.0);
    std::vector<int64_t> v;
    for (int i = 0; i < 50000; ++i) v.push_back(static_cast<int64_t>(d(rng)) + 1);
    ExpectSummaryMatches(v);
  }
  {
    SCOPED_TRACE("bimodal: 99% at 20 us, 1% at 5 ms");
    std::vector<int64_t> v(9900, 20000);
    v.insert(v.end(), 100, 5000000);
    ExpectSummaryMatches(v);
  }
  {
    SCOPED_TRACE("constant: reported exactly (clamped to the max)");
    std::vector<int64_t> v(1000, 1234567);
    Histogram h;
    for (int64_t x : v) h.Record(x);
    const HistogramSummary s = h.Summarize();
    EXPECT_DOUBLE_EQ(s.p50_us, 1234.567);
    EXPECT_DOUBLE_EQ(s.p99_us, 1234.567);
    EXPECT_DOUBLE_EQ(s.mean_us, 1234.567);
  }
}

TEST(Histogram, WorstCaseErrorIsAQuarterJustAboveAPowerOfTwo) {
  // The median sits just above 2^16 ns, at the bottom of the widest sub-bucket relative to its
  // value: the estimate is the bucket's upper bound, 2^16 + 2^14 - 1, almost +25%.
  Histogram h;
  for (int i = 0; i < 99; ++i) h.Record(65537);
  h.Record(1000000);
  const HistogramSummary s = h.Summarize();
  EXPECT_DOUBLE_EQ(s.p50_us, 81.919);
  EXPECT_GT(s.p50_us / 65.537, 1.24);
  EXPECT_LT(s.p50_us / 65.537, 1.25);
}

TEST(Histogram, EmptyNegativeAndReset) {
  Histogram h;
  HistogramSummary s = h.Summarize();
  EXPECT_EQ(s.count, 0u);
  EXPECT_EQ(s.p99_us, 0.0);
  EXPECT_EQ(s.mean_us, 0.0);
  h.Record(-5);  // a clock that went backwards counts as zero
  s = h.Summarize();
  EXPECT_EQ(s.count, 1u);
  EXPECT_EQ(s.max_us, 0.0);
  h.Record(3000);
  EXPECT_EQ(h.Summarize().count, 2u);
  EXPECT_DOUBLE_EQ(h.Summarize().max_us, 3.0);
  h.Reset();
  s = h.Summarize();
  EXPECT_EQ(s.count, 0u);
  EXPECT_EQ(s.max_us, 0.0);
  h.Record(7);
  EXPECT_DOUBLE_EQ(h.Summarize().max_us, 0.007);
}

TEST(Histogram, ConcurrentRecordsAreAllCounted) {
  constexpr int kThreads = 4, kPerThread = 100000;
  Histogram h;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&h, t] {
      for (int i = 0; i < kPerThread; ++i) h.Record(int64_t{1000} * (1 + (i % 1000)) + t);
    });
  }
  for (std::thread& t : threads) t.join();
  const HistogramSummary s = h.Summarize();
  EXPECT_EQ(s.count, static_cast<uint64_t>(kThreads) * kPerThread);
  EXPECT_DOUBLE_EQ(s.max_us, 1000.003);
  // Sum of 1000 * (1..1000) per 1000 records, plus the thread offsets: the mean is exact.
  const double expected_mean_ns = 1000.0 * 500.5 + (0 + 1 + 2 + 3) / 4.0;
  EXPECT_NEAR(s.mean_us, expected_mean_ns / 1000.0, 1e-9);
}

}  // namespace
}  // namespace voxpool::pool
