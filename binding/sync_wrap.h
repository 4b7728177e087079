// The shared base of the JS classes whose work is cheaper than a pool round trip (NativeCrossfade,
// NativeVolume, NativeResampler, NativeAdaptiveComplexity): they run on the calling thread and
// have no strand. It holds the core object and the native memory reported to V8, and gives each
// method the type-tag and destroyed checks (Enter). The pooled classes' base is pooled_wrap.h.
//
//   class NativeThing : public SyncWrap<NativeThing, core::Thing> {
//    public:
//     static constexpr ClassId kClass = ClassId::kThing;  // add the id and its text in type_tags.h
//     explicit NativeThing(const Napi::CallbackInfo& info) : SyncWrap(info) {
//       CreateAndTag(info, options);             // core::Thing::Create(options, &core_)
//       memory_.Set(info.Env(), sizeof(core::Thing));
//     }
//     ...
//   };
//
// JS thread only.
#pragma once

#include <napi.h>

#include <memory>
#include <utility>

#include "args.h"
#include "errors.h"
#include "external_memory.h"
#include "type_tags.h"
#include "wrap.h"

namespace voxpool::binding {

// `Pointer` is what Core::Create fills: std::unique_ptr<Core>, or std::shared_ptr<Core> when the
// core outlives the wrapper in jobs that use it.
template <class Self, class Core, class Pointer = std::unique_ptr<Core>>
class SyncWrap : public Napi::ObjectWrap<Self> {
 public:
  explicit SyncWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Self>(info) {}
  ~SyncWrap() override { memory_.Release(this->Env()); }

 protected:
  using Wrapper = Self;  // the class VOXPOOL_METHOD names

  // Core::Create(args..., &core_), the factory every core object has: throws the VoxpoolError of
  // a failed Status, else tags `this` (info.This()) as a Self. Allocates what Create allocates.
  template <class... Args>
  void CreateAndTag(const Napi::CallbackInfo& info, Args&&... args) {
    Check(info.Env(), Core::Create(std::forward<Args>(args)..., &core_));
    napi_type_tag_object(info.Env(), info.This(), &kTypeTag<Self::kClass>);
  }

  // The core object of the method's `this`: TypeError(its illegal-invocation text) for a foreign
  // `this`, ERR_VOXPOOL_DESTROYED once a destroy() has reset core_. Never allocates.
  static Core& Enter(const Napi::CallbackInfo& info) {
    Self* self = UnwrapTagged<Self>(info.Env(), info.This());
    if (!self->core_)
      Throw(info.Env(), Status(ErrorCode::kDestroyed, TextOf(Self::kClass).destroyed));
    return *self->core_;
  }

  Pointer core_;
  ExternalMemory memory_;
};

}  // namespace voxpool::binding
