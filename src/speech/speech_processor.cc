#include "voxpool/speech/speech_processor.h"

#include <webrtc/modules/audio_processing/include/audio_processing.h>

#include <algorithm>
#include <cmath>
#include <cstring>

namespace voxpool::speech {

bool SpeechRateSupported(int sample_rate) noexcept {
  return sample_rate == 8000 || sample_rate == 16000 || sample_rate == 32000 ||
         sample_rate == 48000;
}

namespace {

Status Invalid(const char* what) { return Status(ErrorCode::kInvalidArgument, what); }

Status Check(const SpeechOptions& o) {
  if (!SpeechRateSupported(o.sample_rate))
    return Invalid("sampleRate must be 8000, 16000, 32000 or 48000");
  if (static_cast<unsigned>(o.noise_suppression) > static_cast<unsigned>(NoiseLevel::kVeryHigh))
    return Invalid("noiseSuppression is not a level");
  if (static_cast<unsigned>(o.gain_control) > static_cast<unsigned>(GainMode::kFixedDigital))
    return Invalid("gainControl.mode is not a mode");
  if (static_cast<unsigned>(o.vad) > static_cast<unsigned>(VadLikelihood::kHigh))
    return Invalid("vad is not a likelihood");
  if (static_cast<unsigned>(o.echo_cancellation) > static_cast<unsigned>(EchoLevel::kHigh))
    return Invalid("echoCancellation is not a level");
  if (o.target_level_dbfs < 0 || o.target_level_dbfs > kSpeechMaxTargetLevelDbfs)
    return Invalid("gainControl.targetLevelDbfs is out of range");
  if (o.compression_gain_db < 0 || o.compression_gain_db > kSpeechMaxCompressionGainDb)
    return Invalid("gainControl.compressionGainDb is out of range");
  if (o.echo_delay_ms < 0 || o.echo_delay_ms > kSpeechMaxEchoDelayMs)
    return Invalid("echoCancellation.delayMs is out of range");
  return Status::Ok();
}

// The module's calls return its error codes; any of them here means a setting it refused.
Status Module(int error, const char* what) {
  return error == webrtc::AudioProcessing::kNoError ? Status::Ok() : Invalid(what);
}

Status Configure(webrtc::AudioProcessing& apm, const SpeechOptions& o) {
  using webrtc::AudioProcessing;
  if (o.noise_suppression != NoiseLevel::kOff) {
    static constexpr webrtc::NoiseSuppression::Level kLevels[] = {
        webrtc::NoiseSuppression::kLow, webrtc::NoiseSuppression::kLow,
        webrtc::NoiseSuppression::kModerate, webrtc::NoiseSuppression::kHigh,
        webrtc::NoiseSuppression::kVeryHigh};
    Status st = Module(apm.noise_suppression()->set_level(
                           kLevels[static_cast<int>(o.noise_suppression)]),
                       "noiseSuppression");
    if (st.ok()) st = Module(apm.noise_suppression()->Enable(true), "noiseSuppression");
    if (!st.ok()) return st;
  }
  if (o.gain_control != GainMode::kOff) {
    webrtc::GainControl& agc = *apm.gain_control();
    Status st = Module(agc.set_mode(o.gain_control == GainMode::kAdaptiveDigital
                                        ? webrtc::GainControl::kAdaptiveDigital
                                        : webrtc::GainControl::kFixedDigital),
                       "gainControl.mode");
    if (st.ok()) st = Module(agc.set_target_level_dbfs(o.target_level_dbfs), "gainControl");
    if (st.ok()) st = Module(agc.set_compression_gain_db(o.compression_gain_db), "gainControl");
    if (st.ok()) st = Module(agc.enable_limiter(o.limiter), "gainControl.limiter");
    if (st.ok()) st = Module(agc.Enable(true), "gainControl");
    if (!st.ok()) return st;
  }
  if (o.vad != VadLikelihood::kOff) {
    static constexpr webrtc::VoiceDetection::Likelihood kLikelihoods[] = {
        webrtc::VoiceDetection::kVeryLowLikelihood, webrtc::VoiceDetection::kVeryLowLikelihood,
        webrtc::VoiceDetection::kLowLikelihood, webrtc::VoiceDetection::kModerateLikelihood,
        webrtc::VoiceDetection::kHighLikelihood};
    webrtc::VoiceDetection& vad = *apm.voice_detection();
    Status st = Module(vad.set_likelihood(kLikelihoods[static_cast<int>(o.vad)]), "vad");
    if (st.ok()) st = Module(vad.set_frame_size_ms(kSpeechChunkMs), "vad");
    if (st.ok()) st = Module(vad.Enable(true), "vad");
    if (!st.ok()) return st;
  }
  if (o.echo_cancellation != EchoLevel::kOff) {
    static constexpr webrtc::EchoCancellation::SuppressionLevel kLevels[] = {
        webrtc::EchoCancellation::kLowSuppression, webrtc::EchoCancellation::kLowSuppression,
        webrtc::EchoCancellation::kModerateSuppression,
        webrtc::EchoCancellation::kHighSuppression};
    webrtc::EchoCancellation& aec = *apm.echo_cancellation();
    Status st = Module(aec.set_suppression_level(kLevels[static_cast<int>(o.echo_cancellation)]),
                       "echoCancellation");
    if (st.ok()) st = Module(aec.enable_drift_compensation(false), "echoCancellation");
    if (st.ok()) st = Module(aec.Enable(true), "echoCancellation");
    if (!st.ok()) return st;
  }
  return Status::Ok();
}

constexpr float kToFloat = 1.0f / 32768.0f;

// Float back to s16 as the module's own S16 conversion does: scaled, rounded, saturated.
int16_t ToS16(float v) noexcept {
  const float x = v * 32768.0f;
  if (x >= 32767.0f) return 32767;
  if (x <= -32768.0f) return -32768;
  return static_cast<int16_t>(std::lrint(x));
}

}  // namespace

Status SpeechProcessor::Create(const SpeechOptions& options,
                               std::unique_ptr<SpeechProcessor>* out) {
  Status st = Check(options);
  if (!st.ok()) return st;
  // WebRTC's extended AEC filter: the longer tail and better convergence it was made the default
  // for (its header recommends it); only read when echo cancellation is on.
  webrtc::Config config;
  config.Set<webrtc::ExtendedFilter>(new webrtc::ExtendedFilter(true));
  // The module's "experimental" AGC is on by default: an analog AGC that steers a microphone's
  // volume, behind a gain_control() that ignores every digital setting below. Off: there is no
  // microphone volume to steer here.
  config.Set<webrtc::ExperimentalAgc>(new webrtc::ExperimentalAgc(false));
  webrtc::AudioProcessing* apm = webrtc::AudioProcessing::Create(config);
  if (apm == nullptr) return Invalid("the audio processing module could not be created");
  std::unique_ptr<SpeechProcessor> self(new SpeechProcessor(options, apm));
  st = Module(apm->Initialize(options.sample_rate, options.sample_rate, options.sample_rate,
                              webrtc::AudioProcessing::kMono, webrtc::AudioProcessing::kMono,
                              webrtc::AudioProcessing::kMono),
              "sampleRate");
  if (st.ok()) st = Configure(*apm, options);
  if (!st.ok()) return st;
  *out = std::move(self);
  return Status::Ok();
}

SpeechProcessor::SpeechProcessor(const SpeechOptions& options,
                                 webrtc::AudioProcessing* apm) noexcept
    : options_(options), chunk_(options.sample_rate * kSpeechChunkMs / 1000), apm_(apm) {}

SpeechProcessor::~SpeechProcessor() = default;

Status SpeechProcessor::CheckSamples(size_t samples) const noexcept {
  const auto chunk = static_cast<size_t>(chunk_);
  if (samples == 0 || samples % chunk != 0 || samples > chunk * (kSpeechMaxFrameMs / kSpeechChunkMs))
    return Invalid("PCM must be whole 10 ms chunks of mono s16, at most 60 ms");
  return Status::Ok();
}

Status SpeechProcessor::Process(int16_t* pcm, int samples, SpeechResult* result) noexcept {
  Status st = CheckSamples(samples < 0 ? 0 : static_cast<size_t>(samples));
  if (!st.ok()) return st;
  const bool aec = options_.echo_cancellation != EchoLevel::kOff;
  const bool vad = options_.vad != VadLikelihood::kOff;
  const webrtc::StreamConfig config(options_.sample_rate, 1);
  double sum = 0;
  int voiced = 0;
  for (int at = 0; at < samples; at += chunk_) {
    int16_t* chunk = pcm + at;
    for (int i = 0; i < chunk_; ++i) capture_[i] = chunk[i] * kToFloat;
    float* channels[1] = {capture_.data()};
    // The module needs the delay before every capture chunk once echo cancellation is on.
    if (aec) apm_->set_stream_delay_ms(options_.echo_delay_ms);
    const int error = apm_->ProcessStream(channels, config, config, channels);
    if (error != webrtc::AudioProcessing::kNoError &&
        error != webrtc::AudioProcessing::kBadStreamParameterWarning)
      return Invalid("the audio processing module refused a chunk");
    for (int i = 0; i < chunk_; ++i) {
      chunk[i] = ToS16(capture_[i]);
      sum += static_cast<double>(chunk[i]) * chunk[i];
    }
    if (vad && chunks_done_ >= kSpeechVadWarmupMs / kSpeechChunkMs &&
        apm_->voice_detection()->stream_has_voice())
      ++voiced;
    ++chunks_done_;
  }
  result->voiced_chunks = voiced;
  result->speech = voiced > 0;
  const double rms = std::sqrt(sum / samples) / 32768.0;
  result->level_dbfs = rms > 0 ? std::max(kSpeechSilenceDbfs, 20.0 * std::log10(rms))
                               : kSpeechSilenceDbfs;
  return Status::Ok();
}

Status SpeechProcessor::ProcessReverse(const int16_t* pcm, int samples) noexcept {
  Status st = CheckSamples(samples < 0 ? 0 : static_cast<size_t>(samples));
  if (!st.ok() || options_.echo_cancellation == EchoLevel::kOff) return st;
  const webrtc::StreamConfig config(options_.sample_rate, 1);
  for (int at = 0; at < samples; at += chunk_) {
    for (int i = 0; i < chunk_; ++i) render_[i] = pcm[at + i] * kToFloat;
    float* channels[1] = {render_.data()};
    if (apm_->ProcessReverseStream(channels, config, config, channels) !=
        webrtc::AudioProcessing::kNoError)
      return Invalid("the audio processing module refused a far-end chunk");
  }
  return Status::Ok();
}

size_t SpeechProcessor::memory_bytes() const noexcept {
  return sizeof(SpeechProcessor) + kSpeechModuleBytes +
         (options_.echo_cancellation != EchoLevel::kOff ? kSpeechEchoBytes : 0);
}

}  // namespace voxpool::speech
