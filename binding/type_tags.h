// The napi_type_tag of every native class, in one place: a class's tag is {kTagPrefix, its id}, so
// two classes can never share a tag and a new class takes the next id here. Tags make a method
// called with the wrong `this`, or an argument of the wrong class, a TypeError (see wrap.h).
#pragma once

#include <node_api.h>

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
};

// "voxpool\0": the upper half of every voxpool tag.
inline constexpr uint64_t kTagPrefix = 0x766f78706f6f6c00ULL;

// The tag of class `id`, with static storage (napi_type_tag_object takes a pointer).
template <ClassId id>
inline constexpr napi_type_tag kTypeTag = {kTagPrefix, static_cast<uint64_t>(id)};

}  // namespace voxpool::binding
