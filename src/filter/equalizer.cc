#include "voxpool/filter/equalizer.h"

#include <cmath>
#include <cstring>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define VOXPOOL_EQUALIZER_AVX2 1
#endif

namespace voxpool::filter {

Equalizer::Equalizer(int sample_rate, int channels) noexcept : channels_(channels), bands_(0) {
  std::memset(&b0_, 0, sizeof b0_);
  std::memset(&a1_, 0, sizeof a1_);
  std::memset(&a2_, 0, sizeof a2_);
  std::memset(&gain_, 0, sizeof gain_);
  std::memset(&target_, 0, sizeof target_);
  for (int b = 0; b < kEqualizerBands; ++b) {
    if (kEqualizerFrequencies[b] >= kEqualizerMaxBandFraction * sample_rate) break;
    // RBJ cookbook band-pass, constant 0 dB peak gain, normalised by a0.
    const double w0 = 2.0 * M_PI * kEqualizerFrequencies[b] / sample_rate;
    const double alpha = std::sin(w0) / (2.0 * kEqualizerQ);
    const double a0 = 1.0 + alpha;
    b0_.v[b] = static_cast<float>(alpha / a0);
    a1_.v[b] = static_cast<float>(-2.0 * std::cos(w0) / a0);
    a2_.v[b] = static_cast<float>((1.0 - alpha) / a0);
    bands_ = b + 1;
  }
}

void Equalizer::Set(const FilterSettings& s) noexcept {
  for (int b = 0; b < kEqualizerBands; ++b)
    target_.v[b] = b < bands_ ? static_cast<float>(4.0 * s.equalizer[b]) : 0.0f;
}

void Equalizer::Reset() noexcept {
  state_ = State{};
  gain_ = target_;
}

namespace {

constexpr int kLanes = Equalizer::kLanes;

// What one call needs, in the form the kernels run: the band-pass's numerator b0 (1 - z^-2) is
// taken out of the recursion, y' = (x - x[n-2]) - a1 y'[n-1] - a2 y'[n-2], and put back in the
// output weight, b0 x 4 gain. A band then costs two multiply-adds per sample, and the only
// recursion a sample waits on is one multiply-add (y'[n-1] -> y'[n]).
struct Bank {
  const float* a1;
  const float* a2;
  const float* weight;  // b0 x 4 x gain at the call's start
  const float* step;    // per frame; only read when ramping
  float (*y1)[kLanes];  // [channel][lane]: y'[n-1], y'[n-2]
  float (*y2)[kLanes];
  float* x1;  // [channel]: x[n-1], x[n-2]
  float* x2;
};

// Portable kernel (and the one every non-x86 build runs): all lanes of one sample at a time,
// which GCC vectorises for the baseline ISA, then a tree sum across the lanes.
template <int C, bool kRamp>
void RunPortable(float* pcm, int frames, const Bank& k) noexcept {
  // Locals, not the members: every store to the PCM might alias those, and each sample would
  // reload the whole state through memory.
  float a1[kLanes], a2[kLanes], w0[kLanes], step[kLanes], w[kLanes];
  float y1[C][kLanes], y2[C][kLanes], x1[C], x2[C];
  std::memcpy(a1, k.a1, sizeof a1);
  std::memcpy(a2, k.a2, sizeof a2);
  std::memcpy(w0, k.weight, sizeof w0);
  std::memcpy(w, k.weight, sizeof w);
  std::memcpy(step, k.step, sizeof step);
  for (int c = 0; c < C; ++c) {
    std::memcpy(y1[c], k.y1[c], sizeof y1[c]);
    std::memcpy(y2[c], k.y2[c], sizeof y2[c]);
    x1[c] = k.x1[c];
    x2[c] = k.x2[c];
  }
  for (int i = 0; i < frames; ++i) {
    if (kRamp)
      for (int b = 0; b < kLanes; ++b) w[b] = w0[b] + step[b] * static_cast<float>(i + 1);
    for (int c = 0; c < C; ++c) {
      const float x = pcm[i * C + c];
      const float d = x - x2[c];
      x2[c] = x1[c];
      x1[c] = x;
      float out[kLanes];
      for (int b = 0; b < kLanes; ++b) {
        const float y = d - a1[b] * y1[c][b] - a2[b] * y2[c][b];
        y2[c][b] = y1[c][b];
        y1[c][b] = y;
        out[b] = y * w[b];
      }
      // A tree, not a chain of 16 dependent adds: four vector adds, then four scalars.
      float quad[4];
      for (int j = 0; j < 4; ++j) quad[j] = (out[j] + out[j + 4]) + (out[j + 8] + out[j + 12]);
      pcm[i * C + c] = x + ((quad[0] + quad[1]) + (quad[2] + quad[3]));
    }
  }
  for (int c = 0; c < C; ++c) {
    std::memcpy(k.y1[c], y1[c], sizeof y1[c]);
    std::memcpy(k.y2[c], y2[c], sizeof y2[c]);
    k.x1[c] = x1[c];
    k.x2[c] = x2[c];
  }
}

#if defined(VOXPOOL_EQUALIZER_AVX2)

// AVX2 + FMA: a channel's 16 lanes are two ymm registers of state. The sum across the lanes was
// the expensive part (per sample, GCC made ~30 scalar shuffles and adds of it, more than the
// filters' own vector work), so each sample leaves an 8-lane partial (lo x weight + hi x weight)
// and eight samples' partials are summed together by a transpose-and-add tree: 21 instructions
// per 8 samples. Not VOXPOOL_MULTIVERSION: its "avx2" clone has no FMA, and the kernel wants
// AVX-512VL's 32 registers where there are some (below).
#define VOXPOOL_AVX2 __attribute__((target("avx2,fma"), always_inline)) inline

// [x0+x2, y0+y2, x1+x3, y1+y3] in each 128-bit half.
VOXPOOL_AVX2 __m256 SumPairs(__m256 x, __m256 y) {
  return _mm256_add_ps(_mm256_unpacklo_ps(x, y), _mm256_unpackhi_ps(x, y));
}

struct Channel {
  __m256 y1lo, y1hi, y2lo, y2hi;
  float x1, x2;
};

struct Coefficients {
  __m256 a1lo, a1hi, a2lo, a2hi, wlo, whi;
};

// One sample of one channel through the bank: the sample's 8-lane weighted partial.
VOXPOOL_AVX2 __m256 Tick(Channel& ch, float x, const Coefficients& k) {
  const __m256 d = _mm256_set1_ps(x - ch.x2);
  ch.x2 = ch.x1;
  ch.x1 = x;
  const __m256 ylo = _mm256_fnmadd_ps(k.a1lo, ch.y1lo, _mm256_fnmadd_ps(k.a2lo, ch.y2lo, d));
  const __m256 yhi = _mm256_fnmadd_ps(k.a1hi, ch.y1hi, _mm256_fnmadd_ps(k.a2hi, ch.y2hi, d));
  ch.y2lo = ch.y1lo;
  ch.y2hi = ch.y1hi;
  ch.y1lo = ylo;
  ch.y1hi = yhi;
  return _mm256_fmadd_ps(ylo, k.wlo, _mm256_mul_ps(yhi, k.whi));
}

template <int C, bool kRamp>
VOXPOOL_AVX2 void Weights(Coefficients& k, __m256 w0lo, __m256 w0hi, __m256 slo, __m256 shi,
                          int sample) {
  if (!kRamp || sample % C != 0) return;
  const __m256 t = _mm256_set1_ps(static_cast<float>(sample / C + 1));
  k.wlo = _mm256_fmadd_ps(slo, t, w0lo);
  k.whi = _mm256_fmadd_ps(shi, t, w0hi);
}

// Eight samples (8 / C frames) in place. The partials are summed as soon as they pair up, so
// at most a few are live next to the state.
template <int C, bool kRamp>
VOXPOOL_AVX2 void Batch(float* pcm, int at, Channel* ch, Coefficients& k, __m256 w0lo, __m256 w0hi,
                        __m256 slo, __m256 shi) {
  __m256 q[4];
  for (int pair = 0; pair < 4; ++pair) {
    const int s = 2 * pair;
    Weights<C, kRamp>(k, w0lo, w0hi, slo, shi, at + s);
    const __m256 p0 = Tick(ch[s % C], pcm[at + s], k);
    Weights<C, kRamp>(k, w0lo, w0hi, slo, shi, at + s + 1);
    const __m256 p1 = Tick(ch[(s + 1) % C], pcm[at + s + 1], k);
    q[pair] = SumPairs(p0, p1);
  }
  // Each 128-bit half: the four samples' sums of lanes 0-3 (low half) or 4-7 (high half).
  const __m256 lo =
      _mm256_add_ps(_mm256_shuffle_ps(q[0], q[1], 0x44), _mm256_shuffle_ps(q[0], q[1], 0xee));
  const __m256 hi =
      _mm256_add_ps(_mm256_shuffle_ps(q[2], q[3], 0x44), _mm256_shuffle_ps(q[2], q[3], 0xee));
  const __m256 sum =
      _mm256_add_ps(_mm256_permute2f128_ps(lo, hi, 0x20), _mm256_permute2f128_ps(lo, hi, 0x31));
  _mm256_storeu_ps(pcm + at, _mm256_add_ps(_mm256_loadu_ps(pcm + at), sum));
}

template <int C, bool kRamp>
VOXPOOL_AVX2 void Kernel(float* pcm, int frames, const Bank& b) {
  const __m256 w0lo = _mm256_loadu_ps(b.weight), w0hi = _mm256_loadu_ps(b.weight + 8);
  const __m256 slo = _mm256_loadu_ps(b.step), shi = _mm256_loadu_ps(b.step + 8);
  Coefficients k{_mm256_loadu_ps(b.a1),
                 _mm256_loadu_ps(b.a1 + 8),
                 _mm256_loadu_ps(b.a2),
                 _mm256_loadu_ps(b.a2 + 8),
                 w0lo,
                 w0hi};
  Channel ch[C];
  for (int c = 0; c < C; ++c) {
    ch[c] = {_mm256_loadu_ps(b.y1[c]),
             _mm256_loadu_ps(b.y1[c] + 8),
             _mm256_loadu_ps(b.y2[c]),
             _mm256_loadu_ps(b.y2[c] + 8),
             b.x1[c],
             b.x2[c]};
  }
  const int samples = frames * C;
  int at = 0;
  for (; at + 8 <= samples; at += 8) Batch<C, kRamp>(pcm, at, ch, k, w0lo, w0hi, slo, shi);
  // The last samples (fewer than 8) one at a time.
  for (; at < samples; ++at) {
    Weights<C, kRamp>(k, w0lo, w0hi, slo, shi, at);
    const __m256 p = Tick(ch[at % C], pcm[at], k);
    alignas(32) float lanes[8];
    _mm256_store_ps(lanes, p);
    pcm[at] += ((lanes[0] + lanes[4]) + (lanes[1] + lanes[5])) +
               ((lanes[2] + lanes[6]) + (lanes[3] + lanes[7]));
  }
  for (int c = 0; c < C; ++c) {
    _mm256_storeu_ps(b.y1[c], ch[c].y1lo);
    _mm256_storeu_ps(b.y1[c] + 8, ch[c].y1hi);
    _mm256_storeu_ps(b.y2[c], ch[c].y2lo);
    _mm256_storeu_ps(b.y2[c] + 8, ch[c].y2hi);
    b.x1[c] = ch[c].x1;
    b.x2[c] = ch[c].x2;
  }
}

// The same code twice: with AVX-512VL it may use 32 vector registers, so the state, the
// coefficients and the partials of a batch all stay in registers (with 16 some spill).
template <int C, bool kRamp>
__attribute__((target("avx2,fma"))) void RunAvx2(float* pcm, int frames, const Bank& b) noexcept {
  Kernel<C, kRamp>(pcm, frames, b);
}
template <int C, bool kRamp>
__attribute__((target("avx512f,avx512vl,avx2,fma"))) void RunAvx512(float* pcm, int frames,
                                                                    const Bank& b) noexcept {
  Kernel<C, kRamp>(pcm, frames, b);
}

#undef VOXPOOL_AVX2

Equalizer::Kernel Detect() noexcept {
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("fma"))
    return Equalizer::Kernel::kAvx512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
    return Equalizer::Kernel::kAvx2;
  return Equalizer::Kernel::kPortable;
}

#endif  // VOXPOOL_EQUALIZER_AVX2

template <int C, bool kRamp>
void Run(Equalizer::Kernel kernel, float* pcm, int frames, const Bank& k) noexcept {
#if defined(VOXPOOL_EQUALIZER_AVX2)
  if (kernel == Equalizer::Kernel::kAvx512) return RunAvx512<C, kRamp>(pcm, frames, k);
  if (kernel == Equalizer::Kernel::kAvx2) return RunAvx2<C, kRamp>(pcm, frames, k);
#endif
  (void)kernel;
  RunPortable<C, kRamp>(pcm, frames, k);
}

// Denormals appear as a band's state decays after the input goes silent; flushing them once per
// call keeps the next call at full speed.
void Flush(float* v, int n) noexcept {
  for (int i = 0; i < n; ++i)
    if (std::fabs(v[i]) < 1e-30f) v[i] = 0.0f;
}

}  // namespace

