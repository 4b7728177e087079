#include "voxpool/pool/thread_pool.h"

#include <algorithm>

#if defined(__linux__)
#include <pthread.h>
#include <sys/resource.h>

#include <cerrno>
#include <sys/syscall.h>
#include <unistd.h>
#endif

#include "voxpool/pool/completion_queue.h"
#include "voxpool/pool/strand.h"

namespace voxpool::pool {
namespace {
// Set on a worker whose pool was destroyed on that worker (~ThreadPool), so WorkerLoop returns
// without touching the destroyed pool.
thread_local bool destroyed_by_this_worker = false;

// Names the calling worker (for top -H, perf, gdb) and lowers its priority by `nice` (capped at
// 19, the lowest). On Linux
// setpriority(PRIO_PROCESS, tid) applies to one thread; elsewhere nothing happens.
void LowerPriority(int nice) noexcept {
#if defined(__linux__)
  pthread_setname_np(pthread_self(), "voxpool-worker");
  if (nice > 0) {
    // Relative to what the thread inherited (a bot started with `nice` keeps its offset).
    const id_t tid = static_cast<id_t>(syscall(SYS_gettid));
    errno = 0;
    const int inherited = getpriority(PRIO_PROCESS, tid);
    if (errno == 0) (void)setpriority(PRIO_PROCESS, tid, std::min(inherited + nice, 19));
  }
#else
  (void)nice;
#endif
}

}  // namespace

std::shared_ptr<ThreadPool> ThreadPool::Create(const PoolOptions& options) {
  return std::shared_ptr<ThreadPool>(new ThreadPool(options));
}

namespace {

// Heap order for ThreadPool::ready_: std::push_heap builds a max-heap, so "less" means later.
struct LaterDue {
  template <class Entry>
  bool operator()(const Entry& a, const Entry& b) const noexcept {
    return a.due_ns != b.due_ns ? a.due_ns > b.due_ns : a.order > b.order;
  }
};

// Ready strands reserved up front, so steady scheduling never allocates (more only grow it).
constexpr size_t kReadyReserve = 4096;

}  // namespace

ThreadPool::ThreadPool(const PoolOptions& options)
    : worker_nice_(options.worker_nice), capacity_(options.capacity == 0 ? 1 : options.capacity) {
  size_t n = options.threads;
  if (n == 0) n = std::max(1u, std::thread::hardware_concurrency());
  ready_.reserve(kReadyReserve);
  workers_.reserve(n);
  const int nice = options.worker_nice;
  // Create returns only once every worker is named and at its priority, so threads(), stats and
  // what /proc shows agree from the first call (a worker the kernel had not yet run used to show
  // up unnamed, at the main thread's priority). A member semaphore, not a condition variable:
  // it outlives every worker's signal, and std::condition_variable::wait would raise the
  // prebuilt binary's libstdc++ floor to GLIBCXX 3.4.30 (GCC 12).
  for (size_t i = 0; i < n; ++i) {
    workers_.emplace_back([this, nice] {
      LowerPriority(nice);
      started_.signal();
      WorkerLoop();
    });
  }
  for (size_t i = 0; i < n; ++i) started_.wait();
}

ThreadPool::~ThreadPool() {
  const auto self = std::this_thread::get_id();
  const bool on_worker = std::any_of(workers_.begin(), workers_.end(),
                                     [&](const std::thread& t) { return t.get_id() == self; });
  if (on_worker) {
    // The last reference died on one of our own workers (WorkerLoop released the strand that held
    // it). Joining that worker would deadlock, so it is detached and told, through
    // `destroyed_by_this_worker`, to return without touching `this` again. The other workers are
    // idle (any strand they could be running would hold a reference): stop and join them, so none
    // waits on `ready_` after it is gone.
    stopping_.store(true, std::memory_order_seq_cst);
    PushSentinels(std::numeric_limits<int64_t>::min());
    for (auto& t : workers_) {
      if (t.get_id() == self) {
        t.detach();
      } else if (t.joinable()) {
        t.join();
      }
    }
    destroyed_by_this_worker = true;
    return;
  }
  Shutdown();
}

void ThreadPool::Shutdown() {
  if (stopping_.exchange(true, std::memory_order_seq_cst)) {
    for (auto& t : workers_)
      if (t.joinable()) t.join();
    return;
  }
  // A submission that passed EnterSubmit before `stopping_` was set may still be scheduling its
  // strand; wait for it, or the strand could land in the ready queue after the final drain below
  // and its accepted job would never complete.
  while (submitting_.load(std::memory_order_acquire) != 0) std::this_thread::yield();
  // One sentinel per worker, due after everything: the workers run what was accepted before
  // `stopping_` (nothing new gets in, and jobs whose owner is gone complete unrun), then exit.
  PushSentinels(std::numeric_limits<int64_t>::max());
  for (auto& t : workers_)
    if (t.joinable()) t.join();
  // Whatever is still scheduled completes with kShutdown, so every accepted job is completed.
  while (ready_count_.tryWait()) {
    std::shared_ptr<Strand> strand = PopReady();
    if (strand) strand->Cancel(ErrorCode::kShutdown, "The voxpool thread pool has shut down");
  }
}

void ThreadPool::PushSentinels(int64_t due_ns) {
  for (size_t i = 0; i < workers_.size(); ++i) Schedule(nullptr, due_ns);
}

void ThreadPool::Schedule(std::shared_ptr<Strand> strand, int64_t due_ns) {
  {
    std::lock_guard<std::mutex> lock(ready_mutex_);
    ready_.push_back(ReadyEntry{due_ns, ready_order_++, std::move(strand)});
    std::push_heap(ready_.begin(), ready_.end(), LaterDue{});
    earliest_waiting_ns_.store(ready_.front().due_ns, std::memory_order_relaxed);
  }
  ready_count_.signal();
}

std::shared_ptr<Strand> ThreadPool::PopReady() noexcept {
  std::lock_guard<std::mutex> lock(ready_mutex_);
  std::pop_heap(ready_.begin(), ready_.end(), LaterDue{});
  std::shared_ptr<Strand> strand = std::move(ready_.back().strand);
  ready_.pop_back();
  earliest_waiting_ns_.store(ready_.empty() ? std::numeric_limits<int64_t>::max() : ready_.front().due_ns,
                             std::memory_order_relaxed);
  return strand;
}

void ThreadPool::WorkerLoop() noexcept {
  NotifyBatch batch;  // completion wake-ups this worker defers (see completion_queue.h)
  std::shared_ptr<Strand> strand;
  for (;;) {
    if (!ready_count_.tryWait()) {
      batch.Flush();  // out of work: wake the owners before waiting
      while (!ready_count_.wait()) {
      }
    }
    strand = PopReady();
    if (!strand) return;  // sentinel (the batch flushes on destruction)
    strand->RunTurn();
    strand.reset();  // may destroy the pool, if it held the last reference (see ~ThreadPool)
    if (destroyed_by_this_worker) return;  // `this` is gone
    batch.FlushIfStale(NowNs());
  }
}

bool ThreadPool::EnterSubmit() noexcept {
  // seq_cst on both sides (with Shutdown's exchange): either this sees `stopping_`, or Shutdown
  // sees the increment and waits for LeaveSubmit.
  submitting_.fetch_add(1, std::memory_order_seq_cst);
  if (stopping_.load(std::memory_order_seq_cst)) {
    LeaveSubmit();
    return false;
  }
  return true;
}

bool ThreadPool::Admit() noexcept {
  const uint64_t limit = capacity_.load(std::memory_order_relaxed);
  if (queued_.fetch_add(1, std::memory_order_relaxed) >= limit) {
    queued_.fetch_sub(1, std::memory_order_relaxed);
    rejected_.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  submitted_.fetch_add(1, std::memory_order_relaxed);
  return true;
}


void ThreadPool::Account(const Job& job, bool ran) noexcept {
  if (!ran) {
    dropped_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  (job.status.ok() ? completed_ : failed_).fetch_add(1, std::memory_order_relaxed);
  queue_wait_.Record(job.started_ns - job.submitted_ns);
  service_time_.Record(job.finished_ns - job.started_ns);
}

PoolStats ThreadPool::Stats() const noexcept {
  PoolStats s;
  s.threads = workers_.size();
  s.worker_nice = worker_nice_;
  s.capacity = capacity();
  s.submitted = submitted_.load(std::memory_order_relaxed);
  s.completed = completed_.load(std::memory_order_relaxed);
  s.failed = failed_.load(std::memory_order_relaxed);
  s.rejected = rejected_.load(std::memory_order_relaxed);
  s.dropped = dropped_.load(std::memory_order_relaxed);
  s.queued = queued_.load(std::memory_order_relaxed);
  s.queue_wait = queue_wait_.Summarize();
  s.service_time = service_time_.Summarize();
  return s;
}

void ThreadPool::ResetLatency() noexcept {
  queue_wait_.Reset();
  service_time_.Reset();
}

}  // namespace voxpool::pool
