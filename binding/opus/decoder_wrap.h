// NativeDecoder: the Node-API face of opus::Decoder. lib/opus.js validates and explains; this
// re-checks cheap invariants, converts values and submits jobs. JS thread only.
#pragma once

#include <napi.h>

#include <memory>

#include "bytes.h"
#include "pool/js_result.h"
#include "pooled_wrap.h"
#include "voxpool/opus/decoder.h"
#include "voxpool/pcm.h"

namespace voxpool::binding {

class NativeDecoder : public PooledWrap<NativeDecoder, opus::Decoder> {
 public:
  static constexpr ClassId kClass = ClassId::kDecoder;

  static Napi::Function Define(Napi::Env env);

  // new NativeDecoder({ sampleRate, channels, format: 's16le' | 'f32le', maxQueue?, overflow? })
  explicit NativeDecoder(const Napi::CallbackInfo& info);

  // A job decoding (packet | null | undefined, frameSize, fec), checked; either value may be null
  // (absent). Throws on bad input or after destroy().
  std::unique_ptr<JsJob> MakeJob(Napi::Env env, napi_value packet_value, napi_value frame_value,
                                 napi_value fec_value);

 private:
  // Reads and checks the arguments; returns false for "no packet" (concealment).
  bool ReadArgs(Napi::Env env, napi_value packet_value, napi_value frame_value,
                napi_value fec_value, Bytes* packet, int* frame_size, bool* fec);

  Napi::Value Decode(const Napi::CallbackInfo& info);
  Napi::Value DecodeAsync(const Napi::CallbackInfo& info);
  Napi::Value DecodeBatch(const Napi::CallbackInfo& info);
  Napi::Value SetCtl(const Napi::CallbackInfo& info);
  Napi::Value GetCtl(const Napi::CallbackInfo& info);
  Napi::Value LastFrameSize(const Napi::CallbackInfo& info);

  SampleFormat format_ = SampleFormat::kS16;
};

}  // namespace voxpool::binding
