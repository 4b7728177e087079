// Lavalink's `timescale` (speed, pitch, rate) on libSoundTouch, the kept time-stretch library
// (WSOLA tempo change plus a rate transposer): speed changes the duration at the same pitch, pitch
// the pitch at the same duration, rate both, like playing a tape faster. It changes the amount of
// audio: `frames` in give about frames / (speed x rate) out, after a start-up latency of some tens
// of milliseconds (SoundTouch's processing sequence), so it is not a Stage: the chain feeds it
// input frames and takes what it has ready.
#pragma once

#include <memory>

#include "voxpool/filter/filter_settings.h"
#include "voxpool/status.h"

namespace soundtouch {
class SoundTouch;
}

namespace voxpool::filter {

// Frames one input block of kFilterBlockFrames can leave ready beyond frames / ratio: SoundTouch
// hands out a whole processing sequence at a time (measured: under 4000 frames at 48 kHz for every
// setting in range), so a caller that takes everything every call needs this much more room.
inline constexpr int kTimescaleBurstFrames = 9600;

// Not thread-safe: one stream at a time (the chain's processing thread). Create() allocates;
// nothing else does once Create() has warmed SoundTouch's buffers up.
class TimeStretch {
 public:
  // A stretch for interleaved float PCM at `sample_rate` Hz, `channels` 1..2; allocates its
  // buffers and runs them up to the largest backlog in range, so processing does not grow them.
  [[nodiscard]] static Status Create(int sample_rate, int channels,
                                     std::unique_ptr<TimeStretch>* out);
  ~TimeStretch();
  TimeStretch(const TimeStretch&) = delete;
  TimeStretch& operator=(const TimeStretch&) = delete;

  // New targets (each > 0; speed x rate within kTimescaleMin/MaxRatio, checked by the caller),
  // taking effect with the next frames put. Never allocates.
  void Set(double speed, double pitch, double rate) noexcept;
  // Hands `frames` interleaved frames in. Never allocates (within the warmed-up backlog).
  void Put(const float* pcm, int frames) noexcept;
  // Frames ready to Receive().
  int available() const noexcept;
  // Moves up to `max_frames` ready frames to `out`; returns how many. Never allocates.
  int Receive(float* out, int max_frames) noexcept;
  // Pushes what is still inside out as ready frames (padding SoundTouch's sequence with silence;
  // the end of a stream). Nothing when no frame was put since the last Flush(). Never allocates.
  void Flush() noexcept;
  // Heap bytes one holds after Create()'s warm-up, approximately (for the report to V8).
  static size_t MemoryBytes(int channels) noexcept;

 private:
  TimeStretch() noexcept;
  std::unique_ptr<soundtouch::SoundTouch> st_;
  bool unflushed_ = false;  // frames were put since the last Flush()
};

}  // namespace voxpool::filter
