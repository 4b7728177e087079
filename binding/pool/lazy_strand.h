// The strand of one native object (an encoder, a cipher, a sender), created on its first async
// call so that code using only the sync API never starts the pool. JS thread only.
#pragma once

#include <napi.h>

#include <memory>

#include "pool/env_context.h"
#include "voxpool/pool/strand.h"

namespace voxpool::binding {

class LazyStrand {
 public:
  LazyStrand() = default;
  explicit LazyStrand(const pool::StrandOptions& options) : options_(options) {}

  // The strand, created on the process pool at the first call.
  pool::Strand& Get(Napi::Env env) {
    if (!strand_) strand_ = EnvContext::Get(env).NewStrand(options_);
    return *strand_;
  }
  // Jobs queued on it, not counting a running one (0 before the first async call).
  double pending() const { return strand_ ? static_cast<double>(strand_->pending()) : 0; }
  // destroy(): queued jobs complete with ERR_VOXPOOL_DESTROYED; a running one finishes.
  void Close() {
    if (strand_) strand_->Close();
  }

 private:
  pool::StrandOptions options_;
  std::shared_ptr<pool::Strand> strand_;
};

}  // namespace voxpool::binding
