// The pool: submit -> complete round trip for one job, strand throughput against the number of
// pool threads, and a JobGroup of 32 against 32 single submissions. Each comes with a cheap job
// (pool overhead alone) and with a real job (encode one 20 ms 48 kHz stereo frame, 64 kbps,
// complexity 10). Items are jobs.
//
//   node scripts/native.js bench --filter=Pool
#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include <benchmark/benchmark.h>

#include "test_signal.h"
#include "voxpool/pool/job.h"
#include "voxpool/opus/constants.h"
#include "voxpool/opus/encoder.h"
#include "voxpool/pool/strand.h"
#include "voxpool/pool/thread_pool.h"

namespace {

using voxpool::pool::CompletionTarget;
using voxpool::pool::Job;
using voxpool::pool::JobGroup;
using voxpool::pool::PoolOptions;
using voxpool::pool::Strand;
using voxpool::pool::ThreadPool;
using voxpool::opus::Encoder;

enum class Work { kCheap, kEncode };

constexpr int kFrame = 960;  // 20 ms at 48 kHz
constexpr int kClipFrames = 50;

const std::vector<int16_t>& Clip() {
  static const std::vector<int16_t> clip =
      voxpool::test::MusicLike(48000, 2, static_cast<size_t>(kFrame) * kClipFrames);
  return clip;
}

std::unique_ptr<Encoder> MakeEncoder() {
  voxpool::opus::EncoderOptions options;
  options.bitrate = 64000;
  options.complexity = 10;
  std::unique_ptr<Encoder> encoder;
  if (!Encoder::Create(options, &encoder).ok()) return nullptr;
  return encoder;
}

// The job a binding would submit: an encode of one frame into its own output buffer, or nothing.
class BenchJob final : public Job {
 public:
  BenchJob(Encoder* encoder, const int16_t* pcm) : encoder_(encoder), pcm_(pcm) {}
  void Run() noexcept override {
    if (encoder_ == nullptr) {
      benchmark::DoNotOptimize(this);
      return;
    }
    bytes = encoder_->Encode(pcm_, kFrame, packet_, sizeof packet_);
  }
  int bytes = 0;

 private:
  Encoder* encoder_;
  const int16_t* pcm_;
  uint8_t packet_[1500];
};

// Counts completions (destroying the jobs on the worker); the benchmark thread spins briefly,
// then yields, until the count it waits for is reached.
class CountingTarget final : public CompletionTarget {
 public:
  void Complete(std::unique_ptr<Job> job) noexcept override {
    job.reset();
    done_.fetch_add(1, std::memory_order_release);
  }
  void WaitFor(uint64_t n) const noexcept {
    for (int spins = 0; done_.load(std::memory_order_acquire) < n; ++spins) {
      if (spins > 2000) std::this_thread::yield();
    }
  }
  uint64_t done() const noexcept { return done_.load(std::memory_order_acquire); }

 private:
  std::atomic<uint64_t> done_{0};
};

struct Fixture {
  Fixture(size_t threads, size_t strands, Work work) {
    PoolOptions options;
    options.threads = threads;
    pool = ThreadPool::Create(options);
    for (size_t s = 0; s < strands; ++s) {
      this->strands.push_back(Strand::Create(pool));
      encoders.push_back(work == Work::kEncode ? MakeEncoder() : nullptr);
    }
  }
  ~Fixture() { pool->Shutdown(); }
  std::unique_ptr<Job> NewJob(size_t strand, int64_t i) {
    auto job = std::make_unique<BenchJob>(
        encoders[strand].get(), &Clip()[static_cast<size_t>(i % kClipFrames) * kFrame * 2]);
    job->completion = target;
    return job;
  }
  bool Submit(size_t strand, std::unique_ptr<Job> job) {
    return strands[strand]->TrySubmit(job).ok();
  }
  void AddPoolCounters(benchmark::State& state) {
    const voxpool::pool::PoolStats stats = pool->Stats();
    state.counters["wait_p50_us"] = stats.queue_wait.p50_us;
    state.counters["wait_p99_us"] = stats.queue_wait.p99_us;
  }

