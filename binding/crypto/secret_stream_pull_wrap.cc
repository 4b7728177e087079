// NativeSecretStreamPull: the decrypting end of libsodium's secretstream, for lib/secretstream.js.
#include "crypto/secret_stream_pull_wrap.h"

#include <vector>

#include "args.h"
#include "crypto/secret_stream_jobs.h"
#include "pooled_wrap.h"

namespace voxpool::binding {
namespace {

using crypto::SecretStreamPull;
using PullState = StreamState<SecretStreamPull>;

// The longest message pull takes: the longest clear message, sealed.
constexpr size_t kMaxSealedBytes =
    crypto::kSecretStreamMaxMessageBytes + crypto::kSecretStreamOverheadBytes;

class NativeSecretStreamPull : public PooledWrap<NativeSecretStreamPull, PullState> {
 public:
  static constexpr ClassId kClass = ClassId::kSecretStreamPull;

  static Napi::Function Define(Napi::Env env) {
    return DefineWith(env, {VOXPOOL_METHOD(Pull), VOXPOOL_METHOD(PullAsync), VOXPOOL_METHOD(Finish),
                            VOXPOOL_METHOD(Finished)});
  }

  // new NativeSecretStreamPull(key, header)
  explicit NativeSecretStreamPull(const Napi::CallbackInfo& info) : PooledWrap(info) {
    Napi::Env env = info.Env();
    Bytes key = BytesArg(info, 0, "Expected the key as a Buffer or Uint8Array");
    Bytes header = BytesArg(info, 1, "Expected the header as a Buffer or Uint8Array");
    auto state = std::make_shared<PullState>();
    Check(env,
          SecretStreamPull::Create(key.data, key.size, header.data, header.size, &state->stream));
    Adopt(env, info.This(), std::move(state), sizeof(PullState) + sizeof(SecretStreamPull));
  }

 private:
  // pull(message) -> { message: Buffer, tag: number }
  Napi::Value Pull(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Of(env, info.This());
    SecretStreamPull& s = SyncStream(env, core_);
    Bytes m = MessageArg(info, kMaxSealedBytes);
    std::vector<uint8_t> out(m.size);
    size_t n = 0;
    uint8_t tag = 0;
    Check(env, s.Pull(m.data, m.size, out.data(), out.size(), &n, &tag));
    return PullResult(env, out.data(), n, tag);
  }
  // pullAsync(message) -> Promise<{ message, tag }>
  Napi::Value PullAsync(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Of(env, info.This());
    StrandFor(env);
    Bytes m = MessageArg(info, kMaxSealedBytes);
    return Submit(env, std::make_unique<PullJob>(core_, m));
  }
  // finish(): throws ERR_VOXPOOL_STREAM_TRUNCATED unless FINAL was pulled.
  Napi::Value Finish(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Of(env, info.This());
    Check(env, SyncStream(env, core_).Finish());
    return env.Undefined();
  }
  Napi::Value Finished(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Of(env, info.This());
    return Napi::Boolean::New(env, core_ && core_->stream && core_->stream->finished());
  }
};

}  // namespace

Napi::Function DefineSecretStreamPull(Napi::Env env) { return NativeSecretStreamPull::Define(env); }

}  // namespace voxpool::binding
