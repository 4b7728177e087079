// Batches of Opus jobs that settle once for all members (encodeBatch, decodeBatch, encodeMany,
// decodeMany): one crossing and one settlement for many frames. JS thread only.
#pragma once

#include <napi.h>

#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "pool/env_context.h"
#include "errors.h"
#include "pool/js_result.h"
#include "voxpool/pool/job.h"
#include "voxpool/pool/shared_pool.h"
#include "voxpool/pool/strand.h"

namespace voxpool::binding {

// Settles once for all members: an array with a Buffer or a VoxpoolError per item, in order.
class BatchJob final : public pool::JobGroup, public JsResult {
 public:
  explicit BatchJob(size_t size) : pool::JobGroup(size) {}
  Napi::Value Result(Napi::Env env) override;
};

// Refuses a batch longer than the pool can queue before anything proportional to it is
// allocated (lib/ checks the same bound with a friendlier message).
void CheckBatchLength(Napi::Env env, uint32_t n);

// Submits `n` members, member i being make(i) -> {strand, job}, as one BatchJob; returns its
// Promise. Checks `n` first.
template <class Make>
Napi::Value SubmitBatch(Napi::Env env, uint32_t n, Make&& make) {
  CheckBatchLength(env, n);
  std::vector<std::pair<pool::Strand*, std::unique_ptr<pool::Job>>> members;
  members.reserve(n);
  for (uint32_t i = 0; i < n; ++i) members.push_back(make(i));
  return EnvContext::Get(env).SubmitGroup(env, std::make_unique<BatchJob>(n), std::move(members));
}

// encodeBatch / decodeBatch: argument 0 an array of inputs for `self`; member i runs
// make(input i) -> job on self's strand, in order. TypeError(type_message) when it is not an
// array; the length and the destroyed check (StrandFor) before any job is made.
template <class Wrap, class Make>
Napi::Value SubmitArray(Wrap& self, const Napi::CallbackInfo& info, const char* type_message,
                        Make&& make) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsArray()) ThrowTypeError(env, type_message);
  Napi::Array inputs = info[0].As<Napi::Array>();
  const uint32_t n = inputs.Length();
  CheckBatchLength(env, n);
  pool::Strand& strand = self.StrandFor(env);
  return SubmitBatch(env, n,
                     [&](uint32_t i) { return std::make_pair(&strand, make(inputs.Get(i))); });
}

// encodeMany / decodeMany: argument 0 an array of Wrap objects, argument 1 an array of as many
// inputs; member i runs make(wrap i, input i) -> job on wrap i's strand. TypeError(type_message)
// when either is not an array, RangeError(length_message) when their lengths differ (both before
// anything is allocated); then allocates the jobs and the BatchJob.
template <class Wrap, class Make>
Napi::Value SubmitMany(const Napi::CallbackInfo& info, const char* type_message,
                       const char* length_message, Make&& make) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsArray() || !info[1].IsArray())
    ThrowTypeError(env, type_message);
  Napi::Array wraps = info[0].As<Napi::Array>();
  Napi::Array inputs = info[1].As<Napi::Array>();
  const uint32_t n = wraps.Length();
  CheckBatchLength(env, n);
  if (inputs.Length() != n) ThrowRangeError(env, length_message);
  return SubmitBatch(env, n, [&](uint32_t i) {
    Wrap* w = Wrap::Of(env, wraps.Get(i));
    return std::make_pair(&w->StrandFor(env), make(*w, inputs.Get(i)));
  });
}

}  // namespace voxpool::binding
