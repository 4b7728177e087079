// NativeSpeechProcessor: the Node-API face of speech::SpeechProcessor (WebRTC's audio processing
// module). process() runs on the calling thread, processAsync() on the processor's strand (in
// submission order); processReverse() feeds the far end on the calling thread, which the module
// allows beside a capture chunk running on the pool (its render side). lib/speech-processor.js
// validates and explains. JS thread only.
#include <cstring>
#include <memory>
#include <vector>

#include "args.h"
#include "errors.h"
#include "options.h"
#include "pool/env_context.h"
#include "pooled_wrap.h"
#include "speech/speech_module.h"
#include "voxpool/speech/speech_processor.h"

namespace voxpool::binding {
namespace {

using speech::SpeechProcessor;
using speech::SpeechResult;

constexpr const char* kPcmMessage = "Expected mono s16 PCM as a Buffer or TypedArray";

// { pcm, speech, voicedChunks, level }: what process() and processAsync() return.
Napi::Object ResultObject(Napi::Env env, const int16_t* pcm, size_t samples,
                          const SpeechResult& r) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("pcm", Napi::Buffer<uint8_t>::Copy(env, reinterpret_cast<const uint8_t*>(pcm),
                                           samples * sizeof(int16_t)));
  o.Set("speech", r.speech);
  o.Set("voicedChunks", r.voiced_chunks);
  o.Set("level", r.level_dbfs);
  return o;
}

// The samples of `pcm` (s16: whole samples only) or a RangeError.
size_t SamplesOf(Napi::Env env, const Bytes& pcm) {
  if (pcm.size % sizeof(int16_t) != 0)
    ThrowRangeError(env, "PCM length is not a whole number of s16 samples");
  return pcm.size / sizeof(int16_t);
}

// One frame through the processor on the pool. Recycled: its vector keeps its capacity.
class SpeechJob final : public JsJob {
 public:
  static std::unique_ptr<SpeechJob> Make(Napi::Env env, std::shared_ptr<SpeechProcessor> p,
                                         const Bytes& pcm, size_t samples) {
    std::unique_ptr<SpeechJob> job = EnvContext::Get(env).Reuse<SpeechJob>();
    if (!job) job = std::make_unique<SpeechJob>();
    job->processor_ = std::move(p);
    job->pcm_.resize(samples);
    std::memcpy(job->pcm_.data(), pcm.data, samples * sizeof(int16_t));
    return job;
  }
  bool recyclable() const override { return true; }
  void ReleaseReferences() override { processor_.reset(); }

  void Run() noexcept override {
    status = processor_->Process(pcm_.data(), static_cast<int>(pcm_.size()), &result_);
  }
  Napi::Value Result(Napi::Env env) override {
    return ResultObject(env, pcm_.data(), pcm_.size(), result_);
  }

 private:
  std::shared_ptr<SpeechProcessor> processor_;
  std::vector<int16_t> pcm_;
  SpeechResult result_;
};

class NativeSpeechProcessor : public PooledWrap<NativeSpeechProcessor, SpeechProcessor> {
 public:
  static constexpr ClassId kClass = ClassId::kSpeechProcessor;

  static Napi::Function Define(Napi::Env env) {
    return DefineWith(env, {VOXPOOL_METHOD(Process), VOXPOOL_METHOD(ProcessAsync),
                            VOXPOOL_METHOD(ProcessReverse)});
  }

  // new NativeSpeechProcessor({ sampleRate, noiseSuppression, gainControl, targetLevelDbfs,
  //   compressionGainDb, limiter, vad, echoCancellation, echoDelayMs, maxQueue?, overflow? }),
  // the levels as indices into speechConstants' name lists.
  explicit NativeSpeechProcessor(const Napi::CallbackInfo& info) : PooledWrap(info) {
    Napi::Object o = OptionsArg(info);
    speech::SpeechOptions s;
    s.sample_rate = IntOr(o, "sampleRate", s.sample_rate);
    s.noise_suppression = static_cast<speech::NoiseLevel>(
        IntOr(o, "noiseSuppression", static_cast<int>(s.noise_suppression)));
    s.gain_control =
        static_cast<speech::GainMode>(IntOr(o, "gainControl", static_cast<int>(s.gain_control)));
    ReadKeys(o, Key("targetLevelDbfs", &s.target_level_dbfs),
             Key("compressionGainDb", &s.compression_gain_db), Key("limiter", &s.limiter));
    s.vad = static_cast<speech::VadLikelihood>(IntOr(o, "vad", static_cast<int>(s.vad)));
    s.echo_cancellation = static_cast<speech::EchoLevel>(
        IntOr(o, "echoCancellation", static_cast<int>(s.echo_cancellation)));
    s.echo_delay_ms = IntOr(o, "echoDelayMs", s.echo_delay_ms);
    AdoptNewCounted(info, o, s);
  }

 private:
  // process(pcm) -> { pcm, speech, voicedChunks, level }, on the calling thread.
  Napi::Value Process(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    SpeechProcessor& p = *Enter(info);
    const size_t samples = CopyIn(info);
    SpeechResult r;
    Check(env, p.Process(scratch_.data(), static_cast<int>(samples), &r));
    return ResultObject(env, scratch_.data(), samples, r);
  }

  // processAsync(pcm) -> Promise of the same, on the strand.
  Napi::Value ProcessAsync(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    const std::shared_ptr<SpeechProcessor>& p = Enter(info);
    const Bytes pcm = BytesArg(info, 0, kPcmMessage);
    const size_t samples = SamplesOf(env, pcm);
    // Checked here too, so a bad length is a synchronous throw rather than a rejection.
    Check(env, p->CheckSamples(samples));
    return Submit(env, SpeechJob::Make(env, p, pcm, samples));
  }

  // processReverse(pcm): the far end, on the calling thread.
  Napi::Value ProcessReverse(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    SpeechProcessor& p = *Enter(info);
    const size_t samples = CopyIn(info);
    Check(env, p.ProcessReverse(scratch_.data(), static_cast<int>(samples)));
    return env.Undefined();
  }

  // The call's PCM argument copied into scratch_ (aligned: a Buffer may sit at an odd offset);
  // its sample count. TypeError / RangeError for anything else.
  size_t CopyIn(const Napi::CallbackInfo& info) {
    const Bytes pcm = BytesArg(info, 0, kPcmMessage);
    const size_t samples = SamplesOf(info.Env(), pcm);
    scratch_.resize(samples);
    if (samples > 0) std::memcpy(scratch_.data(), pcm.data, pcm.size);
    return samples;
  }

  std::vector<int16_t> scratch_;
};

}  // namespace

Napi::Function DefineNativeSpeechProcessor(Napi::Env env) {
  return NativeSpeechProcessor::Define(env);
}

}  // namespace voxpool::binding
