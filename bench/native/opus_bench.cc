// Opus encode/decode cost per 20 ms frame, by sample rate and complexity, and voxpool's Encoder
// against calling libopus directly on the same frames. Items are frames; `x_realtime` is seconds
// of audio processed per second of CPU-bound wall time on one thread.
//
//   node scripts/native.js bench --filter='Opus|Libopus|Voxpool'
#include <algorithm>
#include <memory>
#include <vector>

#include <benchmark/benchmark.h>
#include <opus/opus.h>

#include "test_signal.h"
#include "voxpool/opus/constants.h"
#include "voxpool/opus/decoder.h"
#include "voxpool/opus/encoder.h"

namespace {

using voxpool::opus::Decoder;
using voxpool::opus::Encoder;
using voxpool::opus::EncoderOptions;
using voxpool::opus::kMaxPacketBytes;

constexpr int kChannels = 2;
constexpr int kBitrate = 64000;
constexpr int kFramesInLoop = 50;  // one second of audio, cycled

// One second of deterministic music-like stereo audio at `rate`, as 20 ms frames.
struct Clip {
  explicit Clip(int rate)
      : frame(rate / 50),
        pcm(voxpool::test::MusicLike(rate, kChannels, static_cast<size_t>(frame) * kFramesInLoop)) {
  }
  const int16_t* Frame(int64_t i) const {
    return &pcm[static_cast<size_t>(i % kFramesInLoop) * frame * kChannels];
  }
  const int frame;
  const std::vector<int16_t> pcm;
};

std::unique_ptr<Encoder> MakeEncoder(int rate, int complexity) {
  EncoderOptions options;
  options.sample_rate = rate;
  options.channels = kChannels;
  options.bitrate = kBitrate;
  options.complexity = complexity;
  std::unique_ptr<Encoder> encoder;
  if (!Encoder::Create(options, &encoder).ok()) return nullptr;
  return encoder;
}

void SetCounters(benchmark::State& state, int64_t bytes) {
  state.SetItemsProcessed(state.iterations());
  state.counters["x_realtime"] = benchmark::Counter(static_cast<double>(state.iterations()) * 0.020,
                                                    benchmark::Counter::kIsRate);
  state.counters["bytes_per_frame"] =
      static_cast<double>(bytes) / static_cast<double>(std::max<int64_t>(1, state.iterations()));
}

void RateAndComplexity(benchmark::internal::Benchmark* b) {
  b->ArgNames({"rate", "complexity"});
  for (int rate : voxpool::opus::kSampleRates)
    for (int complexity : {0, 5, 10}) b->Args({rate, complexity});
}

void BM_OpusEncode(benchmark::State& state) {
  const int rate = static_cast<int>(state.range(0));
  const Clip clip(rate);
  std::unique_ptr<Encoder> encoder = MakeEncoder(rate, static_cast<int>(state.range(1)));
  if (!encoder) return state.SkipWithError("encoder creation failed");
  uint8_t packet[kMaxPacketBytes];
  int64_t i = 0, bytes = 0;
  for (auto _ : state) {
    const int n = encoder->Encode(clip.Frame(i++), clip.frame, packet, kMaxPacketBytes);
    if (n < 0) return state.SkipWithError(opus_strerror(n));
    bytes += n;
    benchmark::DoNotOptimize(packet);
  }
  SetCounters(state, bytes);
}
BENCHMARK(BM_OpusEncode)->Apply(RateAndComplexity);

void BM_OpusDecode(benchmark::State& state) {
  const int rate = static_cast<int>(state.range(0));
  const Clip clip(rate);
  std::unique_ptr<Encoder> encoder = MakeEncoder(rate, static_cast<int>(state.range(1)));
  std::unique_ptr<Decoder> decoder;
  if (!encoder || !Decoder::Create(rate, kChannels, &decoder).ok()) {
    return state.SkipWithError("codec creation failed");
  }
  std::vector<std::vector<uint8_t>> packets;
  for (int i = 0; i < kFramesInLoop; ++i) {
    std::vector<uint8_t> p(kMaxPacketBytes);
    const int n = encoder->Encode(clip.Frame(i), clip.frame, p.data(), kMaxPacketBytes);
    if (n < 0) return state.SkipWithError(opus_strerror(n));
    p.resize(static_cast<size_t>(n));
    packets.push_back(std::move(p));
  }
  std::vector<int16_t> out(static_cast<size_t>(clip.frame) * kChannels);
  int64_t i = 0, bytes = 0;
  for (auto _ : state) {
    const std::vector<uint8_t>& p = packets[static_cast<size_t>(i++ % kFramesInLoop)];
    const int n = decoder->Decode(p.data(), p.size(), out.data(), clip.frame, false);
    if (n != clip.frame) return state.SkipWithError("decode failed");
    bytes += static_cast<int64_t>(p.size());
    benchmark::DoNotOptimize(out.data());
  }
  SetCounters(state, bytes);
}
BENCHMARK(BM_OpusDecode)->Apply(RateAndComplexity);

// ---- voxpool vs raw libopus: 48 kHz stereo, 64 kbps, complexity 10 (the real-time config) ----

constexpr int kRate = 48000;
constexpr int kComplexity = 10;

void BM_RawLibopusEncode(benchmark::State& state) {
  const Clip clip(kRate);
  int error = OPUS_OK;
  OpusEncoder* encoder = opus_encoder_create(kRate, kChannels, OPUS_APPLICATION_AUDIO, &error);
  if (error != OPUS_OK) return state.SkipWithError(opus_strerror(error));
  opus_encoder_ctl(encoder, OPUS_SET_BITRATE(kBitrate));
  opus_encoder_ctl(encoder, OPUS_SET_COMPLEXITY(kComplexity));
  uint8_t packet[kMaxPacketBytes];
  int64_t i = 0, bytes = 0;
  for (auto _ : state) {
    const int n = opus_encode(encoder, clip.Frame(i++), clip.frame, packet, kMaxPacketBytes);
    bytes += n;
    benchmark::DoNotOptimize(packet);
  }
  opus_encoder_destroy(encoder);
  SetCounters(state, bytes);
}

void BM_VoxpoolEncode(benchmark::State& state) {
  const Clip clip(kRate);
  std::unique_ptr<Encoder> encoder = MakeEncoder(kRate, kComplexity);
  if (!encoder) return state.SkipWithError("encoder creation failed");
  uint8_t packet[kMaxPacketBytes];
  int64_t i = 0, bytes = 0;
  for (auto _ : state) {
    const int n = encoder->Encode(clip.Frame(i++), clip.frame, packet, kMaxPacketBytes);
    bytes += n;
    benchmark::DoNotOptimize(packet);
  }
  SetCounters(state, bytes);
}

void BM_RawLibopusDecode(benchmark::State& state) {
  const Clip clip(kRate);
  std::unique_ptr<Encoder> encoder = MakeEncoder(kRate, kComplexity);
  int error = OPUS_OK;
  OpusDecoder* decoder = opus_decoder_create(kRate, kChannels, &error);
  if (!encoder || error != OPUS_OK) return state.SkipWithError("codec creation failed");
  std::vector<std::vector<uint8_t>> packets;
  for (int i = 0; i < kFramesInLoop; ++i) {
    std::vector<uint8_t> p(kMaxPacketBytes);
    p.resize(
        static_cast<size_t>(encoder->Encode(clip.Frame(i), clip.frame, p.data(), kMaxPacketBytes)));
    packets.push_back(std::move(p));
  }
  std::vector<int16_t> out(static_cast<size_t>(clip.frame) * kChannels);
  int64_t i = 0, bytes = 0;
  for (auto _ : state) {
    const std::vector<uint8_t>& p = packets[static_cast<size_t>(i++ % kFramesInLoop)];
    if (opus_decode(decoder, p.data(), static_cast<opus_int32>(p.size()), out.data(), clip.frame,
                    0) != clip.frame) {
      return state.SkipWithError("decode failed");
    }
    bytes += static_cast<int64_t>(p.size());
    benchmark::DoNotOptimize(out.data());
  }
  opus_decoder_destroy(decoder);
  SetCounters(state, bytes);
}

void BM_VoxpoolDecode(benchmark::State& state) {
  const Clip clip(kRate);
  std::unique_ptr<Encoder> encoder = MakeEncoder(kRate, kComplexity);
  std::unique_ptr<Decoder> decoder;
  if (!encoder || !Decoder::Create(kRate, kChannels, &decoder).ok()) {
    return state.SkipWithError("codec creation failed");
  }
  std::vector<std::vector<uint8_t>> packets;
  for (int i = 0; i < kFramesInLoop; ++i) {
    std::vector<uint8_t> p(kMaxPacketBytes);
    p.resize(
        static_cast<size_t>(encoder->Encode(clip.Frame(i), clip.frame, p.data(), kMaxPacketBytes)));
    packets.push_back(std::move(p));
  }
  std::vector<int16_t> out(static_cast<size_t>(clip.frame) * kChannels);
  int64_t i = 0, bytes = 0;
  for (auto _ : state) {
    const std::vector<uint8_t>& p = packets[static_cast<size_t>(i++ % kFramesInLoop)];
    if (decoder->Decode(p.data(), p.size(), out.data(), clip.frame, false) != clip.frame) {
      return state.SkipWithError("decode failed");
    }
    bytes += static_cast<int64_t>(p.size());
    benchmark::DoNotOptimize(out.data());
  }
  SetCounters(state, bytes);
}

// Repetitions: the raw/voxpool difference is a few percent, so compare medians, not one run.
BENCHMARK(BM_RawLibopusEncode)->Repetitions(5)->DisplayAggregatesOnly(true);
BENCHMARK(BM_VoxpoolEncode)->Repetitions(5)->DisplayAggregatesOnly(true);
BENCHMARK(BM_RawLibopusDecode)->Repetitions(5)->DisplayAggregatesOnly(true);
BENCHMARK(BM_VoxpoolDecode)->Repetitions(5)->DisplayAggregatesOnly(true);

}  // namespace
