// FP exceptions are never enabled here, so let GCC if-convert the clamps and selects in the
// s16 <-> float loops (with the default -ftrapping-math FloatToS16 stays scalar: about half of
// what every active chain paid, measured in BM_FilterVolumeOnly).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("no-trapping-math")
#endif
#include "voxpool/filter/filter_chain.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <type_traits>

#include "voxpool/filter/ramp.h"
#include "voxpool/pcm.h"

namespace voxpool::filter {

double LavalinkVolumeGain(double volume) noexcept {
  if (volume == 1.0) return 1.0;
  return volume <= 1.5 ? std::tan(volume * 0.79) : 24612.0 / 15000.0 * volume;
}

namespace {

mix::LimiterOptions LimiterFor(const FilterChainOptions& o) {
  mix::LimiterOptions l;
  l.sample_rate = o.sample_rate;
  l.channels = o.channels;
  return l;
}

}  // namespace

FilterChain::FilterChain(const FilterChainOptions& o) noexcept
    : rate_(o.sample_rate),
      channels_(o.channels),
      high_pass_(o.sample_rate, o.channels),
      low_pass_(o.channels),
      channel_mix_(o.channels),
      rotation_(o.sample_rate, o.channels),
      distortion_(o.channels),
      vibrato_(o.sample_rate, o.channels),
      tremolo_(o.sample_rate, o.channels),
      karaoke_(o.sample_rate, o.channels),
      equalizer_(o.sample_rate, o.channels),
      compressor_(o.sample_rate, o.channels),
      loudness_(o.sample_rate, o.channels),
      stages_{&high_pass_, &low_pass_, &channel_mix_, &rotation_,   &distortion_, &vibrato_,
              &tremolo_,   &karaoke_,  &equalizer_,   &compressor_, &loudness_},
      limiter_(LimiterFor(o)),
      settings_(o.filters) {
  // The first frame starts in its settings, without fading in from "no filters".
  next_ = StagesOn(o.filters);
  Apply(o.filters, next_);
  on_ = next_;
  gain_ = target_gain_;
  for (Stage* stage : stages_) stage->Reset();
  running_.store(Running(), std::memory_order_release);
}

Status FilterChain::Create(const FilterChainOptions& o, std::unique_ptr<FilterChain>* out) {
  if (Status st = CheckRateAndChannels(o.sample_rate, o.channels); !st.ok()) return st;
  if (Status st = CheckFilterSettings(o.filters); !st.ok()) return st;
  auto chain = std::make_unique<FilterChain>(o);
  const size_t samples = static_cast<size_t>(kFilterBlockFrames) * o.channels;
  chain->dry_.assign(samples, 0.0f);
  chain->work_.assign(samples, 0.0f);
  chain->stretched_.assign(samples, 0.0f);
  if (o.filters.timescale_on()) {
    if (Status st = TimeStretch::Create(o.sample_rate, o.channels, &chain->stretch_); !st.ok())
      return st;
    chain->stretch_->Set(o.filters.timescale_speed, o.filters.timescale_pitch,
                         o.filters.timescale_rate);
    chain->stretch_made_ = true;
    chain->running_.store(true, std::memory_order_release);
  }
  if (o.filters.loudness)
    if (Status st = chain->loudness_.Prepare(); !st.ok()) return st;
  *out = std::move(chain);
  return Status::Ok();
}

Status FilterChain::SetFilters(const FilterSettings& s) {
  if (Status st = CheckFilterSettings(s); !st.ok()) return st;
  // The meter exists before the processing thread can see loudness on (the lock orders the two).
  if (s.loudness)
    if (Status st = loudness_.Prepare(); !st.ok()) return st;
  std::unique_ptr<TimeStretch> made;
  if (s.timescale_on()) {
    bool exists;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      exists = stretch_made_;
    }
    // The first timescale allocates its stretch here, on the caller's thread, not in a call.
    if (!exists) {
      if (Status st = TimeStretch::Create(rate_, channels_, &made); !st.ok()) return st;
    }
  }
  std::lock_guard<std::mutex> lock(mutex_);
  if (made && !stretch_made_) {
    handover_ = std::move(made);
    stretch_made_ = true;
  }
  settings_ = s;
  pending_.store(true, std::memory_order_release);
  return Status::Ok();
}

Status FilterChain::StartFade(double target, double duration_ms, FadeCurve curve) {
  if (Status st = CheckRange("fade target", target, 0, 1); !st.ok()) return st;
  if (Status st = CheckRange("durationMs", duration_ms, 0, kFadeMaxMs); !st.ok()) return st;
  std::lock_guard<std::mutex> lock(mutex_);
  fade_request_ = {static_cast<float>(target),
                   static_cast<int64_t>(std::llround(duration_ms * rate_ / 1000.0)), curve};
  fade_pending_.store(true, std::memory_order_release);
  return Status::Ok();
}

FilterSettings FilterChain::filters() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return settings_;
}

