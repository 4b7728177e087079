// FP exceptions are never enabled here, so let GCC if-convert the clamps and selects in the
// sample loops (with the default -ftrapping-math it refuses and leaves them scalar).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("no-trapping-math")
#endif
#include "voxpool/mix/mixer.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <type_traits>

#include "mix_kernels.h"
#include "mixer_source.h"

namespace voxpool::mix {

using mixer_checks::Invalid;
using mixer_checks::NoSource;
using mixer_checks::ValidGain;
using mixer_checks::ValidRamp;

// Mixer::Source and the argument checks are in mixer_source.h; the per-source controls and stats
// in mixer_controls.cc; the sample kernels in mix_kernels.*.

Status Mixer::Create(const MixerOptions& o, std::unique_ptr<Mixer>* out) {
  Status st = CheckRange("sampleRate", o.sample_rate, kResamplerMinRate, kResamplerMaxRate, "Hz");
  if (st.ok()) st = CheckRange("channels", o.channels, 1, kMixerMaxChannels);
  if (st.ok())
    st = CheckRange("frameSize", o.frame_size, 1, kMixerMaxFrameSize, "samples per channel");
  if (st.ok()) st = CheckRange("maxSources", o.max_sources, 1, kMixerMaxSources);
  if (st.ok())
    st = CheckRange("queueFrames", o.queue_frames, kMixerMinQueueFrames, kMixerMaxQueueFrames);
  if (st.ok()) st = CheckRange("ceilingDb", o.ceiling_db, kMixerMinCeilingDb, 0.0);
  if (st.ok()) {
    st = CheckRange("limiterReleaseMs", o.limiter_release_ms, kMixerMinLimiterReleaseMs,
                    kMixerMaxLimiterReleaseMs);
  }
  if (!st.ok()) return st;
  out->reset(new Mixer(o));
  return Status::Ok();
}

Mixer::Mixer(const MixerOptions& o)
    : options_(o),
      sources_(static_cast<size_t>(o.max_sources)),
      acc_(static_cast<size_t>(o.frame_size) * o.channels),
      scratch_in_(static_cast<size_t>(kMixerMaxPushFrames) * 2),
      limiter_([&] {
        LimiterOptions l;
        l.sample_rate = o.sample_rate;
        l.channels = o.channels;
        l.ceiling = DbToLinear(o.ceiling_db);
        l.release_ms = o.limiter_release_ms;
        return l;
      }()) {
  // Largest resampler output for one push: from the lowest rate up to ours, plus soxr's burst.
  const int64_t max_out =
      (static_cast<int64_t>(kMixerMaxPushFrames) * o.sample_rate + kResamplerMinRate - 1) /
          kResamplerMinRate +
      o.sample_rate / 10 + 1;
  scratch_out_.resize(static_cast<size_t>(std::max<int64_t>(max_out, kMixerMaxPushFrames)) * 2);
  for (Source& s : sources_) {
    s.capacity = o.queue_frames * o.frame_size;
    s.fifo.reset(new unsigned char[static_cast<size_t>(s.capacity) * o.channels * sizeof(float)]);
  }
}

Mixer::~Mixer() = default;

long Mixer::MsToSamples(float ms) const noexcept {
  return std::lround(static_cast<double>(ms) * options_.sample_rate / 1000.0);
}

Mixer::Source* Mixer::Find(uint32_t id) noexcept {
  for (Source& s : sources_)
    if (s.in_use && s.id == id) return &s;
  return nullptr;
}

const Mixer::Source* Mixer::Find(uint32_t id) const noexcept {
  for (const Source& s : sources_)
    if (s.in_use && s.id == id) return &s;
  return nullptr;
}

Status Mixer::AddSource(const SourceOptions& o, uint32_t* id) {
  const int rate = o.sample_rate == 0 ? options_.sample_rate : o.sample_rate;
  const int channels = o.channels == 0 ? options_.channels : o.channels;
  Status st = CheckRange("sampleRate", rate, kResamplerMinRate, kResamplerMaxRate, "Hz");
  if (st.ok()) st = CheckRange("channels", channels, 1, kMixerMaxChannels);
  if (!st.ok()) return st;
  if (!ValidGain(o.gain)) return Invalid("gain is out of range");
  if (!(o.pan >= -1.0f && o.pan <= 1.0f)) return Invalid("pan must be from -1 to 1");
  if (o.prebuffer_frames < -1 || o.prebuffer_frames > options_.queue_frames - 1)
    return Invalid("prebufferFrames must be from 0 to queueFrames - 1");
  std::unique_ptr<Resampler> resampler;
  if (rate != options_.sample_rate) {
    ResamplerOptions r;
    r.input_rate = rate;
    r.output_rate = options_.sample_rate;
    r.channels =
        std::min(channels, options_.channels);     // resample after a downmix, before an upmix
    Status created = Resampler::Create(r, &resampler);  // allocates: outside the lock
    if (!created.ok()) return created;
  }
  std::lock_guard<std::mutex> lock(mutex_);
  auto it =
      std::find_if(sources_.begin(), sources_.end(), [](const Source& s) { return !s.in_use; });
  if (it == sources_.end())
    return Status(ErrorCode::kQueueFull, "The mixer has maxSources sources");
  Source& s = *it;
  s.in_use = true;
  s.id = next_id_++;
  s.rate = rate;
  s.channels = channels;
  s.prebuffer = o.prebuffer_frames >= 0 ? o.prebuffer_frames : (resampler ? 2 : 0);
  s.primed = false;
  s.ended = false;
  s.resampler = std::move(resampler);
  s.format = o.format;
  s.fifo_s16 = o.format == SampleFormat::kS16 && !s.resampler && channels == options_.channels;
  s.read = 0;
  s.count = 0;
  s.gain = GainRamp(o.gain);
  s.muted = o.muted;
  s.solo = false;
  s.ducker = false;
  const bool stereo = options_.channels == 2;
  s.pan_l = GainRamp(stereo ? std::min(1.0f, 1.0f - o.pan) : 1.0f);
  s.pan_r = GainRamp(stereo ? std::min(1.0f, 1.0f + o.pan) : 1.0f);
  s.gate = GainRamp(!o.muted && !any_solo_ ? 1.0f : 0.0f);
  s.stats = SourceStats();
  ++active_;
  *id = s.id;
  return Status::Ok();
}

Status Mixer::RemoveSource(uint32_t id) noexcept {
  std::unique_ptr<Resampler> dead;  // freed after the lock is released
  {
    std::lock_guard<std::mutex> lock(mutex_);
    Source* s = Find(id);
    if (s == nullptr) return NoSource();
    s->in_use = false;
    dead = std::move(s->resampler);
    --active_;
    UpdateGates();
  }
  return Status::Ok();
}

void Mixer::UpdateGates() noexcept {
  any_solo_ = false;
  for (const Source& s : sources_) any_solo_ = any_solo_ || (s.in_use && s.solo);
  const long ramp = MsToSamples(kMixerSwitchRampMs);
  for (Source& s : sources_) {
    if (!s.in_use) continue;
    const float target = !s.muted && (!any_solo_ || s.solo) ? 1.0f : 0.0f;
    if (target != s.gate.target()) s.gate.Set(target, ramp);
  }
}

template <class T>
Status Mixer::PushImpl(uint32_t id, const T* pcm, int frames) noexcept {
  if (frames < 0 || frames > kMixerMaxPushFrames) {
    return OutOfRange("A push", 0, kMixerMaxPushFrames, "frames");
  }
  if (frames > 0 && pcm == nullptr) return Invalid("PCM must not be null");
  std::lock_guard<std::mutex> lock(mutex_);
  Source* s = Find(id);
  if (s == nullptr) return NoSource();
  constexpr SampleFormat kFormat =
      std::is_same_v<T, int16_t> ? SampleFormat::kS16 : SampleFormat::kF32;
  if (s->format != kFormat)
    return Invalid(kFormat == SampleFormat::kS16 ? "This source takes f32le PCM"
                                                 : "This source takes s16le PCM");
  if (s->ended) return Invalid("This source has ended");
  if (frames == 0) return Status::Ok();
  const int mixer_channels = options_.channels;
  const int rc = std::min(s->channels, mixer_channels);  // channels through the resampler
  const int free_frames = s->capacity - s->count;
  // Refuse whole pushes that cannot fit (checked before any state changes, so the resampler's
  // stream stays continuous).
  const int64_t expected =
      (static_cast<int64_t>(frames) * options_.sample_rate + s->rate - 1) / s->rate;
  if (expected > free_frames) {
    s->stats.dropped_frames += static_cast<uint64_t>(frames);
    return Status(ErrorCode::kQueueFull, "The source's queue is full");
  }

  int write = (s->read + s->count) % s->capacity;
  // Same rate and channels: straight into the FIFO as is (s16 FIFO or f32 FIFO).
  if (!s->resampler && s->channels == mixer_channels) {
    int done = 0;
    while (done < frames) {
      const int chunk = std::min(frames - done, s->capacity - write);
      const size_t at = static_cast<size_t>(write) * mixer_channels;
      const size_t samples = static_cast<size_t>(chunk) * mixer_channels;
      const T* src = pcm + static_cast<size_t>(done) * mixer_channels;
      if constexpr (std::is_same_v<T, int16_t>) {
        std::memcpy(s->s16() + at, src, sizeof(int16_t) * samples);
      } else {
        std::memcpy(s->f32() + at, src, sizeof(float) * samples);
      }
      done += chunk;
      write = (write + chunk) % s->capacity;
    }
    s->count += frames;
    return Status::Ok();
  }

  // 1. To float at `rc` channels.
  float* a = scratch_in_.data();
  const size_t in_samples = static_cast<size_t>(frames) * s->channels;
  const float* converted;
  if constexpr (std::is_same_v<T, int16_t>) {
    if (s->channels == rc) {
      pcm::S16ToFloat(pcm, a, in_samples);
    } else {
      pcm::S16ToFloat(pcm, scratch_out_.data(), in_samples);
      pcm::DownmixStereo(scratch_out_.data(), a, static_cast<size_t>(frames));
    }
    converted = a;
  } else {
    if (s->channels == rc) {
      converted = pcm;
    } else {
      pcm::DownmixStereo(pcm, a, static_cast<size_t>(frames));
      converted = a;
    }
  }

  // 2. To the mixer's rate.
  const float* ready = converted;
  int n = frames;
  if (s->resampler) {
    Status st = s->resampler->Process(converted, frames, scratch_out_.data(),
                                      static_cast<int>(scratch_out_.size() / rc), &n);
    if (!st.ok()) return st;
    ready = scratch_out_.data();
  }
  if (n > free_frames) {  // a resampler burst larger than the room left: keep what fits
    s->stats.dropped_frames += static_cast<uint64_t>(n - free_frames);
    n = free_frames;
  }

  // 3. Into the FIFO, upmixing mono to stereo on the way.
  AppendFloat(*s, ready, n, rc);
  return Status::Ok();
}

void Mixer::AppendFloat(Source& s, const float* ready, int frames, int rc) noexcept {
  const int mixer_channels = options_.channels;
  int write = (s.read + s.count) % s.capacity;
  int done = 0;
  while (done < frames) {
    const int chunk = std::min(frames - done, s.capacity - write);
    float* dst = s.f32() + static_cast<size_t>(write) * mixer_channels;
    const float* src = ready + static_cast<size_t>(done) * rc;
    if (rc == mixer_channels) {
      std::memcpy(dst, src, sizeof(float) * static_cast<size_t>(chunk) * rc);
    } else {
      pcm::UpmixMono(src, dst, static_cast<size_t>(chunk));
    }
    done += chunk;
    write = (write + chunk) % s.capacity;
  }
  s.count += frames;
}

Status Mixer::Push(uint32_t id, const int16_t* pcm, int frames) noexcept {
  return PushImpl(id, pcm, frames);
}
Status Mixer::Push(uint32_t id, const float* pcm, int frames) noexcept {
  return PushImpl(id, pcm, frames);
}

void Mixer::MixSource(const Source& s, const GainRamp& duck, float* acc) const noexcept {
  const int n = options_.frame_size;
  const int c = options_.channels;
  const size_t at = static_cast<size_t>(s.read) * c;
  // Each ramp is linear, so the gain is exact at the points where one ends; between those points
  // (at most five inside a tick) it is interpolated linearly. Steady sources take one segment.
  long cuts[6];
  int count = 0;
  const GainRamp* ramps[5] = {&s.gain, &s.gate, &s.pan_l, &s.pan_r, &duck};
  for (const GainRamp* r : ramps)
    if (r->remaining() > 0 && r->remaining() < n) cuts[count++] = r->remaining();
  cuts[count++] = n;
  for (int i = 1; i < count; ++i)  // insertion sort of at most six (std::sort trips -Warray-bounds)
    for (int j = i; j > 0 && cuts[j - 1] > cuts[j]; --j) std::swap(cuts[j - 1], cuts[j]);
  auto gains_at = [&](long k, float* l, float* r) {
    const float g =
        s.gain.ValueAfter(k) * s.gate.ValueAfter(k) * (s.ducker ? 1.0f : duck.ValueAfter(k));
    *l = g * s.pan_l.ValueAfter(k);
    *r = g * s.pan_r.ValueAfter(k);
  };
  long a = 0;
  for (int i = 0; i < count; ++i) {
    const long b = cuts[i];
    if (b <= a) continue;
    float l0, r0, l1, r1;
    gains_at(a, &l0, &r0);
    gains_at(b, &l1, &r1);
    const int frames = static_cast<int>(b - a);
    float* dst = acc + a * c;
    const size_t from = at + static_cast<size_t>(a) * c;
    const bool panned = c == 2 && (l0 != r0 || l1 != r1);
    if (s.fifo_s16) {
      if (panned) {
        kernels::AddScaledStereo(dst, s.s16() + from, frames, l0, l1, r0, r1);
      } else {
        kernels::AddScaled(dst, s.s16() + from, frames, c, l0, l1);
      }
    } else if (panned) {
      kernels::AddScaledStereo(dst, s.f32() + from, frames, l0, l1, r0, r1);
    } else {
      kernels::AddScaled(dst, s.f32() + from, frames, c, l0, l1);
    }
    a = b;
  }
}

void Mixer::MixLocked() noexcept {
  const int n = options_.frame_size;
  const int c = options_.channels;
  float* acc = acc_.data();
  std::fill(acc_.begin(), acc_.end(), 0.0f);

  // A source is playable this tick when it has a frame and has collected its prebuffer once.
  auto playable = [n](Source& s) {
    // An ended source plays out what it has: no more is coming to fill the prebuffer. Nor does a
    // FIFO too small for the prebuffer wait for it (a resampled source in a 2-frame queue would
    // otherwise never start).
    if (!s.primed && (s.ended || s.count >= std::min(n * (1 + s.prebuffer), s.capacity - n)))
      s.primed = true;
    return s.primed && s.count >= n;
  };

  // Ducking: decided on the duckers' frames of this tick, before anything is mixed.
  bool ducker_active = false;
  const float threshold = DbToLinear(ducking_.threshold_db);
  for (Source& s : sources_) {
    if (!s.in_use || !s.ducker || s.gate.target() == 0.0f || !playable(s)) continue;
    const size_t at = static_cast<size_t>(s.read) * c;
    const float rms =
        s.fifo_s16 ? kernels::Rms(s.s16() + at, n * c) : kernels::Rms(s.f32() + at, n * c);
    if (rms >= threshold) ducker_active = true;
  }
  bool want = ducked_;
  if (ducker_active) {
    want = true;
    duck_hold_left_ = MsToSamples(ducking_.hold_ms);
  } else if (duck_hold_left_ > 0) {
    duck_hold_left_ -= n;
  } else {
    want = false;
  }
  if (want != ducked_) {
    ducked_ = want;
    duck_.Set(want ? DbToLinear(-ducking_.depth_db) : 1.0f,
              MsToSamples(want ? ducking_.attack_ms : ducking_.release_ms));
  }
  const GainRamp duck_start = duck_;
  duck_.Advance(n);

  for (Source& s : sources_) {
    if (!s.in_use) continue;
    if (!playable(s)) {
      if (s.primed) s.primed = false;  // underrun: collect the prebuffer again
      ++s.stats.silent_ticks;
    } else {
      MixSource(s, duck_start, acc);
      s.read += n;
      if (s.read == s.capacity) s.read = 0;
      s.count -= n;
      ++s.stats.mixed_ticks;
    }
    s.gain.Advance(n);
    s.gate.Advance(n);
    s.pan_l.Advance(n);
    s.pan_r.Advance(n);
    s.stats.gain = s.gain.value();
  }

  if (master_.value() != 1.0f || master_.ramping()) {
    // Linear between the tick's ends, or between the ramp's end point inside the tick.
    const long mid = master_.remaining() > 0 && master_.remaining() < n ? master_.remaining() : n;
    const long cuts[2] = {mid, n};
    long a = 0;
    for (long b : cuts) {
      if (b <= a) continue;
      const float g0 = master_.ValueAfter(a), g1 = master_.ValueAfter(b);
      const float step = (g1 - g0) / static_cast<float>(b - a);
      for (long f = a; f < b; ++f) {
        const float g = g0 + step * static_cast<float>(f - a + 1);
        for (int ch = 0; ch < c; ++ch) acc[f * c + ch] *= g;
      }
      a = b;
    }
    master_.Advance(n);
  }

  if (options_.limiter) {
    limiter_.Process(acc, n);
    if (limiter_.gain_reduction_db() < 0.0f) ++limited_ticks_;
  }
  ++ticks_;
}

void Mixer::Mix(int16_t* out) noexcept {
  std::lock_guard<std::mutex> lock(mutex_);
  MixLocked();
  kernels::ToS16(acc_.data(), out, acc_.size());
}

void Mixer::Mix(float* out) noexcept {
  std::lock_guard<std::mutex> lock(mutex_);
  MixLocked();
  std::memcpy(out, acc_.data(), sizeof(float) * acc_.size());
}

}  // namespace voxpool::mix
