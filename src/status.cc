#include "voxpool/status.h"

#include <cmath>
#include <cstdio>
#include <string>
#include <utility>

#include <opus/opus.h>

namespace voxpool {

const char* ErrorCodeName(ErrorCode code) noexcept {
  switch (code) {
#define VOXPOOL_NAME_ENTRY(name, str) \
  case ErrorCode::name:               \
    return str;
    VOXPOOL_ERROR_CODES(VOXPOOL_NAME_ENTRY)
#undef VOXPOOL_NAME_ENTRY
  }
  return "ERR_VOXPOOL_UNKNOWN";
}

Status Status::FromOpus(int opus_error) {
  ErrorCode code;
  switch (opus_error) {
    case OPUS_BAD_ARG: code = ErrorCode::kOpusBadArg; break;
    case OPUS_BUFFER_TOO_SMALL: code = ErrorCode::kOpusBufferTooSmall; break;
    case OPUS_INVALID_PACKET: code = ErrorCode::kOpusInvalidPacket; break;
    case OPUS_UNIMPLEMENTED: code = ErrorCode::kOpusUnimplemented; break;
    case OPUS_INVALID_STATE: code = ErrorCode::kOpusInvalidState; break;
    case OPUS_ALLOC_FAIL: code = ErrorCode::kOpusAllocFail; break;
    default: code = ErrorCode::kOpusInternalError; break;
  }
  // opus_strerror is the single source of truth for the text (no hand-written table).
  return Status(code, opus_strerror(opus_error));
}

namespace {

// `x` as a message writes it: an integer without a decimal point (every one a double holds
// exactly, up to 2^53), anything else as %g does.
std::string NumberText(double x) {
  if (std::nearbyint(x) == x && std::fabs(x) <= 9007199254740992.0)
    return std::to_string(static_cast<long long>(x));
  char text[32];
  std::snprintf(text, sizeof text, "%g", x);
  return text;
}

}  // namespace

Status OutOfRange(std::string_view name, double min, double max, std::string_view unit) {
  std::string message(name);
  message += " must be from " + NumberText(min) + " to " + NumberText(max);
  if (!unit.empty()) (message += ' ') += unit;
  return Status(ErrorCode::kInvalidArgument, std::move(message));
}

Status OutOfHalfOpenRange(std::string_view name, double min, double max, std::string_view unit) {
  std::string message(name);
  message += " must be above " + NumberText(min) + " and at most " + NumberText(max);
  if (!unit.empty()) (message += ' ') += unit;
  return Status(ErrorCode::kInvalidArgument, std::move(message));
}

}  // namespace voxpool
