// NativeTranscoder: Opus -> filters -> volume -> Opus in one pool job per frame, re-encoding with a
// NativeEncoder's encoder (shared, so its owner's setters keep working). JS thread only.
#pragma once

#include <napi.h>

#include <memory>

#include "pooled_wrap.h"
#include "voxpool/opus/transcoder.h"
#include "voxpool/pcm_processor.h"

namespace voxpool::binding {

class NativeTranscoder : public PooledWrap<NativeTranscoder, opus::Transcoder> {
 public:
  static constexpr ClassId kClass = ClassId::kTranscoder;

  static Napi::Function Define(Napi::Env env);

  // new NativeTranscoder(nativeEncoder, { volume, maxQueue?, overflow? })
  explicit NativeTranscoder(const Napi::CallbackInfo& info);

 private:
  Napi::Value ProcessAsync(const Napi::CallbackInfo& info);
  Napi::Value AttachFilters(const Napi::CallbackInfo& info);

  int rate_ = 0;      // the encoder's, which an attached chain must match
  int channels_ = 0;
  std::shared_ptr<PcmProcessor> filters_;  // attachFilters(); jobs take their own reference
};

}  // namespace voxpool::binding
