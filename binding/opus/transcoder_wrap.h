// NativeTranscoder: Opus -> volume -> Opus in one pool job per frame, re-encoding with a
// NativeEncoder's encoder (shared, so its owner's setters keep working). JS thread only.
#pragma once

#include <napi.h>

#include "pooled_wrap.h"
#include "voxpool/opus/transcoder.h"

namespace voxpool::binding {

class NativeTranscoder : public PooledWrap<NativeTranscoder, opus::Transcoder> {
 public:
  static constexpr ClassId kClass = ClassId::kTranscoder;

  static Napi::Function Define(Napi::Env env);

  // new NativeTranscoder(nativeEncoder, { volume, maxQueue?, overflow? })
  explicit NativeTranscoder(const Napi::CallbackInfo& info);

 private:
  Napi::Value ProcessAsync(const Napi::CallbackInfo& info);
};

}  // namespace voxpool::binding
