#include "voxpool/pool/job.h"

#include <chrono>

namespace voxpool::pool {

int64_t NowNs() noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

JobGroup* JobGroup::Launch(std::unique_ptr<JobGroup> group) noexcept {
  JobGroup* g = group.get();
  g->in_flight_ = std::move(group);
  return g;
}

void JobGroup::Prepare(Job& member, size_t index) noexcept {
  if (!members_target_) {
    // A group prepared without Launch was released by its owner: it owns itself from here.
    if (!in_flight_) in_flight_.reset(this);
    // Aliasing constructor with an empty owner: points at the group, owns nothing (see job.h).
    members_target_ = std::shared_ptr<CompletionTarget>(std::shared_ptr<void>(),
                                                        static_cast<CompletionTarget*>(this));
  }
  member.completion = members_target_;
  member.group_index = index;
}

void JobGroup::Complete(std::unique_ptr<Job> member) noexcept {
  const size_t index = member->group_index;
  member->completion.reset();
  members_[index] = std::move(member);
  // acq_rel: the last completer sees every other member's writes.
  if (remaining_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
    finished_ns = NowNs();
    members_target_.reset();
    std::shared_ptr<CompletionTarget> target = completion;
    target->Complete(std::move(in_flight_));
  }
}

}  // namespace voxpool::pool
