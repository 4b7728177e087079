#include "external_memory.h"

#include "pool/env_context.h"

namespace voxpool::binding {

void ExternalMemory::Set(Napi::Env env, int64_t bytes) {
  const int64_t delta = bytes - bytes_;
  if (delta == 0) return;
  bytes_ = bytes;
  Napi::MemoryManagement::AdjustExternalMemory(env, delta);
  EnvContext::Get(env).native_bytes += delta;
}

}  // namespace voxpool::binding