FilterChain::StageSet FilterChain::StagesOn(const FilterSettings& s) const noexcept {
  StageSet on{};
  for (int i = 0; i < kStageCount; ++i) on[i] = stages_[i]->On(s);
  return on;
}

// Gives each stage that stays on or comes on its new targets. A stage switching off keeps its
// settings for the call that fades it out; one switching on starts from fresh state.
void FilterChain::Apply(const FilterSettings& s, const StageSet& next) noexcept {
  for (int i = 0; i < kStageCount; ++i) {
    if (!next[i]) continue;
    stages_[i]->Set(s);
    if (!on_[i]) stages_[i]->Reset();
  }
  target_gain_ = static_cast<float>(LavalinkVolumeGain(s.volume));
  // Switched off, the stretch runs on at 1/1/1: what it holds plays out, nothing is cut.
  if (stretch_) stretch_->Set(s.timescale_speed, s.timescale_pitch, s.timescale_rate);
}

void FilterChain::TakePending() noexcept {
  if (fade_pending_.load(std::memory_order_acquire)) {
    std::lock_guard<std::mutex> lock(mutex_);
    fade_.Start(fade_request_.target, fade_request_.frames, fade_request_.curve);
    fade_pending_.store(false, std::memory_order_relaxed);
  }
  if (!pending_.load(std::memory_order_acquire)) return;
  FilterSettings s;
  std::unique_ptr<TimeStretch> made;  // freed, if ever, only with the chain
  {
    std::lock_guard<std::mutex> lock(mutex_);
    s = settings_;
    if (handover_) made = std::move(handover_);
    pending_.store(false, std::memory_order_relaxed);
  }
  if (made) stretch_ = std::move(made);
  next_ = StagesOn(s);
  Apply(s, next_);
}

bool FilterChain::active() const noexcept {
  return pending_.load(std::memory_order_acquire) ||
         fade_pending_.load(std::memory_order_acquire) || running_.load(std::memory_order_acquire);
}

bool FilterChain::Running() const noexcept {
  if (fade_.active() || stretch_) return true;
  for (int i = 0; i < kStageCount; ++i)
    if (on_[i] || next_[i]) return true;
  return gain_ != 1.0f || target_gain_ != 1.0f;
}

void FilterChain::ApplyVolume(float* pcm, int frames) noexcept {
  RampGain(pcm, frames, channels_, gain_, target_gain_);
  gain_ = target_gain_;
}

namespace {

// A NaN or infinity would stay in every recursive filter's state and silence the stream for
// good, so float input is made finite first. The check reads exponent bits (an integer OR that
// vectorises: ~0.2 us a frame); only a frame that has one pays for the fix.
void MakeFinite(float* pcm, size_t n) noexcept {
  uint32_t bad = 0;
  for (size_t i = 0; i < n; ++i) {
    uint32_t bits;
    std::memcpy(&bits, &pcm[i], sizeof bits);
    bad |= static_cast<uint32_t>((bits & 0x7f800000u) == 0x7f800000u);
  }
  if (bad == 0) return;
  for (size_t i = 0; i < n; ++i)
    if (!std::isfinite(pcm[i])) pcm[i] = 0.0f;
}

}  // namespace

void FilterChain::Process(float* pcm, int frames) noexcept {
  frames = std::min(frames, kFilterMaxFrames);
  if (frames > 0 && active()) MakeFinite(pcm, static_cast<size_t>(frames) * channels_);
  for (int at = 0; at < frames; at += kFilterBlockFrames)
    ProcessBlock(pcm + static_cast<size_t>(at) * channels_,
                 std::min(kFilterBlockFrames, frames - at));
}

void FilterChain::ProcessBlock(float* pcm, int frames) noexcept {
  if (frames <= 0) return;
  TakePending();
  if (!Running()) return;
  RunStages(pcm, frames, 0, kStageCount);
  Finish(pcm, frames);
  running_.store(Running(), std::memory_order_release);
}

void FilterChain::RunStages(float* pcm, int frames, int first, int last) noexcept {
  if (frames <= 0) return;
  const size_t samples = static_cast<size_t>(frames) * channels_;
  for (int stage = first; stage < last; ++stage) {
    if (!on_[stage] && !next_[stage]) continue;
    if (on_[stage] == next_[stage]) {
      stages_[stage]->Process(pcm, frames);
      continue;
    }
    // Switching on or off: crossfade the stage's output with its input over this call.
    std::memcpy(dry_.data(), pcm, samples * sizeof(float));
    stages_[stage]->Process(pcm, frames);
    const bool in = next_[stage];
    for (int i = 0; i < frames; ++i) {
      const float w = static_cast<float>(i + 1) / frames;
      const float wet = in ? w : 1.0f - w;
      for (int c = 0; c < channels_; ++c) {
        const size_t k = static_cast<size_t>(i) * channels_ + c;
        pcm[k] = wet * pcm[k] + (1.0f - wet) * dry_[k];
      }
    }
    on_[stage] = next_[stage];
  }
}