  std::shared_ptr<ThreadPool> pool;
  std::vector<std::shared_ptr<Strand>> strands;
  std::vector<std::unique_ptr<Encoder>> encoders;
  std::shared_ptr<CountingTarget> target = std::make_shared<CountingTarget>();
};

// One job at a time on one strand: submit, wait for its completion, repeat. The time per
// iteration is the full round trip (queue, wake a worker, run, complete back).
void BM_PoolRoundTrip(benchmark::State& state, Work work) {
  Fixture f(static_cast<size_t>(state.range(0)), 1, work);
  uint64_t n = 0;
  for (auto _ : state) {
    if (!f.Submit(0, f.NewJob(0, static_cast<int64_t>(n)))) return state.SkipWithError("refused");
    f.target->WaitFor(++n);
  }
  state.SetItemsProcessed(state.iterations());
  f.AddPoolCounters(state);
}
BENCHMARK_CAPTURE(BM_PoolRoundTrip, cheap, Work::kCheap)
    ->ArgName("threads")
    ->Arg(1)
    ->Arg(2)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_PoolRoundTrip, encode, Work::kEncode)
    ->ArgName("threads")
    ->Arg(1)
    ->Arg(2)
    ->UseRealTime();

// Eight strands (eight streams), 16 jobs each per iteration, all in flight at once: throughput
// of the pool as the thread count grows. On a 2-core machine 4 threads oversubscribe.
void BM_StrandThroughput(benchmark::State& state, Work work) {
  constexpr size_t kStrands = 8, kPerStrand = 16;
  Fixture f(static_cast<size_t>(state.range(0)), kStrands, work);
  uint64_t n = 0;
  for (auto _ : state) {
    for (size_t i = 0; i < kPerStrand; ++i) {
      for (size_t s = 0; s < kStrands; ++s) {
        if (!f.Submit(s, f.NewJob(s, static_cast<int64_t>(i))))
          return state.SkipWithError("refused");
      }
    }
    n += kStrands * kPerStrand;
    f.target->WaitFor(n);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(kStrands * kPerStrand));
  f.AddPoolCounters(state);
}
BENCHMARK_CAPTURE(BM_StrandThroughput, cheap, Work::kCheap)
    ->ArgName("threads")
    ->Arg(1)
    ->Arg(2)
    ->Arg(4)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_StrandThroughput, encode, Work::kEncode)
    ->ArgName("threads")
    ->Arg(1)
    ->Arg(2)
    ->Arg(4)
    ->UseRealTime();

// 32 jobs over 8 strands per iteration, settled either as one JobGroup (one completion) or as 32
// individual completions. Both allocate their jobs, as the binding does.
constexpr size_t kBatch = 32, kBatchStrands = 8;

void BM_Batch32Group(benchmark::State& state, Work work) {
  Fixture f(2, kBatchStrands, work);
  uint64_t groups = 0;
  for (auto _ : state) {
    auto owned = std::make_unique<JobGroup>(kBatch);
    owned->completion = f.target;
    JobGroup* group = owned.release();  // owns itself until it completes
    for (size_t i = 0; i < kBatch; ++i) {
      const size_t s = i % kBatchStrands;
      std::unique_ptr<Job> member = f.NewJob(s, static_cast<int64_t>(i));
      group->Prepare(*member, i);
      if (!f.strands[s]->TrySubmit(member).ok()) return state.SkipWithError("refused");
    }
    f.target->WaitFor(++groups);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(kBatch));
}
BENCHMARK_CAPTURE(BM_Batch32Group, cheap, Work::kCheap)->UseRealTime();
BENCHMARK_CAPTURE(BM_Batch32Group, encode, Work::kEncode)->UseRealTime();

void BM_Batch32Single(benchmark::State& state, Work work) {
  Fixture f(2, kBatchStrands, work);
  uint64_t n = 0;
  for (auto _ : state) {
    for (size_t i = 0; i < kBatch; ++i) {
      const size_t s = i % kBatchStrands;
      if (!f.Submit(s, f.NewJob(s, static_cast<int64_t>(i)))) return state.SkipWithError("refused");
    }
    n += kBatch;
    f.target->WaitFor(n);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(kBatch));
}
BENCHMARK_CAPTURE(BM_Batch32Single, cheap, Work::kCheap)->UseRealTime();
BENCHMARK_CAPTURE(BM_Batch32Single, encode, Work::kEncode)->UseRealTime();

}  // namespace
