// One libopus ctl call, shared by Encoder and Decoder: libopus's two ctl functions take the same
// requests in the same way, so the dispatch and the error mapping are written once here.
// Private to src/opus (it includes <opus.h>, which the public headers do not).
#pragma once

#include <opus/opus.h>

#include <mutex>

#include "voxpool/status.h"

namespace voxpool::opus {

// A libopus ctl function: opus_encoder_ctl or opus_decoder_ctl.
template <class State>
using CtlFunction = int (*)(State*, int, ...);

// Sets `request` to `value` on `state` (OPUS_RESET_STATE takes no value) under `mutex`, the
// state's lock; a request the codec does not list as a set request (`supported` false) is
// OPUS_UNIMPLEMENTED without reaching libopus. No allocation.
template <class State>
Status SetCtlOn(bool supported, std::mutex& mutex, CtlFunction<State> ctl, State* state,
                int request, int value) noexcept {
  if (!supported) return Status::FromOpus(OPUS_UNIMPLEMENTED);
  std::lock_guard<std::mutex> lock(mutex);
  const int rc = request == OPUS_RESET_STATE ? ctl(state, OPUS_RESET_STATE)
                                             : ctl(state, request, static_cast<opus_int32>(value));
  return rc == OPUS_OK ? Status::Ok() : Status::FromOpus(rc);
}

// Reads `request` from `state` into *value under `mutex`, the state's lock; an unlisted get
// request (`supported` false) or a null `value` is OPUS_UNIMPLEMENTED. No allocation.
template <class State>
Status GetCtlOn(bool supported, std::mutex& mutex, CtlFunction<State> ctl, State* state,
                int request, int* value) noexcept {
  if (!supported || value == nullptr) return Status::FromOpus(OPUS_UNIMPLEMENTED);
  std::lock_guard<std::mutex> lock(mutex);
  opus_int32 v = 0;
  const int rc = ctl(state, request, &v);
  if (rc != OPUS_OK) return Status::FromOpus(rc);
  *value = static_cast<int>(v);
  return Status::Ok();
}

}  // namespace voxpool::opus
