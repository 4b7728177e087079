// NativeMixer / NativeResampler / NativeSpeakerMixer / NativeVolume: the Node-API face of the
// mixer core. JS (lib/mixer.js, lib/resampler.js, lib/speaker-mixer.js, lib/mixer-streams.js)
// validates and explains; this file re-checks cheap invariants, converts values and submits ticks
// to a per-mixer strand so asynchronous ticks run in order.
#include "mixer_binding.h"

#include <soxr.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "bytes.h"
#include "pool/env_context.h"
#include "errors.h"
#include "external_memory.h"
#include "pool/js_result.h"
#include "pool/lazy_strand.h"
#include "options.h"
#include "voxpool/mix/mixer.h"
#include "voxpool/mix/resampler.h"
#include "voxpool/mix/speaker_mixer.h"
#include "voxpool/mix/volume.h"
#include "wrap.h"

namespace voxpool::binding {
namespace {

constexpr napi_type_tag kMixerTag = {0x766f78706f6f6c04ULL, 0x4d69786572000004ULL};
constexpr napi_type_tag kResamplerTag = {0x766f78706f6f6c05ULL, 0x526573616d700005ULL};
constexpr napi_type_tag kSpeakerMixerTag = {0x766f78706f6f6c06ULL, 0x5370656b72000006ULL};
constexpr napi_type_tag kVolumeTag = {0x766f78706f6f6c07ULL, 0x566f6c756d650007ULL};

SampleFormat FormatOf(const Napi::Object& o) {
  Napi::Value v = o.Get("format");
  return v.IsString() && v.As<Napi::String>().Utf8Value() == "f32le" ? SampleFormat::kF32
                                                                     : SampleFormat::kS16;
}
Napi::Object OptionsArg(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsObject())
    ThrowTypeError(info.Env(), "Expected an options object");
  return info[0].As<Napi::Object>();
}
uint32_t U32Arg(const Napi::CallbackInfo& info, size_t i, const char* message) {
  if (info.Length() <= i || !info[i].IsNumber()) ThrowTypeError(info.Env(), message);
  return info[i].As<Napi::Number>().Uint32Value();
}
double NumberArg(const Napi::CallbackInfo& info, size_t i, const char* message) {
  if (info.Length() <= i || !info[i].IsNumber()) ThrowTypeError(info.Env(), message);
  return info[i].As<Napi::Number>().DoubleValue();
}
bool BoolArg(const Napi::CallbackInfo& info, size_t i, const char* message) {
  if (info.Length() <= i || !info[i].IsBoolean()) ThrowTypeError(info.Env(), message);
  return info[i].As<Napi::Boolean>().Value();
}
void Check(Napi::Env env, const Status& st) {
  if (!st.ok()) Throw(env, st);
}

// PCM bytes as whole frames of `format` x `channels`; returns the frame count. The data is copied
// into `aligned` when the view is not aligned for its sample type (a Buffer may start anywhere).
int PcmFrames(Napi::Env env, napi_value value, SampleFormat format, int channels, int max_frames,
              std::vector<uint8_t>* aligned, const uint8_t** data) {
  Bytes pcm;
  if (!GetBytes(env, value, &pcm)) ThrowTypeError(env, "Expected PCM as a Buffer or TypedArray");
  const size_t frame_bytes = BytesPerSample(format) * static_cast<size_t>(channels);
  if (pcm.size % frame_bytes != 0)
    ThrowRangeError(env,
                    "PCM length is not a whole number of frames for this format and channel count");
  const size_t frames = pcm.size / frame_bytes;
  if (frames > static_cast<size_t>(max_frames)) ThrowRangeError(env, "PCM chunk is too long");
  *data = pcm.data;
  if (reinterpret_cast<uintptr_t>(pcm.data) % BytesPerSample(format) != 0) {
    aligned->assign(pcm.data, pcm.data + pcm.size);
    *data = aligned->data();
  }
  return static_cast<int>(frames);
}

// ----- jobs ---------------------------------------------------------------------------------

class MixJob final : public pool::Job, public JsResult {
 public:
  MixJob(std::shared_ptr<mix::Mixer> mixer, SampleFormat format)
      : mixer_(std::move(mixer)),
        format_(format),
        out_(static_cast<size_t>(mixer_->frame_samples()) * BytesPerSample(format)) {}
  void Run() noexcept override {
    if (format_ == SampleFormat::kS16) {
      mixer_->Mix(reinterpret_cast<int16_t*>(out_.data()));
    } else {
      mixer_->Mix(reinterpret_cast<float*>(out_.data()));
    }
  }
  Napi::Value Result(Napi::Env env) override {
    return Napi::Buffer<uint8_t>::Copy(env, out_.data(), out_.size());
  }

 private:
  std::shared_ptr<mix::Mixer> mixer_;
  SampleFormat format_;
  std::vector<uint8_t> out_;  // operator new alignment suits int16/float
};

// One speaker-mixer tick; with `per_speaker`, also each speaker's frame.
class SpeakerMixJob final : public pool::Job, public JsResult {
 public:
  SpeakerMixJob(std::shared_ptr<mix::SpeakerMixer> mixer, SampleFormat format, bool per_speaker)
      : mixer_(std::move(mixer)), format_(format), per_speaker_(per_speaker) {}

