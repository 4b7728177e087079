// container::WebmDemuxer's reader (webm::Reader over the pushed bytes) and HoldsBack, the guard
// that keeps libwebm from asserting on an element ID cut at its parent's end.
#include <algorithm>
#include <cstring>

#include "voxpool/container/webm_demuxer.h"

namespace voxpool::container {

// ---- Input ----------------------------------------------------------------------------------

void WebmDemuxer::Input::Set(const uint8_t* data, size_t size, bool end) noexcept {
  data_ = data;
  size_ = size;
  at_ = 0;
  end_ = end;
}

void WebmDemuxer::Input::Keep() {
  carry_.erase(carry_.begin(), carry_.begin() + static_cast<ptrdiff_t>(carry_at_));
  carry_at_ = 0;
  carry_.insert(carry_.end(), data_ + at_, data_ + size_);
  Set(nullptr, 0, end_);
}

void WebmDemuxer::Input::Reset(uint64_t position) noexcept {
  carry_.clear();
  carry_at_ = 0;
  Set(nullptr, 0, false);
  position_ = position;
}

void WebmDemuxer::Input::Consume(size_t n) noexcept {
  position_ += n;
  const size_t from_carry = std::min(n, carry_.size() - carry_at_);
  carry_at_ += from_carry;
  at_ += n - from_carry;
  if (carry_at_ == carry_.size() && !carry_.empty()) {
    carry_.clear();
    carry_at_ = 0;
  }
}

webm::Status WebmDemuxer::Input::Empty() const noexcept {
  return webm::Status(end_ ? webm::Status::kEndOfFile : webm::Status::kWouldBlock);
}

webm::Status WebmDemuxer::Input::Read(std::size_t num_to_read, std::uint8_t* buffer,
                                      std::uint64_t* num_actually_read) {
  *num_actually_read = 0;
  if (owner_->HoldsBack(position_, position_ + available()))
    return webm::Status(webm::Status::kWouldBlock);
  size_t n = 0;
  while (n < num_to_read && available() > 0) {
    const size_t piece = std::min(num_to_read - n, contiguous());
    std::memcpy(buffer + n, cursor(), piece);
    Consume(piece);
    n += piece;
  }
  *num_actually_read = n;
  if (n == 0) return Empty();
  return webm::Status(n == num_to_read ? webm::Status::kOkCompleted : webm::Status::kOkPartial);
}

webm::Status WebmDemuxer::Input::Skip(std::uint64_t num_to_skip,
                                      std::uint64_t* num_actually_skipped) {
  *num_actually_skipped = 0;
  if (owner_->HoldsBack(position_, position_ + available()))
    return webm::Status(webm::Status::kWouldBlock);
  const size_t n = static_cast<size_t>(std::min<std::uint64_t>(num_to_skip, available()));
  *num_actually_skipped = n;
  if (n == 0) return Empty();
  Consume(n);
  return webm::Status(n == num_to_skip ? webm::Status::kOkCompleted : webm::Status::kOkPartial);
}

// libwebm (as Debian builds it, with assertions on) aborts the process when it resumes reading an
// element ID that has already reached the end of its known-size parent: it asserts the parent
// still has room, where a whole ID read in one go gets kElementOverflow instead. So when a header
// starts within the last kMaxIdBytes - 1 bytes of such a parent, libwebm gets none of it until
// kMaxIdBytes are there to read (or the input has ended); the few bytes held back are carried to
// the next Push. A valid file is only delayed: a header that close to its parent's end is an
// element of at most one byte of data, and the bytes after it are on their way.
bool WebmDemuxer::HoldsBack(uint64_t position, uint64_t available_end) noexcept {
  constexpr uint64_t kMaxIdBytes = 4;  // EBML IDs are 1 to 4 bytes
  while (!open_.empty() && open_.back().end <= position) {
    open_.pop_back();
    header_start_ = UINT64_MAX;  // what comes after an element is the next one's header
  }
  if (open_.empty() || !open_.back().master) {
    header_start_ = UINT64_MAX;  // top-level headers (libwebm does not assert there) or data
    return false;
  }
  if (input_.at_end()) return false;
  if (header_start_ == UINT64_MAX) header_start_ = position;  // the first byte of a child's header
  const OpenElement& parent = open_.back();
  return parent.end - header_start_ < kMaxIdBytes && available_end - header_start_ < kMaxIdBytes;
}
}  // namespace voxpool::container
