#include "voxpool/pool/job.h"

#include <chrono>

namespace voxpool::pool {

int64_t NowNs() noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void JobGroup::Prepare(Job& member, size_t index) noexcept {
  if (!self_) {
    // Aliasing constructor with an empty owner: a shared_ptr that points at the group but owns
    // nothing, so members do not keep the group alive (it owns itself while in flight).
    self_ = std::shared_ptr<CompletionTarget>(std::shared_ptr<void>(),
                                              static_cast<CompletionTarget*>(this));
  }
  member.completion = self_;
  member.group_index = index;
}

void JobGroup::Complete(std::unique_ptr<Job> member) noexcept {
  const size_t index = member->group_index;
  member->completion.reset();
  members_[index] = std::move(member);
  // acq_rel: the last completer sees every other member's writes.
  if (remaining_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
    finished_ns = NowNs();
    std::shared_ptr<CompletionTarget> target = completion;
    target->Complete(std::unique_ptr<Job>(this));
  }
}

}  // namespace voxpool::pool