  void Run() noexcept override {
    const size_t bytes = static_cast<size_t>(mixer_->frame_samples()) * BytesPerSample(format_);
    mixed_.resize(bytes);
    Tick(mixed_.data());
    if (!per_speaker_) return;
    uint32_t ids[mix::kSpeakerMaxSpeakers];
    const int n = mixer_->Speakers(ids, mix::kSpeakerMaxSpeakers);
    for (int i = 0; i < n && i < mix::kSpeakerMaxSpeakers; ++i) {
      std::vector<uint8_t> frame(bytes);
      const Status st = format_ == SampleFormat::kS16
                            ? mixer_->SpeakerFrame(ids[i], reinterpret_cast<int16_t*>(frame.data()))
                            : mixer_->SpeakerFrame(ids[i], reinterpret_cast<float*>(frame.data()));
      if (st.ok()) speakers_.emplace_back(ids[i], std::move(frame));
    }
  }
  Napi::Value Result(Napi::Env env) override {
    Napi::Buffer<uint8_t> mixed = Napi::Buffer<uint8_t>::Copy(env, mixed_.data(), mixed_.size());
    if (!per_speaker_) return mixed;
    Napi::Object result = Napi::Object::New(env);
    result.Set("mixed", mixed);
    Napi::Array speakers = Napi::Array::New(env, speakers_.size());
    for (size_t i = 0; i < speakers_.size(); ++i) {
      Napi::Object s = Napi::Object::New(env);
      s.Set("ssrc", Napi::Number::New(env, speakers_[i].first));
      s.Set("pcm", Napi::Buffer<uint8_t>::Copy(env, speakers_[i].second.data(),
                                               speakers_[i].second.size()));
      speakers.Set(static_cast<uint32_t>(i), s);
    }
    result.Set("speakers", speakers);
    return result;
  }

