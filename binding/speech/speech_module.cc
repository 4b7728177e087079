// The speech domain's exports: NativeSpeechProcessor and speechConstants (the core's limits,
// defaults and option names, so lib/ validates and explains without typing one).
#include "speech/speech_module.h"

#include "numbers.h"

#include "voxpool/speech/speech_processor.h"

namespace voxpool::binding {
namespace {

template <size_t N>
Napi::Array Names(Napi::Env env, const char* const (&names)[N]) {
  Napi::Array a = Napi::Array::New(env, N);
  for (uint32_t i = 0; i < N; ++i) a.Set(i, names[i]);
  return a;
}

Napi::Object Constants(Napi::Env env) {
  using namespace speech;
  Napi::Object c = Napi::Object::New(env);
  Napi::Array rates = Napi::Array::New(env);
  for (int rate : {8000, 16000, 32000, 48000})
    if (SpeechRateSupported(rate)) rates.Set(rates.Length(), rate);
  c.Set("SAMPLE_RATES", rates);
  SetNumbers(c, {{"CHUNK_MS", kSpeechChunkMs},
                 {"MAX_FRAME_MS", kSpeechMaxFrameMs},
                 {"MAX_TARGET_LEVEL_DBFS", kSpeechMaxTargetLevelDbfs},
                 {"MAX_COMPRESSION_GAIN_DB", kSpeechMaxCompressionGainDb},
                 {"MAX_ECHO_DELAY_MS", kSpeechMaxEchoDelayMs},
                 {"SILENCE_DBFS", kSpeechSilenceDbfs},
                 {"VAD_WARMUP_MS", kSpeechVadWarmupMs}});
  c.Set("NOISE_LEVELS", Names(env, kNoiseLevelNames));
  c.Set("GAIN_MODES", Names(env, kGainModeNames));
  c.Set("VAD_LIKELIHOODS", Names(env, kVadLikelihoodNames));
  c.Set("ECHO_LEVELS", Names(env, kEchoLevelNames));
  const SpeechOptions d;
  Napi::Object defaults = Napi::Object::New(env);
  defaults.Set("sampleRate", d.sample_rate);
  defaults.Set("noiseSuppression", kNoiseLevelNames[static_cast<int>(d.noise_suppression)]);
  defaults.Set("gainControl", kGainModeNames[static_cast<int>(d.gain_control)]);
  defaults.Set("targetLevelDbfs", d.target_level_dbfs);
  defaults.Set("compressionGainDb", d.compression_gain_db);
  defaults.Set("limiter", d.limiter);
  defaults.Set("vad", kVadLikelihoodNames[static_cast<int>(d.vad)]);
  defaults.Set("echoCancellation", kEchoLevelNames[static_cast<int>(d.echo_cancellation)]);
  defaults.Set("echoDelayMs", d.echo_delay_ms);
  c.Set("DEFAULTS", defaults);
  return c;
}

}  // namespace

void InitSpeech(Napi::Env env, Napi::Object exports) {
  exports.Set("NativeSpeechProcessor", DefineNativeSpeechProcessor(env));
  exports.Set("speechConstants", Constants(env));
}

}  // namespace voxpool::binding
