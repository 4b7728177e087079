// Mixer and resampler throughput. Items are frames (one mixed tick, or one resampled 20 ms chunk).
//   ./build-mixer-native/voxpool_bench --benchmark_filter='BM_Mix|BM_Resample'
#include <benchmark/benchmark.h>

#include <cmath>
#include <memory>
#include <vector>

#include "voxpool/mix/mixer.h"
#include "voxpool/mix/resampler.h"

namespace {

using voxpool::mix::DbToLinear;
using voxpool::mix::Mixer;
using voxpool::mix::MixerOptions;

// One tick: push a frame into every source (s16 or f32, at the mixer's rate) and mix it, with a
// non-unity gain per source, a pan on every other one, and the limiter on. args: sources,
// frame size, 0 = s16 / 1 = f32.
void BM_Mix(benchmark::State& state) {
  const int sources = static_cast<int>(state.range(0));
  const int frame = static_cast<int>(state.range(1));
  const bool f32 = state.range(2) == 1;
  MixerOptions o;
  o.frame_size = frame;
  o.max_sources = sources;
  std::unique_ptr<Mixer> m;
  if (!Mixer::Create(o, &m).ok()) return state.SkipWithError("create");
  std::vector<uint32_t> ids(sources);
  for (int s = 0; s < sources; ++s) {
    voxpool::mix::SourceOptions so;
    so.gain = DbToLinear(-3.0f - s % 7);
    so.pan = s % 2 ? 0.3f : 0.0f;
    so.format = f32 ? voxpool::SampleFormat::kF32 : voxpool::SampleFormat::kS16;
    if (!m->AddSource(so, &ids[s]).ok()) return state.SkipWithError("add");
  }
  std::vector<int16_t> s16(static_cast<size_t>(frame) * 2);
  std::vector<float> fl(s16.size());
  for (size_t i = 0; i < s16.size(); ++i) {
    s16[i] = static_cast<int16_t>(12000 * std::sin(i * 0.013));
    fl[i] = s16[i] / 32768.0f;
  }
  std::vector<int16_t> out16(s16.size());
  std::vector<float> outf(s16.size());
  for (auto _ : state) {
    for (uint32_t id : ids) {
      const voxpool::Status st =
          f32 ? m->Push(id, fl.data(), frame) : m->Push(id, s16.data(), frame);
      if (!st.ok()) return state.SkipWithError(st.message().c_str());
    }
    if (f32) {
      m->Mix(outf.data());
      benchmark::DoNotOptimize(outf.data());
    } else {
      m->Mix(out16.data());
      benchmark::DoNotOptimize(out16.data());
    }
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(f32 ? "f32" : "s16");
}
BENCHMARK(BM_Mix)->ArgsProduct({{2, 8, 32}, {64, 256, 960, 2048}, {0, 1}});

// The tick alone (the target: mix 32 stereo 20 ms s16 sources with gains and limiter):
// FIFOs are filled 63 frames ahead outside the timed region, then each iteration is one Mix().
// args: sources, frame size.
void BM_MixTickOnly(benchmark::State& state) {
  const int sources = static_cast<int>(state.range(0));
  const int frame = static_cast<int>(state.range(1));
  MixerOptions o;
  o.frame_size = frame;
  o.max_sources = sources;
  o.queue_frames = voxpool::mix::kMixerMaxQueueFrames;
  std::unique_ptr<Mixer> m;
  if (!Mixer::Create(o, &m).ok()) return state.SkipWithError("create");
  std::vector<uint32_t> ids(sources);
  for (int s = 0; s < sources; ++s) {
    voxpool::mix::SourceOptions so;
    so.gain = DbToLinear(-3.0f - s % 7);
    so.pan = s % 2 ? 0.3f : 0.0f;
    if (!m->AddSource(so, &ids[s]).ok()) return state.SkipWithError("add");
  }
  std::vector<int16_t> s16(static_cast<size_t>(frame) * 2);
  for (size_t i = 0; i < s16.size(); ++i)
    s16[i] = static_cast<int16_t>(12000 * std::sin(i * 0.013));
  std::vector<int16_t> out(s16.size());
  const int ahead = voxpool::mix::kMixerMaxQueueFrames - 1;
  int left = 0;
  for (auto _ : state) {
    if (left == 0) {
      state.PauseTiming();
      for (uint32_t id : ids)
        for (int k = 0; k < ahead; ++k) (void)m->Push(id, s16.data(), frame);
      left = ahead;
      state.ResumeTiming();
    }
    m->Mix(out.data());
    benchmark::DoNotOptimize(out.data());
    --left;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_MixTickOnly)->ArgsProduct({{2, 8, 32}, {960}});

// 20 ms stereo float chunks through one resampler. args: input rate, output rate.
void BM_Resample(benchmark::State& state) {
  voxpool::mix::ResamplerOptions o;
  o.input_rate = static_cast<int>(state.range(0));
  o.output_rate = static_cast<int>(state.range(1));
  o.channels = 2;
  std::unique_ptr<voxpool::mix::Resampler> r;
  if (!voxpool::mix::Resampler::Create(o, &r).ok()) return state.SkipWithError("create");
  const int in = o.input_rate / 50;
  std::vector<float> chunk(static_cast<size_t>(in) * 2);
  for (size_t i = 0; i < chunk.size(); ++i) chunk[i] = 0.3f * std::sin(i * 0.021f);
  std::vector<float> out(static_cast<size_t>(r->MaxOutputFrames(in)) * 2);
  for (auto _ : state) {
    int got = 0;
    (void)r->Process(chunk.data(), in, out.data(), static_cast<int>(out.size() / 2), &got);
    benchmark::DoNotOptimize(got);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Resample)
    ->Args({48000, 16000})
    ->Args({16000, 48000})
    ->Args({44100, 48000})
    ->Args({48000, 44100})
    ->Args({24000, 48000})
    ->Args({48000, 8000})
    ->Args({8000, 48000});

}  // namespace
