// The voice domain's exports: the fused send / receive pipelines and voiceConstants.
#include "voice/voice_module.h"

#include "voice/receiver_wrap.h"
#include "voice/sender_wrap.h"
#include "voxpool/voice/receiver.h"
#include "voxpool/voice/rtp.h"
#include "voxpool/voice/sender.h"

namespace voxpool::binding {

void InitVoice(Napi::Env env, Napi::Object exports) {
  exports.Set("NativeVoiceSender", DefineVoiceSender(env));
  exports.Set("NativeVoiceReceiver", DefineVoiceReceiver(env));
  const voice::VoiceReceiverOptions receiver;
  Napi::Object c = Napi::Object::New(env);
  c.Set("CLOCK_RATE", static_cast<double>(voice::rtp::kClockRate));
  c.Set("FRAME_SAMPLES", static_cast<double>(voice::rtp::kDiscordTimestampStep));
  c.Set("PAYLOAD_TYPE", static_cast<double>(voice::rtp::kDiscordPayloadType));
  c.Set("MAX_OPUS_BYTES", static_cast<double>(voice::VoiceSender::kMaxOpusBytes));
  c.Set("DEFAULT_SILENCE_FRAMES", static_cast<double>(voice::VoiceSender::kDefaultSilenceFrames));
  c.Set("MAX_SILENCE_FRAMES", static_cast<double>(voice::VoiceSender::kMaxSilenceFrames));
  c.Set("DEFAULT_SAMPLE_RATE", static_cast<double>(receiver.sample_rate));
  c.Set("DEFAULT_CHANNELS", static_cast<double>(receiver.channels));
  c.Set("DEFAULT_WINDOW", static_cast<double>(receiver.window));
  c.Set("DEFAULT_MAX_SSRCS", static_cast<double>(receiver.max_ssrcs));
  c.Set("MAX_WINDOW", static_cast<double>(voice::kMaxReceiverWindow));
  c.Set("MAX_SSRCS", static_cast<double>(voice::kMaxReceiverSsrcs));
  exports.Set("voiceConstants", c);
}

}  // namespace voxpool::binding
