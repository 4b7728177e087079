// The opus domain's exports: its classes, the many-stream batch functions and opusConstants (every
// limit, default and libopus number lib/opus.js needs, so none is typed in JS).
#include "opus/opus_module.h"

#include <opus/opus.h>

#include <utility>

#include "args.h"
#include "exports.h"
#include "numbers.h"
#include "opus/adaptive_wrap.h"
#include "opus/batch.h"
#include "opus/decoder_wrap.h"
#include "opus/encoder_wrap.h"
#include "opus/transcoder_wrap.h"
#include "voxpool/opus/constants.h"

namespace voxpool::binding {
namespace {

// encodeMany([encoder, ...], [pcm, ...]) -> Promise<Array<Buffer | VoxpoolError>>: one crossing
// and one settlement for frames of many streams (a gateway tick).
Napi::Value EncodeMany(const Napi::CallbackInfo& info) {
  return SubmitMany<NativeEncoder>(
      info, "Expected arrays of encoders and PCM frames", "Expected as many PCM frames as encoders",
      [&](NativeEncoder& e, Napi::Value pcm) { return e.MakeJob(info.Env(), pcm); });
}

// decodeMany([decoder, ...], [packet | null, ...]) -> Promise<Array<Buffer | VoxpoolError>>
Napi::Value DecodeMany(const Napi::CallbackInfo& info) {
  return SubmitMany<NativeDecoder>(info, "Expected arrays of decoders and Opus packets",
                                   "Expected as many Opus packets as decoders",
                                   [&](NativeDecoder& d, Napi::Value packet) {
                                     return d.MakeJob(info.Env(), packet, nullptr, nullptr);
                                   });
}

// libopus's generic CTL requests (opus_defines.h), by their libopus names without OPUS_ and
// _REQUEST, in lib/opus.js's order; to expose another, add it here.
#define OPUS_RESET_STATE_REQUEST OPUS_RESET_STATE  // the one request libopus names without _REQUEST
#define VOXPOOL_OPUS_CTLS(X)                                                                      \
  X(SET_APPLICATION)                                                                              \
  X(GET_APPLICATION) X(SET_BITRATE) X(GET_BITRATE) X(SET_MAX_BANDWIDTH) X(GET_MAX_BANDWIDTH)      \
      X(SET_VBR) X(GET_VBR) X(SET_BANDWIDTH) X(GET_BANDWIDTH) X(SET_COMPLEXITY) X(GET_COMPLEXITY) \
          X(SET_INBAND_FEC) X(GET_INBAND_FEC) X(SET_PACKET_LOSS_PERC) X(GET_PACKET_LOSS_PERC)     \
              X(SET_DTX) X(GET_DTX) X(SET_VBR_CONSTRAINT) X(GET_VBR_CONSTRAINT)                   \
                  X(SET_FORCE_CHANNELS) X(GET_FORCE_CHANNELS) X(SET_SIGNAL) X(GET_SIGNAL)         \
                      X(GET_LOOKAHEAD) X(RESET_STATE) X(GET_SAMPLE_RATE) X(GET_FINAL_RANGE)       \
                          X(GET_PITCH) X(SET_GAIN) X(GET_GAIN) X(GET_LAST_PACKET_DURATION)        \
                              X(SET_PHASE_INVERSION_DISABLED) X(GET_PHASE_INVERSION_DISABLED)     \
                                  X(GET_IN_DTX)

Napi::Object CtlRequests(Napi::Env env) {
  Napi::Object ctl = Napi::Object::New(env);
#define VOXPOOL_SET_CTL(name) ctl.Set(#name, OPUS_##name##_REQUEST);
  VOXPOOL_OPUS_CTLS(VOXPOOL_SET_CTL)
#undef VOXPOOL_SET_CTL
  return ctl;
}

template <class Array>
Napi::Array ToJs(Napi::Env env, const Array& values, double divisor = 1) {
  Napi::Array out = Napi::Array::New(env, values.size());
  for (size_t i = 0; i < values.size(); ++i) out.Set(static_cast<uint32_t>(i), values[i] / divisor);
  return out;
}

Napi::Object Constants(Napi::Env env) {
  Napi::Object c = Napi::Object::New(env);
  c.Set("SAMPLE_RATES", ToJs(env, opus::kSampleRates));
  c.Set("FRAME_DURATIONS_MS", ToJs(env, opus::kFrameDurationsTenthMs, 10.0));
  using namespace opus;
  SetNumbers(c, {{"MAX_PACKET_BYTES", kMaxPacketBytes},
                 {"MAX_FRAME_SAMPLES", kMaxFrameSamples},
                 {"MAX_CHANNELS", kMaxChannels},
                 {"DEFAULT_SAMPLE_RATE", kDefaultSampleRate},
                 {"DEFAULT_CHANNELS", kDefaultChannels},
                 {"MIN_BITRATE", kMinBitrate},
                 {"MAX_BITRATE", kMaxBitrate},
                 {"MAX_COMPLEXITY", kMaxComplexity},
                 {"MAX_PACKET_LOSS_PERC", kMaxPacketLossPerc},
                 {"APPLICATION_VOIP", kApplicationVoip},
                 {"APPLICATION_AUDIO", kApplicationAudio},
                 {"APPLICATION_RESTRICTED_LOWDELAY", kApplicationRestrictedLowDelay},
                 {"SIGNAL_AUTO", kSignalAuto},
                 {"SIGNAL_VOICE", kSignalVoice},
                 {"SIGNAL_MUSIC", kSignalMusic}});
  c.Set("CTL", CtlRequests(env));
  // The adaptive complexity controller's defaults and limits (lib/adaptive.js).
  constexpr double kNsPerMs = 1e6;
  c.Set("ADAPTIVE",
        NumberObject(env, {{"DEFAULT_MIN_COMPLEXITY", kAdaptiveDefaultMinComplexity},
                           {"DEFAULT_TARGET_SLACK_MS", kAdaptiveDefaultTargetSlackNs / kNsPerMs},
                           {"MAX_TARGET_SLACK_MS", kAdaptiveMaxTargetSlackNs / kNsPerMs},
                           {"FRAME_MS", kAdaptiveFrameNs / kNsPerMs},
                           {"WINDOW_MS", kAdaptiveWindowNs / kNsPerMs},
                           {"HYSTERESIS", kAdaptiveHysteresis}}));
  c.Set("OPUS_VERSION", opus_get_version_string());
  return c;
}

}  // namespace

void InitOpus(Napi::Env env, Napi::Object exports) {
  exports.Set("NativeEncoder", NativeEncoder::Define(env));
  exports.Set("NativeDecoder", NativeDecoder::Define(env));
  exports.Set("NativeTranscoder", NativeTranscoder::Define(env));
  exports.Set("NativeAdaptiveComplexity", DefineAdaptiveComplexity(env));
  ExportFunctions(env, exports, {VOXPOOL_FUNCTION(EncodeMany), VOXPOOL_FUNCTION(DecodeMany)});
  exports.Set("opusConstants", Constants(env));
}

}  // namespace voxpool::binding
