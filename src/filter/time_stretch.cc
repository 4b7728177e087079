#include "voxpool/filter/time_stretch.h"

#include <SoundTouch.h>

#include <algorithm>
#include <vector>

#include "voxpool/filter/filter_settings.h"

namespace voxpool::filter {

namespace {
constexpr int kAntiAliasTaps = 32;  // a multiple of 8 (libSoundTouch's FIR unrolls by 8)
}  // namespace

static_assert(sizeof(soundtouch::SAMPLETYPE) == sizeof(float),
              "voxpool feeds libSoundTouch float samples (Debian's build)");

TimeStretch::TimeStretch() noexcept = default;
TimeStretch::~TimeStretch() = default;

Status TimeStretch::Create(int sample_rate, int channels, std::unique_ptr<TimeStretch>* out) {
  if (Status st = CheckRateAndChannels(sample_rate, channels); !st.ok()) return st;
  std::unique_ptr<TimeStretch> t(new TimeStretch());
  t->st_ = std::make_unique<soundtouch::SoundTouch>();
  soundtouch::SoundTouch& st = *t->st_;
  st.setSampleRate(static_cast<unsigned>(sample_rate));
  st.setChannels(static_cast<unsigned>(channels));
  // Quick seek: the overlap position is found by a coarse-to-fine search instead of an exhaustive
  // one. Measured on a 48 kHz stereo 440 Hz tone (2 cores, 2026-12-02): 34-48 us a 20 ms frame
  // against 59-87 us, with the same duration and pitch to 0.01 semitone (docs/ARCHITECTURE.md).
  st.setSetting(SETTING_USE_QUICKSEEK, 1);
  // Anti-alias filter of the rate transposer: 32 taps instead of SoundTouch's 64. It was half of
  // timescale's cost (perf); halving it saves ~5 us a 20 ms frame of nightcore. What it costs,
  // measured with tones (docs/ARCHITECTURE.md, "Filters"): nothing below 18 kHz, and aliases of
  // the top octave's edge that land above 20 kHz, where no one hears them and Opus codes nothing.
  st.setSetting(SETTING_AA_FILTER_LENGTH, kAntiAliasTaps);
  // Warm-up: SoundTouch grows its FIFOs on demand. Run a second of silence through the settings
  // that leave the most in them (the slowest and the fastest output, the lowest and highest
  // pitch), taking output every block as the chain does, then empty them: their capacity stays.
  const int block = kFilterBlockFrames * sample_rate / 48000;
  std::vector<float> in(static_cast<size_t>(block) * channels, 0.0f);
  std::vector<float> sink(static_cast<size_t>(kTimescaleBurstFrames) * channels);
  const double kSettings[][3] = {{kTimescaleMinRatio, 0.25, 1.0}, {kTimescaleMinRatio, 4.0, 1.0},
                                 {1.0, 4.0, kTimescaleMinRatio},  {1.0, 0.25, kTimescaleMinRatio},
                                 {kTimescaleMaxRatio, 4.0, 1.0},  {kTimescaleMaxRatio, 0.25, 1.0},
                                 {1.0, 0.25, kTimescaleMaxRatio}, {1.0, 4.0, kTimescaleMaxRatio}};
  for (const auto& s : kSettings) {
    t->Set(s[0], s[1], s[2]);
    for (int i = 0; i < 30; ++i) {
      st.putSamples(in.data(), static_cast<unsigned>(block));
      while (st.receiveSamples(sink.data(), kTimescaleBurstFrames) > 0) {
      }
    }
    st.flush();
    while (st.receiveSamples(sink.data(), kTimescaleBurstFrames) > 0) {
    }
  }
  st.clear();
  t->Set(1.0, 1.0, 1.0);
  *out = std::move(t);
  return Status::Ok();
}

size_t TimeStretch::MemoryBytes(int channels) noexcept {
  // SoundTouch's FIFOs (input, mid, output, the transposer's) after the warm-up: each about a
  // burst's worth.
  return sizeof(soundtouch::SoundTouch) +
         static_cast<size_t>(kTimescaleBurstFrames) * channels * sizeof(float) * 4;
}

void TimeStretch::Set(double speed, double pitch, double rate) noexcept {
  st_->setTempo(speed);
  st_->setPitch(pitch);
  st_->setRate(rate);
}

void TimeStretch::Put(const float* pcm, int frames) noexcept {
  if (frames <= 0) return;
  st_->putSamples(pcm, static_cast<unsigned>(frames));
  unflushed_ = true;
}

int TimeStretch::available() const noexcept { return static_cast<int>(st_->numSamples()); }

int TimeStretch::Receive(float* out, int max_frames) noexcept {
  if (max_frames <= 0) return 0;
  return static_cast<int>(st_->receiveSamples(out, static_cast<unsigned>(max_frames)));
}

void TimeStretch::Flush() noexcept {
  // SoundTouch's flush() pads with silence every time it is called, so only input not flushed
  // yet is: a second end of stream adds nothing.
  if (!unflushed_) return;
  st_->flush();
  unflushed_ = false;
}

}  // namespace voxpool::filter
