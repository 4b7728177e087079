// A strand is an ordered lane on the pool, one per stateful object (an encoder, a decoder, a
// sender). Its jobs run one at a time in submission order; different strands run in parallel.
// Lock order: Strand::mutex_ is a leaf (never held while calling into the pool or a job).
#pragma once

#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>

#include "voxpool/pool/job.h"
#include "voxpool/pool/thread_pool.h"

namespace voxpool::pool {

enum class OverflowPolicy {
  kReject,      // a full strand refuses the new job (kQueueFull)
  kDropOldest,  // a full strand completes its oldest queued job with kDropped (after any job
                // running ahead of it, to keep completion order) and takes the new one
};

// A job submitted without a due time is due this long after submission: one 20 ms frame, so
// plain jobs and stream frames that have audio buffered interleave by when they are needed.
inline constexpr int64_t kDefaultDueSlackNs = 20'000'000;
// Furthest ahead a submitter may set a job's due time (`dueMs` in JS): one minute.
inline constexpr int64_t kMaxDueSlackNs = 60'000'000'000;

// Default and largest per-strand queue (`maxQueue` in JS), exported to JS.
inline constexpr size_t kDefaultStrandCapacity = 4096;
inline constexpr size_t kMaxStrandCapacity = 10'000'000;

// Longest a strand's late limit (`deadlineMs` in JS) may be: one minute.
inline constexpr int64_t kMaxLateLimitNs = 60'000'000'000;

struct StrandOptions {
  // Most jobs queued on this strand (not counting the one running).
  size_t capacity = kDefaultStrandCapacity;
  OverflowPolicy overflow = OverflowPolicy::kReject;
  // A job that has not started this long after its due time is not run: it completes with
  // kDeadlineExceeded (counted as dropped), so a stream that fell behind skips the frames too
  // late to be of use instead of playing them late. 0: run late (no deadline). Applies to jobs
  // submitted without a deadline of their own; 1..kMaxLateLimitNs.
  int64_t late_limit_ns = 0;
};

class Strand : public std::enable_shared_from_this<Strand> {
 public:
  static std::shared_ptr<Strand> Create(std::shared_ptr<ThreadPool> pool,
                                        const StrandOptions& options = {});
  Strand(const Strand&) = delete;
  Strand& operator=(const Strand&) = delete;
  ~Strand();

  // Queues `job` (which must have a completion target). On success takes ownership (job becomes
  // null) and returns Ok; on failure (kQueueFull, kDestroyed, kShutdown) leaves the job with the
  // caller. Allocates only when the strand's deque grows. Thread-safe.
  [[nodiscard]] Status TrySubmit(std::unique_ptr<Job>& job) noexcept;

  // Refuses further submissions with kDestroyed and completes queued jobs with kDestroyed. A job
  // already running finishes normally and completes first: the queued jobs are then completed by
  // its worker right after it, so completions keep submission order. Never allocates.
  // Thread-safe.
  void Close() noexcept;

  // Jobs queued to run, not counting a running one (0 once closed). Thread-safe (a snapshot).
  size_t pending() const noexcept;
  ThreadPool& pool() const noexcept { return *pool_; }

 private:
  friend class ThreadPool;
  Strand(std::shared_ptr<ThreadPool> pool, const StrandOptions& options);
  // Runs up to kJobsPerTurn jobs, ending the turn early when its next job is due later than the
  // earliest strand waiting, then requeues itself if more remain. Worker threads only.
  void RunTurn() noexcept;
  // Completes every queued job with `code` (shutdown/close paths).
  void Cancel(ErrorCode code, const char* message) noexcept;
  static void Finish(std::unique_ptr<Job> job) noexcept;
  // Accounts an unrun job (status already set) and completes it.
  void Drop(std::unique_ptr<Job> job) noexcept;

  static constexpr int kJobsPerTurn = 8;
  static constexpr const char* kDestroyedMessage = "The object was destroyed before the job ran";

  std::shared_ptr<ThreadPool> pool_;
  const StrandOptions options_;
  mutable std::mutex mutex_;
  std::deque<std::unique_ptr<Job>> queue_;  // guarded by mutex_
  bool scheduled_ = false;                  // guarded by mutex_: in the ready queue or running
  bool closed_ = false;                     // guarded by mutex_
  bool running_ = false;                    // guarded by mutex_: a worker took a job from queue_
  // Guarded by mutex_: jobs evicted (drop-oldest) while a job ran, completed after it in order.
  std::deque<std::unique_ptr<Job>> dropped_;
};

}  // namespace voxpool::pool
