#include "pool/pool_module.h"

#include "errors.h"
#include "exports.h"
#include "numbers.h"
#include "pool/env_context.h"
#include "voxpool/pool/shared_pool.h"
#include "voxpool/pool/strand.h"

namespace voxpool::binding {
namespace {

Napi::Object Summary(Napi::Env env, const pool::HistogramSummary& h) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("count", Napi::Number::New(env, static_cast<double>(h.count)));
  o.Set("p50", h.p50_us);
  o.Set("p95", h.p95_us);
  o.Set("p99", h.p99_us);
  o.Set("max", h.max_us);
  o.Set("mean", h.mean_us);
  return o;
}

// setErrorClass(VoxpoolError): the class native code uses for coded errors.
Napi::Value SetErrorClass(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsFunction()) ThrowTypeError(info.Env(), "Expected a class");
  EnvContext::Get(info.Env()).error_class = Napi::Persistent(info[0].As<Napi::Function>());
  return info.Env().Undefined();
}

// setViewFactory((buffer, ends, n) => Buffer[]): how native code makes views of a shared Buffer
// (Node-API cannot create a Buffer view directly).
Napi::Value SetViewFactory(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsFunction()) ThrowTypeError(info.Env(), "Expected a function");
  EnvContext::Get(info.Env()).view_factory = Napi::Persistent(info[0].As<Napi::Function>());
  return info.Env().Undefined();
}

// configure(threads, capacity, workerNice?): 0 (threads, capacity) or -1 / absent (workerNice)
// keeps the current value.
Napi::Value Configure(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsNumber() || !info[1].IsNumber() ||
      (info.Length() > 2 && !info[2].IsNumber()))
    ThrowTypeError(env, "Expected threads, capacity and workerNice to be numbers");
  const double threads = info[0].As<Napi::Number>().DoubleValue();
  const double capacity = info[1].As<Napi::Number>().DoubleValue();
  const double nice = info.Length() > 2 ? info[2].As<Napi::Number>().DoubleValue() : -1;
  if (!(threads >= 0 && threads <= static_cast<double>(pool::kMaxPoolThreads)) ||
      !(capacity >= 0 && capacity <= static_cast<double>(pool::kMaxPoolCapacity)) ||
      !(nice >= -1 && nice <= pool::kMaxWorkerNice))
    ThrowRangeError(env, "threads, capacity or workerNice out of range");
  Status st = pool::ConfigureSharedPool(static_cast<size_t>(threads), static_cast<size_t>(capacity),
                                        static_cast<int>(nice));
  if (!st.ok()) Throw(env, st);
  return env.Undefined();
}

// poolCapacity() -> the most jobs the pool queues (what a batch may hold at most).
Napi::Value PoolCapacity(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(pool::SharedPoolCapacity()));
}

Napi::Value Stats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  const bool started = pool::SharedPoolStarted();
  o.Set("started", started);
  pool::PoolStats s;
  if (started) {
    s = EnvContext::Get(env).pool()->Stats();
  } else {
    s.threads = pool::SharedPoolThreads();
    s.worker_nice = pool::SharedPoolWorkerNice();
  }
  auto num = [&](const char* key, double v) { o.Set(key, Napi::Number::New(env, v)); };
  num("threads", static_cast<double>(s.threads));
  num("capacity", static_cast<double>(s.capacity));
  num("workerNice", s.worker_nice);
  num("submitted", static_cast<double>(s.submitted));
  num("completed", static_cast<double>(s.completed));
  num("failed", static_cast<double>(s.failed));
  num("rejected", static_cast<double>(s.rejected));
  num("dropped", static_cast<double>(s.dropped));
  num("queued", static_cast<double>(s.queued));
  o.Set("queueWait", Summary(env, s.queue_wait));
  o.Set("serviceTime", Summary(env, s.service_time));
  EnvContext& ctx = EnvContext::Get(env);
  Napi::Object e = Napi::Object::New(env);
  e.Set("wakeups", Napi::Number::New(env, static_cast<double>(ctx.drains)));
  e.Set("settled", Napi::Number::New(env, static_cast<double>(ctx.settled)));
  e.Set("nativeBytes", Napi::Number::New(env, static_cast<double>(ctx.native_bytes)));
  o.Set("environment", e);
  return o;
}

Napi::Value ResetStats(const Napi::CallbackInfo& info) {
  if (pool::SharedPoolStarted()) EnvContext::Get(info.Env()).pool()->ResetLatency();
  return info.Env().Undefined();
}

}  // namespace

void InitPool(Napi::Env env, Napi::Object exports) {
  ExportFunctions(env, exports,
                  {VOXPOOL_FUNCTION(SetErrorClass), VOXPOOL_FUNCTION(SetViewFactory),
                   VOXPOOL_FUNCTION(Configure), VOXPOOL_FUNCTION(PoolCapacity)});
  constexpr double kNsPerMs = 1e6;
  exports.Set("poolConstants",
              NumberObject(env, {{"MAX_THREADS", pool::kMaxPoolThreads},
                                 {"DEFAULT_CAPACITY", pool::kDefaultPoolCapacity},
                                 {"MAX_CAPACITY", pool::kMaxPoolCapacity},
                                 {"DEFAULT_MAX_QUEUE", pool::kDefaultStrandCapacity},
                                 {"DEFAULT_DUE_MS", pool::kDefaultDueSlackNs / kNsPerMs},
                                 {"MAX_DUE_MS", pool::kMaxDueSlackNs / kNsPerMs},
                                 {"MAX_DEADLINE_MS", pool::kMaxLateLimitNs / kNsPerMs},
                                 {"MAX_QUEUE", pool::kMaxStrandCapacity},
                                 {"MAX_WORKER_NICE", pool::kMaxWorkerNice},
                                 {"DEFAULT_WORKER_NICE", pool::kDefaultWorkerNice}}));
  ExportFunctions(env, exports, {VOXPOOL_FUNCTION(Stats), VOXPOOL_FUNCTION(ResetStats)});
}

}  // namespace voxpool::binding
