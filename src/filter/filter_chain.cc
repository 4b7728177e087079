#include "voxpool/filter/filter_chain.h"

#include <algorithm>
#include <cmath>
#include <cstring>

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
      limiter_(LimiterFor(o)),
      settings_(o.filters) {
  // The first frame starts in its settings, without fading in from "no filters".
  next_ = StagesOn(o.filters);
  Apply(o.filters, next_);
  on_ = next_;
  gain_ = target_gain_;
  high_pass_.Reset();
  low_pass_.Reset();
  channel_mix_.Reset();
  rotation_.Reset();
  distortion_.Reset();
  vibrato_.Reset();
  tremolo_.Reset();
  karaoke_.Reset();
  equalizer_.Reset();
  compressor_.Reset();
}

Status FilterChain::Create(const FilterChainOptions& o, std::unique_ptr<FilterChain>* out) {
  if (Status st =
          CheckRange("sampleRate", o.sample_rate, kFilterMinSampleRate, kFilterMaxSampleRate, "Hz");
      !st.ok())
    return st;
  if (Status st = CheckRange("channels", o.channels, 1, kFilterMaxChannels); !st.ok()) return st;
  if (Status st = CheckFilterSettings(o.filters); !st.ok()) return st;
  auto chain = std::make_unique<FilterChain>(o);
  const size_t samples = static_cast<size_t>(kFilterBlockFrames) * o.channels;
  chain->dry_.assign(samples, 0.0f);
  chain->work_.assign(samples, 0.0f);
  *out = std::move(chain);
  return Status::Ok();
}

Status FilterChain::SetFilters(const FilterSettings& s) {
  if (Status st = CheckFilterSettings(s); !st.ok()) return st;
  std::lock_guard<std::mutex> lock(mutex_);
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

FilterChain::StageSet FilterChain::StagesOn(const FilterSettings& s) noexcept {
  StageSet on{};
  on[kHighPass] = s.high_pass;
  on[kLowPass] = LowPassOn(s);
  on[kChannelMix] = ChannelMixOn(s);
  on[kRotation] = s.rotation_hz != 0;
  on[kDistortion] = DistortionOn(s);
  on[kVibrato] = s.vibrato;
  on[kTremolo] = s.tremolo;
  on[kKaraoke] = s.karaoke;
  on[kEqualizer] = EqualizerOn(s);
  on[kCompressor] = s.compressor;
  on[kVolume] = s.volume != 1.0;
  return on;
}

// Gives each stage that stays on or comes on its new targets. A stage switching off keeps its
// settings for the call that fades it out; one switching on starts from fresh state.
void FilterChain::Apply(const FilterSettings& s, const StageSet& next) noexcept {
  auto update = [&](int stage, auto& filter) {
    if (!next[stage]) return;
    filter.Set(s);
    if (!on_[stage]) filter.Reset();
  };
  update(kHighPass, high_pass_);
  update(kLowPass, low_pass_);
  update(kChannelMix, channel_mix_);
  update(kRotation, rotation_);
  update(kDistortion, distortion_);
  update(kVibrato, vibrato_);
  update(kTremolo, tremolo_);
  update(kKaraoke, karaoke_);
  update(kCompressor, compressor_);
  if (next[kEqualizer]) {
    equalizer_.Set(s.equalizer);
    if (!on_[kEqualizer]) equalizer_.Reset();
  }
  target_gain_ = static_cast<float>(LavalinkVolumeGain(s.volume));
}

void FilterChain::TakePending() noexcept {
  if (fade_pending_.load(std::memory_order_acquire)) {
    std::lock_guard<std::mutex> lock(mutex_);
    fade_.Start(fade_request_.target, fade_request_.frames, fade_request_.curve);
    fade_pending_.store(false, std::memory_order_relaxed);
  }
  if (!pending_.load(std::memory_order_acquire)) return;
  FilterSettings s;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    s = settings_;
    pending_.store(false, std::memory_order_relaxed);
  }
  next_ = StagesOn(s);
  Apply(s, next_);
}

bool FilterChain::active() const noexcept {
  // A change the next call takes, or a fade under way or holding.
  if (pending_.load(std::memory_order_acquire) || fade_pending_.load(std::memory_order_acquire))
    return true;
  if (fade_.active()) return true;
  for (int i = 0; i < kStageCount; ++i)
    if (on_[i] || next_[i]) return true;
  return gain_ != 1.0f || target_gain_ != 1.0f;
}

