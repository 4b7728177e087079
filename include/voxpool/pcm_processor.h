// An in-place PCM stage a codec path runs between decode and encode without knowing what it is
// (filter::FilterChain is one), so the opus domain does not depend on the filter domain: the
// binding hands an encoder or transcoder job the stage, and the job calls it on its own frame.
#pragma once

#include <cstdint>

namespace voxpool {

class PcmProcessor {
 public:
  virtual ~PcmProcessor() = default;
  // Processes `frames` interleaved frames in place, at the rate and channel count the stage was
  // made for. Never allocates; one caller at a time (the stage's owner orders the calls).
  virtual void Process(int16_t* pcm, int frames) noexcept = 0;
  virtual void Process(float* pcm, int frames) noexcept = 0;
};

}  // namespace voxpool
