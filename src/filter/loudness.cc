#include "voxpool/filter/loudness.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <mutex>

#include "voxpool/filter/ramp.h"

namespace voxpool::filter {
namespace {

// libebur128's meter: its 400 ms loudness (which BS.1770's gating blocks are) and its true peak.
// Not EBUR128_MODE_I, so no EBUR128_MODE_HISTOGRAM either: libebur128 keeps a block list (one
// malloc per 400 ms block, without bound unless ebur128_set_max_history caps it) or a histogram
// only in modes I and LRA (ebur128.c calls ebur128_calc_gating_block only when
// (mode & EBUR128_MODE_I) == EBUR128_MODE_I). In this mode ebur128_add_frames_float filters into
// buffers made by ebur128_init and allocates nothing (test/alloc/alloc_test.cc counts it), and it
// reads none of the tables ebur128_init writes.
constexpr int kMeterMode = EBUR128_MODE_M | EBUR128_MODE_TRUE_PEAK;
// BS.1770: loudness = -0.691 + 10 log10(mean square); the relative gate is 10 LU below the mean
// of the blocks above the absolute gate (-70 LUFS).
constexpr double kLoudnessOffset = -0.691;
constexpr double kAbsoluteGateLufs = -70;
constexpr double kRelativeGateLu = -10;

// ebur128_init writes libebur128's shared tables (relative_gate_factor,
// histogram_energy_boundaries) every time, so two meters must not be created at once.
std::mutex& InitMutex() {
  static std::mutex mutex;
  return mutex;
}

double Energy(double lufs) { return std::pow(10.0, (lufs - kLoudnessOffset) / 10.0); }
double Lufs(double energy) { return kLoudnessOffset + 10.0 * std::log10(energy); }
float Linear(double db) { return static_cast<float>(std::pow(10.0, db / 20.0)); }

// libebur128's true-peak interpolator (49 taps at 4x) reports a sample's inter-sample peaks once
// the 6 frames after it are in, so those of a call's last frames are not measured yet: they are
// taken as at most kTailMargin over the samples' own peak (BS.1770's 4x oversampling itself may
// under-read a true peak by up to about 0.7 dB).
constexpr int kTailFrames = 12;
constexpr float kTailMargin = 1.12202f;  // +1 dB

// Highest |sample| of `frames` interleaved frames.
float SamplePeak(const float* pcm, int frames, int channels) noexcept {
  float peak = 0.0f;
  const long n = static_cast<long>(frames) * channels;
  for (long i = 0; i < n; ++i) peak = std::max(peak, std::fabs(pcm[i]));
  return peak;
}

}  // namespace

void Loudness::MeterDeleter::operator()(ebur128_state* meter) const noexcept {
  ebur128_destroy(&meter);
}

Loudness::Loudness(int sample_rate, int channels) noexcept
    : rate_(sample_rate), channels_(channels), block_frames_((sample_rate + 5) / 10) {
  Reset();
}

Loudness::~Loudness() = default;

Status Loudness::Prepare() {
  std::lock_guard<std::mutex> lock(InitMutex());
  if (owner_) return Status::Ok();
  ebur128_state* meter =
      ebur128_init(static_cast<unsigned>(channels_), static_cast<unsigned long>(rate_), kMeterMode);
  if (meter == nullptr)
    return Status(ErrorCode::kInvalidArgument,
                  "libebur128 could not create its loudness meter (out of memory)");
  owner_.reset(meter);
  meter_.store(meter, std::memory_order_release);
  return Status::Ok();
}

size_t Loudness::memory_bytes() const noexcept {
  if (meter_.load(std::memory_order_acquire) == nullptr) return 0;
  // libebur128 1.2.6's buffers: 400 ms of K-weighted samples (double), and its true-peak
  // interpolator's 400 ms of input and 4x output (float).
  const size_t samples = static_cast<size_t>(4 * block_frames_) * channels_;
  return samples * (sizeof(double) + 5 * sizeof(float));
}

void Loudness::Set(const FilterSettings& s) noexcept {
  target_lufs_ = s.loudness_target_lufs;
  ceiling_db_ = s.loudness_true_peak_db;
  max_gain_db_ = s.loudness_max_gain_db;
  silence_lufs_ = std::max(kAbsoluteGateLufs, target_lufs_ - max_gain_db_ + kRelativeGateLu);
  UpdateTarget();
}

void Loudness::Reset() noexcept {
  window_size_ = 0;
  window_next_ = 0;
  until_block_ = block_frames_;
  warmup_blocks_ = 3;  // the first block read is the 400 ms after this
  segment_peak_ = 0;
  measured_lufs_ = -std::numeric_limits<double>::infinity();
  window_peak_ = 0;
  target_db_ = 0;
  gain_db_ = 0;
  gain_ = 1;
}

void Loudness::Measure() noexcept {
  double sum = 0;
  float peak = 0;
  for (int i = 0; i < window_size_; ++i) {
    sum += window_[i].energy;
    peak = std::max(peak, window_[i].peak);
  }
  // Every block in the window passed the silence gate (at or above the absolute gate).
  const double gate = sum / window_size_ * std::pow(10.0, kRelativeGateLu / 10.0);
  double gated = 0;
  int count = 0;
  for (int i = 0; i < window_size_; ++i) {
    if (window_[i].energy < gate) continue;
    gated += window_[i].energy;
    ++count;
  }
  measured_lufs_ = Lufs(gated / count);  // count >= 1: the loudest block is above the gate
  window_peak_ = peak;
}

void Loudness::UpdateTarget() noexcept {
  if (window_size_ == 0) return;  // nothing measured yet: hold
  double db = std::min(target_lufs_ - measured_lufs_, max_gain_db_);
  if (window_peak_ > 0) db = std::min(db, ceiling_db_ - 20.0 * std::log10(window_peak_));
  target_db_ = db;
}

void Loudness::EndBlock(ebur128_state* meter) noexcept {
  if (warmup_blocks_ > 0) {  // the meter's 400 ms still hold audio from before Reset()
    --warmup_blocks_;
    return;
  }
  double lufs = 0;
  const bool measured = ebur128_loudness_momentary(meter, &lufs) == EBUR128_SUCCESS;
  const float peak = segment_peak_;
  segment_peak_ = 0;
  if (!measured || !(lufs >= silence_lufs_)) return;  // silence: the gain holds
  window_[window_next_] = {Energy(lufs), peak};
  window_next_ = (window_next_ + 1) % kLoudnessWindowBlocks;
  window_size_ = std::min(window_size_ + 1, kLoudnessWindowBlocks);
  Measure();
  UpdateTarget();
}

void Loudness::Process(float* pcm, int frames) noexcept {
  ebur128_state* meter = meter_.load(std::memory_order_acquire);
  if (meter == nullptr || frames <= 0) return;

  // Measure the input, split at the 100 ms boundaries where a block is read.
  float peak = 0;
  for (int at = 0; at < frames;) {
    const int n = std::min(frames - at, until_block_);
    const float* piece = pcm + static_cast<long>(at) * channels_;
    ebur128_add_frames_float(meter, piece, static_cast<size_t>(n));
    float piece_peak = SamplePeak(piece, n, channels_);
    for (int c = 0; c < channels_; ++c) {
      double tp = 0;
      if (ebur128_prev_true_peak(meter, static_cast<unsigned>(c), &tp) == EBUR128_SUCCESS)
        piece_peak = std::max(piece_peak, static_cast<float>(tp));
    }
    segment_peak_ = std::max(segment_peak_, piece_peak);
    peak = std::max(peak, piece_peak);
    at += n;
    until_block_ -= n;
    if (until_block_ == 0) {
      until_block_ = block_frames_;
      EndBlock(meter);
    }
  }

  // The gain moves to its target at the slew limit, then the ceiling bounds it for this call's
  // measured peak: a loud onset cuts it at once, and it comes back up at the rise rate.
  const double seconds = static_cast<double>(frames) / rate_;
  gain_db_ = std::clamp(target_db_, gain_db_ - kLoudnessFallDbPerS * seconds,
                        gain_db_ + kLoudnessRiseDbPerS * seconds);
  float to = Linear(gain_db_);
  const float ceiling = Linear(ceiling_db_);
  if (peak * to > ceiling) {
    to = ceiling / peak;
    gain_db_ = 20.0 * std::log10(to);
  }
  // The last frames' inter-sample peaks are not measured yet: when they could pass the ceiling,
  // this call ends lower and the next ramps back to gain_db_ (a dip of at most the margin).
  const int tail = std::min(frames, kTailFrames);
  const float tail_peak =
      kTailMargin * SamplePeak(pcm + static_cast<long>(frames - tail) * channels_, tail, channels_);
  if (tail_peak * to > ceiling) to = ceiling / tail_peak;
  peak = std::max(peak, tail_peak);
  const float from = gain_;
  gain_ = to;
  if (peak * from <= ceiling) {  // no frame can pass the ceiling anywhere on the ramp
    RampGain(pcm, frames, channels_, from, to);
    return;
  }
  // The old gain is too high for this call's peak: ramp down before the first loud frame (one
  // whose inter-sample peak could reach the ceiling at the old gain), over at most 1 ms.
  const float loud = 0.5f * ceiling / from;
  int first = 0;
  while (first < frames &&
         SamplePeak(pcm + static_cast<long>(first) * channels_, 1, channels_) <= loud)
    ++first;
  const int attack = std::max(1, static_cast<int>(std::lround(rate_ * kLoudnessAttackMs / 1000.0)));
  const int ramp = std::min(first, attack);
  RampGain(pcm, ramp, channels_, from, to);
  const long rest = static_cast<long>(frames - ramp) * channels_;
  float* after = pcm + static_cast<long>(ramp) * channels_;
  for (long i = 0; i < rest; ++i) after[i] *= to;
}

}  // namespace voxpool::filter
