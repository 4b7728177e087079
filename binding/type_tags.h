// Every native class in one place: its napi_type_tag, its JS name and the two messages every class
// throws. A class's tag is {kTagPrefix, its id}, so two classes can never share a tag and a new
// class takes the next id here (and a row in kClassText). Tags make a method called with the
// wrong `this`, or an argument of the wrong class, a TypeError (see wrap.h).
#pragma once

#include <node_api.h>

#include <cstddef>
#include <cstdint>

namespace voxpool::binding {

enum class ClassId : uint64_t {
  kEncoder = 1,
  kDecoder,
  kTranscoder,
  kVoiceCipher,
  kSecretStreamPush,
  kSecretStreamPull,
  kVoiceSender,
  kVoiceReceiver,
  kMixer,
  kSpeakerMixer,
  kResampler,
  kVolume,
  kOggDemuxer,
  kOggMuxer,
  kWebmDemuxer,
  kAdaptiveComplexity,
  kFilterChain,
  kCrossfade,
  kSpeechProcessor,
  kEnd,  // one past the last id: a new class goes above this line
};

// What JS calls a class, the TypeError for a method called on anything else, and the
// ERR_VOXPOOL_DESTROYED message after destroy(). Static strings (the per-packet paths throw them
// without building a string).
struct ClassText {
  const char* name;
  const char* illegal;
  const char* destroyed;
};

// Indexed by ClassId - 1, in ClassId's order (checked below).
// clang-format off
inline constexpr ClassText kClassText[] = {
    {"NativeEncoder", "Expected a NativeEncoder (illegal invocation)", "The encoder has been destroyed"},
    {"NativeDecoder", "Expected a NativeDecoder (illegal invocation)", "The decoder has been destroyed"},
    {"NativeTranscoder", "Expected a NativeTranscoder (illegal invocation)", "The transcoder has been destroyed"},
    {"NativeVoiceCipher", "Expected a NativeVoiceCipher (illegal invocation)", "The voice cipher has been destroyed"},
    {"NativeSecretStreamPush", "Expected a NativeSecretStreamPush (illegal invocation)", "The stream has been destroyed"},
    {"NativeSecretStreamPull", "Expected a NativeSecretStreamPull (illegal invocation)", "The stream has been destroyed"},
    {"NativeVoiceSender", "Expected a NativeVoiceSender (illegal invocation)", "The voice sender has been destroyed"},
    {"NativeVoiceReceiver", "Expected a NativeVoiceReceiver (illegal invocation)", "The voice receiver has been destroyed"},
    {"NativeMixer", "Expected a NativeMixer (illegal invocation)", "The mixer has been destroyed"},
    {"NativeSpeakerMixer", "Expected a NativeSpeakerMixer (illegal invocation)", "The speaker mixer has been destroyed"},
    {"NativeResampler", "Expected a NativeResampler (illegal invocation)", "The resampler has been destroyed"},
    {"NativeVolume", "Expected a NativeVolume (illegal invocation)", nullptr},  // no destroy()
    {"NativeOggDemuxer", "Expected a NativeOggDemuxer (illegal invocation)", "The Ogg demuxer has been destroyed"},
    {"NativeOggMuxer", "Expected a NativeOggMuxer (illegal invocation)", "The Ogg muxer has been destroyed"},
    {"NativeWebmDemuxer", "Expected a NativeWebmDemuxer (illegal invocation)", "The WebM demuxer has been destroyed"},
    {"NativeAdaptiveComplexity", "Expected a NativeAdaptiveComplexity (illegal invocation)", nullptr},  // no destroy()
    {"NativeFilterChain", "Expected a NativeFilterChain (illegal invocation)", "The filter chain has been destroyed"},
    {"NativeCrossfade", "Expected a NativeCrossfade (illegal invocation)", nullptr},  // no destroy()
    {"NativeSpeechProcessor", "Expected a NativeSpeechProcessor (illegal invocation)", "The speech processor has been destroyed"},
};
// clang-format on
static_assert(sizeof(kClassText) / sizeof(kClassText[0]) == static_cast<size_t>(ClassId::kEnd) - 1,
              "one kClassText row per ClassId");

// The row of class `id`.
constexpr const ClassText& TextOf(ClassId id) { return kClassText[static_cast<size_t>(id) - 1]; }

// "voxpool\0": the upper half of every voxpool tag.
inline constexpr uint64_t kTagPrefix = 0x766f78706f6f6c00ULL;

// The tag of class `id`, with static storage (napi_type_tag_object takes a pointer).
template <ClassId id>
inline constexpr napi_type_tag kTypeTag = {kTagPrefix, static_cast<uint64_t>(id)};

}  // namespace voxpool::binding
