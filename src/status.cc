#include "voxpool/status.h"

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

}  // namespace voxpool
