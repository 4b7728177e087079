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

  // The same for a stage that may change the amount of audio (a time-stretch): processes
  // `frames` frames of `in` (left as scratch) and writes the frames it has ready to `out`, a
  // whole number of `granule` frames (the encoder's frame) and at most `capacity`; what it does
  // not write stays inside for the next call. `end`: the input is over, so everything still
  // inside comes out, the last granule padded with silence. Returns the frames written. A stage
  // that keeps the amount of audio writes `frames`. Never allocates.
  virtual int ProcessInto(int16_t* in, int frames, int16_t* out, int capacity, int granule,
                          bool end) noexcept = 0;
  virtual int ProcessInto(float* in, int frames, float* out, int capacity, int granule,
                          bool end) noexcept = 0;
  // The `capacity` with which ProcessInto() of `frames` frames always writes everything it has
  // ready. Thread-safe.
  virtual int OutputCapacity(int frames) const noexcept { return frames; }
};

}  // namespace voxpool
