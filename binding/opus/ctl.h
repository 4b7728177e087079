// setCtl / getCtl, shared by NativeEncoder and NativeDecoder: libopus's generic CTL requests
// (the request numbers are exported as opusConstants.CTL). JS thread only.
#pragma once

#include <napi.h>

#include "args.h"

namespace voxpool::binding {

// setCtl(request, value) on the live codec of `self` (which has passed Of()).
template <class Wrap>
Napi::Value SetCtlOf(Wrap& self, const Napi::CallbackInfo& info) {
  constexpr const char* kMessage = "Expected ctl and value to be numbers";
  const int32_t request = I32Arg(info, 0, kMessage);
  const int32_t value = I32Arg(info, 1, kMessage);
  Check(info.Env(), self.Live(info.Env())->SetCtl(request, value));
  return info.Env().Undefined();
}

// getCtl(request) -> number, on the live codec of `self` (which has passed Of()).
template <class Wrap>
Napi::Value GetCtlOf(Wrap& self, const Napi::CallbackInfo& info) {
  const int32_t request = I32Arg(info, 0, "Expected ctl to be a number");
  int value = 0;
  Check(info.Env(), self.Live(info.Env())->GetCtl(request, &value));
  return Napi::Number::New(info.Env(), value);
}

}  // namespace voxpool::binding
