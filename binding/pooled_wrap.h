// The shared base of every JS class that owns a core object and runs its work on the pool: the
// type-tag check (Of), the destroyed check (Live), the object's lazily created strand, the native
// memory it reports to V8, and the pending() / destroy() methods. A new pooled class is its core
// object, its jobs and its methods; see docs/ARCHITECTURE.md, "Where to add things".
//
//   class NativeThing : public PooledWrap<NativeThing, core::Thing> {
//    public:
//     static constexpr ClassId kClass = ClassId::kThing;  // add the id and its text in type_tags.h
//     static Napi::Function Define(Napi::Env env) {
//       return DefineWith(env, {VOXPOOL_METHOD(Run)});  // JS run(); + pending, destroy
//     }
//     ...
//   };
//
// JS thread only (like every wrapper). Destroy: queued jobs settle with ERR_VOXPOOL_DESTROYED, a
// running one finishes with its own reference to the core object, which dies with the last user.
#pragma once

#include <napi.h>

#include <cstdint>
#include <memory>
#include <utility>

#include "errors.h"
#include "external_memory.h"
#include "options.h"
#include "pool/env_context.h"
#include "pool/lazy_strand.h"
#include "type_tags.h"
#include "wrap.h"

namespace voxpool::binding {

template <class Self, class Core>
class PooledWrap : public Napi::ObjectWrap<Self> {
 public:
  explicit PooledWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Self>(info) {}
  ~PooledWrap() override {
    memory_.Release(this->Env());
    EnvContext::Get(this->Env()).sinks.Drop(this->Env(), sink_);
  }

  // The Self wrapped by `value`, or TypeError(its illegal-invocation text): never reinterprets
  // foreign memory.
  static Self* Of(Napi::Env env, napi_value value) { return UnwrapTagged<Self>(env, value); }

  // The core object; throws ERR_VOXPOOL_DESTROYED after destroy().
  const std::shared_ptr<Core>& Live(Napi::Env env) const {
    if (!core_) Throw(env, Status(ErrorCode::kDestroyed, TextOf(Self::kClass).destroyed));
    return core_;
  }
  // The core object of the method's `this`: Of (the TypeError for a foreign `this`) then Live
  // (ERR_VOXPOOL_DESTROYED), the check every method starts with. Never allocates.
  const std::shared_ptr<Core>& Enter(const Napi::CallbackInfo& info) {
    Of(info.Env(), info.This());
    return Live(info.Env());
  }
  // The object's strand (created on the first async call); throws after destroy().
  pool::Strand& StrandFor(Napi::Env env) {
    Live(env);
    return strand_.Get(env);
  }

 protected:
  using Wrapper = Self;  // the class VOXPOOL_METHOD names

  // Defines Self with `methods` followed by the pending() and destroy() every pooled class has.
  static Napi::Function DefineWith(Napi::Env env,
                                   std::initializer_list<NamedMethod<Self>> methods) {
    return DefineMethods<Self>(env, methods,
                               {{"pending", &PooledWrap::Pending},
                                {"destroy", &PooledWrap::Destroy},
                                {"setSink", &PooledWrap::SetSink}});
  }

