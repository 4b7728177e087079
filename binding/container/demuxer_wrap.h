// The shared shape of the container demuxers' JS classes (NativeOggDemuxer, NativeWebmDemuxer):
// each pushed chunk is one job on the object's strand (so chunks are parsed in order, never two at
// once), whose Promise resolves with every event the chunk completed: their bytes in one Buffer,
// their numbers in one Float64Array (lib/ reads the layout), and the demuxer's counters. A format
// is its Traits, and its JS class is DemuxerWrap<Traits>:
//
//   struct Traits {
//     static constexpr ClassId kClass;       // the class's id (type_tags.h)
//     using Demuxer = container::XDemuxer;   // Push(data, size, Output*), Finish(Output*)
//     using Output = container::XOutput;     // events + bytes
//     using State = ...;                     // what Snapshot copies on the pool thread
//     static XDemuxerOptions ReadOptions(const Napi::Object&);  // the constructor's options
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
#include "errors.h"
#include "pool/js_result.h"
#include "pooled_wrap.h"

namespace voxpool::binding {

// Writes `values` as numbers from `e` on and returns the end: a Traits::Write is one call. 64-bit
// values are exact up to 2^53. Never allocates.
template <class... T>
double* PutNumbers(double* e, T... values) {
  ((*e++ = static_cast<double>(values)), ...);
  return e;
}

template <class Traits>
class DemuxJob final : public pool::Job, public JsResult {
 public:
  using Demuxer = typename Traits::Demuxer;
  enum class Step : uint8_t { kPush, kFinish, kSeek };
  // kPush: the chunk (copied: allocates); kFinish: the input ended; kSeek: the next chunk is
  // from byte `position` of the input.
  DemuxJob(std::shared_ptr<Demuxer> demuxer, Step step, const Bytes& chunk, uint64_t position = 0)
      : demuxer_(std::move(demuxer)),
        chunk_(chunk.data, chunk.data + chunk.size),
        step_(step),
        position_(position) {}

  void Run() noexcept override {
    try {
      switch (step_) {
        case Step::kPush:
          status = demuxer_->Push(chunk_.data(), chunk_.size(), &out_);
          break;
        case Step::kFinish:
          status = demuxer_->Finish(&out_);
          break;
        case Step::kSeek:
          status = demuxer_->Seek(position_);
          break;
      }
    } catch (const std::bad_alloc&) {
      status = Status(ErrorCode::kMalformedContainer, "Out of memory while demuxing");
    }
    state_ = Traits::Snapshot(*demuxer_);
  }

  // { bytes: Buffer, events: Float64Array, stats, ...what Traits::Describe adds }
  Napi::Value Result(Napi::Env env) override {
    Napi::Object o = Napi::Object::New(env);
    o.Set("bytes", Napi::Buffer<uint8_t>::Copy(env, out_.bytes.data(), out_.bytes.size()));
    Napi::Float64Array events =
        Napi::Float64Array::New(env, out_.events.size() * Traits::kEventFields);
    double* e = events.Data();
    for (const auto& ev : out_.events) e = Traits::Write(ev, e);
    o.Set("events", events);
    Traits::Describe(env, state_, &o);
    return o;
  }

 private:
  std::shared_ptr<Demuxer> demuxer_;
  std::vector<uint8_t> chunk_;
  Step step_;
  uint64_t position_;
  typename Traits::Output out_;
  typename Traits::State state_;
};

// The largest byte position seekAsync takes: exact as a JS number.
inline constexpr double kMaxPosition = 9007199254740992.0;

template <class Traits>
class DemuxerWrap : public PooledWrap<DemuxerWrap<Traits>, typename Traits::Demuxer> {
  using Base = PooledWrap<DemuxerWrap<Traits>, typename Traits::Demuxer>;
  using Job = DemuxJob<Traits>;
  using Wrapper = DemuxerWrap;  // the class VOXPOOL_METHOD names (Base's is a dependent name)

 public:
  static Napi::Function Define(Napi::Env env) {
    return Base::DefineWith(
        env, {VOXPOOL_METHOD(PushAsync), VOXPOOL_METHOD(FinishAsync), VOXPOOL_METHOD(SeekAsync)});
  }

  static constexpr ClassId kClass = Traits::kClass;

  // new NativeXDemuxer({ ...what Traits::ReadOptions reads, maxQueue?, overflow? })
  explicit DemuxerWrap(const Napi::CallbackInfo& info) : Base(info) {
    Napi::Object o = OptionsArg(info);
    this->AdoptNew(info, o, sizeof(typename Traits::Demuxer), Traits::ReadOptions(o));
  }

 private:
  // pushAsync(chunk) -> Promise<{ bytes, events, stats, ... }>
  Napi::Value PushAsync(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    const auto& d = this->Enter(info);
    Bytes chunk = BytesArg(info, 0, "Expected the chunk as a Buffer or Uint8Array");
    return this->Submit(env, std::make_unique<Job>(d, Job::Step::kPush, chunk));
  }
  // finishAsync() -> Promise<{ bytes, events, stats, ... }>: the input ended.
  Napi::Value FinishAsync(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    return this->Submit(env, std::make_unique<Job>(this->Enter(info), Job::Step::kFinish, Bytes{}));
  }
  // seekAsync(position) -> Promise<{ bytes, events, stats, ... }>: the next chunk is from byte
  // `position` (0..2^53) of the input (Demuxer::Seek).
  Napi::Value SeekAsync(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    const auto& d = this->Enter(info);
    const double position = NumberArg(info, 0, "Expected the position as a number");
    if (!(position >= 0 && position <= kMaxPosition))
      ThrowRangeError(env, "position must be 0..2^53");
    return this->Submit(
        env, std::make_unique<Job>(d, Job::Step::kSeek, Bytes{}, static_cast<uint64_t>(position)));
  }
};

}  // namespace voxpool::binding
