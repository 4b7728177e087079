// Per-environment state (the main thread and each worker_thread each get one): the completion
// queue the pool delivers to, the thread-safe function that wakes this environment's loop, the
// count of pending Promises (the loop is kept alive only while it is > 0), and the JS classes the
// binding needs. Lives in Node-API instance data; torn down by an environment cleanup hook.
#pragma once

#include <napi.h>

#include <memory>
#include <type_traits>
#include <typeinfo>
#include <vector>

#include "pool/js_result.h"
#include "pool/sink_table.h"
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

  // Submits `job` (a pool::Job that is also a JsResult) to `strand` and returns its Promise. A
  // refused job rejects the Promise right away. JS thread only.
  template <class T>
  Napi::Value Submit(Napi::Env env, pool::Strand& strand, std::unique_ptr<T> job) {
    static_assert(std::is_base_of_v<pool::Job, T> && std::is_base_of_v<JsResult, T>,
                  "a submitted job is a pool::Job and a JsResult");
    JsResult& js = *job;
    return SubmitImpl(env, strand, std::move(job), js);
  }
  // The same with the result going to sink `sink` (a SinkTable id) instead of a Promise: returns
  // undefined; a refused job throws its VoxpoolError here (lib/sink-queue.js delivers it in
  // order). JS thread only.
  template <class T>
  Napi::Value SubmitToSink(Napi::Env env, pool::Strand& strand, std::unique_ptr<T> job,
                           uint32_t sink) {
    static_assert(std::is_base_of_v<pool::Job, T> && std::is_base_of_v<JsResult, T>,
                  "a submitted job is a pool::Job and a JsResult");
    JsResult& js = *job;
    return SubmitToSinkImpl(env, strand, std::move(job), js, sink);
  }
  // Submits a batch (a pool::JobGroup that is also a JsResult) whose members are already built;
  // returns the batch Promise.
  template <class G>
  Napi::Value SubmitGroup(
      Napi::Env env, std::unique_ptr<G> group,
      std::vector<std::pair<pool::Strand*, std::unique_ptr<pool::Job>>> members) {
    static_assert(std::is_base_of_v<pool::JobGroup, G> && std::is_base_of_v<JsResult, G>,
                  "a submitted batch is a pool::JobGroup and a JsResult");
    JsResult& js = *group;
    return SubmitGroupImpl(env, std::move(group), js, std::move(members));
  }

  // Parked jobs are kept per dynamic type, on at most kSpareShelves types, kMaxSpares each.
  static constexpr int kSpareShelves = 4;
  static constexpr size_t kMaxSpares = 256;
  // A parked job of exactly type T, its pool::Job state reset, or null. Never allocates. JS
  // thread only.
  template <class T>
  std::unique_ptr<T> Reuse() {
    static_assert(std::is_base_of_v<pool::Job, T>, "only jobs are recycled");
    SpareShelf* shelf = ShelfOf(typeid(T), false);
    if (shelf == nullptr || shelf->jobs.empty()) return nullptr;
    std::unique_ptr<pool::Job> job = std::move(shelf->jobs.back());
    shelf->jobs.pop_back();
    // The shelf of typeid(T) holds only jobs whose dynamic type is T (see Recycle).
    return std::unique_ptr<T>(static_cast<T*>(job.release()));
  }
  // Parks a settled job for reuse (recyclable and room left) or frees it. JS thread only.
  void Recycle(std::unique_ptr<pool::Job> job);

  // Counts one more pending Promise and keeps the loop alive. JS thread only.
  void AddPending(Napi::Env env);

  // Copies `parts` into one new Buffer and returns an array of Buffer views of it, in order
  // (see JsResult::ResultBytes). JS thread only.
  Napi::Array Views(Napi::Env env, const std::vector<std::pair<const uint8_t*, size_t>>& parts);

  SinkTable sinks;                       // the functions setSink() registered
  Napi::FunctionReference error_class;   // VoxpoolError, registered by lib/errors.js
  Napi::FunctionReference view_factory;  // (buffer, ends, n) => Buffer[], from lib/binding.js
  uint64_t drains = 0;                   // wake-ups that found work
  uint64_t settled = 0;                  // results handed over (Promises settled, sinks called)
  int64_t native_bytes = 0;              // native memory its live objects report (ExternalMemory)

 private:
  explicit EnvContext(Napi::Env env);
  // Parked jobs of one dynamic type.
  struct SpareShelf {
    const std::type_info* type = nullptr;
    std::vector<std::unique_ptr<pool::Job>> jobs;
  };
  // The shelf of `type`; with `claim`, a free shelf is given to it. Null when none.
  SpareShelf* ShelfOf(const std::type_info& type, bool claim);
  Napi::Value SubmitImpl(Napi::Env env, pool::Strand& strand, std::unique_ptr<pool::Job> job,
                         JsResult& js);
  Napi::Value SubmitToSinkImpl(Napi::Env env, pool::Strand& strand, std::unique_ptr<pool::Job> job,
                               JsResult& js, uint32_t sink);
  Napi::Value SubmitGroupImpl(
      Napi::Env env, std::unique_ptr<pool::JobGroup> group, JsResult& js,
      std::vector<std::pair<pool::Strand*, std::unique_ptr<pool::Job>>> members);
  static void CallJs(Napi::Env env, Napi::Function, EnvContext* self, void*);
  static void Cleanup(EnvContext* self);
  void Drain(Napi::Env env);
  void Settle(Napi::Env env, pool::Job& job);
  // Hands `js` its outcome: resolves (value) or rejects (error) its Promise, or calls its sink.
  void Hand(Napi::Env env, JsResult& js, napi_value error, napi_value value);
  Napi::Array ShareViews(Napi::Env env);
  void Close();

  using Tsfn = Napi::TypedThreadSafeFunction<EnvContext, void, &EnvContext::CallJs>;
  Tsfn tsfn_;
  std::shared_ptr<pool::CompletionQueue> queue_;
  std::shared_ptr<pool::ThreadPool> pool_;
  std::vector<std::unique_ptr<pool::Job>> scratch_;       // reused by Drain
  std::vector<std::pair<const uint8_t*, size_t>> parts_;  // reused by Drain
  std::vector<size_t> view_jobs_;                         // reused by Drain: scratch_ indices
  Napi::Reference<Napi::Uint32Array> ends_;               // reused offsets for view_factory
  SpareShelf shelves_[kSpareShelves];                     // see Recycle
  size_t pending_ = 0;
  uint64_t next_sequence_ = 0;
  bool referenced_ = false;
  bool closed_ = false;
};

}  // namespace voxpool::binding
