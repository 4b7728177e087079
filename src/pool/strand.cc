#include "voxpool/pool/strand.h"

#include "voxpool/pool/completion_queue.h"

namespace voxpool::pool {

std::shared_ptr<Strand> Strand::Create(std::shared_ptr<ThreadPool> pool,
                                       const StrandOptions& options) {
  return std::shared_ptr<Strand>(new Strand(std::move(pool), options));
}

Strand::Strand(std::shared_ptr<ThreadPool> pool, const StrandOptions& options)
    : pool_(std::move(pool)), options_(options) {}

Strand::~Strand() {
  // Only reachable when not scheduled (the ready queue holds a reference while scheduled), so
  // whatever is left was never going to run: complete it so batches and counters stay whole.
  Cancel(ErrorCode::kDestroyed, kDestroyedMessage);
}

void Strand::Finish(std::unique_ptr<Job> job) noexcept {
  // Hold the target: completing may drop the job's own reference to it.
  std::shared_ptr<CompletionTarget> target = job->completion;
  if (target) target->Complete(std::move(job));
}

Status Strand::TrySubmit(std::unique_ptr<Job>& job) noexcept {
  if (!pool_->EnterSubmit()) {
    return Status(ErrorCode::kShutdown, "The voxpool thread pool has shut down");
  }
  struct Leave {
    ThreadPool& pool;
    ~Leave() { pool.LeaveSubmit(); }
  } leave{*pool_};
  std::unique_ptr<Job> evicted;
  bool schedule = false;
  int64_t due_ns = 0;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (closed_) return Status(ErrorCode::kDestroyed, "The object has been destroyed");
    if (queue_.size() >= options_.capacity) {
      if (options_.overflow == OverflowPolicy::kReject || queue_.empty()) {
        pool_->OnStrandFull();
        return Status(ErrorCode::kQueueFull, "The stream's job queue is full");
      }
      evicted = std::move(queue_.front());
      queue_.pop_front();
      pool_->OnDequeued();
    }
    if (!pool_->Admit()) {
      if (evicted) {  // put the victim back: nothing changes on refusal
        queue_.push_front(std::move(evicted));
        pool_->OnRequeued();
      }
      return Status(ErrorCode::kQueueFull, "The voxpool queue is full");
    }
    job->submitted_ns = NowNs();
    if (job->due_ns == 0) job->due_ns = job->submitted_ns + kDefaultDueSlackNs;
    if (job->deadline_ns == 0 && options_.late_limit_ns > 0)
      job->deadline_ns = job->due_ns + options_.late_limit_ns;
    due_ns = job->due_ns;  // when not scheduled, the queue was empty: this job is its head
    queue_.push_back(std::move(job));
    if (!scheduled_) scheduled_ = schedule = true;
    if (evicted) {
      evicted->status = Status(ErrorCode::kDropped, "Dropped: a newer frame replaced it (drop-oldest)");
      // Completing it now would settle it ahead of the job running before it: the worker
      // completes it after that one (RunTurn). Allocates only when dropped_ grows.
      if (running_ || !dropped_.empty()) dropped_.push_back(std::move(evicted));
    }
  }
  if (evicted) Drop(std::move(evicted));
  if (schedule) pool_->Schedule(shared_from_this(), due_ns);
  return Status::Ok();
}

void Strand::Drop(std::unique_ptr<Job> job) noexcept {
  pool_->Account(*job, false);
  Finish(std::move(job));
}

void Strand::RunTurn() noexcept {
  for (int i = 0; i < kJobsPerTurn;) {
    std::unique_ptr<Job> job;
    std::unique_ptr<Job> dropped;
    bool cancel = false;
    bool yield = false;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!dropped_.empty()) {
        // Evicted (drop-oldest) while our previous job ran: it completes after that job.
        dropped = std::move(dropped_.front());
        dropped_.pop_front();
      } else if (queue_.empty() || closed_) {
        // Closed while our previous job ran: Close() left the queue to us, so the jobs it
        // cancels complete after that job, in submission order.
        cancel = closed_;
        scheduled_ = false;
        running_ = false;
      } else if (i > 0 && queue_.front()->due_ns > pool_->EarliestWaitingNs()) {
        // Another strand's work is due first: give the worker up (requeued below).
        yield = true;
      } else {
        job = std::move(queue_.front());
        queue_.pop_front();
        running_ = true;
      }
    }
    if (yield) break;
    if (dropped) {
      Drop(std::move(dropped));
      continue;
    }
    if (cancel) Cancel(ErrorCode::kDestroyed, kDestroyedMessage);
    if (!job) return;
    ++i;
    pool_->OnDequeued();
    job->started_ns = NowNs();
    bool ran = false;
    if (job->completion && job->completion->Abandoned()) {
      job->status = Status(ErrorCode::kShutdown, "The job's environment has shut down");
    } else if (job->deadline_ns != 0 && job->started_ns > job->deadline_ns) {
      job->status = Status(ErrorCode::kDeadlineExceeded, "The job missed its deadline");
    } else {
      job->Run();
      ran = true;
    }
    const int64_t finished_ns = job->finished_ns = NowNs();
    pool_->Account(*job, ran);
    Finish(std::move(job));
    // The worker defers completion wake-ups (NotifyBatch); honour their 2 ms bound between jobs,
    // not only between turns: a turn of kJobsPerTurn long jobs would otherwise hold the first
    // result back for the whole turn (8 frames of 120 ms audio: ~10 ms).
    if (NotifyBatch* batch = NotifyBatch::Current()) batch->FlushIfStale(finished_ns);
  }
  int64_t next_due_ns;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    running_ = false;
    if (queue_.empty() && dropped_.empty()) {
      scheduled_ = false;
      return;
    }
    // Jobs to complete as dropped (or cancelled, once closed) are owed to their owner at once.
    next_due_ns = !dropped_.empty() || closed_ ? NowNs() : queue_.front()->due_ns;
  }
  // More work: wait again, by the next job's due time, so other strands get a turn.
  pool_->Schedule(shared_from_this(), next_due_ns);
}

void Strand::Close() noexcept {
  bool running;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    closed_ = true;
    running = running_;
  }
  // A job in progress must complete before the jobs queued behind it, or their rejections would
  // settle ahead of its result (and break per-strand settlement order): its worker cancels them
  // after finishing it (RunTurn).
  if (!running) Cancel(ErrorCode::kDestroyed, kDestroyedMessage);
}

void Strand::Cancel(ErrorCode code, const char* message) noexcept {
  std::deque<std::unique_ptr<Job>> dropped;
  std::deque<std::unique_ptr<Job>> victims;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    dropped.swap(dropped_);
    victims.swap(queue_);
  }
  // Submission order: jobs evicted earlier were submitted before every job still queued.
  for (auto& job : dropped) Drop(std::move(job));
  for (auto& job : victims) {
    pool_->OnDequeued();
    job->status = Status(code, message);
    pool_->Account(*job, false);
    Finish(std::move(job));
  }
}

size_t Strand::pending() const noexcept {
  std::lock_guard<std::mutex> lock(mutex_);
  // After Close() queued jobs are only waiting to be cancelled behind a running one.
  return closed_ ? 0 : queue_.size();
}

}  // namespace voxpool::pool
