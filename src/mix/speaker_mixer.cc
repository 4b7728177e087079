// FP exceptions are never enabled here, so let GCC if-convert the clamps and selects in the
// sample loops (with the default -ftrapping-math it refuses and leaves them scalar).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("no-trapping-math")
#endif
#include "voxpool/mix/speaker_mixer.h"

#include <algorithm>
#include <cstring>
#include <type_traits>

#include "voxpool/mix/gain_ramp.h"
#include "voxpool/mix/mixer.h"  // kMixerMinCeilingDb: one ceiling range for both mixers
#include "mix_kernels.h"

namespace voxpool::mix {

struct SpeakerMixer::Speaker {
  bool in_use = false;
  uint32_t ssrc = 0;
  uint32_t next_ts = 0;                  // RTP timestamp of the next input frame to play
  std::vector<float> ring;               // ring_frames * input channels
  std::vector<uint8_t> filled;           // ring_frames: 1 where a sample has arrived
  std::vector<float> tick;               // input_tick * input channels: this tick's input
  std::vector<float> last;               // the last received tick, for concealment
  std::unique_ptr<Resampler> resampler;  // null when input and output rates match
  std::vector<float> fifo;               // output frames waiting (output channels), linear
  int fifo_capacity = 0;                 // frames
  int fifo_count = 0;
  int prebuffer = 0;
  bool primed = false;
  std::vector<float> out;  // this tick's output, frame_size * output channels
  bool had_audio = false;
  int conceal_run = 0;
  int idle_ticks = 0;
  bool have_seq = false;
  int64_t first_seq = 0;  // extended sequence numbers (RFC 3550 A.1, simplified)
  int64_t max_seq = 0;
  SpeakerStats stats;
};

namespace {

Status Invalid(const char* message) { return Status(ErrorCode::kInvalidArgument, message); }

int NextPow2(int v) {
  int p = 1;
  while (p < v) p <<= 1;
  return p;
}

}  // namespace

Status SpeakerMixer::Create(const SpeakerMixerOptions& o, std::unique_ptr<SpeakerMixer>* out) {
  Status st = CheckResamplerRates(o.input_rate, o.output_rate);
  if (st.ok()) st = CheckRange("inputChannels", o.input_channels, 1, kMixerMaxChannels);
  if (st.ok()) st = CheckRange("outputChannels", o.output_channels, 1, kMixerMaxChannels);
  if (st.ok())
    st = CheckRange("frameSize", o.frame_size, 1, kSpeakerMaxFrameSize, "samples per channel");
  if (st.ok() && static_cast<int64_t>(o.frame_size) * o.input_rate % o.output_rate != 0) {
    st = Invalid("frameSize must span a whole number of input samples");
  }
  if (st.ok()) st = CheckRange("jitterFrames", o.jitter_frames, 1, kSpeakerMaxJitterFrames);
  if (st.ok()) st = CheckRange("maxSpeakers", o.max_speakers, 1, kSpeakerMaxSpeakers);
  if (st.ok()) st = CheckRange("concealFrames", o.conceal_frames, 0, kSpeakerMaxConcealFrames);
  // The lower bound depends on jitterFrames: idle must outlast the jitter buffer.
  if (st.ok())
    st = CheckRange("idleFrames", o.idle_frames, o.jitter_frames + 1, kSpeakerMaxIdleFrames);
  if (st.ok()) st = CheckRange("ceilingDb", o.ceiling_db, kMixerMinCeilingDb, 0.0);
  if (!st.ok()) return st;
  std::unique_ptr<SpeakerMixer> m(new SpeakerMixer(o));
  if (o.input_rate != o.output_rate) {
    ResamplerOptions r;
    r.input_rate = o.input_rate;
    r.output_rate = o.output_rate;
    r.channels = std::min(o.input_channels, o.output_channels);
    for (Speaker& s : m->speakers_) {
      Status created = Resampler::Create(r, &s.resampler);
      if (!created.ok()) return created;
    }
  }
  *out = std::move(m);
  return Status::Ok();
}

SpeakerMixer::SpeakerMixer(const SpeakerMixerOptions& o)
    : options_(o),
      input_tick_(
          static_cast<int>(static_cast<int64_t>(o.frame_size) * o.input_rate / o.output_rate)),
      ring_frames_(NextPow2(input_tick_ * (o.jitter_frames + 2) + kSpeakerMaxPacketFrames)),
      speakers_(static_cast<size_t>(o.max_speakers)),
      acc_(static_cast<size_t>(o.frame_size) * o.output_channels),
      limiter_([&] {
        LimiterOptions l;
        l.sample_rate = o.output_rate;
        l.channels = o.output_channels;
        l.ceiling = DbToLinear(o.ceiling_db);
        return l;
      }()) {
  const int rc = std::min(o.input_channels, o.output_channels);
  // Output of one tick through the resampler: nominal frame plus soxr's burst allowance.
  const int max_out = o.frame_size + o.output_rate / 10 + 1;
  scratch_.resize(static_cast<size_t>(std::max(input_tick_, max_out)) * 2);
  for (Speaker& s : speakers_) {
    s.ring.resize(static_cast<size_t>(ring_frames_) * o.input_channels);
    s.filled.resize(static_cast<size_t>(ring_frames_));
    s.tick.resize(static_cast<size_t>(input_tick_) * o.input_channels);
    s.last.resize(s.tick.size());
    s.fifo_capacity = max_out + o.frame_size * 4;
    s.fifo.resize(static_cast<size_t>(s.fifo_capacity) * o.output_channels);
    s.out.resize(static_cast<size_t>(o.frame_size) * o.output_channels);
    (void)rc;
  }
}

SpeakerMixer::~SpeakerMixer() = default;

SpeakerMixer::Speaker* SpeakerMixer::Find(uint32_t ssrc) noexcept {
  for (Speaker& s : speakers_)
    if (s.in_use && s.ssrc == ssrc) return &s;
  return nullptr;
}

const SpeakerMixer::Speaker* SpeakerMixer::Find(uint32_t ssrc) const noexcept {
  for (const Speaker& s : speakers_)
    if (s.in_use && s.ssrc == ssrc) return &s;
  return nullptr;
}

void SpeakerMixer::Anchor(Speaker& s, uint32_t timestamp) noexcept {
  s.next_ts = timestamp - static_cast<uint32_t>(input_tick_ * options_.jitter_frames);
  std::fill(s.filled.begin(), s.filled.end(), 0);
}

template <class T>
Status SpeakerMixer::PushImpl(uint32_t ssrc, uint32_t timestamp, uint16_t sequence, const T* pcm,
                              int frames) noexcept {
  if (frames < 1 || frames > kSpeakerMaxPacketFrames) {
    return OutOfRange("A packet", 1, kSpeakerMaxPacketFrames, "frames");
  }
  if (pcm == nullptr) return Invalid("PCM must not be null");
  std::lock_guard<std::mutex> lock(mutex_);
  Speaker* s = Find(ssrc);
  if (s == nullptr) {
    auto it = std::find_if(speakers_.begin(), speakers_.end(),
                           [](const Speaker& x) { return !x.in_use; });
    if (it == speakers_.end())
      return Status(ErrorCode::kQueueFull, "The speaker mixer has maxSpeakers speakers");
    s = &*it;
    s->in_use = true;
    s->ssrc = ssrc;
    s->stats = SpeakerStats();
    s->fifo_count = 0;
    s->primed = false;
    s->prebuffer = s->resampler ? 2 : 0;
    if (s->resampler) s->resampler->Reset();
    s->had_audio = false;
    s->conceal_run = 0;
    s->have_seq = false;
    std::fill(s->out.begin(), s->out.end(), 0.0f);
    Anchor(*s, timestamp);
  }
  ++s->stats.packets;
  s->idle_ticks = 0;

  // Sequence accounting (extended to 64 bits so wraps are handled).
  if (!s->have_seq) {
    s->have_seq = true;
    s->first_seq = s->max_seq = sequence;
  } else {
    const int16_t delta = static_cast<int16_t>(sequence - static_cast<uint16_t>(s->max_seq));
    if (delta > 0) s->max_seq += delta;
  }
  const int64_t expected = s->max_seq - s->first_seq + 1;
  const int64_t received = static_cast<int64_t>(s->stats.packets);
  s->stats.lost_packets = expected > received ? static_cast<uint64_t>(expected - received) : 0;

  int32_t d = static_cast<int32_t>(timestamp - s->next_ts);
  const int32_t resync = options_.input_rate;  // one second
  if (d < -resync || d > ring_frames_ + resync) {
    ++s->stats.resyncs;
    Anchor(*s, timestamp);
    d = static_cast<int32_t>(timestamp - s->next_ts);
  }
  if (d + frames <= 0) {
    ++s->stats.late_packets;
    return Status::Ok();
  }
  if (d + frames > ring_frames_) {
    ++s->stats.early_packets;
    return Status::Ok();
  }
  const int first = d < 0 ? -d : 0;  // the already-played head of a straddling packet is dropped
  const int ch = options_.input_channels;
  const uint32_t mask = static_cast<uint32_t>(ring_frames_ - 1);
  bool any_new = false;
  for (int i = first; i < frames; ++i) {
    const uint32_t slot = (s->next_ts + static_cast<uint32_t>(d + i)) & mask;
    if (s->filled[slot]) continue;
    any_new = true;
    s->filled[slot] = 1;
    float* dst = s->ring.data() + static_cast<size_t>(slot) * ch;
    const T* src = pcm + static_cast<size_t>(i) * ch;
    for (int c = 0; c < ch; ++c) {
      if constexpr (std::is_same_v<T, int16_t>) {
        dst[c] = static_cast<float>(src[c]) * (1.0f / 32768.0f);
      } else {
        dst[c] = src[c];
      }
    }
  }
  if (!any_new) ++s->stats.duplicate_packets;
  return Status::Ok();
}

Status SpeakerMixer::Push(uint32_t ssrc, uint32_t timestamp, uint16_t sequence, const int16_t* pcm,
                          int frames) noexcept {
  return PushImpl(ssrc, timestamp, sequence, pcm, frames);
}
Status SpeakerMixer::Push(uint32_t ssrc, uint32_t timestamp, uint16_t sequence, const float* pcm,
                          int frames) noexcept {
  return PushImpl(ssrc, timestamp, sequence, pcm, frames);
}

Status SpeakerMixer::RemoveSpeaker(uint32_t ssrc) noexcept {
  std::lock_guard<std::mutex> lock(mutex_);
  Speaker* s = Find(ssrc);
  if (s == nullptr) return Invalid("No speaker with this SSRC");
  s->in_use = false;
  return Status::Ok();
}

void SpeakerMixer::TickSpeaker(Speaker& s) noexcept {
  const int ch = options_.input_channels;
  const int oc = options_.output_channels;
  const int n = options_.frame_size;
  const int in_n = input_tick_;
  const uint32_t mask = static_cast<uint32_t>(ring_frames_ - 1);

  // 1. This tick's input from the jitter ring.
  int present = 0;
  for (int i = 0; i < in_n; ++i) {
    const uint32_t slot = (s.next_ts + static_cast<uint32_t>(i)) & mask;
    float* dst = s.tick.data() + static_cast<size_t>(i) * ch;
    if (s.filled[slot]) {
      ++present;
      std::memcpy(dst, s.ring.data() + static_cast<size_t>(slot) * ch, sizeof(float) * ch);
      s.filled[slot] = 0;
    } else {
      for (int c = 0; c < ch; ++c) dst[c] = 0.0f;
    }
  }
  s.next_ts += static_cast<uint32_t>(in_n);
  if (present == in_n) {
    ++s.stats.played_ticks;
    s.had_audio = true;
    s.conceal_run = 0;
    std::memcpy(s.last.data(), s.tick.data(), sizeof(float) * s.tick.size());
  } else if (present > 0) {
    ++s.stats.partial_ticks;
    s.had_audio = true;
    s.conceal_run = 0;
    std::memcpy(s.last.data(), s.tick.data(), sizeof(float) * s.tick.size());
  } else if (options_.conceal == ConcealMode::kRepeatFade && s.had_audio &&
             s.conceal_run < options_.conceal_frames) {
    // Repeat the last stretch, fading linearly to zero across conceal_frames ticks.
    const float total = static_cast<float>(options_.conceal_frames) * in_n;
    const float base = static_cast<float>(s.conceal_run) * in_n;
    for (int i = 0; i < in_n; ++i) {
      const float g = 1.0f - (base + static_cast<float>(i + 1)) / total;
      for (int c = 0; c < ch; ++c) s.tick[i * ch + c] = s.last[i * ch + c] * g;
    }
    ++s.conceal_run;
    ++s.stats.concealed_ticks;
  } else {
    ++s.stats.silent_ticks;
  }

  // 2. Channel mapping (downmix before resampling) and rate conversion.
  const int rc = std::min(ch, oc);
  const float* src = s.tick.data();
  if (ch > rc) {
    pcm::DownmixStereo(s.tick.data(), scratch_.data(), static_cast<size_t>(in_n));
    std::memcpy(s.tick.data(), scratch_.data(), sizeof(float) * in_n);
  }
  int got = in_n;
  if (s.resampler) {
    const int cap = static_cast<int>(scratch_.size() / rc);
    if (!s.resampler->Process(src, in_n, scratch_.data(), cap, &got).ok()) got = 0;
    src = scratch_.data();
  }
  got = std::min(got, s.fifo_capacity - s.fifo_count);
  float* dst = s.fifo.data() + static_cast<size_t>(s.fifo_count) * oc;
  if (rc == oc) {
    std::memcpy(dst, src, sizeof(float) * static_cast<size_t>(got) * oc);
  } else {
    pcm::UpmixMono(src, dst, static_cast<size_t>(got));
  }
  s.fifo_count += got;

  // 3. One output frame once the prebuffer (soxr's burst allowance) has been collected.
  if (!s.primed && s.fifo_count >= n * (1 + s.prebuffer)) s.primed = true;
  if (s.primed && s.fifo_count >= n) {
    std::memcpy(s.out.data(), s.fifo.data(), sizeof(float) * s.out.size());
    s.fifo_count -= n;
    std::memmove(s.fifo.data(), s.fifo.data() + s.out.size(),
                 sizeof(float) * static_cast<size_t>(s.fifo_count) * oc);
  } else {
    s.primed = false;
    std::fill(s.out.begin(), s.out.end(), 0.0f);
  }
}

void SpeakerMixer::MixLocked() noexcept {
  std::fill(acc_.begin(), acc_.end(), 0.0f);
  float* __restrict acc = acc_.data();
  const int total = frame_samples();
  for (Speaker& s : speakers_) {
    if (!s.in_use) continue;
    if (++s.idle_ticks > options_.idle_frames) {
      s.in_use = false;
      continue;
    }
    TickSpeaker(s);
    const float* __restrict o = s.out.data();
    for (int i = 0; i < total; ++i) acc[i] += o[i];
  }
  if (options_.limiter) limiter_.Process(acc, options_.frame_size);
  ++ticks_;
}

void SpeakerMixer::Mix(int16_t* out) noexcept {
  std::lock_guard<std::mutex> lock(mutex_);
  MixLocked();
  kernels::ToS16(acc_.data(), out, acc_.size());
}

void SpeakerMixer::Mix(float* out) noexcept {
  std::lock_guard<std::mutex> lock(mutex_);
  MixLocked();
  std::memcpy(out, acc_.data(), sizeof(float) * acc_.size());
}

int SpeakerMixer::Speakers(uint32_t* out, int capacity) const noexcept {
  std::lock_guard<std::mutex> lock(mutex_);
  int count = 0;
  for (const Speaker& s : speakers_) {
    if (!s.in_use) continue;
    if (count < capacity) out[count] = s.ssrc;
    ++count;
  }
  return count;
}

Status SpeakerMixer::SpeakerFrame(uint32_t ssrc, int16_t* out) const noexcept {
  std::lock_guard<std::mutex> lock(mutex_);
  const Speaker* s = Find(ssrc);
  if (s == nullptr) return Invalid("No speaker with this SSRC");
  kernels::ToS16(s->out.data(), out, s->out.size());
  return Status::Ok();
}

Status SpeakerMixer::SpeakerFrame(uint32_t ssrc, float* out) const noexcept {
  std::lock_guard<std::mutex> lock(mutex_);
  const Speaker* s = Find(ssrc);
  if (s == nullptr) return Invalid("No speaker with this SSRC");
  std::memcpy(out, s->out.data(), sizeof(float) * s->out.size());
  return Status::Ok();
}

Status SpeakerMixer::GetSpeakerStats(uint32_t ssrc, SpeakerStats* out) const noexcept {
  std::lock_guard<std::mutex> lock(mutex_);
  const Speaker* s = Find(ssrc);
  if (s == nullptr) return Invalid("No speaker with this SSRC");
  *out = s->stats;
  return Status::Ok();
}

uint64_t SpeakerMixer::ticks() const noexcept {
  std::lock_guard<std::mutex> lock(mutex_);
  return ticks_;
}

}  // namespace voxpool::mix