void Equalizer::Process(float* pcm, int frames) noexcept {
  if (frames <= 0) return;
  Lanes weight, step;
  bool ramp = false;
  for (int b = 0; b < kLanes; ++b) {
    weight.v[b] = b0_.v[b] * gain_.v[b];
    step.v[b] = b0_.v[b] * (target_.v[b] - gain_.v[b]) / frames;
    ramp |= gain_.v[b] != target_.v[b];
  }
  State& s = state_;
  const Bank bank{a1_.v, a2_.v, weight.v, step.v, s.y1, s.y2, s.x1, s.x2};
  if (channels_ == 2) {
    (ramp ? Run<2, true> : Run<2, false>)(kernel_, pcm, frames, bank);
  } else {
    (ramp ? Run<1, true> : Run<1, false>)(kernel_, pcm, frames, bank);
  }
  for (int c = 0; c < channels_; ++c) {
    Flush(s.y1[c], kLanes);
    Flush(s.y2[c], kLanes);
  }
  gain_ = target_;  // exact at the end of the ramp, whatever the rounding of the steps
}

Equalizer::Kernel Equalizer::BestKernel() noexcept {
#if defined(VOXPOOL_EQUALIZER_AVX2)
  static const Kernel best = Detect();  // initialised once, thread-safely
  return best;
#else
  return Kernel::kPortable;
#endif
}

bool Equalizer::UseKernel(Kernel kernel) noexcept {
  if (kernel > BestKernel()) return false;
  kernel_ = kernel;
  return true;
}

bool Equalizer::On(const FilterSettings& s) const noexcept {
  for (double g : s.equalizer)
    if (g != 0) return true;
  return false;
}

}  // namespace voxpool::filter