 private:
  void Tick(uint8_t* out) noexcept {
    if (format_ == SampleFormat::kS16) {
      mixer_->Mix(reinterpret_cast<int16_t*>(out));
    } else {
      mixer_->Mix(reinterpret_cast<float*>(out));
    }
  }
  std::shared_ptr<mix::SpeakerMixer> mixer_;
  SampleFormat format_;
  bool per_speaker_;
  std::vector<uint8_t> mixed_;
  std::vector<std::pair<uint32_t, std::vector<uint8_t>>> speakers_;
};

// ----- NativeMixer --------------------------------------------------------------------------

class NativeMixer : public Napi::ObjectWrap<NativeMixer> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "NativeMixer",
                       {
                           InstanceMethod<&NativeMixer::AddSource>("addSource"),
                           InstanceMethod<&NativeMixer::RemoveSource>("removeSource"),
                           InstanceMethod<&NativeMixer::Push>("push"),
                           InstanceMethod<&NativeMixer::PushMany>("pushMany"),
                           InstanceMethod<&NativeMixer::MixWith>("mixWith"),
                           InstanceMethod<&NativeMixer::MixAsyncWith>("mixAsyncWith"),
                           InstanceMethod<&NativeMixer::SetGain>("setGain"),
                           InstanceMethod<&NativeMixer::SetMuted>("setMuted"),
                           InstanceMethod<&NativeMixer::SetSolo>("setSolo"),
                           InstanceMethod<&NativeMixer::SetPan>("setPan"),
                           InstanceMethod<&NativeMixer::SetDucker>("setDucker"),
                           InstanceMethod<&NativeMixer::ClearSource>("clearSource"),
                           InstanceMethod<&NativeMixer::SetMasterGain>("setMasterGain"),
                           InstanceMethod<&NativeMixer::SetDucking>("setDucking"),
                           InstanceMethod<&NativeMixer::Mix>("mix"),
                           InstanceMethod<&NativeMixer::MixAsync>("mixAsync"),
                           InstanceMethod<&NativeMixer::SourceStats>("sourceStats"),
                           InstanceMethod<&NativeMixer::Stats>("stats"),
                           InstanceMethod<&NativeMixer::Pending>("pending"),
                           InstanceMethod<&NativeMixer::Destroy>("destroy"),
                       });
  }

  // new NativeMixer({ sampleRate, channels, frameSize, format, maxSources?, queueFrames?,
  //                   limiter?, ceilingDb?, limiterReleaseMs?, maxQueue?, overflow? })
  explicit NativeMixer(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NativeMixer>(info) {
    Napi::Env env = info.Env();
    Napi::Object o = OptionsArg(info);
    mix::MixerOptions m;
    m.sample_rate = IntOr(o, "sampleRate", m.sample_rate);
    m.channels = IntOr(o, "channels", m.channels);
    m.frame_size = IntOr(o, "frameSize", m.frame_size);
    m.max_sources = IntOr(o, "maxSources", m.max_sources);
    m.queue_frames = IntOr(o, "queueFrames", m.queue_frames);
    m.limiter = BoolOr(o, "limiter", m.limiter);
    m.ceiling_db = static_cast<float>(NumberOr(o, "ceilingDb", m.ceiling_db));
    m.limiter_release_ms =
        static_cast<float>(NumberOr(o, "limiterReleaseMs", m.limiter_release_ms));
    format_ = FormatOf(o);
    strand_ = LazyStrand(ReadStrandOptions(o));
    std::unique_ptr<mix::Mixer> mixer;
    Check(env, mix::Mixer::Create(m, &mixer));
    mixer_ = std::move(mixer);
    napi_type_tag_object(env, info.This(), &kMixerTag);
    // Tell V8 what the wrapper holds (FIFOs for every source slot), so an undestroyed mixer
    // creates GC pressure proportional to its real size.
    memory_.Set(env, static_cast<int64_t>(m.max_sources) * m.queue_frames * m.frame_size *
                         m.channels * static_cast<int64_t>(sizeof(float)) +
                     static_cast<int64_t>(mix::kMixerMaxPushFrames) * 2 * sizeof(float) * 8);
  }

  ~NativeMixer() override { memory_.Release(Env()); }

 private:
  struct SourceInfo {
    SampleFormat format;
    int channels;
  };
  struct BatchItem {  // one checked push of a pushMany() batch
    uint32_t id;
    SampleFormat format;
    const uint8_t* data;
    size_t size;
    int frames;
  };


  static NativeMixer* Of(Napi::Env env, napi_value value) {
    return UnwrapTagged<NativeMixer>(env, value, kMixerTag,
                                     "Expected a NativeMixer (illegal invocation)");
  }
  const std::shared_ptr<mix::Mixer>& Live(Napi::Env env) const {
    if (!mixer_) Throw(env, Status(ErrorCode::kDestroyed, "The mixer has been destroyed"));
    return mixer_;
  }
  static NativeMixer* Self(const Napi::CallbackInfo& info) {
    NativeMixer* self = Of(info.Env(), info.This());
    self->Live(info.Env());
    return self;
  }

  // addSource({ sampleRate?, channels?, format?, gain?, pan?, muted?, prebufferFrames? }) -> id
  Napi::Value AddSource(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    NativeMixer* self = Self(info);
    Napi::Object o = info.Length() > 0 && info[0].IsObject() ? info[0].As<Napi::Object>()
                                                             : Napi::Object::New(env);
    mix::SourceOptions s;
    s.sample_rate = IntOr(o, "sampleRate", 0);
    s.channels = IntOr(o, "channels", 0);
    s.gain = static_cast<float>(NumberOr(o, "gain", 1.0));
    s.pan = static_cast<float>(NumberOr(o, "pan", 0.0));
    s.muted = BoolOr(o, "muted", false);
    s.prebuffer_frames = IntOr(o, "prebufferFrames", -1);
    s.format = o.Has("format") ? FormatOf(o) : format_;
    uint32_t id = 0;
    Check(env, self->mixer_->AddSource(s, &id));
    self->sources_[id] = {s.format, s.channels == 0 ? self->mixer_->channels() : s.channels};
    return Napi::Number::New(env, id);
  }

  Napi::Value RemoveSource(const Napi::CallbackInfo& info) {
    NativeMixer* self = Self(info);
    const uint32_t id = U32Arg(info, 0, "Expected a source id");
    Check(info.Env(), self->mixer_->RemoveSource(id));
    self->sources_.erase(id);
    return info.Env().Undefined();
  }

  // push(id, pcm): PCM in the source's format and channel count, any whole number of frames.
  Napi::Value Push(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    NativeMixer* self = Self(info);
    const uint32_t id = U32Arg(info, 0, "Expected a source id");
    auto it = self->sources_.find(id);
    if (it == self->sources_.end())
      Throw(env, Status(ErrorCode::kInvalidArgument, "No source with this id"));
    if (info.Length() < 2) ThrowTypeError(env, "Expected PCM as a Buffer or TypedArray");
    const uint8_t* data = nullptr;
    const int frames = PcmFrames(env, info[1], it->second.format, it->second.channels,
                                 mix::kMixerMaxPushFrames, &self->aligned_, &data);
    const Status st = it->second.format == SampleFormat::kS16
                          ? self->mixer_->Push(id, reinterpret_cast<const int16_t*>(data), frames)
                          : self->mixer_->Push(id, reinterpret_cast<const float*>(data), frames);
    Check(env, st);
    return env.Undefined();
  }

  // pushMany(ids, frames) -> number: frames[i] into source ids[i], for every i, in one crossing
  // (a tick's worth of pushes). Every argument is checked before anything is pushed; a push the
  // source's FIFO cannot take is refused and counted in its droppedFrames, and the others still
  // go in. Returns how many were refused. Never allocates (batch_ is reserved up front).
  Napi::Value PushMany(const Napi::CallbackInfo& info) {
    NativeMixer* self = Self(info);
    return Napi::Number::New(info.Env(), self->PushBatch(info));
  }

  // mixWith(ids, frames) -> Buffer: pushMany then mix, in one crossing.
  Napi::Value MixWith(const Napi::CallbackInfo& info) {
    NativeMixer* self = Self(info);
    self->PushBatch(info);
    return Mix(info);
  }

  // mixAsyncWith(ids, frames) -> Promise<Buffer>: pushMany now (the PCM is copied into the
  // FIFOs), then one tick on the pool, in order with earlier ticks.
  Napi::Value MixAsyncWith(const Napi::CallbackInfo& info) {
    NativeMixer* self = Self(info);
    self->PushBatch(info);
    return MixAsync(info);
  }

  int PushBatch(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 2 || !info[0].IsArray() || !info[1].IsArray())
      ThrowTypeError(env, "Expected an array of source ids and an array of PCM chunks");
    Napi::Array ids = info[0].As<Napi::Array>();
    Napi::Array frames = info[1].As<Napi::Array>();
    const uint32_t n = ids.Length();
    if (frames.Length() != n) ThrowRangeError(env, "Expected one PCM chunk per source id");
    if (n > static_cast<uint32_t>(mix::kMixerMaxSources))
      ThrowRangeError(env, "Too many pushes in one batch");
    batch_.clear();
    for (uint32_t i = 0; i < n; ++i) {
      Napi::Value idv = ids.Get(i);
      if (!idv.IsNumber()) ThrowTypeError(env, "Expected a source id");
      const uint32_t id = idv.As<Napi::Number>().Uint32Value();
      auto it = sources_.find(id);
      if (it == sources_.end())
        Throw(env, Status(ErrorCode::kInvalidArgument, "No source with this id"));
      Bytes pcm;
      if (!GetBytes(env, frames.Get(i), &pcm))
        ThrowTypeError(env, "Expected PCM as a Buffer or TypedArray");
      const size_t frame_bytes =
          BytesPerSample(it->second.format) * static_cast<size_t>(it->second.channels);
      if (pcm.size % frame_bytes != 0)
        ThrowRangeError(
            env, "PCM length is not a whole number of frames for this format and channel count");
      if (pcm.size / frame_bytes > static_cast<size_t>(mix::kMixerMaxPushFrames))
        ThrowRangeError(env, "PCM chunk is too long");
      batch_.push_back(
          {id, it->second.format, pcm.data, pcm.size, static_cast<int>(pcm.size / frame_bytes)});
    }
    int refused = 0;
    for (const BatchItem& b : batch_) {
      const uint8_t* data = b.data;
      if (reinterpret_cast<uintptr_t>(data) % BytesPerSample(b.format) != 0) {
        aligned_.assign(data, data + b.size);  // a Buffer may start at any offset
        data = aligned_.data();
      }
      const Status st = b.format == SampleFormat::kS16
                            ? mixer_->Push(b.id, reinterpret_cast<const int16_t*>(data), b.frames)
                            : mixer_->Push(b.id, reinterpret_cast<const float*>(data), b.frames);
      if (st.code() == ErrorCode::kQueueFull) {
        ++refused;
      } else {
        Check(env, st);
      }
    }
    return refused;
  }

  Napi::Value SetGain(const Napi::CallbackInfo& info) {
    NativeMixer* self = Self(info);
    Check(info.Env(), self->mixer_->SetGain(
                          U32Arg(info, 0, "Expected a source id"),
                          static_cast<float>(NumberArg(info, 1, "Expected gain to be a number")),
                          static_cast<float>(info.Length() > 2 && info[2].IsNumber()
                                                 ? info[2].As<Napi::Number>().DoubleValue()
                                                 : 0.0)));
    return info.Env().Undefined();
  }
  Napi::Value SetMuted(const Napi::CallbackInfo& info) {
    NativeMixer* self = Self(info);
    Check(info.Env(), self->mixer_->SetMuted(U32Arg(info, 0, "Expected a source id"),
                                             BoolArg(info, 1, "Expected muted to be a boolean")));
    return info.Env().Undefined();
  }
  Napi::Value SetSolo(const Napi::CallbackInfo& info) {
    NativeMixer* self = Self(info);
    Check(info.Env(), self->mixer_->SetSolo(U32Arg(info, 0, "Expected a source id"),
                                            BoolArg(info, 1, "Expected solo to be a boolean")));
    return info.Env().Undefined();
  }
  Napi::Value SetPan(const Napi::CallbackInfo& info) {
    NativeMixer* self = Self(info);
    Check(info.Env(), self->mixer_->SetPan(
                          U32Arg(info, 0, "Expected a source id"),
                          static_cast<float>(NumberArg(info, 1, "Expected pan to be a number"))));
    return info.Env().Undefined();
  }
  Napi::Value SetDucker(const Napi::CallbackInfo& info) {
    NativeMixer* self = Self(info);
    Check(info.Env(), self->mixer_->SetDucker(U32Arg(info, 0, "Expected a source id"),
                                              BoolArg(info, 1, "Expected ducker to be a boolean")));
    return info.Env().Undefined();
  }
  Napi::Value ClearSource(const Napi::CallbackInfo& info) {
    NativeMixer* self = Self(info);
    Check(info.Env(), self->mixer_->ClearSource(U32Arg(info, 0, "Expected a source id")));
    return info.Env().Undefined();
  }
  Napi::Value SetMasterGain(const Napi::CallbackInfo& info) {
    NativeMixer* self = Self(info);
    Check(info.Env(), self->mixer_->SetMasterGain(
                          static_cast<float>(NumberArg(info, 0, "Expected gain to be a number")),
                          static_cast<float>(info.Length() > 1 && info[1].IsNumber()
                                                 ? info[1].As<Napi::Number>().DoubleValue()
                                                 : 0.0)));
    return info.Env().Undefined();
  }
  // setDucking({ depthDb, attackMs, releaseMs, holdMs, thresholdDb })
  Napi::Value SetDucking(const Napi::CallbackInfo& info) {
    NativeMixer* self = Self(info);
    Napi::Object o = OptionsArg(info);
    mix::DuckingOptions d;
    d.depth_db = static_cast<float>(NumberOr(o, "depthDb", d.depth_db));
    d.attack_ms = static_cast<float>(NumberOr(o, "attackMs", d.attack_ms));
    d.release_ms = static_cast<float>(NumberOr(o, "releaseMs", d.release_ms));
    d.hold_ms = static_cast<float>(NumberOr(o, "holdMs", d.hold_ms));
    d.threshold_db = static_cast<float>(NumberOr(o, "thresholdDb", d.threshold_db));
    Check(info.Env(), self->mixer_->SetDucking(d));
    return info.Env().Undefined();
  }

  // mix() -> Buffer: one tick on the calling thread, written straight into the new Buffer.
  Napi::Value Mix(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    NativeMixer* self = Self(info);
    const size_t samples = static_cast<size_t>(self->mixer_->frame_samples());
    Napi::Buffer<uint8_t> out =
        Napi::Buffer<uint8_t>::New(env, samples * BytesPerSample(self->format_));
    // Node allocates Buffers with at least 8-byte alignment.
    if (self->format_ == SampleFormat::kS16) {
      self->mixer_->Mix(reinterpret_cast<int16_t*>(out.Data()));
    } else {
      self->mixer_->Mix(reinterpret_cast<float*>(out.Data()));
    }
    return out;
  }

  // mixAsync() -> Promise<Buffer>: one tick on the pool, in order with earlier ticks.
  Napi::Value MixAsync(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    NativeMixer* self = Self(info);
    return EnvContext::Get(env).Submit(env, self->strand_.Get(env),
                                       std::make_unique<MixJob>(self->mixer_, self->format_));
  }

  Napi::Value SourceStats(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    NativeMixer* self = Self(info);
    mix::SourceStats st;
    Check(env, self->mixer_->GetSourceStats(U32Arg(info, 0, "Expected a source id"), &st));
    Napi::Object o = Napi::Object::New(env);
    o.Set("mixedTicks", static_cast<double>(st.mixed_ticks));
    o.Set("silentTicks", static_cast<double>(st.silent_ticks));
    o.Set("droppedFrames", static_cast<double>(st.dropped_frames));
    o.Set("queuedFrames", st.queued_frames);
    o.Set("gain", st.gain);
    return o;
  }

  Napi::Value Stats(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    NativeMixer* self = Self(info);
    const mix::MixerStats st = self->mixer_->stats();
    Napi::Object o = Napi::Object::New(env);
    o.Set("ticks", static_cast<double>(st.ticks));
    o.Set("limitedTicks", static_cast<double>(st.limited_ticks));
    o.Set("gainReductionDb", st.gain_reduction_db);
    o.Set("sources", st.sources);
    o.Set("ducking", st.ducking);
    return o;
  }

  Napi::Value Pending(const Napi::CallbackInfo& info) {
    NativeMixer* self = Of(info.Env(), info.This());
    return Napi::Number::New(info.Env(),
                             self->strand_.pending());
  }

  // destroy(): queued ticks reject with ERR_VOXPOOL_DESTROYED; a running one finishes.
  Napi::Value Destroy(const Napi::CallbackInfo& info) {
    NativeMixer* self = Of(info.Env(), info.This());
    self->strand_.Close();
    self->mixer_.reset();  // queued ticks hold their own reference until they complete
    self->sources_.clear();
    self->memory_.Release(info.Env());
    return info.Env().Undefined();
  }

  std::shared_ptr<mix::Mixer> mixer_;
  LazyStrand strand_;
  SampleFormat format_ = SampleFormat::kS16;
  std::unordered_map<uint32_t, SourceInfo> sources_;  // JS thread only
  ExternalMemory memory_;
  std::vector<uint8_t> aligned_;  // realignment scratch for odd Buffer offsets (JS thread only)
  std::vector<BatchItem> batch_ = std::vector<BatchItem>(mix::kMixerMaxSources);  // pushMany scratch
};

