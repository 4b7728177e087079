// The gain ramp every filter stage uses for a click-free change: a linear move from one gain to
// another across one block of frames, reaching the new gain on the block's last frame.
#pragma once

namespace voxpool::filter {

// Scales `frames` interleaved frames of `channels` in place by a gain going linearly from `from`
// (exclusive) to `to` (on the last frame); a steady gain (from == to) is one multiply a sample.
// Never allocates. Thread-safe (pure). Out of line so it is built multiversioned (src/filter/ramp.cc).
void RampGain(float* pcm, int frames, int channels, float from, float to) noexcept;

// Scales frame i of `frames` interleaved frames of `channels` in place by gains[i] (the modulation
// filters' per-frame gain). Never allocates. Thread-safe (pure).
void ScaleFrames(float* pcm, const float* gains, int frames, int channels) noexcept;

}  // namespace voxpool::filter
