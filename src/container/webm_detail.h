// What the files of container::WebmDemuxer share (webm_demuxer.cc, webm_input.cc,
// webm_frames.cc, webm_index.cc): the Status constructors of its refusals. Private to src/.
#pragma once

#include <string>

#include "voxpool/status.h"

namespace voxpool::container::webm_detail {

inline Status Malformed(const std::string& what) {
  return Status(ErrorCode::kMalformedContainer, what);
}
inline Status Truncated(const std::string& what) {
  return Status(ErrorCode::kStreamTruncated, what);
}

}  // namespace voxpool::container::webm_detail
