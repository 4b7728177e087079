// Measures libsoxr and libspeexdsp on the rate pairs voice uses, streaming in 20 ms chunks the way
// the mixer feeds them: THD+N/SNR of a 1 kHz tone, passband ripple, worst alias (downsampling),
// per-call output jitter and speed. Not part of the CMake build (the name does not end in
// _bench.cc); build and run it with the command in docs/RESAMPLER.md.
#include <soxr.h>
#include <speex/speex_resampler.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace {

constexpr double kPi = 3.14159265358979323846;

// A streaming mono resampler: Process(in, n) appends to `out`.
struct Engine {
  std::string name;
  std::function<void(const float*, size_t, std::vector<float>*)> process;
};

Engine MakeSpeex(int in_rate, int out_rate, int quality) {
  int err = 0;
  auto st = std::shared_ptr<SpeexResamplerState>(
      speex_resampler_init(1, in_rate, out_rate, quality, &err), speex_resampler_destroy);
  return {"speex q" + std::to_string(quality),
          [st, in_rate, out_rate](const float* in, size_t n, std::vector<float>* out) {
            std::vector<float> buf(n * out_rate / in_rate + 16);
            spx_uint32_t in_len = n, out_len = buf.size();
            speex_resampler_process_float(st.get(), 0, in, &in_len, buf.data(), &out_len);
            out->insert(out->end(), buf.begin(), buf.begin() + out_len);
          }};
}

// `log2_dft` > 0 caps soxr's DFT block sizes (smaller, steadier output chunks).
Engine MakeSoxr(int in_rate, int out_rate, unsigned long recipe, const char* label,
                unsigned log2_dft = 0) {
  soxr_error_t err;
  soxr_quality_spec_t q = soxr_quality_spec(recipe, 0);
  soxr_runtime_spec_t r = soxr_runtime_spec(1);
  if (log2_dft > 0) r.log2_min_dft_size = r.log2_large_dft_size = log2_dft;
  auto st =
      std::shared_ptr<soxr>(soxr_create(in_rate, out_rate, 1, &err, nullptr, &q, &r), soxr_delete);
  return {std::string("soxr ") + label,
          [st, in_rate, out_rate](const float* in, size_t n, std::vector<float>* out) {
            std::vector<float> buf(n * out_rate / in_rate + 4096);
            size_t idone = 0, odone = 0;
            soxr_process(st.get(), in, n, &idone, buf.data(), buf.size(), &odone);
            out->insert(out->end(), buf.begin(), buf.begin() + odone);
          }};
}

using Factory = std::function<Engine(int, int)>;

// Streams `signal` through a fresh engine in 20 ms chunks; returns the output.
std::vector<float> Run(const Factory& make, int in_rate, int out_rate,
                       const std::vector<float>& signal, std::vector<size_t>* chunk_outputs) {
  Engine e = make(in_rate, out_rate);
  std::vector<float> out;
  const size_t chunk = in_rate / 50;
  for (size_t i = 0; i + chunk <= signal.size(); i += chunk) {
    size_t before = out.size();
    e.process(signal.data() + i, chunk, &out);
    if (chunk_outputs) chunk_outputs->push_back(out.size() - before);
  }
  return out;
}

std::vector<float> Tone(double freq, int rate, double seconds, double amp = 0.5) {
  std::vector<float> s(static_cast<size_t>(rate * seconds));
  for (size_t i = 0; i < s.size(); ++i) s[i] = amp * std::sin(2 * kPi * freq * i / rate);
  return s;
}

// Least-squares fit of a sine at `freq` over the settled middle of `y`; returns amplitude and
// (through `residual_power`) the power of what is left (noise + distortion + aliases).
double FitTone(const std::vector<float>& y, double freq, int rate, double* residual_power) {
  const size_t begin = y.size() / 4, end = y.size() * 3 / 4;
  double ss = 0, cc = 0, sc = 0, ys = 0, yc = 0;
  for (size_t i = begin; i < end; ++i) {
    double s = std::sin(2 * kPi * freq * i / rate), c = std::cos(2 * kPi * freq * i / rate);
    ss += s * s;
    cc += c * c;
    sc += s * c;
    ys += y[i] * s;
    yc += y[i] * c;
  }
  const double det = ss * cc - sc * sc;
  const double a = (ys * cc - yc * sc) / det, b = (yc * ss - ys * sc) / det;
  double res = 0;
  for (size_t i = begin; i < end; ++i) {
    double fit = a * std::sin(2 * kPi * freq * i / rate) + b * std::cos(2 * kPi * freq * i / rate);
    res += (y[i] - fit) * (y[i] - fit);
  }
  if (residual_power) *residual_power = res / (end - begin);
  return std::sqrt(a * a + b * b);
}

double Power(const std::vector<float>& y) {
  double p = 0;
  const size_t begin = y.size() / 4, end = y.size() * 3 / 4;
  for (size_t i = begin; i < end; ++i) p += double(y[i]) * y[i];
  return p / (end - begin);
}

