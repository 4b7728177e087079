// What NativeSecretStreamPush and NativeSecretStreamPull share: the stream state their in-flight
// jobs hold, the jobs themselves and the sync-versus-async guard. JS thread only, except Run().
#pragma once

#include <napi.h>

#include <atomic>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "args.h"
#include "bytes.h"
#include "errors.h"
#include "pool/js_result.h"
#include "voxpool/crypto/secret_stream.h"
#include "voxpool/pool/job.h"

namespace voxpool::binding {

// Secretstream state shared by the wrapper and its in-flight jobs. `inflight` lets the sync
// methods refuse to run while pool jobs are still advancing the same state (the state is
// sequential; mixing would reorder the stream).
template <class T>
struct StreamState {
  std::unique_ptr<T> stream;
  std::atomic<int> inflight{0};
};

inline constexpr const char* kStreamDestroyedMessage = "The stream has been destroyed";

// RangeError message of a message over crypto::kSecretStreamMaxMessageBytes.
inline const std::string& MessageTooLarge() {
  static const std::string m = "The message is larger than " +
                               std::to_string(crypto::kSecretStreamMaxMessageBytes >> 20) + " MiB";
  return m;
}

// Argument 0 of push / pull: the message, TypeError when not binary, RangeError(MessageTooLarge)
// over `max_bytes` (a sealed message carries kSecretStreamOverheadBytes more than a clear one).
inline Bytes MessageArg(const Napi::CallbackInfo& info, size_t max_bytes) {
  Bytes b = BytesArg(info, 0, "Expected the message as a Buffer or Uint8Array");
  if (b.size > max_bytes) ThrowRangeError(info.Env(), MessageTooLarge().c_str());
  return b;
}

// The stream for a synchronous call: throws ERR_VOXPOOL_DESTROYED after destroy() and
// ERR_VOXPOOL_INVALID_ARGUMENT while async calls are pending.
template <class T>
T& SyncStream(Napi::Env env, const std::shared_ptr<StreamState<T>>& state) {
  if (!state || !state->stream) Throw(env, Status(ErrorCode::kDestroyed, kStreamDestroyedMessage));
  if (state->inflight.load(std::memory_order_relaxed) != 0)
    Throw(env,
          Status(ErrorCode::kInvalidArgument,
                 "A synchronous call cannot run while asynchronous calls are pending on this stream"));
  return *state->stream;
}

// Counts itself in its stream's `inflight` for its whole life.
template <class T>
class StreamJob : public pool::Job, public JsResult {
 public:
  StreamJob(std::shared_ptr<StreamState<T>> state, const Bytes& input)
      : state_(std::move(state)), input_(input.data, input.data + input.size) {
    state_->inflight.fetch_add(1, std::memory_order_relaxed);
  }
  // Jobs are destroyed on the JS thread after settling, ran or not: the count always returns.
  ~StreamJob() override { state_->inflight.fetch_sub(1, std::memory_order_relaxed); }

 protected:
  std::shared_ptr<StreamState<T>> state_;  // keeps the stream (and `inflight`) alive
  std::vector<uint8_t> input_;
  std::vector<uint8_t> output_;
};

class PushJob final : public StreamJob<crypto::SecretStreamPush> {
 public:
  PushJob(std::shared_ptr<StreamState<crypto::SecretStreamPush>> state, const Bytes& message,
          uint8_t tag)
      : StreamJob(std::move(state), message), tag_(tag) {}
  void Run() noexcept override {
    output_.resize(input_.size() + crypto::kSecretStreamOverheadBytes);
    size_t n = 0;
    status = state_->stream->Push(input_.data(), input_.size(), tag_, output_.data(),
                                  output_.size(), &n);
    output_.resize(status.ok() ? n : 0);
  }
  Napi::Value Result(Napi::Env env) override {
    return Napi::Buffer<uint8_t>::Copy(env, output_.data(), output_.size());
  }

 private:
  uint8_t tag_;
};

// { message, tag }: what pull() returns and pullAsync() resolves with.
inline Napi::Object PullResult(Napi::Env env, const uint8_t* data, size_t size, uint8_t tag) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("message", Napi::Buffer<uint8_t>::Copy(env, data, size));
  o.Set("tag", Napi::Number::New(env, tag));
  return o;
}

class PullJob final : public StreamJob<crypto::SecretStreamPull> {
 public:
  PullJob(std::shared_ptr<StreamState<crypto::SecretStreamPull>> state, const Bytes& message)
      : StreamJob(std::move(state), message) {}
  void Run() noexcept override {
    output_.resize(input_.size());
    size_t n = 0;
    status = state_->stream->Pull(input_.data(), input_.size(), output_.data(), output_.size(), &n,
                                  &tag_);
    output_.resize(status.ok() ? n : 0);
  }
  Napi::Value Result(Napi::Env env) override {
    return PullResult(env, output_.data(), output_.size(), tag_);
  }

 private:
  uint8_t tag_ = 0;
};

}  // namespace voxpool::binding
