// The Mixer's per-source controls (gain, mute, solo, pan, ducking) and its stats: setters that
// take the mixer's lock and start a ramp; no sample processing (mixer.cc) happens here.
#include <algorithm>
#include <cmath>

#include "mixer_source.h"
#include "voxpool/mix/mixer.h"

namespace voxpool::mix {

using mixer_checks::Invalid;
using mixer_checks::NoSource;
using mixer_checks::ValidGain;
using mixer_checks::ValidRamp;

template <class Change>
Status Mixer::WithSource(uint32_t id, Change&& change) noexcept {
  std::lock_guard<std::mutex> lock(mutex_);
  Source* s = Find(id);
  if (s == nullptr) return NoSource();
  change(*s);
  return Status::Ok();
}

Status Mixer::SetGain(uint32_t id, float linear, float ramp_ms) noexcept {
  if (!ValidGain(linear)) return Invalid("gain is out of range");
  if (!ValidRamp(ramp_ms)) return OutOfRange("rampMs", 0, kMixerMaxRampMs);
  return WithSource(id, [&](Source& s) { s.gain.Set(linear, MsToSamples(ramp_ms)); });
}

Status Mixer::SetMuted(uint32_t id, bool muted) noexcept {
  return WithSource(id, [&](Source& s) {
    s.muted = muted;
    UpdateGates();
  });
}

Status Mixer::SetSolo(uint32_t id, bool solo) noexcept {
  return WithSource(id, [&](Source& s) {
    s.solo = solo;
    UpdateGates();
  });
}

Status Mixer::SetPan(uint32_t id, float pan) noexcept {
  if (!(pan >= -1.0f && pan <= 1.0f)) return Invalid("pan must be from -1 to 1");
  return WithSource(id, [&](Source& s) {
    if (options_.channels != 2) return;  // a mono mix has nothing to pan
    const long ramp = MsToSamples(kMixerSwitchRampMs);
    s.pan_l.Set(std::min(1.0f, 1.0f - pan), ramp);
    s.pan_r.Set(std::min(1.0f, 1.0f + pan), ramp);
  });
}

Status Mixer::SetDucker(uint32_t id, bool ducker) noexcept {
  return WithSource(id, [&](Source& s) { s.ducker = ducker; });
}

Status Mixer::ClearSource(uint32_t id) noexcept {
  return WithSource(id, [](Source& s) {
    s.read = 0;
    s.count = 0;
    s.primed = false;
    if (s.resampler) s.resampler->Reset();
  });
}

Status Mixer::SetMasterGain(float linear, float ramp_ms) noexcept {
  if (!ValidGain(linear)) return Invalid("gain is out of range");
  if (!ValidRamp(ramp_ms)) return OutOfRange("rampMs", 0, kMixerMaxRampMs);
  std::lock_guard<std::mutex> lock(mutex_);
  master_.Set(linear, MsToSamples(ramp_ms));
  return Status::Ok();
}

Status Mixer::SetDucking(const DuckingOptions& o) noexcept {
  Status st = CheckRange("depthDb", o.depth_db, 0, kMixerMaxDuckDepthDb);
  if (st.ok() && !(ValidRamp(o.attack_ms) && ValidRamp(o.release_ms) && ValidRamp(o.hold_ms))) {
    st = OutOfRange("attackMs, releaseMs and holdMs", 0, kMixerMaxRampMs);
  }
  if (st.ok()) st = CheckRange("thresholdDb", o.threshold_db, kMixerMinDuckThresholdDb, 0.0);
  if (!st.ok()) return st;
  std::lock_guard<std::mutex> lock(mutex_);
  ducking_ = o;
  if (ducked_) duck_.Set(DbToLinear(-o.depth_db), MsToSamples(o.attack_ms));
  return Status::Ok();
}

Status Mixer::GetSourceStats(uint32_t id, SourceStats* out) const noexcept {
  std::lock_guard<std::mutex> lock(mutex_);
  const Source* s = Find(id);
  if (s == nullptr) return NoSource();
  *out = s->stats;
  out->queued_frames = s->count;
  return Status::Ok();
}

MixerStats Mixer::stats() const noexcept {
  std::lock_guard<std::mutex> lock(mutex_);
  MixerStats m;
  m.ticks = ticks_;
  m.limited_ticks = limited_ticks_;
  m.gain_reduction_db = options_.limiter ? limiter_.gain_reduction_db() : 0.0f;
  m.sources = active_;
  m.ducking = ducked_;
  return m;
}

}  // namespace voxpool::mix
