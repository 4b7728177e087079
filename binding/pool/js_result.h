// The JS side of a pool job: the Promise it settles and how its result becomes a JS value.
// Every job the binding submits implements this next to pool::Job.
#pragma once

#include <napi.h>

#include <cstdint>

#include "voxpool/pool/job.h"

namespace voxpool::binding {

class JsResult {
 public:
  virtual ~JsResult() = default;
  // Builds the value the Promise resolves with (status ok). JS thread only; may throw Napi::Error.
  virtual Napi::Value Result(Napi::Env env) = 0;
  // Small byte results (Opus packets) may instead expose their bytes: the environment then copies
  // all such results of one drain into a single Buffer and resolves each with a view of it, which
  // costs ~0.1 us per result instead of ~0.8 us for a Buffer of its own. Large results (PCM)
  // keep returning false so a retained frame never pins a big shared allocation.
  virtual bool ResultBytes(const uint8_t** /*data*/, size_t* /*size*/) const { return false; }
  // Null for members of a batch (the batch settles once for all of them), and for a job whose
  // result goes to a sink instead.
  napi_deferred deferred = nullptr;
  // The SinkTable id the result goes to (EnvContext::SubmitToSink); 0: the Promise, if any.
  uint32_t sink = 0;
  // Whether anything in JS waits for this job's result.
  bool awaited() const { return deferred != nullptr || sink != 0; }

  // Per-frame jobs are recycled by their environment instead of freed, so steady-state async
  // submission does not allocate (EnvContext::Recycle, Reuse<T>; parked jobs are shelved by their
  // dynamic type). A recyclable job returns true and drops what it references in
  // ReleaseReferences(), so a parked job keeps no codec alive; the others are freed as usual.
  virtual bool recyclable() const { return false; }
  virtual void ReleaseReferences() {}
};

// A pool job that settles a Promise: the common base of the per-call jobs, so a function that
// builds one (for submission alone or as a batch member) returns a type both paths accept.
class JsJob : public pool::Job, public JsResult {};

}  // namespace voxpool::binding
