// Finished jobs on their way back to one Node environment. Workers push; the environment's
// thread drains many jobs per wake-up. The notifier is called at most once per batch: after it
// fires, further pushes stay silent until the owner calls Drain again.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>

#include <concurrentqueue/concurrentqueue.h>

#include "voxpool/pool/job.h"

namespace voxpool::pool {

// Pool workers defer the wake-up of a queue they completed into until they run out of work or
// kMaxNotifyDelayNs has passed, so a burst of completions costs the owner one wake-up, not one
// per job; other threads notify at once. See docs/ARCHITECTURE.md ("Completion batching").
class NotifyBatch {
 public:
  static constexpr int64_t kMaxNotifyDelayNs = 2'000'000;
  // Queues one batch defers before it flushes.
  static constexpr int kCapacity = 16;
  NotifyBatch();
  ~NotifyBatch();  // flushes
  NotifyBatch(const NotifyBatch&) = delete;
  NotifyBatch& operator=(const NotifyBatch&) = delete;
  // The batch installed on this thread, or null (not a pool worker). Never allocates.
  static NotifyBatch* Current() noexcept;
  // Defers `queue`'s wake-up. Flushes first when full. Never allocates.
  void Add(std::shared_ptr<class CompletionQueue> queue) noexcept;
  // Wakes every deferred queue. Never allocates.
  void Flush() noexcept;
  // Flushes when the oldest deferred wake-up is older than kMaxNotifyDelayNs.
  void FlushIfStale(int64_t now_ns) noexcept;
  bool empty() const noexcept { return count_ == 0; }

 private:
  std::shared_ptr<class CompletionQueue> queues_[kCapacity];
  int count_ = 0;
  int64_t oldest_ns_ = 0;
  NotifyBatch* previous_;
};

class CompletionQueue final : public CompletionTarget,
                              public std::enable_shared_from_this<CompletionQueue> {
 public:
  // `notify` runs on a worker thread; it must be cheap and thread-safe (it wakes the owner).
  explicit CompletionQueue(std::function<void()> notify);
  ~CompletionQueue() override = default;  // queued jobs are destroyed with the queue
  CompletionQueue(const CompletionQueue&) = delete;
  CompletionQueue& operator=(const CompletionQueue&) = delete;

  // Hands a finished job to the owner. Never allocates in steady state (moodycamel reuses its
  // blocks). Thread-safe. After Close(), the job is destroyed instead.
  void Complete(std::unique_ptr<Job> job) noexcept override;
  bool Abandoned() const noexcept override { return closed_.load(std::memory_order_acquire); }

  // Moves up to `max` finished jobs into `out` (appending). Re-arms the notifier first, so a push
  // racing with the drain is never lost. Owner thread only. Allocates only if `out` grows.
  size_t Drain(std::vector<std::unique_ptr<Job>>& out, size_t max);

  // Stops notifications and destroys queued and future jobs. Owner thread only; after it returns
  // the notifier is never called again (it may be released).
  void Close();

  // Calls the notifier unless closed. Thread-safe. Used by NotifyBatch.
  void Notify() noexcept;

 private:
  moodycamel::ConcurrentQueue<std::unique_ptr<Job>> queue_;
  std::atomic<bool> armed_{true};
  std::atomic<bool> closed_{false};
  // Guards notify_ against Close(): held while notifying and while closing. Lock order: leaf.
  std::mutex notify_mutex_;
  std::function<void()> notify_;
};

}  // namespace voxpool::pool