// ----- NativeResampler ----------------------------------------------------------------------

class NativeResampler : public Napi::ObjectWrap<NativeResampler> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "NativeResampler",
                       {
                           InstanceMethod<&NativeResampler::Process>("process"),
                           InstanceMethod<&NativeResampler::Flush>("flush"),
                           InstanceMethod<&NativeResampler::Reset>("reset"),
                           InstanceMethod<&NativeResampler::Delay>("delay"),
                           InstanceMethod<&NativeResampler::Destroy>("destroy"),
                       });
  }

  // new NativeResampler({ inputRate, outputRate, channels, format })
  explicit NativeResampler(const Napi::CallbackInfo& info)
      : Napi::ObjectWrap<NativeResampler>(info) {
    Napi::Env env = info.Env();
    Napi::Object o = OptionsArg(info);
    mix::ResamplerOptions r;
    r.input_rate = IntOr(o, "inputRate", 0);
    r.output_rate = IntOr(o, "outputRate", 0);
    r.channels = IntOr(o, "channels", 0);
    format_ = FormatOf(o);
    Check(env, mix::Resampler::Create(r, &resampler_));
    Report(env);
    napi_type_tag_object(env, info.This(), &kResamplerTag);
  }

  ~NativeResampler() override { memory_.Release(Env()); }

 private:
  static NativeResampler* Of(Napi::Env env, napi_value value) {
    return UnwrapTagged<NativeResampler>(env, value, kResamplerTag,
                                         "Expected a NativeResampler (illegal invocation)");
  }

  // The live converter, or ERR_VOXPOOL_DESTROYED.
  mix::Resampler& Live(Napi::Env env) {
    if (!resampler_) Check(env, Status(ErrorCode::kDestroyed, "The resampler has been destroyed"));
    return *resampler_;
  }

  // The converter's state and this wrapper's output buffers (they grow to the largest chunk).
  void Report(Napi::Env env) {
    memory_.Set(env, static_cast<int64_t>(resampler_->memory_bytes() + out_.capacity() +
                                          aligned_.capacity()));
  }

  Napi::Value Output(Napi::Env env, int frames) {
    return Napi::Buffer<uint8_t>::Copy(
        env, out_.data(),
        static_cast<size_t>(frames) * resampler_->channels() * BytesPerSample(format_));
  }

  // process(pcm) -> Buffer: converts a chunk (whole frames, at most one second), keeping state.
  Napi::Value Process(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    NativeResampler* self = Of(env, info.This());
    mix::Resampler& r = self->Live(env);
    if (info.Length() < 1) ThrowTypeError(env, "Expected PCM as a Buffer or TypedArray");
    const uint8_t* data = nullptr;
    const int frames = PcmFrames(env, info[0], self->format_, r.channels(), r.input_rate(),
                                 &self->aligned_, &data);
    const int capacity = r.MaxOutputFrames(frames);
    self->out_.resize(static_cast<size_t>(capacity) * r.channels() * sizeof(float));
    int got = 0;
    const Status st = self->format_ == SampleFormat::kS16
                          ? r.Process(reinterpret_cast<const int16_t*>(data), frames,
                                      reinterpret_cast<int16_t*>(self->out_.data()), capacity, &got)
                          : r.Process(reinterpret_cast<const float*>(data), frames,
                                      reinterpret_cast<float*>(self->out_.data()), capacity, &got);
    Check(env, st);
    self->Report(env);
    return self->Output(env, got);
  }

  // flush() -> Buffer: the held tail; the resampler then starts a new stream.
  Napi::Value Flush(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    NativeResampler* self = Of(env, info.This());
    mix::Resampler& r = self->Live(env);
    const int capacity = r.MaxOutputFrames(r.input_rate());
    self->out_.resize(static_cast<size_t>(capacity) * r.channels() * sizeof(float));
    int got = 0;
    const Status st = self->format_ == SampleFormat::kS16
                          ? r.Flush(reinterpret_cast<int16_t*>(self->out_.data()), capacity, &got)
                          : r.Flush(reinterpret_cast<float*>(self->out_.data()), capacity, &got);
    Check(env, st);
    return self->Output(env, got);
  }

  Napi::Value Reset(const Napi::CallbackInfo& info) {
    Of(info.Env(), info.This())->Live(info.Env()).Reset();
    return info.Env().Undefined();
  }

  Napi::Value Delay(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), Of(info.Env(), info.This())->Live(info.Env()).delay_frames());
  }

  // destroy(): frees the converter and its buffers now; later calls throw ERR_VOXPOOL_DESTROYED.
  Napi::Value Destroy(const Napi::CallbackInfo& info) {
    NativeResampler* self = Of(info.Env(), info.This());
    self->resampler_.reset();
    std::vector<uint8_t>().swap(self->out_);
    std::vector<uint8_t>().swap(self->aligned_);
    self->memory_.Release(info.Env());
    return info.Env().Undefined();
  }

  std::unique_ptr<mix::Resampler> resampler_;
  SampleFormat format_ = SampleFormat::kS16;
  std::vector<uint8_t> out_;
  std::vector<uint8_t> aligned_;
  ExternalMemory memory_;
};

