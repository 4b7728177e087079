// Deterministic test audio and comparison helpers shared by the native tests and benchmarks.
// Header-only; nothing here touches the network or the file system.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

namespace voxpool::test {

inline constexpr double kPi = 3.14159265358979323846;

// Interleaved s16 PCM: a sum of four sines below 3 kHz (each channel a different set, so a
// channel swap or a mono down-mix shows up as a low SNR). `frames` is samples per channel.
// Peak amplitude is about -6 dBFS.
inline std::vector<int16_t> SineMix(int sample_rate, int channels, size_t frames) {
  static constexpr double kFreqs[2][4] = {{220.0, 550.0, 1210.0, 2330.0},
                                          {330.0, 770.0, 1650.0, 2750.0}};
  std::vector<int16_t> pcm(frames * static_cast<size_t>(channels));
  for (size_t i = 0; i < frames; ++i) {
    const double t = static_cast<double>(i) / sample_rate;
    for (int c = 0; c < channels; ++c) {
      double v = 0;
      for (double f : kFreqs[c]) v += std::sin(2 * kPi * f * t);
      pcm[i * channels + c] = static_cast<int16_t>(std::lround(v / 4.0 * 16000.0));
    }
  }
  return pcm;
}

// Interleaved float PCM in [-1, 1], the same signal as SineMix.
inline std::vector<float> SineMixFloat(int sample_rate, int channels, size_t frames) {
  std::vector<int16_t> s = SineMix(sample_rate, channels, frames);
  std::vector<float> f(s.size());
  for (size_t i = 0; i < s.size(); ++i) f[i] = static_cast<float>(s[i]) / 32768.0f;
  return f;
}

// Interleaved s16 "music-like" PCM for benchmarks: a few notes with harmonics, a slow tremolo,
// note changes every 250 ms and a little deterministic noise (so the encoder never sees pure
// tones). Same output for the same arguments, on every machine.
inline std::vector<int16_t> MusicLike(int sample_rate, int channels, size_t frames) {
  static constexpr double kNotes[] = {220.0, 261.63, 329.63, 392.0, 440.0, 523.25, 293.66, 349.23};
  std::vector<int16_t> pcm(frames * static_cast<size_t>(channels));
  uint32_t lcg = 12345;
  const size_t note_len = static_cast<size_t>(sample_rate) / 4;
  for (size_t i = 0; i < frames; ++i) {
    const double t = static_cast<double>(i) / sample_rate;
    const size_t note = (i / note_len) % (sizeof(kNotes) / sizeof(kNotes[0]));
    const double phase_in_note = static_cast<double>(i % note_len) / note_len;
    const double env = std::exp(-3.0 * phase_in_note) * (0.8 + 0.2 * std::sin(2 * kPi * 5.0 * t));
    for (int c = 0; c < channels; ++c) {
      const double f0 = kNotes[(note + static_cast<size_t>(c) * 2) % 8];
      double v = 0;
      for (int h = 1; h <= 6; ++h) {
        if (f0 * h * 2 >= sample_rate) break;
        v += std::sin(2 * kPi * f0 * h * t + c * 0.3) / h;
      }
      v += 0.35 * std::sin(2 * kPi * 110.0 * t);  // a bass line under everything
      lcg = lcg * 1664525u + 1013904223u;
      const double noise = (static_cast<double>(lcg >> 8) / (1u << 24) - 0.5) * 0.05;
      const double s = std::clamp((v * env * 0.35 + noise), -1.0, 1.0);
      pcm[i * channels + c] = static_cast<int16_t>(std::lround(s * 32000.0));
    }
  }
  return pcm;
}

// Signal-to-noise ratio in dB of `decoded` against `reference` (both interleaved, same channel
// count), comparing reference[i] with decoded[i + delay] per channel for frames
// [skip, skip + count). Returns -infinity when the range is empty or out of bounds.
template <typename T>
double SnrDb(const std::vector<T>& reference, const std::vector<T>& decoded, int channels,
             size_t delay, size_t skip, size_t count) {
  const size_t ch = static_cast<size_t>(channels);
  if (count == 0 || (skip + count) * ch > reference.size() ||
      (skip + count + delay) * ch > decoded.size()) {
    return -std::numeric_limits<double>::infinity();
  }
  double signal = 0, noise = 0;
  for (size_t i = skip; i < skip + count; ++i) {
    for (size_t c = 0; c < ch; ++c) {
      const double r = static_cast<double>(reference[i * ch + c]);
      const double d = static_cast<double>(decoded[(i + delay) * ch + c]);
      signal += r * r;
      noise += (r - d) * (r - d);
    }
  }
  if (noise == 0) return std::numeric_limits<double>::infinity();
  return 10.0 * std::log10(signal / noise);
}

// Root-mean-square of frames [begin, end) of interleaved PCM (all channels together).
template <typename T>
double Rms(const std::vector<T>& pcm, int channels, size_t begin, size_t end) {
  double sum = 0;
  size_t n = 0;
  for (size_t i = begin * channels; i < end * channels && i < pcm.size(); ++i, ++n) {
    sum += static_cast<double>(pcm[i]) * static_cast<double>(pcm[i]);
  }
  return n == 0 ? 0.0 : std::sqrt(sum / static_cast<double>(n));
}

}  // namespace voxpool::test
