// NativeSpeakerMixer: the Node-API face of mix::SpeakerMixer (per-SSRC jitter buffers mixed into
// one stream). lib/speaker-mixer.js validates and explains; this re-checks cheap invariants,
// converts values and submits ticks to the mixer's strand. JS thread only.
#include <algorithm>
#include <memory>
#include <utility>
#include <vector>

#include "args.h"
#include "mix/mix_classes.h"
#include "options.h"
#include "pool/js_result.h"
#include "pooled_wrap.h"
#include "voxpool/mix/speaker_mixer.h"

namespace voxpool::binding {
namespace {

constexpr const char* kSsrc = "Expected an SSRC";

// One speaker-mixer tick; with `per_speaker`, also each speaker's frame.
class SpeakerMixJob final : public pool::Job, public JsResult {
 public:
  SpeakerMixJob(std::shared_ptr<mix::SpeakerMixer> mixer, SampleFormat format, bool per_speaker)
      : mixer_(std::move(mixer)), format_(format), per_speaker_(per_speaker) {}

  void Run() noexcept override {
    const size_t bytes = static_cast<size_t>(mixer_->frame_samples()) * BytesPerSample(format_);
    mixed_.resize(bytes);
    WithSampleType(format_, [&](auto zero) {
      using T = decltype(zero);
      mixer_->Mix(reinterpret_cast<T*>(mixed_.data()));
      if (!per_speaker_) return;
      uint32_t ids[mix::kSpeakerMaxSpeakers];
      const int n = mixer_->Speakers(ids, mix::kSpeakerMaxSpeakers);
      for (int i = 0; i < n && i < mix::kSpeakerMaxSpeakers; ++i) {
        std::vector<uint8_t> frame(bytes);
        if (mixer_->SpeakerFrame(ids[i], reinterpret_cast<T*>(frame.data())).ok())
          speakers_.emplace_back(ids[i], std::move(frame));
      }
    });
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
  std::shared_ptr<mix::SpeakerMixer> mixer_;
  SampleFormat format_;
  bool per_speaker_;
  std::vector<uint8_t> mixed_;
  std::vector<std::pair<uint32_t, std::vector<uint8_t>>> speakers_;
};

class NativeSpeakerMixer : public PooledWrap<NativeSpeakerMixer, mix::SpeakerMixer> {
 public:
  static constexpr ClassId kClass = ClassId::kSpeakerMixer;

  static Napi::Function Define(Napi::Env env) {
    return DefineWith(
        env, {VOXPOOL_METHOD(Push), VOXPOOL_METHOD(RemoveSpeaker), VOXPOOL_METHOD(Mix),
              VOXPOOL_METHOD(MixAsync), VOXPOOL_METHOD(Speakers), VOXPOOL_METHOD(SpeakerStats)});
  }

  // new NativeSpeakerMixer({ inputRate, inputChannels, outputRate, outputChannels, frameSize,
  //   format, jitterFrames, maxSpeakers, conceal: 'repeat-fade' | 'silence', concealFrames,
  //   idleFrames, limiter, ceilingDb, maxQueue?, overflow? })
  explicit NativeSpeakerMixer(const Napi::CallbackInfo& info) : PooledWrap(info) {
    Napi::Object o = OptionsArg(info);
    mix::SpeakerMixerOptions s;
    if (OptionIs(o, "conceal", "silence")) s.conceal = mix::ConcealMode::kSilence;
    ReadKeys(o, Key("inputRate", &s.input_rate), Key("inputChannels", &s.input_channels),
             Key("outputRate", &s.output_rate), Key("outputChannels", &s.output_channels),
             Key("frameSize", &s.frame_size), Key("jitterFrames", &s.jitter_frames),
             Key("maxSpeakers", &s.max_speakers), Key("concealFrames", &s.conceal_frames),
             Key("idleFrames", &s.idle_frames), Key("limiter", &s.limiter),
             Key("ceilingDb", &s.ceiling_db));
    format_ = FormatOf(o);
    // Jitter rings (about 180 ms of input per speaker) and two soxr states per speaker when
    // resampling (roughly 64 KiB each): reported so V8 feels the size of undestroyed mixers.
    const int64_t ring =
        (static_cast<int64_t>(s.input_rate) * (s.jitter_frames * 20 + 160) / 1000) *
        (s.input_channels * static_cast<int64_t>(sizeof(float)) + 1);
    const int64_t soxr = s.input_rate != s.output_rate ? 2 * 64 * 1024 : 0;
    AdoptNew(info, o, s.max_speakers * (ring + soxr), s);
  }

 private:
  // push(ssrc, timestamp, sequence, pcm)
  Napi::Value Push(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    mix::SpeakerMixer& mixer = *Enter(info);
    const uint32_t ssrc = U32Arg(info, 0, kSsrc);
    const uint32_t ts = U32Arg(info, 1, "Expected an RTP timestamp");
    const uint16_t seq = static_cast<uint16_t>(U32Arg(info, 2, "Expected a sequence number"));
    const uint8_t* data = nullptr;
    const int frames = PcmFrames(env, Arg(info, 3), format_, mixer.options().input_channels,
                                 mix::kSpeakerMaxPacketFrames, &aligned_, &data);
    if (frames == 0) ThrowRangeError(env, "PCM chunk is empty");
    Check(env, WithSampleType(format_, [&](auto zero) {
            return mixer.Push(ssrc, ts, seq, reinterpret_cast<const decltype(zero)*>(data), frames);
          }));
    return env.Undefined();
  }

  Napi::Value RemoveSpeaker(const Napi::CallbackInfo& info) {
    mix::SpeakerMixer& mixer = *Enter(info);
    Check(info.Env(), mixer.RemoveSpeaker(U32Arg(info, 0, kSsrc)));
    return info.Env().Undefined();
  }

  // mix(perSpeaker = false) -> Buffer | { mixed, speakers: [{ ssrc, pcm }] }
  Napi::Value Mix(const Napi::CallbackInfo& info) {
    Enter(info);
    SpeakerMixJob job(core_, format_, BoolArgOr(info, 0, false));
    job.Run();
    return job.Result(info.Env());
  }

  Napi::Value MixAsync(const Napi::CallbackInfo& info) {
    Enter(info);
    return Submit(info.Env(),
                  std::make_unique<SpeakerMixJob>(core_, format_, BoolArgOr(info, 0, false)));
  }

  Napi::Value Speakers(const Napi::CallbackInfo& info) {
    mix::SpeakerMixer& mixer = *Enter(info);
    uint32_t ids[mix::kSpeakerMaxSpeakers];
    const int n = std::min(mixer.Speakers(ids, mix::kSpeakerMaxSpeakers), mix::kSpeakerMaxSpeakers);
    Napi::Array out = Napi::Array::New(info.Env(), static_cast<size_t>(n));
    for (int i = 0; i < n; ++i)
      out.Set(static_cast<uint32_t>(i), Napi::Number::New(info.Env(), ids[i]));
    return out;
  }

  Napi::Value SpeakerStats(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    mix::SpeakerMixer& mixer = *Enter(info);
    mix::SpeakerStats st;
    Check(env, mixer.GetSpeakerStats(U32Arg(info, 0, kSsrc), &st));
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

  SampleFormat format_ = SampleFormat::kS16;
  std::vector<uint8_t> aligned_;
};

}  // namespace

Napi::Function DefineNativeSpeakerMixer(Napi::Env env) { return NativeSpeakerMixer::Define(env); }

}  // namespace voxpool::binding
