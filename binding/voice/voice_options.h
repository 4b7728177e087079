// Options both voice pipelines read from their constructor's options object.
#pragma once

#include <napi.h>

#include "bytes.h"
#include "errors.h"
#include "voxpool/crypto/voice_cipher.h"

namespace voxpool::binding {

// `mode`: RangeError("Unknown voice encryption mode") unless it names a mode of crypto::kVoiceModes.
inline crypto::VoiceMode ReadMode(Napi::Env env, const Napi::Object& o) {
  Napi::Value m = o.Get("mode");
  const crypto::VoiceModeInfo* info =
      m.IsString() ? crypto::FindVoiceMode(m.As<Napi::String>().Utf8Value()) : nullptr;
  if (info == nullptr) ThrowRangeError(env, "Unknown voice encryption mode");
  return info->mode;
}

// `key`, viewed without copying (valid during the constructor call only).
inline Bytes ReadKey(Napi::Env env, const Napi::Object& o) {
  Bytes key;
  if (!GetBytes(env, o.Get("key"), &key))
    ThrowTypeError(env, "Expected the key as a Buffer or Uint8Array");
  return key;
}

}  // namespace voxpool::binding
