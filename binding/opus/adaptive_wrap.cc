// NativeAdaptiveComplexity: holds an opus::AdaptiveComplexity for lib/adaptive.js. The controller
// itself is shared (a shared_ptr) with every encoder job that uses it, so it outlives this object
// while they run. JS thread only.
#include "opus/adaptive_wrap.h"

#include "args.h"
#include "options.h"
#include "sync_wrap.h"
#include "voxpool/pool/shared_pool.h"

namespace voxpool::binding {
namespace {

class NativeAdaptiveComplexity : public SyncWrap<NativeAdaptiveComplexity, opus::AdaptiveComplexity,
                                                 std::shared_ptr<opus::AdaptiveComplexity>> {
 public:
  static constexpr ClassId kClass = ClassId::kAdaptiveComplexity;

  // new NativeAdaptiveComplexity({ minComplexity?, maxComplexity?, targetSlackNs? }): sized for
  // the pool's thread count.
  explicit NativeAdaptiveComplexity(const Napi::CallbackInfo& info) : SyncWrap(info) {
    Napi::Object o = OptionsArg(info);
    opus::AdaptiveComplexityOptions options;
    ReadKeys(o, Key("minComplexity", &options.min_complexity),
             Key("maxComplexity", &options.max_complexity),
             Key("targetSlackNs", &options.target_slack_ns));
    options.threads = static_cast<int>(pool::SharedPoolThreads());
    CreateAndTag(info, options);
    memory_.Set(info.Env(), sizeof(opus::AdaptiveComplexity));
  }

  static Napi::Function Define(Napi::Env env) {
    return DefineMethods<NativeAdaptiveComplexity>(env, {VOXPOOL_METHOD(Stats)});
  }

  const std::shared_ptr<opus::AdaptiveComplexity>& controller() const { return core_; }

 private:
  // stats() -> { frames: number[11], downgrades, upgrades, lateFrames, level, scale,
  //              streamsPerTick, threads }
  Napi::Value Stats(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    opus::AdaptiveComplexity& controller = Enter(info);
    const opus::AdaptiveComplexityStats s = controller.stats();
    Napi::Object o = Napi::Object::New(env);
    Napi::Array frames = Napi::Array::New(env, s.frames.size());
    for (size_t c = 0; c < s.frames.size(); ++c)
      frames.Set(static_cast<uint32_t>(c), static_cast<double>(s.frames[c]));
    o.Set("frames", frames);
    o.Set("downgrades", static_cast<double>(s.downgrades));
    o.Set("upgrades", static_cast<double>(s.upgrades));
    o.Set("lateFrames", static_cast<double>(s.late_frames));
    o.Set("level", static_cast<double>(s.level) / opus::kLevelScale);
    o.Set("scale", s.scale);
    o.Set("streamsPerTick", s.streams_per_tick);
    o.Set("threads", controller.options().threads);
    return o;
  }
};

}  // namespace

Napi::Function DefineAdaptiveComplexity(Napi::Env env) {
  return NativeAdaptiveComplexity::Define(env);
}

std::shared_ptr<opus::AdaptiveComplexity> SharedAdaptiveOf(Napi::Env env, napi_value value) {
  return UnwrapTagged<NativeAdaptiveComplexity>(env, value)->controller();
}

}  // namespace voxpool::binding
