// What every filter of a FilterChain is to the chain: a rule for when it runs, new targets, a
// state reset and an in-place process of one block. The chain keeps its stages in processing
// order and drives them through this interface (one virtual call per stage per 20 ms block), so a
// new filter is its class and its place in that order (docs/ARCHITECTURE.md, "Where to add
// things").
#pragma once

#include "voxpool/filter/filter_settings.h"

namespace voxpool::filter {

// Not thread-safe: one stream at a time (the chain's processing thread).
class Stage {
 public:
  virtual ~Stage() = default;
  // Whether `s` runs this filter (Lavalink's rule: its object present, or a value off its
  // default). Thread-safe (pure).
  virtual bool On(const FilterSettings& s) const noexcept = 0;
  // The targets the next Process() moves to (gains ramp, state runs on). Never allocates.
  virtual void Set(const FilterSettings& s) noexcept = 0;
  // State back to silence, parameters at their targets (before the stage is switched on).
  virtual void Reset() noexcept = 0;
  // Filters `frames` (<= kFilterBlockFrames) interleaved frames in place. Never allocates.
  virtual void Process(float* pcm, int frames) noexcept = 0;
};

}  // namespace voxpool::filter
