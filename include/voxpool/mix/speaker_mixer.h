// Receive-side mixer: decoded PCM per speaker (SSRC) with RTP timestamp and sequence, aligned on
// one timeline, mixed into one stream (and, on request, one stream per speaker) for recording and
// speech-to-text (e.g. 16 kHz mono out of 48 kHz stereo Opus).
//
// Timeline: a speaker's first packet is scheduled jitter_frames ticks after the tick it arrived
// in; later packets are placed by timestamp relative to it, so reordering and jitter inside the
// window are absorbed. Different SSRCs have unrelated timestamp origins, so speakers are aligned
// to each other by the arrival of their first packet (RTCP sender reports are not available on
// Discord). Per tick and speaker: a fully received stretch plays as is; a missing one is concealed
// (the last stretch repeated with a fade to zero over conceal_frames ticks) or silent; a packet
// whose time has already played is dropped and counted as late; one beyond the window is dropped
// as early; a jump of more than a second (a new talk spurt after a clock reset) re-anchors.
//
// Threading: one mutex guards everything; every public method takes it, Mix() for one tick. Ticks
// must come from one caller at a time, in order.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "voxpool/mix/limiter.h"
#include "voxpool/pcm.h"
#include "voxpool/mix/resampler.h"
#include "voxpool/status.h"

namespace voxpool::mix {

inline constexpr int kSpeakerMaxSpeakers = 256;
inline constexpr int kSpeakerMaxJitterFrames = 50;
inline constexpr int kSpeakerMaxFrameSize = 5760;     // output samples per channel per tick
inline constexpr int kSpeakerMaxPacketFrames = 5760;  // input frames per packet (120 ms at 48 kHz)
inline constexpr int kSpeakerMaxConcealFrames = 50;
inline constexpr int kSpeakerMaxIdleFrames = 1000000;

enum class ConcealMode { kSilence, kRepeatFade };

struct SpeakerMixerOptions {
  int input_rate = 48000;   // Hz of pushed PCM = the RTP clock rate (48000 for Opus)
  int input_channels = 2;   // of pushed PCM, 1 or 2
  int output_rate = 48000;  // Hz, kResamplerMinRate..kResamplerMaxRate
  int output_channels = 2;  // 1 or 2
  int frame_size = 960;     // output samples per channel per tick; must be a whole number of
                            // input samples (frame_size * input_rate % output_rate == 0)
  int jitter_frames = 3;    // ticks of delay that absorb jitter and reordering, 1..50
  int max_speakers = 32;    // 1..kSpeakerMaxSpeakers, allocated up front
  ConcealMode conceal = ConcealMode::kRepeatFade;
  int conceal_frames = 3;    // ticks a gap is concealed before it turns to silence, 0..50
  int idle_frames = 250;     // a speaker with no packets for this many ticks is forgotten
  bool limiter = true;       // on the mixed stream
  float ceiling_db = -0.1f;  // limiter ceiling, dBFS, -24..0
};

struct SpeakerStats {
  uint64_t packets = 0;            // pushes received (including dropped ones)
  uint64_t late_packets = 0;       // dropped: their time had already played
  uint64_t early_packets = 0;      // dropped: beyond the jitter window
  uint64_t duplicate_packets = 0;  // dropped: every sample already present
  uint64_t lost_packets = 0;       // from sequence numbers: expected - received (RFC 3550)
  uint64_t played_ticks = 0;       // ticks with all samples present
  uint64_t partial_ticks = 0;      // ticks with some samples missing (those are silent)
  uint64_t concealed_ticks = 0;    // ticks filled by repeat-and-fade
  uint64_t silent_ticks = 0;       // ticks with nothing received and nothing to conceal
  uint64_t resyncs = 0;            // timeline re-anchored after a jump
};

class SpeakerMixer {
 public:
  // Validates `options` and allocates every buffer (per speaker: jitter ring, FIFOs). Allocates.
  // Thread-safe.
  [[nodiscard]] static Status Create(const SpeakerMixerOptions& options,
                                     std::unique_ptr<SpeakerMixer>* out);
  SpeakerMixer(const SpeakerMixer&) = delete;
  SpeakerMixer& operator=(const SpeakerMixer&) = delete;
  ~SpeakerMixer();

  // Hands over one decoded packet of `frames` interleaved frames (input rate and channels, at most
  // kSpeakerMaxPacketFrames) whose first sample has RTP `timestamp`. A new SSRC takes a free slot
  // (kQueueFull when max_speakers are present). Late, early and duplicate packets are dropped and
  // counted, not errors. Never allocates, except that a new SSRC on a resampling mixer resets its
  // slot's resampler (soxr_clear rebuilds soxr's state; test/alloc). Thread-safe.
  [[nodiscard]] Status Push(uint32_t ssrc, uint32_t timestamp, uint16_t sequence,
                            const int16_t* pcm, int frames) noexcept;
  [[nodiscard]] Status Push(uint32_t ssrc, uint32_t timestamp, uint16_t sequence, const float* pcm,
                            int frames) noexcept;

  // Forgets a speaker now. Never allocates. Thread-safe.
  [[nodiscard]] Status RemoveSpeaker(uint32_t ssrc) noexcept;

  // One tick: writes frame_size * output_channels samples of the mix (limited). Never allocates.
  // Thread-safe; one caller at a time, in order.
  void Mix(int16_t* out) noexcept;
  void Mix(float* out) noexcept;

  // SSRCs of present speakers in slot order; returns how many (writes at most `capacity`).
  // Thread-safe.
  int Speakers(uint32_t* out, int capacity) const noexcept;
  // Copies a speaker's part of the last tick (frame_size * output_channels samples, not limited;
  // s16 saturates). Never allocates. Thread-safe.
  [[nodiscard]] Status SpeakerFrame(uint32_t ssrc, int16_t* out) const noexcept;
  [[nodiscard]] Status SpeakerFrame(uint32_t ssrc, float* out) const noexcept;
  [[nodiscard]] Status GetSpeakerStats(uint32_t ssrc, SpeakerStats* out) const noexcept;

  uint64_t ticks() const noexcept;
  int frame_samples() const noexcept { return options_.frame_size * options_.output_channels; }
  const SpeakerMixerOptions& options() const noexcept { return options_; }

 private:
  struct Speaker;
  explicit SpeakerMixer(const SpeakerMixerOptions& options);
  Speaker* Find(uint32_t ssrc) noexcept;
  const Speaker* Find(uint32_t ssrc) const noexcept;
  template <class T>
  Status PushImpl(uint32_t ssrc, uint32_t timestamp, uint16_t sequence, const T* pcm,
                  int frames) noexcept;
  void Anchor(Speaker& s, uint32_t timestamp) noexcept;
  void TickSpeaker(Speaker& s) noexcept;
  void MixLocked() noexcept;

  const SpeakerMixerOptions options_;
  const int input_tick_;      // input frames per tick
  const int ring_frames_;     // jitter ring length, a power of two (RTP timestamps wrap at 2^32)
  mutable std::mutex mutex_;  // guards everything below; a leaf lock
  std::vector<Speaker> speakers_;
  std::vector<float> acc_;
  std::vector<float> scratch_;  // one tick, downmixed / resampled
  Limiter limiter_;
  uint64_t ticks_ = 0;
};

}  // namespace voxpool::mix
