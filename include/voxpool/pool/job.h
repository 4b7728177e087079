// A unit of work for the pool, and where it goes when it is done.
//
// Invariant (relied on by batches and by the binding's pending counts): every job accepted by a
// Strand is handed to its completion target exactly once, whether it ran, was dropped, missed its
// deadline or was cancelled by shutdown. A job that was *not* accepted (TrySubmit returned an
// error) stays with the caller.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "voxpool/status.h"

namespace voxpool::pool {

class Job;

// Receives finished jobs. Implemented by CompletionQueue (one per Node environment) and JobGroup.
class CompletionTarget {
 public:
  virtual ~CompletionTarget() = default;
  // Takes ownership of a finished job. Called on any thread; must not throw or block.
  virtual void Complete(std::unique_ptr<Job> job) noexcept = 0;
  // True once nobody will look at results (its environment is gone): queued jobs are then
  // completed with kShutdown without running. Thread-safe.
  virtual bool Abandoned() const noexcept { return false; }
};

// Monotonic time in nanoseconds (steady clock). Never allocates. Thread-safe.
int64_t NowNs() noexcept;

class Job {
 public:
  virtual ~Job() = default;
  // Does the work on a pool thread. Must not throw; reports failure through `status`.
  virtual void Run() noexcept = 0;

  Status status;
  // Where the finished job goes. Set before submission.
  std::shared_ptr<CompletionTarget> completion;
  // Steady-clock nanoseconds stamped by the pool (submitted at TrySubmit, started/finished around
  // Run). 0 when the stage did not happen.
  int64_t submitted_ns = 0;
  int64_t started_ns = 0;
  int64_t finished_ns = 0;
  // Steady-clock deadline in nanoseconds; a job that has not started by then completes with
  // kDeadlineExceeded without running. 0 means none.
  int64_t deadline_ns = 0;
  // When the result is needed (steady-clock ns): workers start the earliest-due work first across
  // strands (a strand's own jobs keep their order). A soft target, unlike deadline_ns. 0 when
  // submitted: the strand sets submitted_ns + kDefaultDueSlackNs (see strand.h).
  int64_t due_ns = 0;
  // Position inside a JobGroup (set by JobGroup::Prepare).
  size_t group_index = 0;
  // Submission order assigned by the submitter. A CompletionQueue is FIFO only per worker
  // thread, so a consumer that needs per-strand completion order sorts a drain by this (a job is
  // enqueued before its strand successor starts, so an exhaustive drain holds all predecessors).
  uint64_t sequence = 0;
};

// A job that runs a std::function; for tests, benchmarks and rare control work (allocates).
class FunctionJob final : public Job {
 public:
  explicit FunctionJob(std::function<void()> fn) : fn_(std::move(fn)) {}
  void Run() noexcept override { fn_(); }

 private:
  std::function<void()> fn_;
};

// Collects N member jobs (which may run on different strands, in parallel) and completes itself,
// once, when the last member has completed: a batch settles together with one wake-up.
//
// Ownership: a group in flight is owned by its own `in_flight_` (Launch moves the caller's
// unique_ptr there; Prepare adopts a group whose owner released it); the last Complete moves that
// unique_ptr on to `completion`, so exactly one owner holds the group at every moment. Members
// reach the group through `members_target_`, which owns nothing: they cannot keep it alive, and
// need not, as the group only leaves once every member has completed into it.
class JobGroup : public Job, public CompletionTarget {
 public:
  explicit JobGroup(size_t size) : members_(size), remaining_(size) {}

  // Takes ownership of `group` until its last member completes; returns it to Prepare and submit
  // members with. Never allocates. Not thread-safe; call before preparing members.
  static JobGroup* Launch(std::unique_ptr<JobGroup> group) noexcept;
  // Points `member` at this group as member number `index`. Never allocates. Not thread-safe;
  // call before submitting the member.
  void Prepare(Job& member, size_t index) noexcept;
  // Receives a finished member. Thread-safe. When the last one arrives the group hands itself to
  // its own `completion` target.
  void Complete(std::unique_ptr<Job> member) noexcept override;
  bool Abandoned() const noexcept override { return completion && completion->Abandoned(); }
  // A group is never run; it only collects.
  void Run() noexcept override {}

  size_t size() const noexcept { return members_.size(); }
  // Members in index order, valid once the group has completed.
  std::vector<std::unique_ptr<Job>>& members() noexcept { return members_; }

 private:
  std::vector<std::unique_ptr<Job>> members_;
  std::atomic<size_t> remaining_;
  // The group itself while in flight (see above); empty before Launch / Prepare and after it
  // completed.
  std::unique_ptr<Job> in_flight_;
  // The members' completion target: this group, through a shared_ptr with no owner.
  std::shared_ptr<CompletionTarget> members_target_;
};

}  // namespace voxpool::pool
