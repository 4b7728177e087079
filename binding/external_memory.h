// Native memory a JS object holds, reported to V8 (Node-API external memory), so the collector
// weighs a wrapper by what it really keeps alive: an Opus encoder is ~30 KB of libopus state
// behind a JS object of a few bytes, and without the report a loop that drops encoders grows by
// gigabytes before V8 sees a reason to collect. Every pooled wrapper holds one of these; the
// environment keeps the running total (EnvContext::native_bytes, shown by stats()).
#pragma once

#include <napi.h>

#include <cstdint>

namespace voxpool::binding {

// Not thread-safe: JS thread only. Never allocates.
class ExternalMemory {
 public:
  ExternalMemory() = default;
  ExternalMemory(const ExternalMemory&) = delete;
  ExternalMemory& operator=(const ExternalMemory&) = delete;

  // Reports `bytes` as the object's current native size (the change since the last report).
  void Set(Napi::Env env, int64_t bytes);
  // Reports the object as holding nothing (destroy() and the finalizer). Idempotent.
  void Release(Napi::Env env) { Set(env, 0); }
  int64_t bytes() const noexcept { return bytes_; }

 private:
  int64_t bytes_ = 0;
};

}  // namespace voxpool::binding
