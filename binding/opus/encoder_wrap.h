// NativeEncoder: the Node-API face of opus::Encoder. lib/opus.js validates and explains; this
// re-checks cheap invariants, converts values and submits jobs. JS thread only.
#pragma once

#include <napi.h>

#include <memory>

#include "pool/js_result.h"
#include "pooled_wrap.h"
#include "voxpool/opus/adaptive_complexity.h"
#include "voxpool/opus/encoder.h"
#include "voxpool/pcm_processor.h"

namespace voxpool::binding {

class NativeEncoder : public PooledWrap<NativeEncoder, opus::Encoder> {
 public:
  static constexpr ClassId kClass = ClassId::kEncoder;

  static Napi::Function Define(Napi::Env env);

  // new NativeEncoder({ sampleRate, channels, application, bitrate?, complexity?, signal?, vbr?,
  //                     vbrConstraint?, fec?, packetLoss?, dtx?, adaptive?, maxQueue?, overflow? })
  // `adaptive`: a NativeAdaptiveComplexity whose complexity the pool encodes take.
  explicit NativeEncoder(const Napi::CallbackInfo& info);

  // A job encoding `value` (PCM), checked; throws on bad input or after destroy().
  std::unique_ptr<JsJob> MakeJob(Napi::Env env, napi_value value, bool end = false);

 private:
  Napi::Value Encode(const Napi::CallbackInfo& info);
  Napi::Value EncodeAsync(const Napi::CallbackInfo& info);
  Napi::Value EncodeBatch(const Napi::CallbackInfo& info);
  Napi::Value SetCtl(const Napi::CallbackInfo& info);
  Napi::Value GetCtl(const Napi::CallbackInfo& info);
  Napi::Value AttachFilters(const Napi::CallbackInfo& info);

  // The filter chain every frame runs through before it is encoded (attachFilters); null for
  // none. Jobs take their own reference when made.
  std::shared_ptr<PcmProcessor> filters_;
  bool packets_ = false;  // attachFilters(chain, true): jobs settle with Arrays of packets
  // The controller this encoder's pool encodes follow ({ adaptive }), and its stream id there.
  std::shared_ptr<opus::AdaptiveComplexity> adaptive_;
  uint64_t adaptive_id_ = 0;
};

// The live encoder of a NativeEncoder, shared (a transcoder re-encodes with it). Throws a
// TypeError for anything else and ERR_VOXPOOL_DESTROYED once it is destroyed.
std::shared_ptr<opus::Encoder> SharedEncoderOf(Napi::Env env, napi_value value);

}  // namespace voxpool::binding
