// The process-wide worker pool. Work arrives through Strands (see strand.h): the pool's queue
// holds strands that have work, never individual jobs, so one encoder's frames run in order while
// different encoders run in parallel.
//
// Order: earliest due first. A strand waits keyed by its next job's due time (Job::due_ns), so the
// stream closest to running dry is served first, not the one that submitted first. The ready
// strands sit in a binary heap under a mutex (a few hundred entries at most in practice; one
// push and one pop per turn), counted by moodycamel's LightweightSemaphore, which spins briefly
// before it sleeps, so a steady stream of 20 ms frames rarely pays for a futex wake-up.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

// blockingconcurrentqueue.h defines the macros lightweightsemaphore.h needs.
#include <concurrentqueue/blockingconcurrentqueue.h>

#include "voxpool/pool/histogram.h"
#include "voxpool/pool/job.h"

namespace voxpool::pool {

class Strand;

// Limits and defaults of the pool, exported to JS (binding `poolConstants`).
inline constexpr size_t kMaxPoolThreads = 1024;
inline constexpr size_t kDefaultPoolCapacity = 65536;
inline constexpr size_t kMaxPoolCapacity = 1'000'000'000;
inline constexpr int kDefaultWorkerNice = 0;
inline constexpr int kMaxWorkerNice = 19;

struct PoolOptions {
  // Worker threads, 1..kMaxPoolThreads; 0 means std::thread::hardware_concurrency().
  size_t threads = 0;
  // Most jobs accepted but not yet started, across all strands; more are refused (kQueueFull).
  size_t capacity = kDefaultPoolCapacity;
  // Nice value added to each worker thread (Linux: per thread; 0 leaves it as inherited), so
  // that when the cores are saturated the scheduler prefers the thread that submits and reads
  // results (the JS event loop) over the workers. 0..kMaxWorkerNice.
  int worker_nice = kDefaultWorkerNice;
};

struct PoolStats {
  size_t threads = 0;
  int worker_nice = 0;
  size_t capacity = 0;
  uint64_t submitted = 0;  // accepted jobs
  uint64_t completed = 0;  // ran and succeeded
  uint64_t failed = 0;     // ran and reported an error
  uint64_t rejected = 0;   // refused at submission (queue full)
  uint64_t dropped = 0;    // accepted, then dropped unrun (drop-oldest, deadline, shutdown)
  uint64_t queued = 0;     // accepted, not yet started (queue depth)
  HistogramSummary queue_wait;    // submitted -> started
  HistogramSummary service_time;  // started -> finished
};

class ThreadPool {
 public:
  // Starts the workers and returns once each is named and at its priority. Allocates, blocks
  // for the threads' start-up. Thread-safe.
  static std::shared_ptr<ThreadPool> Create(const PoolOptions& options);
  // Stops and joins the workers (see Shutdown).
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  // Stops accepting work, lets the workers run what was already accepted (earliest due first;
  // jobs whose completion target is abandoned complete unrun), joins them, and completes anything
  // still queued with kShutdown. Idempotent. Must not be called from a worker. Blocks.
  void Shutdown();

  size_t threads() const noexcept { return workers_.size(); }
  int worker_nice() const noexcept { return worker_nice_; }
  // Changes the admission limit; takes effect for the next submission. Thread-safe.
  void SetCapacity(size_t capacity) noexcept { capacity_.store(capacity, std::memory_order_relaxed); }
  size_t capacity() const noexcept { return capacity_.load(std::memory_order_relaxed); }
  // Counters and latency summaries. Never allocates. Thread-safe.
  PoolStats Stats() const noexcept;
  // Clears the latency histograms (counters keep counting). Thread-safe.
  void ResetLatency() noexcept;
  bool stopping() const noexcept { return stopping_.load(std::memory_order_acquire); }

 private:
  // Strand calls the methods below; only ThreadPool's own code touches its counters.
  friend class Strand;
  explicit ThreadPool(const PoolOptions& options);
  void WorkerLoop() noexcept;

  // Called by Strand around a submission: Enter fails once Shutdown has begun; otherwise
  // Shutdown waits for the matching Leave before it stops the workers, so a job accepted while
  // Shutdown starts is always scheduled where Shutdown will find it. Never allocates.
  bool EnterSubmit() noexcept;
  void LeaveSubmit() noexcept { submitting_.fetch_sub(1, std::memory_order_release); }
  // Called by Strand. Reserve one queued slot; false when full (counted as rejected).
  bool Admit() noexcept;
  // Called by Strand when an admitted job leaves the queue (started or dropped).
  void OnDequeued() noexcept { queued_.fetch_sub(1, std::memory_order_relaxed); }
  // Called by Strand when a job it had dequeued goes back (a refused drop-oldest submission
  // restores its victim): undoes OnDequeued.
  void OnRequeued() noexcept { queued_.fetch_add(1, std::memory_order_relaxed); }
  // Called by Strand when its own queue refuses a job (counted as rejected, like Admit's refusals).
  void OnStrandFull() noexcept { rejected_.fetch_add(1, std::memory_order_relaxed); }
  // Queues a strand that has work, keyed by its next job's due time. Allocates only when the
  // ready heap grows past its reserve. Thread-safe.
  void Schedule(std::shared_ptr<Strand> strand, int64_t due_ns);
  // Takes the earliest-due ready strand (null: a stop sentinel). Call only after taking a count
  // from ready_count_, which guarantees an entry. Never allocates.
  std::shared_ptr<Strand> PopReady() noexcept;
  // Queues one stop sentinel per worker, due `due_ns` (strands due earlier run first).
  void PushSentinels(int64_t due_ns);
  // The due time of the earliest strand waiting (INT64_MAX when none): a running strand ends its
  // turn when its next job is due later. Thread-safe; a snapshot.
  int64_t EarliestWaitingNs() const noexcept { return earliest_waiting_ns_.load(std::memory_order_relaxed); }
  void Account(const Job& job, bool ran) noexcept;

  struct ReadyEntry {
    int64_t due_ns;
    uint64_t order;  // FIFO among equal due times
    std::shared_ptr<Strand> strand;
  };
  std::mutex ready_mutex_;
  std::vector<ReadyEntry> ready_;  // guarded by ready_mutex_: a min-heap on (due_ns, order)
  uint64_t ready_order_ = 0;       // guarded by ready_mutex_
  std::atomic<int64_t> earliest_waiting_ns_{std::numeric_limits<int64_t>::max()};
  moodycamel::LightweightSemaphore ready_count_;  // one count per entry in ready_
  moodycamel::LightweightSemaphore started_;      // one count per worker that has started
  std::vector<std::thread> workers_;
  const int worker_nice_;
  std::atomic<bool> stopping_{false};
  std::atomic<uint64_t> submitting_{0};  // TrySubmit calls between EnterSubmit and LeaveSubmit
  std::atomic<size_t> capacity_;
  std::atomic<uint64_t> queued_{0};
  std::atomic<uint64_t> submitted_{0}, completed_{0}, failed_{0}, rejected_{0}, dropped_{0};
  Histogram queue_wait_;
  Histogram service_time_;
};

}  // namespace voxpool::pool
