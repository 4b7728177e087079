// The shared shape of the container demuxers' JS classes (NativeOggDemuxer, NativeWebmDemuxer):
// each pushed chunk is one job on the object's strand (so chunks are parsed in order, never two at
// once), whose Promise resolves with every event the chunk completed: their bytes in one Buffer,
// their numbers in one Float64Array (lib/ reads the layout), and the demuxer's counters. A format
// is its Traits:
//
//   struct Traits {
//     using Demuxer = container::XDemuxer;   // Push(data, size, Output*), Finish(Output*)
//     using Output = container::XOutput;     // events + bytes
//     using State = ...;                     // what Snapshot copies on the pool thread
//     static constexpr size_t kEventFields;  // numbers per event
//     static State Snapshot(const Demuxer&);
//     static double* Write(const Event&, double* out);            // kEventFields numbers
//     static void Describe(Napi::Env, const State&, Napi::Object*);  // stats (and more)
//   };
//
// JS thread only, except DemuxJob::Run (a pool thread, on the object's strand).
#pragma once

#include <napi.h>

#include <memory>
#include <new>
#include <vector>

#include "args.h"
#include "pool/js_result.h"
#include "pooled_wrap.h"

namespace voxpool::binding {

template <class Traits>
class DemuxJob final : public pool::Job, public JsResult {
 public:
  using Demuxer = typename Traits::Demuxer;
  // `finish`: the input ended (Finish) instead of a chunk (Push). Copies the chunk (allocates).
  DemuxJob(std::shared_ptr<Demuxer> demuxer, const Bytes& chunk, bool finish)
      : demuxer_(std::move(demuxer)), chunk_(chunk.data, chunk.data + chunk.size), finish_(finish) {}

  void Run() noexcept override {
    try {
      status = finish_ ? demuxer_->Finish(&out_) : demuxer_->Push(chunk_.data(), chunk_.size(), &out_);
    } catch (const std::bad_alloc&) {
      status = Status(ErrorCode::kMalformedContainer, "Out of memory while demuxing");
    }
    state_ = Traits::Snapshot(*demuxer_);
  }

  // { bytes: Buffer, events: Float64Array, stats, ...what Traits::Describe adds }
  Napi::Value Result(Napi::Env env) override {
    Napi::Object o = Napi::Object::New(env);
    o.Set("bytes", Napi::Buffer<uint8_t>::Copy(env, out_.bytes.data(), out_.bytes.size()));
    Napi::Float64Array events = Napi::Float64Array::New(env, out_.events.size() * Traits::kEventFields);
    double* e = events.Data();
    for (const auto& ev : out_.events) e = Traits::Write(ev, e);
    o.Set("events", events);
    Traits::Describe(env, state_, &o);
    return o;
  }

 private:
  std::shared_ptr<Demuxer> demuxer_;
  std::vector<uint8_t> chunk_;
  bool finish_;
  typename Traits::Output out_;
  typename Traits::State state_;
};

template <class Self, class Traits>
class DemuxerWrap : public PooledWrap<Self, typename Traits::Demuxer> {
  using Base = PooledWrap<Self, typename Traits::Demuxer>;

 public:
  static Napi::Function Define(Napi::Env env) {
    return Base::DefineWith(env, {{"pushAsync", &DemuxerWrap::PushAsync},
                                  {"finishAsync", &DemuxerWrap::FinishAsync}});
  }

 protected:
  using Base::Base;

 private:
  // pushAsync(chunk) -> Promise<{ bytes, events, stats, ... }>
  Napi::Value PushAsync(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Base::Of(env, info.This());
    const auto& d = this->Live(env);
    Bytes chunk = BytesArg(info, 0, "Expected the chunk as a Buffer or Uint8Array");
    return this->Submit(env, std::make_unique<DemuxJob<Traits>>(d, chunk, false));
  }
  // finishAsync() -> Promise<{ bytes, events, stats, ... }>: the input ended.
  Napi::Value FinishAsync(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Base::Of(env, info.This());
    return this->Submit(env, std::make_unique<DemuxJob<Traits>>(this->Live(env), Bytes{}, true));
  }
};

}  // namespace voxpool::binding