// ----- NativeSpeakerMixer -------------------------------------------------------------------

class NativeSpeakerMixer : public Napi::ObjectWrap<NativeSpeakerMixer> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "NativeSpeakerMixer",
                       {
                           InstanceMethod<&NativeSpeakerMixer::Push>("push"),
                           InstanceMethod<&NativeSpeakerMixer::RemoveSpeaker>("removeSpeaker"),
                           InstanceMethod<&NativeSpeakerMixer::Mix>("mix"),
                           InstanceMethod<&NativeSpeakerMixer::MixAsync>("mixAsync"),
                           InstanceMethod<&NativeSpeakerMixer::Speakers>("speakers"),
                           InstanceMethod<&NativeSpeakerMixer::SpeakerStats>("speakerStats"),
                           InstanceMethod<&NativeSpeakerMixer::Pending>("pending"),
                           InstanceMethod<&NativeSpeakerMixer::Destroy>("destroy"),
                       });
  }

  // new NativeSpeakerMixer({ inputRate, inputChannels, outputRate, outputChannels, frameSize,
  //   format, jitterFrames, maxSpeakers, conceal: 'repeat-fade' | 'silence', concealFrames,
  //   idleFrames, limiter, ceilingDb, maxQueue?, overflow? })
  explicit NativeSpeakerMixer(const Napi::CallbackInfo& info)
      : Napi::ObjectWrap<NativeSpeakerMixer>(info) {
    Napi::Env env = info.Env();
    Napi::Object o = OptionsArg(info);
    mix::SpeakerMixerOptions s;
    s.input_rate = IntOr(o, "inputRate", s.input_rate);
    s.input_channels = IntOr(o, "inputChannels", s.input_channels);
    s.output_rate = IntOr(o, "outputRate", s.output_rate);
    s.output_channels = IntOr(o, "outputChannels", s.output_channels);
    s.frame_size = IntOr(o, "frameSize", s.frame_size);
    s.jitter_frames = IntOr(o, "jitterFrames", s.jitter_frames);
    s.max_speakers = IntOr(o, "maxSpeakers", s.max_speakers);
    Napi::Value conceal = o.Get("conceal");
    if (conceal.IsString() && conceal.As<Napi::String>().Utf8Value() == "silence")
      s.conceal = mix::ConcealMode::kSilence;
    s.conceal_frames = IntOr(o, "concealFrames", s.conceal_frames);
    s.idle_frames = IntOr(o, "idleFrames", s.idle_frames);
    s.limiter = BoolOr(o, "limiter", s.limiter);
    s.ceiling_db = static_cast<float>(NumberOr(o, "ceilingDb", s.ceiling_db));
    format_ = FormatOf(o);
    strand_ = LazyStrand(ReadStrandOptions(o));
    std::unique_ptr<mix::SpeakerMixer> mixer;
    Check(env, mix::SpeakerMixer::Create(s, &mixer));
    mixer_ = std::move(mixer);
    napi_type_tag_object(env, info.This(), &kSpeakerMixerTag);
    // Jitter rings (about 180 ms of input per speaker) and two soxr states per speaker when
    // resampling (roughly 64 KiB each): reported so V8 feels the size of undestroyed mixers.
    const int64_t ring =
        (static_cast<int64_t>(s.input_rate) * (s.jitter_frames * 20 + 160) / 1000) *
        (s.input_channels * static_cast<int64_t>(sizeof(float)) + 1);
    const int64_t soxr = s.input_rate != s.output_rate ? 2 * 64 * 1024 : 0;
    memory_.Set(env, s.max_speakers * (ring + soxr));
  }

  ~NativeSpeakerMixer() override { memory_.Release(Env()); }

 private:

  static NativeSpeakerMixer* Of(Napi::Env env, napi_value value) {
    return UnwrapTagged<NativeSpeakerMixer>(env, value, kSpeakerMixerTag,
                                            "Expected a NativeSpeakerMixer (illegal invocation)");
  }
  static NativeSpeakerMixer* Self(const Napi::CallbackInfo& info) {
    NativeSpeakerMixer* self = Of(info.Env(), info.This());
    if (!self->mixer_)
      Throw(info.Env(), Status(ErrorCode::kDestroyed, "The speaker mixer has been destroyed"));
    return self;
  }

  // push(ssrc, timestamp, sequence, pcm)
  Napi::Value Push(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    NativeSpeakerMixer* self = Self(info);
    const uint32_t ssrc = U32Arg(info, 0, "Expected an SSRC");
    const uint32_t ts = U32Arg(info, 1, "Expected an RTP timestamp");
    const uint16_t seq = static_cast<uint16_t>(U32Arg(info, 2, "Expected a sequence number"));
    if (info.Length() < 4) ThrowTypeError(env, "Expected PCM as a Buffer or TypedArray");
    const uint8_t* data = nullptr;
    const int frames =
        PcmFrames(env, info[3], self->format_, self->mixer_->options().input_channels,
                  mix::kSpeakerMaxPacketFrames, &self->aligned_, &data);
    if (frames == 0) ThrowRangeError(env, "PCM chunk is empty");
    const Status st =
        self->format_ == SampleFormat::kS16
            ? self->mixer_->Push(ssrc, ts, seq, reinterpret_cast<const int16_t*>(data), frames)
            : self->mixer_->Push(ssrc, ts, seq, reinterpret_cast<const float*>(data), frames);
    Check(env, st);
    return env.Undefined();
  }

  Napi::Value RemoveSpeaker(const Napi::CallbackInfo& info) {
    NativeSpeakerMixer* self = Self(info);
    Check(info.Env(), self->mixer_->RemoveSpeaker(U32Arg(info, 0, "Expected an SSRC")));
    return info.Env().Undefined();
  }

  // mix(perSpeaker = false) -> Buffer | { mixed, speakers: [{ ssrc, pcm }] }
  Napi::Value Mix(const Napi::CallbackInfo& info) {
    NativeSpeakerMixer* self = Self(info);
    const bool per =
        info.Length() > 0 && info[0].IsBoolean() && info[0].As<Napi::Boolean>().Value();
    SpeakerMixJob job(self->mixer_, self->format_, per);
    job.Run();
    return job.Result(info.Env());
  }

  Napi::Value MixAsync(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    NativeSpeakerMixer* self = Self(info);
    const bool per =
        info.Length() > 0 && info[0].IsBoolean() && info[0].As<Napi::Boolean>().Value();
    return EnvContext::Get(env).Submit(
        env, self->strand_.Get(env), std::make_unique<SpeakerMixJob>(self->mixer_, self->format_, per));
  }

  Napi::Value Speakers(const Napi::CallbackInfo& info) {
    NativeSpeakerMixer* self = Self(info);
    uint32_t ids[mix::kSpeakerMaxSpeakers];
    const int n = std::min(self->mixer_->Speakers(ids, mix::kSpeakerMaxSpeakers), mix::kSpeakerMaxSpeakers);
    Napi::Array out = Napi::Array::New(info.Env(), static_cast<size_t>(n));
    for (int i = 0; i < n; ++i)
      out.Set(static_cast<uint32_t>(i), Napi::Number::New(info.Env(), ids[i]));
    return out;
  }

  Napi::Value SpeakerStats(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    NativeSpeakerMixer* self = Self(info);
    mix::SpeakerStats st;
    Check(env, self->mixer_->GetSpeakerStats(U32Arg(info, 0, "Expected an SSRC"), &st));
    Napi::Object o = Napi::Object::New(env);
    o.Set("packets", static_cast<double>(st.packets));
    o.Set("latePackets", static_cast<double>(st.late_packets));
    o.Set("earlyPackets", static_cast<double>(st.early_packets));
    o.Set("duplicatePackets", static_cast<double>(st.duplicate_packets));
    o.Set("lostPackets", static_cast<double>(st.lost_packets));
    o.Set("playedTicks", static_cast<double>(st.played_ticks));
    o.Set("partialTicks", static_cast<double>(st.partial_ticks));
    o.Set("concealedTicks", static_cast<double>(st.concealed_ticks));
    o.Set("silentTicks", static_cast<double>(st.silent_ticks));
    o.Set("resyncs", static_cast<double>(st.resyncs));
    return o;
  }

  Napi::Value Pending(const Napi::CallbackInfo& info) {
    NativeSpeakerMixer* self = Of(info.Env(), info.This());
    return Napi::Number::New(info.Env(),
                             self->strand_.pending());
  }

  Napi::Value Destroy(const Napi::CallbackInfo& info) {
    NativeSpeakerMixer* self = Of(info.Env(), info.This());
    self->strand_.Close();
    self->mixer_.reset();
    self->memory_.Release(info.Env());
    return info.Env().Undefined();
  }

  std::shared_ptr<mix::SpeakerMixer> mixer_;
  LazyStrand strand_;
  SampleFormat format_ = SampleFormat::kS16;
  std::vector<uint8_t> aligned_;
  ExternalMemory memory_;
};

