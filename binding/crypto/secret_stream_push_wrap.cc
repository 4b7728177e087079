// NativeSecretStreamPush: the encrypting end of libsodium's secretstream, for lib/secretstream.js.
#include "crypto/secret_stream_push_wrap.h"

#include "args.h"
#include "crypto/secret_stream_jobs.h"
#include "pooled_wrap.h"

namespace voxpool::binding {
namespace {

using crypto::SecretStreamPush;
using PushState = StreamState<SecretStreamPush>;

class NativeSecretStreamPush : public PooledWrap<NativeSecretStreamPush, PushState> {
 public:
  static constexpr ClassId kClass = ClassId::kSecretStreamPush;

  static Napi::Function Define(Napi::Env env) {
    return DefineWith(env,
                      {VOXPOOL_METHOD(Header), VOXPOOL_METHOD(Push), VOXPOOL_METHOD(PushAsync)});
  }

  // new NativeSecretStreamPush(key)
  explicit NativeSecretStreamPush(const Napi::CallbackInfo& info) : PooledWrap(info) {
    Napi::Env env = info.Env();
    Bytes key = BytesArg(info, 0, "Expected the key as a Buffer or Uint8Array");
    auto state = std::make_shared<PushState>();
    Check(env, SecretStreamPush::Create(key.data, key.size, header_, &state->stream));
    Adopt(env, info.This(), std::move(state), sizeof(PushState) + sizeof(SecretStreamPush));
  }

 private:
  static uint8_t TagArg(const Napi::CallbackInfo& info) {
    return static_cast<uint8_t>(U32Arg(info, 1, "Expected the tag to be a number"));
  }

  Napi::Value Header(const Napi::CallbackInfo& info) {
    Of(info.Env(), info.This());
    return Napi::Buffer<uint8_t>::Copy(info.Env(), header_, sizeof(header_));
  }
  // push(message, tag) -> Buffer
  Napi::Value Push(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Of(env, info.This());
    SecretStreamPush& s = SyncStream(env, core_);
    Bytes m = MessageArg(info, crypto::kSecretStreamMaxMessageBytes);
    const uint8_t tag = TagArg(info);
    Napi::Buffer<uint8_t> out =
        Napi::Buffer<uint8_t>::New(env, m.size + crypto::kSecretStreamOverheadBytes);
    size_t n = 0;
    Check(env, s.Push(m.data, m.size, tag, out.Data(), out.Length(), &n));
    return out;
  }
  // pushAsync(message, tag) -> Promise<Buffer>, in order with other pushAsync calls
  Napi::Value PushAsync(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Of(env, info.This());
    StrandFor(env);
    Bytes m = MessageArg(info, crypto::kSecretStreamMaxMessageBytes);
    const uint8_t tag = TagArg(info);
    return Submit(env, std::make_unique<PushJob>(core_, m, tag));
  }

  uint8_t header_[crypto::kSecretStreamHeaderBytes];
};

}  // namespace

Napi::Function DefineSecretStreamPush(Napi::Env env) { return NativeSecretStreamPush::Define(env); }

}  // namespace voxpool::binding
