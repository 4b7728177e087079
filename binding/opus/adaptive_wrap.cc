// NativeAdaptiveComplexity: holds an opus::AdaptiveComplexity for lib/adaptive.js. The controller
// itself is shared (a shared_ptr) with every encoder job that uses it, so it outlives this object
// while they run. JS thread only.
#include "opus/adaptive_wrap.h"

#include "args.h"
#include "errors.h"
#include "external_memory.h"
#include "numbers.h"
#include "options.h"
#include "type_tags.h"
#include "voxpool/pool/shared_pool.h"
#include "wrap.h"

namespace voxpool::binding {
namespace {

class NativeAdaptiveComplexity : public Napi::ObjectWrap<NativeAdaptiveComplexity> {
 public:
  static constexpr ClassId kClass = ClassId::kAdaptiveComplexity;

  // new NativeAdaptiveComplexity({ minComplexity?, maxComplexity?, targetSlackNs? }): sized for
  // the pool's thread count.
  explicit NativeAdaptiveComplexity(const Napi::CallbackInfo& info)
      : Napi::ObjectWrap<NativeAdaptiveComplexity>(info) {
    Napi::Env env = info.Env();
    Napi::Object o = OptionsArg(info);
    opus::AdaptiveComplexityOptions options;
    options.min_complexity = IntOr(o, "minComplexity", options.min_complexity);
    options.max_complexity = IntOr(o, "maxComplexity", options.max_complexity);
    options.target_slack_ns = NumberOr(o, "targetSlackNs", options.target_slack_ns);
    options.threads = static_cast<int>(pool::SharedPoolThreads());
    Check(env, opus::AdaptiveComplexity::Create(options, &controller_));
    memory_.Set(env, sizeof(opus::AdaptiveComplexity));
    napi_type_tag_object(env, info.This(), &kTypeTag<kClass>);
  }

  ~NativeAdaptiveComplexity() override { memory_.Release(Env()); }

  static Napi::Function Define(Napi::Env env) {
    return DefineMethods<NativeAdaptiveComplexity>(env, {{"stats", &NativeAdaptiveComplexity::Stats}});
  }

  const std::shared_ptr<opus::AdaptiveComplexity>& controller() const { return controller_; }

 private:
  // stats() -> { frames: number[11], downgrades, upgrades, lateFrames, level, scale,
  //              streamsPerTick, threads }
  Napi::Value Stats(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    UnwrapTagged<NativeAdaptiveComplexity>(env, info.This());
    const opus::AdaptiveComplexityStats s = controller_->stats();
    Napi::Object o = Napi::Object::New(env);
    Napi::Array frames = Napi::Array::New(env, s.frames.size());
    for (size_t c = 0; c < s.frames.size(); ++c)
      frames.Set(static_cast<uint32_t>(c), static_cast<double>(s.frames[c]));
    o.Set("frames", frames);
    SetNumbers(o, {{"downgrades", s.downgrades},
                   {"upgrades", s.upgrades},
                   {"lateFrames", s.late_frames},
                   {"level", static_cast<double>(s.level) / opus::kLevelScale},
                   {"scale", s.scale},
                   {"streamsPerTick", s.streams_per_tick},
                   {"threads", controller_->options().threads}});
    return o;
  }

  std::shared_ptr<opus::AdaptiveComplexity> controller_;
  ExternalMemory memory_;
};

}  // namespace

Napi::Function DefineAdaptiveComplexity(Napi::Env env) { return NativeAdaptiveComplexity::Define(env); }

std::shared_ptr<opus::AdaptiveComplexity> SharedAdaptiveOf(Napi::Env env, napi_value value) {
  return UnwrapTagged<NativeAdaptiveComplexity>(env, value)->controller();
}

}  // namespace voxpool::binding