void Measure(const Factory& make, const char* name, int in_rate, int out_rate) {
  // SNR (THD+N) of a 1 kHz tone at -6 dBFS.
  double res = 0;
  const double amp = FitTone(Run(make, in_rate, out_rate, Tone(1000, in_rate, 1.0), nullptr), 1000,
                             out_rate, &res);
  const double snr = 10 * std::log10(amp * amp / 2 / res);
  // Passband ripple: gain from 100 Hz to 0.8 x the lower Nyquist, 40 tones.
  const double band = 0.8 * std::min(in_rate, out_rate) / 2;
  double gmin = 1e9, gmax = -1e9;
  for (int k = 0; k < 40; ++k) {
    const double f = 100 + (band - 100) * k / 39;
    const double g =
        20 * std::log10(FitTone(Run(make, in_rate, out_rate, Tone(f, in_rate, 0.5), nullptr), f,
                                out_rate, nullptr) /
                        0.5);
    gmin = std::min(gmin, g);
    gmax = std::max(gmax, g);
  }
  // Aliasing: stepped sweep of tones between 1.05 x the output Nyquist and 0.98 x the input
  // Nyquist; worst output level relative to the input tone (only when downsampling).
  double worst_alias = -INFINITY;
  if (out_rate < in_rate) {
    for (int k = 0; k < 40; ++k) {
      const double lo = 1.05 * out_rate / 2, hi = 0.98 * in_rate / 2;
      const double f = lo + (hi - lo) * k / 39;
      const double p = Power(Run(make, in_rate, out_rate, Tone(f, in_rate, 0.5), nullptr));
      worst_alias = std::max(worst_alias, 10 * std::log10(p / (0.5 * 0.5 / 2) + 1e-30));
    }
  }
  // Output per 20 ms call: min and max (a frame-based mixer wants a steady count).
  std::vector<size_t> chunks;
  Run(make, in_rate, out_rate, Tone(1000, in_rate, 1.0), &chunks);
  size_t cmin = SIZE_MAX, cmax = 0, first = 0;
  while (first < chunks.size() && chunks[first] == 0) ++first;
  for (size_t i = 5; i < chunks.size(); ++i) {  // after start-up
    cmin = std::min(cmin, chunks[i]);
    cmax = std::max(cmax, chunks[i]);
  }
  // Speed: 10 s of stereo-equivalent (two mono passes) in 20 ms chunks; ns per 20 ms mono chunk.
  std::vector<float> noise(in_rate * 10);
  unsigned seed = 1;
  for (auto& v : noise) v = ((seed = seed * 1664525u + 1013904223u) >> 8) / 16777216.0f - 0.5f;
  Engine e = make(in_rate, out_rate);
  std::vector<float> out;
  out.reserve(out_rate * 11);
  const size_t chunk = in_rate / 50;
  auto t0 = std::chrono::steady_clock::now();
  for (size_t i = 0; i + chunk <= noise.size(); i += chunk)
    e.process(noise.data() + i, chunk, &out);
  auto ns = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count();
  std::printf("| %-12s | %5d→%-5d | %6.1f | %6.3f | %7s | %4zu–%-4zu | %3zu | %7.2f |\n", name,
              in_rate, out_rate, snr, gmax - gmin,
              out_rate < in_rate ? std::to_string(int(std::lround(worst_alias))).c_str() : "n/a",
              cmin, cmax, first * 20, ns / (noise.size() / chunk) / 1000.0);
}

}  // namespace

int main() {
  const int pairs[][2] = {
      {48000, 16000}, {16000, 48000}, {44100, 48000}, {48000, 8000}, {24000, 48000}};
  struct Named {
    const char* name;
    Factory make;
  };
  std::vector<Named> engines = {
      {"speex q3", [](int a, int b) { return MakeSpeex(a, b, 3); }},
      {"speex q5", [](int a, int b) { return MakeSpeex(a, b, 5); }},
      {"speex q8", [](int a, int b) { return MakeSpeex(a, b, 8); }},
      {"speex q10", [](int a, int b) { return MakeSpeex(a, b, 10); }},
      {"soxr LQ", [](int a, int b) { return MakeSoxr(a, b, SOXR_LQ, "LQ"); }},
      {"soxr MQ", [](int a, int b) { return MakeSoxr(a, b, SOXR_MQ, "MQ"); }},
      {"soxr HQ", [](int a, int b) { return MakeSoxr(a, b, SOXR_HQ, "HQ"); }},
      {"soxr HQ dft8", [](int a, int b) { return MakeSoxr(a, b, SOXR_HQ, "HQ dft8", 8); }},
      {"soxr HQ dft9", [](int a, int b) { return MakeSoxr(a, b, SOXR_HQ, "HQ dft9", 9); }},
  };
  std::printf(
      "| engine       | rate pair   | SNR dB | ripple dB | alias dB | out/20ms  | first ms | "
      "µs/20ms |\n");
  std::printf("|---|---|---|---|---|---|---|---|\n");
  for (const auto& p : pairs)
    for (const auto& e : engines) Measure(e.make, e.name, p[0], p[1]);
}