void FilterChain::ApplyVolume(float* pcm, int frames) noexcept {
  const float step = (target_gain_ - gain_) / frames;
  float g = gain_;
  for (int i = 0; i < frames; ++i) {
    g += step;
    for (int c = 0; c < channels_; ++c) pcm[i * channels_ + c] *= g;
  }
  gain_ = target_gain_;
}

void FilterChain::RunStage(int stage, float* pcm, int frames) noexcept {
  switch (stage) {
    case kHighPass:
      high_pass_.Process(pcm, frames);
      break;
    case kLowPass:
      low_pass_.Process(pcm, frames);
      break;
    case kChannelMix:
      channel_mix_.Process(pcm, frames);
      break;
    case kRotation:
      rotation_.Process(pcm, frames);
      break;
    case kDistortion:
      distortion_.Process(pcm, frames);
      break;
    case kVibrato:
      vibrato_.Process(pcm, frames);
      break;
    case kTremolo:
      tremolo_.Process(pcm, frames);
      break;
    case kKaraoke:
      karaoke_.Process(pcm, frames);
      break;
    case kEqualizer:
      equalizer_.Process(pcm, frames);
      break;
    case kCompressor:
      compressor_.Process(pcm, frames);
      break;
    default:
      break;
  }
}

void FilterChain::Process(float* pcm, int frames) noexcept {
  frames = std::min(frames, kFilterMaxFrames);
  for (int at = 0; at < frames; at += kFilterBlockFrames)
    ProcessBlock(pcm + static_cast<size_t>(at) * channels_,
                 std::min(kFilterBlockFrames, frames - at));
}

void FilterChain::ProcessBlock(float* pcm, int frames) noexcept {
  if (frames <= 0) return;
  TakePending();
  if (!active()) return;
  const size_t samples = static_cast<size_t>(frames) * channels_;
  // A NaN or infinity would stay in every recursive filter's state and silence the stream for
  // good; the input is made finite first (x - x is 0 only for finite x; this loop vectorises).
  for (size_t i = 0; i < samples; ++i) pcm[i] = pcm[i] - pcm[i] == 0.0f ? pcm[i] : 0.0f;
  for (int stage = 0; stage < kVolume; ++stage) {
    if (!on_[stage] && !next_[stage]) continue;
    if (on_[stage] == next_[stage]) {
      RunStage(stage, pcm, frames);
      continue;
    }
    // Switching on or off: crossfade the stage's output with its input over this call.
    std::memcpy(dry_.data(), pcm, samples * sizeof(float));
    RunStage(stage, pcm, frames);
    const bool in = next_[stage];
    for (int i = 0; i < frames; ++i) {
      const float w = static_cast<float>(i + 1) / frames;
      const float wet = in ? w : 1.0f - w;
      for (int c = 0; c < channels_; ++c) {
        const size_t k = static_cast<size_t>(i) * channels_ + c;
        pcm[k] = wet * pcm[k] + (1.0f - wet) * dry_[k];
      }
    }
  }
  if (gain_ != 1.0f || target_gain_ != 1.0f) ApplyVolume(pcm, frames);
  if (fade_.active()) fade_.Process(pcm, frames, channels_);
  limiter_.Process(pcm, frames);
  on_ = next_;
}

void FilterChain::Process(int16_t* pcm, int frames) noexcept {
  frames = std::min(frames, kFilterMaxFrames);
  for (int at = 0; at < frames; at += kFilterBlockFrames) {
    const int n = std::min(kFilterBlockFrames, frames - at);
    int16_t* block = pcm + static_cast<size_t>(at) * channels_;
    TakePending();
    if (!active()) continue;  // untouched: bit-exact
    const size_t samples = static_cast<size_t>(n) * channels_;
    pcm::S16ToFloat(block, work_.data(), samples);
    ProcessBlock(work_.data(), n);
    pcm::FloatToS16(work_.data(), block, samples);
  }
}

size_t FilterChain::memory_bytes() const noexcept {
  return sizeof(FilterChain) + (dry_.capacity() + work_.capacity()) * sizeof(float);
}

}  // namespace voxpool::filter