// ----- NativeVolume -------------------------------------------------------------------------

class NativeVolume : public Napi::ObjectWrap<NativeVolume> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "NativeVolume",
                       {
                           InstanceMethod<&NativeVolume::Process>("process"),
                           InstanceMethod<&NativeVolume::Set>("set"),
                           InstanceMethod<&NativeVolume::Value>("value"),
                           InstanceMethod<&NativeVolume::Target>("target"),
                       });
  }

  // new NativeVolume({ sampleRate, channels, format, volume })
  explicit NativeVolume(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NativeVolume>(info) {
    Napi::Env env = info.Env();
    Napi::Object o = OptionsArg(info);
    const int rate = IntOr(o, "sampleRate", 48000);
    const int channels = IntOr(o, "channels", 2);
    const double volume = NumberOr(o, "volume", 1.0);
    if (rate < 1 || rate > 384000 || channels < 1 || channels > 2)
      Throw(env, Status(ErrorCode::kInvalidArgument, "sampleRate or channels out of range"));
    if (!(volume >= 0 && volume <= mix::kVolumeMax))
      Throw(env,
            Status(ErrorCode::kInvalidArgument, "volume must be from 0 to 15.848931924611133"));
    format_ = FormatOf(o);
    volume_ = std::make_unique<mix::Volume>(rate, channels, volume);
    memory_.Set(env, sizeof(mix::Volume));
    napi_type_tag_object(env, info.This(), &kVolumeTag);
  }

  ~NativeVolume() override { memory_.Release(Env()); }

 private:
  static NativeVolume* Of(Napi::Env env, napi_value value) {
    return UnwrapTagged<NativeVolume>(env, value, kVolumeTag,
                                      "Expected a NativeVolume (illegal invocation)");
  }

  // process(pcm) -> Buffer: a scaled copy (whole frames).
  Napi::Value Process(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    NativeVolume* self = Of(env, info.This());
    if (info.Length() < 1) ThrowTypeError(env, "Expected PCM as a Buffer or TypedArray");
    Bytes pcm;
    if (!GetBytes(env, info[0], &pcm))
      ThrowTypeError(env, "Expected PCM as a Buffer or TypedArray");
    const size_t frame_bytes = BytesPerSample(self->format_) * self->volume_->channels();
    if (pcm.size % frame_bytes != 0)
      ThrowRangeError(
          env, "PCM length is not a whole number of frames for this format and channel count");
    Napi::Buffer<uint8_t> out = Napi::Buffer<uint8_t>::Copy(env, pcm.data, pcm.size);
    const long frames = static_cast<long>(pcm.size / frame_bytes);
    // A copied Buffer is freshly allocated, so it is aligned for its samples.
    if (self->format_ == SampleFormat::kS16) {
      self->volume_->Process(reinterpret_cast<int16_t*>(out.Data()), frames);
    } else {
      self->volume_->Process(reinterpret_cast<float*>(out.Data()), frames);
    }
    return out;
  }

  // set(linear, rampMs = 0)
  Napi::Value Set(const Napi::CallbackInfo& info) {
    NativeVolume* self = Of(info.Env(), info.This());
    const double v = NumberArg(info, 0, "Expected volume to be a number");
    const double ramp =
        info.Length() > 1 && info[1].IsNumber() ? info[1].As<Napi::Number>().DoubleValue() : 0.0;
    Check(info.Env(), self->volume_->Set(v, ramp));
    return info.Env().Undefined();
  }
  Napi::Value Value(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), Of(info.Env(), info.This())->volume_->value());
  }
  Napi::Value Target(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), Of(info.Env(), info.This())->volume_->target());
  }

  std::unique_ptr<mix::Volume> volume_;
  SampleFormat format_ = SampleFormat::kS16;
  ExternalMemory memory_;
};

