// The JS side of a pool job: the Promise it settles and how its result becomes a JS value.
// Every job the binding submits implements this next to voxpool::Job.
#pragma once

#include <napi.h>

namespace voxpool::binding {

class JsResult {
 public:
  virtual ~JsResult() = default;
  // Builds the value the Promise resolves with (status ok). JS thread only; may throw Napi::Error.
  virtual Napi::Value Result(Napi::Env env) = 0;
  // Null for members of a batch (the batch settles once for all of them).
  napi_deferred deferred = nullptr;
};

}  // namespace voxpool::binding
