// Error reporting for the core: every fallible call returns a Status (or a length >= 0 / a Status,
// libopus style). The code is stable and maps 1:1 onto the JS `VoxpoolError.code` strings.
#pragma once

#include <string>
#include <string_view>
#include <utility>

namespace voxpool {

// X-macro so the enum and its stable names can never drift apart.
#define VOXPOOL_ERROR_CODES(X)                                 \
  X(kOk, "OK")                                                 \
  X(kInvalidArgument, "ERR_VOXPOOL_INVALID_ARGUMENT")          \
  X(kQueueFull, "ERR_VOXPOOL_QUEUE_FULL")                      \
  X(kDestroyed, "ERR_VOXPOOL_DESTROYED")                       \
  X(kShutdown, "ERR_VOXPOOL_SHUTDOWN")                         \
  X(kDropped, "ERR_VOXPOOL_DROPPED")                           \
  X(kDeadlineExceeded, "ERR_VOXPOOL_DEADLINE_EXCEEDED")        \
  X(kAlreadyStarted, "ERR_VOXPOOL_ALREADY_STARTED")            \
  X(kOpusBadArg, "ERR_VOXPOOL_OPUS_BAD_ARG")                   \
  X(kOpusBufferTooSmall, "ERR_VOXPOOL_OPUS_BUFFER_TOO_SMALL")  \
  X(kOpusInternalError, "ERR_VOXPOOL_OPUS_INTERNAL_ERROR")     \
  X(kOpusInvalidPacket, "ERR_VOXPOOL_OPUS_INVALID_PACKET")     \
  X(kOpusUnimplemented, "ERR_VOXPOOL_OPUS_UNIMPLEMENTED")      \
  X(kOpusInvalidState, "ERR_VOXPOOL_OPUS_INVALID_STATE")       \
  X(kOpusAllocFail, "ERR_VOXPOOL_OPUS_ALLOC_FAIL")             \
  X(kCryptoUnavailable, "ERR_VOXPOOL_CRYPTO_UNAVAILABLE")      \
  X(kCryptoAuthFailed, "ERR_VOXPOOL_CRYPTO_AUTH_FAILED")       \
  X(kCryptoNonceExhausted, "ERR_VOXPOOL_CRYPTO_NONCE_EXHAUSTED") \
  X(kMalformedPacket, "ERR_VOXPOOL_MALFORMED_PACKET")          \
  X(kStreamTruncated, "ERR_VOXPOOL_STREAM_TRUNCATED")          \
  X(kMalformedContainer, "ERR_VOXPOOL_MALFORMED_CONTAINER")

enum class ErrorCode : int {
#define VOXPOOL_ENUM_ENTRY(name, str) name,
  VOXPOOL_ERROR_CODES(VOXPOOL_ENUM_ENTRY)
#undef VOXPOOL_ENUM_ENTRY
};

// Stable string for `code` ("ERR_VOXPOOL_QUEUE_FULL"). Never allocates. Thread-safe.
const char* ErrorCodeName(ErrorCode code) noexcept;

// The outcome of an operation. Cheap to copy when ok (the message stays empty); an error carries
// a human-readable message. Thread-compatible (a value type).
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  // Maps a negative libopus return code to a Status whose message is opus_strerror's text.
  static Status FromOpus(int opus_error);

  bool ok() const noexcept { return code_ == ErrorCode::kOk; }
  ErrorCode code() const noexcept { return code_; }
  const std::string& message() const noexcept { return message_; }
  const char* code_name() const noexcept { return ErrorCodeName(code_); }

 private:
  ErrorCode code_ = ErrorCode::kOk;
  std::string message_;
};

// The kInvalidArgument Status "<name> must be from <min> to <max>[ <unit>]", the numbers written
// from the limits themselves (integers without a decimal point), so a message cannot drift from
// the limit it states. Allocates: an error path only. Thread-safe.
Status OutOfRange(std::string_view name, double min, double max, std::string_view unit = {});

// The kInvalidArgument Status "<name> must be above <min> and at most <max>[ <unit>]": the range
// of a value that may not equal its lower bound (a frequency, a depth). Allocates. Thread-safe.
Status OutOfHalfOpenRange(std::string_view name, double min, double max,
                          std::string_view unit = {});

// Ok when min <= value <= max (never for NaN), otherwise OutOfRange(name, min, max, unit). No
// allocation when ok. Thread-safe.
template <class T>
Status CheckRange(std::string_view name, T value, double min, double max,
                  std::string_view unit = {}) {
  const auto v = static_cast<double>(value);
  if (v >= min && v <= max) return Status::Ok();
  return OutOfRange(name, min, max, unit);
}

}  // namespace voxpool