  // Core::Create(args..., &core), the factory every core object has; throws the VoxpoolError of
  // a failed Status. Allocates what Create allocates.
  template <class... Args>
  static std::unique_ptr<Core> CreateCore(Napi::Env env, Args&&... args) {
    std::unique_ptr<Core> core;
    const Status st = Core::Create(std::forward<Args>(args)..., &core);
    if (!st.ok()) Throw(env, st);
    return core;
  }
  // Called by the constructor once the core object exists: tags `self`, takes ownership, sets the
  // strand's queue options and reports `external_bytes` to V8.
  void Adopt(Napi::Env env, napi_value self, std::shared_ptr<Core> core, int64_t external_bytes,
             const pool::StrandOptions& strand_options = {}) {
    napi_type_tag_object(env, self, &kTypeTag<Self::kClass>);
    core_ = std::move(core);
    strand_ = LazyStrand(strand_options);
    memory_.Set(env, external_bytes);
  }
  // The same for a core object that counts its own native memory (memory_bytes()).
  void Adopt(Napi::Env env, napi_value self, std::unique_ptr<Core> core,
             const pool::StrandOptions& strand_options) {
    const auto bytes = static_cast<int64_t>(core->memory_bytes());
    Adopt(env, self, std::move(core), bytes, strand_options);
  }
  // The end of a constructor that reads an options object `o`: creates the core from `args`
  // (CreateCore) and adopts it with the queue options of `o` (ReadStrandOptions: maxQueue,
  // overflow, deadlineMs), reporting `external_bytes` to V8. Throws what CreateCore throws.
  template <class... Args>
  void AdoptNew(const Napi::CallbackInfo& info, const Napi::Object& o, int64_t external_bytes,
                Args&&... args) {
    Napi::Env env = info.Env();
    const pool::StrandOptions strand_options = ReadStrandOptions(o);
    Adopt(env, info.This(), CreateCore(env, std::forward<Args>(args)...), external_bytes,
          strand_options);
  }
  // The same for a core object that counts its own native memory (memory_bytes()).
  template <class... Args>
  void AdoptNewCounted(const Napi::CallbackInfo& info, const Napi::Object& o, Args&&... args) {
    Napi::Env env = info.Env();
    const pool::StrandOptions strand_options = ReadStrandOptions(o);
    Adopt(env, info.This(), CreateCore(env, std::forward<Args>(args)...), strand_options);
  }
  // Submits `job` to the object's strand and returns its Promise.
  template <class J>
  Napi::Value Submit(Napi::Env env, std::unique_ptr<J> job) {
    return EnvContext::Get(env).Submit(env, StrandFor(env), std::move(job));
  }
  // The same with the call's optional `dueMs` argument (ApplyDueMs: RangeError outside its range,
  // the strand's default when absent), checked after the job's own arguments.
  template <class J>
  Napi::Value Submit(Napi::Env env, std::unique_ptr<J> job, napi_value due_ms) {
    ApplyDueMs(env, due_ms, *job);
    return Submit(env, std::move(job));
  }

  // The same with the call's optional `toSink` argument: when true, the result goes to the
  // function given to setSink() (in submission order, as fn(error, value)) and the call returns
  // undefined; a refused job throws. TypeError when no sink is set.
  template <class J>
  Napi::Value Submit(Napi::Env env, std::unique_ptr<J> job, napi_value due_ms, napi_value to_sink) {
    ApplyDueMs(env, due_ms, *job);
    return SubmitMaybeToSink(env, std::move(job), to_sink);
  }
  template <class J>
  Napi::Value SubmitMaybeToSink(Napi::Env env, std::unique_ptr<J> job, napi_value to_sink) {
    if (to_sink == nullptr || !Napi::Value(env, to_sink).ToBoolean().Value()) {
      return Submit(env, std::move(job));
    }
    if (sink_ == 0) ThrowTypeError(env, "Expected setSink() before a call with toSink");
    return EnvContext::Get(env).SubmitToSink(env, StrandFor(env), std::move(job), sink_);
  }

  // setSink(fn): where the results of calls made with toSink go (see Submit); replaces the
  // function set before for calls made from now on.
  Napi::Value SetSink(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Of(env, info.This());
    if (info.Length() < 1 || !info[0].IsFunction()) ThrowTypeError(env, "Expected a function");
    SinkTable& sinks = EnvContext::Get(env).sinks;
    const uint32_t sink = sinks.Add(env, info[0].As<Napi::Function>());
    sinks.Drop(env, sink_);
    sink_ = sink;
    return env.Undefined();
  }

  // pending(): jobs queued on the strand, not counting a running one.
  Napi::Value Pending(const Napi::CallbackInfo& info) {
    Of(info.Env(), info.This());
    return Napi::Number::New(info.Env(), strand_.pending());
  }
  // destroy(): idempotent.
  Napi::Value Destroy(const Napi::CallbackInfo& info) {
    Of(info.Env(), info.This());
    strand_.Close();
    core_.reset();
    memory_.Release(info.Env());
    return info.Env().Undefined();
  }

  std::shared_ptr<Core> core_;
  LazyStrand strand_;
  ExternalMemory memory_;
  uint32_t sink_ = 0;  // SinkTable id; 0: none set
};

}  // namespace voxpool::binding