Napi::Object Constants(Napi::Env env) {
  Napi::Object c = Napi::Object::New(env);
  c.Set("MIN_SAMPLE_RATE", mix::kResamplerMinRate);
  c.Set("MAX_SAMPLE_RATE", mix::kResamplerMaxRate);
  c.Set("MAX_CHANNELS", mix::kMixerMaxChannels);
  c.Set("MAX_SOURCES", mix::kMixerMaxSources);
  c.Set("MAX_FRAME_SIZE", mix::kMixerMaxFrameSize);
  c.Set("MAX_QUEUE_FRAMES", mix::kMixerMaxQueueFrames);
  c.Set("MAX_PUSH_FRAMES", mix::kMixerMaxPushFrames);
  c.Set("MIN_GAIN_DB", mix::kMixerMinGainDb);
  c.Set("MAX_GAIN_DB", mix::kMixerMaxGainDb);
  c.Set("MAX_RAMP_MS", mix::kMixerMaxRampMs);
  c.Set("SWITCH_RAMP_MS", mix::kMixerSwitchRampMs);
  c.Set("MAX_SPEAKERS", mix::kSpeakerMaxSpeakers);
  c.Set("MAX_JITTER_FRAMES", mix::kSpeakerMaxJitterFrames);
  c.Set("MAX_PACKET_FRAMES", mix::kSpeakerMaxPacketFrames);
  c.Set("MAX_VOLUME", mix::kVolumeMax);
  c.Set("RESAMPLER", soxr_version());
  return c;
}

}  // namespace

void InitMixer(Napi::Env env, Napi::Object exports) {
  exports.Set("NativeMixer", NativeMixer::Define(env));
  exports.Set("NativeResampler", NativeResampler::Define(env));
  exports.Set("NativeSpeakerMixer", NativeSpeakerMixer::Define(env));
  exports.Set("NativeVolume", NativeVolume::Define(env));
  exports.Set("mixerConstants", Constants(env));
}

}  // namespace voxpool::binding
