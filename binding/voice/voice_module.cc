// The voice domain's exports: the fused send / receive pipelines and voiceConstants.
#include "voice/voice_module.h"

#include "numbers.h"
#include "voice/receiver_wrap.h"
#include "voice/sender_wrap.h"
#include "voxpool/voice/receiver.h"
#include "voxpool/voice/rtp.h"
#include "voxpool/voice/sender.h"

namespace voxpool::binding {

void InitVoice(Napi::Env env, Napi::Object exports) {
  exports.Set("NativeVoiceSender", DefineVoiceSender(env));
  exports.Set("NativeVoiceReceiver", DefineVoiceReceiver(env));
  using voice::VoiceSender;
  const voice::VoiceReceiverOptions receiver;
  exports.Set("voiceConstants",
              NumberObject(env, {{"CLOCK_RATE", voice::rtp::kClockRate},
                                 {"FRAME_SAMPLES", voice::rtp::kDiscordTimestampStep},
                                 {"PAYLOAD_TYPE", voice::rtp::kDiscordPayloadType},
                                 {"MAX_OPUS_BYTES", VoiceSender::kMaxOpusBytes},
                                 {"DEFAULT_SILENCE_FRAMES", VoiceSender::kDefaultSilenceFrames},
                                 {"MAX_SILENCE_FRAMES", VoiceSender::kMaxSilenceFrames},
                                 {"DEFAULT_SAMPLE_RATE", receiver.sample_rate},
                                 {"DEFAULT_CHANNELS", receiver.channels},
                                 {"DEFAULT_WINDOW", receiver.window},
                                 {"DEFAULT_MAX_SSRCS", receiver.max_ssrcs},
                                 {"MAX_WINDOW", voice::kMaxReceiverWindow},
                                 {"MAX_SSRCS", voice::kMaxReceiverSsrcs}}));
}

}  // namespace voxpool::binding
