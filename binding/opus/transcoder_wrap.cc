// NativeTranscoder: the Node-API face of opus::Transcoder. lib/transcode-stream.js validates and
// explains; this re-checks cheap invariants, converts values and submits one job per frame.
#include "opus/transcoder_wrap.h"

#include <memory>
#include <utility>
#include <vector>

#include "args.h"
#include "filter/filter_module.h"
#include "options.h"
#include "opus/encoder_wrap.h"
#include "opus/packet_job.h"
#include "voxpool/mix/mixer.h"

namespace voxpool::binding {
namespace {

class TranscodeJob final : public PacketJob {
 public:
  TranscodeJob(std::shared_ptr<opus::Transcoder> transcoder, const Bytes& packet,
               const opus::VolumeCommand& command, std::shared_ptr<PcmProcessor> filters)
      : transcoder_(std::move(transcoder)),
        packet_(packet.data, packet.data + packet.size),
        command_(command),
        filters_(std::move(filters)) {}

  void Run() noexcept override {
    Finish(transcoder_->Process(packet_.data(), packet_.size(), command_, out_, sizeof(out_),
                                filters_.get()));
  }

 private:
  std::shared_ptr<opus::Transcoder> transcoder_;
  std::vector<uint8_t> packet_;
  opus::VolumeCommand command_;
  std::shared_ptr<PcmProcessor> filters_;  // decode -> filters -> volume -> encode; may be null
};

}  // namespace

Napi::Function NativeTranscoder::Define(Napi::Env env) {
  return DefineWith(env, {VOXPOOL_METHOD(ProcessAsync), VOXPOOL_METHOD(AttachFilters)});
}

NativeTranscoder::NativeTranscoder(const Napi::CallbackInfo& info) : PooledWrap(info) {
  Napi::Env env = info.Env();
  Napi::Object o = ObjectArg(info, 1, "Expected an encoder and an options object");
  std::shared_ptr<opus::Encoder> encoder = SharedEncoderOf(env, info[0]);
  rate_ = encoder->sample_rate();
  channels_ = encoder->channels();
  AdoptNewCounted(info, o, std::move(encoder), NumberOr(o, "volume", 1.0));
}

// processAsync(packet, generation, volume, rampMs, dueMs?, toSink?) -> Promise<Buffer>; an empty
// packet is a lost one (concealed).
Napi::Value NativeTranscoder::ProcessAsync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const auto& transcoder = Enter(info);
  constexpr const char* kPacketMessage = "Expected an Opus packet as a Buffer or Uint8Array";
  if (info.Length() < 4) ThrowTypeError(env, kPacketMessage);
  const Bytes packet = BytesArg(info, 0, kPacketMessage);
  if (packet.size > 0x7fffffff) ThrowRangeError(env, "Opus packet is too large");
  constexpr const char* kNumbersMessage = "Expected generation, volume and rampMs to be numbers";
  opus::VolumeCommand command;
  command.generation = static_cast<uint64_t>(I64Arg(info, 1, kNumbersMessage));
  command.target = NumberArg(info, 2, kNumbersMessage);
  command.ramp_ms = NumberArg(info, 3, kNumbersMessage);
  if (!(command.target >= 0 && command.target <= mix::kVolumeMax))
    ThrowRangeError(env, "volume is out of range");
  if (!(command.ramp_ms >= 0 && command.ramp_ms <= mix::kMixerMaxRampMs))
    ThrowRangeError(env, "rampMs is out of range");
  return Submit(env, std::make_unique<TranscodeJob>(transcoder, packet, command, filters_),
                Arg(info, 4), Arg(info, 5));
}

// attachFilters(nativeFilterChain): packets submitted from now on are filtered between decode
// and encode (lib/transcode-stream.js checks rate and channels).
Napi::Value NativeTranscoder::AttachFilters(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  NativeTranscoder* self = Of(env, info.This());
  self->Live(env);
  std::shared_ptr<filter::FilterChain> chain = SharedFilterChainOf(env, Arg(info, 0));
  if (chain->sample_rate() != self->rate_ || chain->channels() != self->channels_)
    ThrowRangeError(env, "The filter chain's sample rate and channels are not the encoder's");
  self->filters_ = std::move(chain);
  return env.Undefined();
}

}  // namespace voxpool::binding
