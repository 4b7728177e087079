// Per-environment state (the main thread and each worker_thread each get one): the completion
// queue the pool delivers to, the thread-safe function that wakes this environment's loop, the
// count of pending Promises (the loop is kept alive only while it is > 0), and the JS classes the
// binding needs. Lives in Node-API instance data; torn down by an environment cleanup hook.
#pragma once

#include <napi.h>

#include <memory>
#include <vector>

#include "pool/js_result.h"
#include "voxpool/pool/completion_queue.h"
#include "voxpool/pool/strand.h"

namespace voxpool::binding {

class EnvContext {
 public:
  static EnvContext& Get(Napi::Env env) { return *env.GetInstanceData<EnvContext>(); }
  // Creates the context, its thread-safe function (unref'd) and the cleanup hook.
  static void Install(Napi::Env env);
  ~EnvContext();

  // The process pool; started on first use. JS thread only.
  const std::shared_ptr<pool::ThreadPool>& pool();
  // A new strand on the process pool.
  std::shared_ptr<pool::Strand> NewStrand(const pool::StrandOptions& options);
  const std::shared_ptr<pool::CompletionQueue>& queue() const { return queue_; }

  // Submits `job` (a pool::Job that is also a JsResult) to `strand` and returns its Promise. A refused
  // job rejects the Promise right away. JS thread only.
  template <class T>
  Napi::Value Submit(Napi::Env env, pool::Strand& strand, std::unique_ptr<T> job) {
    return SubmitImpl(env, strand, std::unique_ptr<pool::Job>(job.release()));
  }
  // Submits a batch whose members are already prepared; returns the batch Promise.
  Napi::Value SubmitGroup(Napi::Env env, std::unique_ptr<pool::JobGroup> group,
                          std::vector<std::pair<pool::Strand*, std::unique_ptr<pool::Job>>> members);

  static constexpr int kRecycleSlots = 2;
  static constexpr size_t kMaxSpares = 256;  // per slot
  // A parked job of type T from `slot`, its pool::Job state reset, or null. JS thread only.
  template <class T>
  std::unique_ptr<T> Reuse(int slot) {
    auto& spares = spares_[slot];
    if (spares.empty()) return nullptr;
    std::unique_ptr<pool::Job> job = std::move(spares.back());
    spares.pop_back();
    return std::unique_ptr<T>(static_cast<T*>(job.release()));
  }
  // Parks a settled job for reuse (recyclable and room left) or frees it. JS thread only.
  void Recycle(std::unique_ptr<pool::Job> job);

  // Counts one more pending Promise and keeps the loop alive. JS thread only.
  void AddPending(Napi::Env env);

  // Copies `parts` into one new Buffer and returns an array of Buffer views of it, in order
  // (see JsResult::ResultBytes). JS thread only.
  Napi::Array Views(Napi::Env env, const std::vector<std::pair<const uint8_t*, size_t>>& parts);

  Napi::FunctionReference error_class;  // VoxpoolError, registered by lib/errors.js
  Napi::FunctionReference view_factory;  // (buffer, ends, n) => Buffer[], from lib/binding.js
  uint64_t drains = 0;                  // wake-ups that found work
  uint64_t settled = 0;                 // Promises settled through the queue
  int64_t native_bytes = 0;             // native memory its live objects report (ExternalMemory)

 private:
  explicit EnvContext(Napi::Env env);
  Napi::Value SubmitImpl(Napi::Env env, pool::Strand& strand, std::unique_ptr<pool::Job> job);
  static void CallJs(Napi::Env env, Napi::Function, EnvContext* self, void*);
  static void Cleanup(EnvContext* self);
  void Drain(Napi::Env env);
  void Settle(Napi::Env env, pool::Job& job);
  Napi::Array ShareViews(Napi::Env env);
  void Close();

  using Tsfn = Napi::TypedThreadSafeFunction<EnvContext, void, &EnvContext::CallJs>;
  Tsfn tsfn_;
  std::shared_ptr<pool::CompletionQueue> queue_;
  std::shared_ptr<pool::ThreadPool> pool_;
  std::vector<std::unique_ptr<pool::Job>> scratch_;  // reused by Drain
  std::vector<std::pair<const uint8_t*, size_t>> parts_;  // reused by Drain
  std::vector<size_t> view_jobs_;                         // reused by Drain: scratch_ indices
  Napi::Reference<Napi::Uint32Array> ends_;               // reused offsets for view_factory
  std::vector<std::unique_ptr<pool::Job>> spares_[kRecycleSlots];  // see Recycle
  size_t pending_ = 0;
  uint64_t next_sequence_ = 0;
  bool referenced_ = false;
  bool closed_ = false;
};

}  // namespace voxpool::binding
