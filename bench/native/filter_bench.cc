// FilterChain cost per 20 ms 48 kHz stereo s16 frame (issue 11's target: 15-band EQ <= 15 us).
// Items are frames.
//   node scripts/native.js bench --filter=BM_Filter
#include <benchmark/benchmark.h>

#include <cmath>
#include <memory>
#include <vector>

#include "voxpool/filter/filter_chain.h"

namespace {

using voxpool::filter::FilterChain;
using voxpool::filter::FilterChainOptions;
using voxpool::filter::FilterSettings;

// Music-like enough for a filter (no branch here depends on the signal): two detuned sines.
std::vector<int16_t> Frame() {
  std::vector<int16_t> pcm(960 * 2);
  for (size_t i = 0; i < 960; ++i) {
    pcm[2 * i] = static_cast<int16_t>(9000 * std::sin(i * 0.031) + 3000 * std::sin(i * 0.41));
    pcm[2 * i + 1] = static_cast<int16_t>(9000 * std::sin(i * 0.029) + 3000 * std::sin(i * 0.37));
  }
  return pcm;
}

void Run(benchmark::State& state, const FilterSettings& s) {
  FilterChainOptions o;
  o.filters = s;
  std::unique_ptr<FilterChain> chain;
  if (!FilterChain::Create(o, &chain).ok()) return state.SkipWithError("create");
  const std::vector<int16_t> frame = Frame();
  std::vector<int16_t> pcm(frame.size());
  for (auto _ : state) {
    pcm = frame;
    chain->Process(pcm.data(), 960);
    benchmark::DoNotOptimize(pcm.data());
  }
  state.SetItemsProcessed(state.iterations());
}

FilterSettings Equalizer() {
  FilterSettings s;
  for (int b = 0; b < voxpool::filter::kEqualizerBands; ++b) s.equalizer[b] = 0.05 * (b % 5) - 0.05;
  s.equalizer[4] = 0.2;
  return s;
}

void BM_FilterEqualizer(benchmark::State& state) { Run(state, Equalizer()); }

// Every Lavalink filter but timescale.
FilterSettings LavalinkSet() {
  FilterSettings s = Equalizer();
  s.volume = 0.8;
  s.karaoke = s.tremolo = s.vibrato = s.low_pass = true;
  s.low_pass_smoothing = 2;
  s.rotation_hz = 0.2;
  return s;
}

void BM_FilterLavalinkSet(benchmark::State& state) { Run(state, LavalinkSet()); }

void BM_FilterTremolo(benchmark::State& state) {
  FilterSettings s;
  s.tremolo = true;
  Run(state, s);
}

void BM_FilterVibrato(benchmark::State& state) {
  FilterSettings s;
  s.vibrato = true;
  Run(state, s);
}

// Loudness normalization alone: libebur128's K-weighting and 4x true peak on every frame, a
// 400 ms block read every 5th frame (100 ms), the gain ramp.
void BM_FilterLoudness(benchmark::State& state) {
  FilterSettings s;
  s.loudness = true;
  Run(state, s);
}

// `s` plus Lavalink's nightcore timescale (speed 1.165, pitch 1.125, rate 1.05) through
// ProcessInto(), encoder-style: one 20 ms frame in, the whole 20 ms frames ready out. Per input
// frame.
void RunNightcore(benchmark::State& state, FilterSettings s) {
  FilterChainOptions o;
  o.filters = s;
  o.filters.timescale_speed = 1.165;
  o.filters.timescale_pitch = 1.125;
  o.filters.timescale_rate = 1.05;
  std::unique_ptr<FilterChain> chain;
  if (!FilterChain::Create(o, &chain).ok()) return state.SkipWithError("create");
  const std::vector<int16_t> frame = Frame();
  std::vector<int16_t> pcm(frame.size());
  std::vector<int16_t> out(static_cast<size_t>(chain->OutputCapacity(960)) * 2);
  for (auto _ : state) {
    pcm = frame;
    benchmark::DoNotOptimize(
        chain->ProcessInto(pcm.data(), 960, out.data(), chain->OutputCapacity(960), 960, false));
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_FilterTimescale(benchmark::State& state) { RunNightcore(state, FilterSettings{}); }

// The JS benchmark's "full chain": every Lavalink filter plus nightcore's timescale, as an encoder
// stream's job runs it; what it adds to encoding, without the JS call or the encoder.
void BM_FilterFullChain(benchmark::State& state) { RunNightcore(state, LavalinkSet()); }

// What every active chain pays: s16 <-> float, the limiter, a volume ramp.
void BM_FilterVolumeOnly(benchmark::State& state) {
  FilterSettings s;
  s.volume = 0.8;
  Run(state, s);
}

BENCHMARK(BM_FilterVolumeOnly);
BENCHMARK(BM_FilterEqualizer);
BENCHMARK(BM_FilterLavalinkSet);
BENCHMARK(BM_FilterTremolo);
BENCHMARK(BM_FilterVibrato);
BENCHMARK(BM_FilterLoudness);
BENCHMARK(BM_FilterTimescale);
BENCHMARK(BM_FilterFullChain);

}  // namespace
