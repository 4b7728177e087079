#include "errors.h"

#include "pool/env_context.h"

namespace voxpool::binding {

Napi::Value MakeError(Napi::Env env, const Status& status) {
  Napi::String message = Napi::String::New(env, status.message());
  Napi::String code = Napi::String::New(env, status.code_name());
  EnvContext* ctx = env.GetInstanceData<EnvContext>();
  if (ctx != nullptr && !ctx->error_class.IsEmpty()) {
    return ctx->error_class.Value().New({message, code});
  }
  Napi::Error error = Napi::Error::New(env, status.message());
  error.Set("code", code);
  return error.Value();
}

void Throw(Napi::Env env, const Status& status) {
  throw Napi::Error(env, MakeError(env, status));
}

void ThrowTypeError(Napi::Env env, const char* message) {
  throw Napi::TypeError::New(env, message);
}

void ThrowRangeError(Napi::Env env, const char* message) {
  throw Napi::RangeError::New(env, message);
}

}  // namespace voxpool::binding
