// Mixer::EndSource: the end of a source's input. Its resampler's tail and a silent pad to a whole
// frame go into the FIFO, so every pushed sample is mixed (see docs/MIXER.md, "Ending a source").
#include <algorithm>
#include <cmath>
#include <cstdint>

#include "mixer_source.h"
#include "voxpool/mix/mixer.h"

namespace voxpool::mix {

using mixer_checks::NoSource;

Status Mixer::EndSource(uint32_t id) {
  std::lock_guard<std::mutex> lock(mutex_);
  Source* s = Find(id);
  if (s == nullptr) return NoSource();
  if (s->ended) return Status::Ok();
  const int n = options_.frame_size;
  const int rc = std::min(s->channels, options_.channels);
  // Room for the resampler's tail and the padding, checked before the flush so that a refusal
  // loses nothing (the caller retries after a tick, as for a full push).
  const int tail_bound = s->resampler ? static_cast<int>(std::ceil(s->resampler->delay_frames())) + 1 : 0;
  // Only while the source holds a frame, which a tick will take: a FIFO too small for the tail
  // (a tiny frame at a large rate ratio) would otherwise refuse forever; it keeps what fits.
  const int need = (s->count + tail_bound + n - 1) / n * n - s->count;
  if (s->capacity - s->count < need && s->count >= n)
    return Status(ErrorCode::kQueueFull, "The source's queue is full");
  if (s->resampler) {
    int tail = 0;
    Status st = s->resampler->Flush(scratch_out_.data(),
                                    static_cast<int>(scratch_out_.size() / rc), &tail);
    if (!st.ok()) return st;
    const int room = s->capacity - s->count;
    if (tail > room) {  // soxr's delay estimate was short: keep what fits
      s->stats.dropped_frames += static_cast<uint64_t>(tail - room);
      tail = room;
    }
    AppendFloat(*s, scratch_out_.data(), tail, rc);
  }
  // Silence up to a whole frame: the last samples play instead of waiting for a frame that never
  // comes.
  const int pad = (n - s->count % n) % n;
  const int c = options_.channels;
  int write = (s->read + s->count) % s->capacity;
  for (int done = 0; done < pad;) {
    const int chunk = std::min(pad - done, s->capacity - write);
    const size_t at = static_cast<size_t>(write) * c;
    const size_t samples = static_cast<size_t>(chunk) * c;
    if (s->fifo_s16) {
      std::fill_n(s->s16() + at, samples, int16_t{0});
    } else {
      std::fill_n(s->f32() + at, samples, 0.0f);
    }
    done += chunk;
    write = (write + chunk) % s->capacity;
  }
  s->count += pad;
  s->ended = true;
  return Status::Ok();
}

}  // namespace voxpool::mix
