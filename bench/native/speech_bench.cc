// SpeechProcessor cost per 20 ms mono frame (issue 13: NS + AGC + VAD at 16 kHz; speakers per
// core is 20 ms over the time). Items are frames.
//   node scripts/native.js bench --filter=BM_Speech
#include <benchmark/benchmark.h>

#include <cmath>
#include <memory>
#include <vector>

#include "voxpool/speech/speech_processor.h"

namespace {

using voxpool::speech::EchoLevel;
using voxpool::speech::SpeechOptions;
using voxpool::speech::SpeechProcessor;

// Speech-like enough for the module (its VAD and suppressor work on every frame regardless): a
// 150 Hz buzz with formant-ish partials, syllable-rate amplitude, and a little noise.
std::vector<int16_t> Signal(int rate, int frames) {
  std::vector<int16_t> x(static_cast<size_t>(rate / 50 * frames));
  uint32_t seed = 1;
  for (size_t i = 0; i < x.size(); ++i) {
    const double t = static_cast<double>(i) / rate;
    seed = seed * 1103515245u + 12345u;
    const double v = (0.3 * std::sin(2 * M_PI * 150 * t) + 0.2 * std::sin(2 * M_PI * 700 * t) +
                      0.1 * std::sin(2 * M_PI * 2200 * t)) *
                         (0.6 + 0.4 * std::sin(2 * M_PI * 4 * t)) +
                     0.01 * (static_cast<double>(seed >> 16) / 32768.0 - 1.0);
    x[i] = static_cast<int16_t>(v * 32767);
  }
  return x;
}

void Run(benchmark::State& state, const SpeechOptions& o) {
  std::unique_ptr<SpeechProcessor> p;
  if (!SpeechProcessor::Create(o, &p).ok()) return state.SkipWithError("create");
  const int n = o.sample_rate / 50;
  const std::vector<int16_t> signal = Signal(o.sample_rate, 250);
  std::vector<int16_t> frame(static_cast<size_t>(n));
  size_t at = 0;
  for (auto _ : state) {
    std::copy(signal.begin() + at, signal.begin() + at + n, frame.begin());
    at = (at + n) % signal.size();
    voxpool::speech::SpeechResult r;
    if (o.echo_cancellation != EchoLevel::kOff) (void)p->ProcessReverse(frame.data(), n);
    benchmark::DoNotOptimize(p->Process(frame.data(), n, &r));
  }
  state.SetItemsProcessed(state.iterations());
}

// The defaults: moderate noise suppression, adaptive digital AGC, VAD, at 16 kHz.
void BM_SpeechNsAgcVad16k(benchmark::State& state) { Run(state, SpeechOptions{}); }

void BM_SpeechNsAgcVad48k(benchmark::State& state) {
  SpeechOptions o;
  o.sample_rate = 48000;
  Run(state, o);
}

// With echo cancellation (the far end processed too): a full-duplex device.
void BM_SpeechWithEcho16k(benchmark::State& state) {
  SpeechOptions o;
  o.echo_cancellation = EchoLevel::kModerate;
  o.echo_delay_ms = 40;
  Run(state, o);
}

}  // namespace

BENCHMARK(BM_SpeechNsAgcVad16k);
BENCHMARK(BM_SpeechNsAgcVad48k);
BENCHMARK(BM_SpeechWithEcho16k);