void FilterChain::Finish(float* pcm, int frames) noexcept {
  if (frames <= 0) return;
  if (gain_ != 1.0f || target_gain_ != 1.0f) ApplyVolume(pcm, frames);
  if (fade_.active()) fade_.Process(pcm, frames, channels_);
  limiter_.Process(pcm, frames);
}

namespace {

// The s16 conversions run twice a block on every active s16 chain: VOXPOOL_MULTIVERSION.
void ToFloat(const float* in, float* out, size_t n) noexcept { std::memcpy(out, in, n * 4); }
VOXPOOL_MULTIVERSION void ToFloat(const int16_t* in, float* out, size_t n) noexcept {
  pcm::S16ToFloat(in, out, n);
}
void FromFloat(const float* in, float* out, size_t n) noexcept { std::memcpy(out, in, n * 4); }
VOXPOOL_MULTIVERSION void FromFloat(const float* in, int16_t* out, size_t n) noexcept {
  pcm::FloatToS16(in, out, n);
}

}  // namespace

template <typename T>
int FilterChain::StretchInto(T* in, int frames, T* out, int capacity, int granule,
                             bool end) noexcept {
  frames = std::clamp(frames, 0, kFilterMaxFrames);
  granule = std::max(granule, 1);
  TakePending();
  if (!stretch_) {
    // Timescale has never been on: the in-place path, copied out.
    const int n = std::min(frames, std::max(capacity, 0));
    Process(in, n);
    if (out != in) std::memcpy(out, in, static_cast<size_t>(n) * channels_ * sizeof(T));
    return n;
  }
  // Input side: the stages before timescale, then into the stretch.
  for (int at = 0; at < frames; at += kFilterBlockFrames) {
    const int n = std::min(kFilterBlockFrames, frames - at);
    const size_t samples = static_cast<size_t>(n) * channels_;
    float* block = work_.data();
    ToFloat(in + static_cast<size_t>(at) * channels_, block, samples);
    if constexpr (std::is_same_v<T, float>) MakeFinite(block, samples);
    TakePending();
    RunStages(block, n, 0, kStretchAt);
    stretch_->Put(block, n);
  }
  if (end) stretch_->Flush();
  // Output side: whole granules of what is ready (all of it at the end, the last padded).
  int ready = std::min(stretch_->available(), std::max(capacity, 0));
  int pad = 0;
  if (end && ready % granule != 0 && ready - ready % granule + granule <= capacity) {
    pad = granule - ready % granule;
  } else {
    ready -= ready % granule;
  }
  int written = 0;
  while (written < ready) {
    const int got =
        stretch_->Receive(stretched_.data(), std::min(kFilterBlockFrames, ready - written));
    if (got <= 0) break;
    RunStages(stretched_.data(), got, kStretchAt, kStageCount);
    Finish(stretched_.data(), got);
    FromFloat(stretched_.data(), out + static_cast<size_t>(written) * channels_,
              static_cast<size_t>(got) * channels_);
    written += got;
  }
  if (pad > 0) {
    std::memset(out + static_cast<size_t>(written) * channels_, 0,
                static_cast<size_t>(pad) * channels_ * sizeof(T));
    written += pad;
  }
  running_.store(Running(), std::memory_order_release);
  return written;
}

int FilterChain::ProcessInto(int16_t* in, int frames, int16_t* out, int capacity, int granule,
                             bool end) noexcept {
  return StretchInto(in, frames, out, capacity, granule, end);
}

int FilterChain::ProcessInto(float* in, int frames, float* out, int capacity, int granule,
                             bool end) noexcept {
  return StretchInto(in, frames, out, capacity, granule, end);
}

void FilterChain::Process(int16_t* pcm, int frames) noexcept {
  frames = std::min(frames, kFilterMaxFrames);
  for (int at = 0; at < frames; at += kFilterBlockFrames) {
    const int n = std::min(kFilterBlockFrames, frames - at);
    int16_t* block = pcm + static_cast<size_t>(at) * channels_;
    TakePending();
    if (!Running()) continue;  // untouched: bit-exact
    const size_t samples = static_cast<size_t>(n) * channels_;
    ToFloat(block, work_.data(), samples);
    ProcessBlock(work_.data(), n);
    FromFloat(work_.data(), block, samples);
  }
}

bool FilterChain::StretchMade() const noexcept {
  std::lock_guard<std::mutex> lock(mutex_);
  return stretch_made_;
}

size_t FilterChain::memory_bytes() const noexcept {
  return sizeof(FilterChain) +
         (dry_.capacity() + work_.capacity() + stretched_.capacity()) * sizeof(float) +
         (StretchMade() ? TimeStretch::MemoryBytes(channels_) : 0) + loudness_.memory_bytes();
}

}  // namespace voxpool::filter
