#include "voxpool/pool/completion_queue.h"

namespace voxpool::pool {

CompletionQueue::CompletionQueue(std::function<void()> notify) : notify_(std::move(notify)) {}

void CompletionQueue::Complete(std::unique_ptr<Job> job) noexcept {
  if (closed_.load(std::memory_order_acquire)) return;  // job destroyed here
  job->completion.reset();  // a job must not keep its own queue alive from inside it
  // enqueue moves the job only on success; out of memory, it is dropped and destroyed here.
  if (!queue_.enqueue(std::move(job))) return;
  // Only the first push after a drain wakes the owner: one wake-up per batch.
  if (armed_.exchange(false, std::memory_order_acq_rel)) {
    NotifyBatch* batch = NotifyBatch::Current();
    std::shared_ptr<CompletionQueue> self = batch ? weak_from_this().lock() : nullptr;
    if (self) {
      batch->Add(std::move(self));
    } else {
      Notify();
    }
  }
}

void CompletionQueue::Notify() noexcept {
  std::lock_guard<std::mutex> lock(notify_mutex_);
  if (!closed_.load(std::memory_order_relaxed) && notify_) notify_();
}

namespace {
thread_local NotifyBatch* current_batch = nullptr;
}  // namespace

NotifyBatch::NotifyBatch() : previous_(current_batch) { current_batch = this; }

NotifyBatch::~NotifyBatch() {
  Flush();
  current_batch = previous_;
}

NotifyBatch* NotifyBatch::Current() noexcept { return current_batch; }

void NotifyBatch::Add(std::shared_ptr<CompletionQueue> queue) noexcept {
  if (count_ == kCapacity) Flush();
  if (count_ == 0) oldest_ns_ = NowNs();
  queues_[count_++] = std::move(queue);
}

void NotifyBatch::Flush() noexcept {
  for (int i = 0; i < count_; ++i) {
    queues_[i]->Notify();
    queues_[i].reset();
  }
  count_ = 0;
}

void NotifyBatch::FlushIfStale(int64_t now_ns) noexcept {
  if (count_ != 0 && now_ns - oldest_ns_ >= kMaxNotifyDelayNs) Flush();
}

size_t CompletionQueue::Drain(std::vector<std::unique_ptr<Job>>& out, size_t max) {
  armed_.store(true, std::memory_order_release);
  size_t n = 0;
  std::unique_ptr<Job> job;
  while (n < max && queue_.try_dequeue(job)) {
    out.push_back(std::move(job));
    ++n;
  }
  return n;
}

void CompletionQueue::Close() {
  {
    std::lock_guard<std::mutex> lock(notify_mutex_);
    closed_.store(true, std::memory_order_release);
    notify_ = nullptr;
  }
  std::unique_ptr<Job> job;
  while (queue_.try_dequeue(job)) job.reset();
}

}  // namespace voxpool::pool
