// speech::SpeechProcessor's contract: options checked with the field named, lengths checked
// (whole 10 ms chunks, 1 to 6), the VAD's warm-up reported as no speech, the level measured in
// dBFS, a steady tone's level kept with every stage off, echo cancellation a no-op for the far
// end when off, and memory reported with and without it. (Speech behaviour is measured on real
// speech in test/js/speech.test.js.)
#include "voxpool/speech/speech_processor.h"

#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <vector>

namespace voxpool::speech {
namespace {

std::unique_ptr<SpeechProcessor> Make(const SpeechOptions& o) {
  std::unique_ptr<SpeechProcessor> p;
  const Status st = SpeechProcessor::Create(o, &p);
  EXPECT_TRUE(st.ok()) << st.message();
  return p;
}

TEST(SpeechProcessor, RefusesUnsupportedOptionsWithTheFieldNamed) {
  std::unique_ptr<SpeechProcessor> p;
  SpeechOptions o;
  o.sample_rate = 44100;
  Status st = SpeechProcessor::Create(o, &p);
  EXPECT_EQ(st.code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(st.message().find("sampleRate"), std::string::npos);
  o = SpeechOptions{};
  o.target_level_dbfs = kSpeechMaxTargetLevelDbfs + 1;
  EXPECT_NE(SpeechProcessor::Create(o, &p).message().find("targetLevelDbfs"), std::string::npos);
  o = SpeechOptions{};
  o.echo_delay_ms = -1;
  EXPECT_NE(SpeechProcessor::Create(o, &p).message().find("delayMs"), std::string::npos);
  o = SpeechOptions{};
  o.vad = static_cast<VadLikelihood>(9);
  EXPECT_NE(SpeechProcessor::Create(o, &p).message().find("vad"), std::string::npos);
  EXPECT_EQ(p, nullptr);
}

TEST(SpeechProcessor, TakesWholeChunksUpToSixty) {
  SpeechOptions o;
  o.sample_rate = 48000;
  auto p = Make(o);
  ASSERT_EQ(p->chunk_samples(), 480);
  std::vector<int16_t> pcm(480 * 7);
  SpeechResult r;
  for (int n : {480, 960, 2880}) EXPECT_TRUE(p->Process(pcm.data(), n, &r).ok()) << n;
  for (int n : {0, -480, 479, 481, 3360})
    EXPECT_EQ(p->Process(pcm.data(), n, &r).code(), ErrorCode::kInvalidArgument) << n;
  EXPECT_EQ(p->ProcessReverse(pcm.data(), 100).code(), ErrorCode::kInvalidArgument);
}

TEST(SpeechProcessor, LevelIsTheOutputsRmsInDbfsAndSilenceIsTheFloor) {
  SpeechOptions o;
  o.noise_suppression = NoiseLevel::kOff;
  o.gain_control = GainMode::kOff;
  o.vad = VadLikelihood::kOff;
  auto p = Make(o);
  std::vector<int16_t> pcm(320);
  SpeechResult r;
  ASSERT_TRUE(p->Process(pcm.data(), 320, &r).ok());
  EXPECT_EQ(r.level_dbfs, kSpeechSilenceDbfs);
  EXPECT_FALSE(r.speech);
  // A full-scale/2 sine: RMS 0.5 / sqrt(2), -9.03 dBFS, unchanged with every stage off.
  for (int k = 0; k < 5; ++k) {
    for (int i = 0; i < 320; ++i)
      pcm[i] = static_cast<int16_t>(16384 * std::sin(2 * M_PI * 1000 * (k * 320 + i) / 16000.0));
    const std::vector<int16_t> in = pcm;
    ASSERT_TRUE(p->Process(pcm.data(), 320, &r).ok());
    EXPECT_NEAR(r.level_dbfs, -9.03, 0.05);
    for (int i = 0; i < 320; ++i) ASSERT_NEAR(pcm[i], in[i], 1) << i;
  }
}

TEST(SpeechProcessor, TheVadsWarmUpIsNoSpeech) {
  auto p = Make(SpeechOptions{});
  std::vector<int16_t> pcm(160);
  uint32_t seed = 1;
  int voiced_in_warmup = 0;
  for (int chunk = 0; chunk < kSpeechVadWarmupMs / kSpeechChunkMs; ++chunk) {
    for (auto& v : pcm) {
      seed = seed * 1103515245u + 12345u;
      v = static_cast<int16_t>(static_cast<int>(seed >> 16) % 4000 - 2000);
    }
    SpeechResult r;
    ASSERT_TRUE(p->Process(pcm.data(), 160, &r).ok());
    voiced_in_warmup += r.voiced_chunks;
  }
  EXPECT_EQ(voiced_in_warmup, 0);
}

TEST(SpeechProcessor, MemoryCountsTheEchoCanceller) {
  SpeechOptions o;
  const size_t without = Make(o)->memory_bytes();
  o.echo_cancellation = EchoLevel::kLow;
  const size_t with = Make(o)->memory_bytes();
  EXPECT_GE(without, kSpeechModuleBytes);
  EXPECT_EQ(with - without, kSpeechEchoBytes);
}

}  // namespace
}  // namespace voxpool::speech
