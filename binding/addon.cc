// Module entry: installs the per-environment context, then each feature's exports. Safe to load
// in any number of environments (main thread and worker_threads): all state is per environment
// except the process pool (see voxpool/pool/shared_pool.h).
#include <napi.h>

#include "build_info_binding.h"
#include "container/container_module.h"
#include "crypto/crypto_module.h"
#include "filter/filter_module.h"
#include "mix/mix_module.h"
#include "opus/opus_module.h"
#include "pool/env_context.h"
#include "pool/pool_module.h"
#include "speech/speech_module.h"
#include "voice/voice_module.h"

namespace {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  voxpool::binding::EnvContext::Install(env);
  voxpool::binding::InitPool(env, exports);
  voxpool::binding::InitOpus(env, exports);
  voxpool::binding::InitCrypto(env, exports);
  voxpool::binding::InitVoice(env, exports);
  voxpool::binding::InitMix(env, exports);
  voxpool::binding::InitContainer(env, exports);
  voxpool::binding::InitFilter(env, exports);
  voxpool::binding::InitSpeech(env, exports);
  voxpool::binding::InitBuildInfo(env, exports);
  return exports;
}

}  // namespace

NODE_API_MODULE(voxpool, Init)
