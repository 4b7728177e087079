// The base of a job whose result is one Opus packet (encode, transcode): the packet buffer, the
// Buffer it settles with, and the shared-Buffer view a batch uses (JsResult::ResultBytes).
#pragma once

#include <napi.h>

#include <cstddef>
#include <cstdint>

#include "pool/js_result.h"
#include "voxpool/opus/constants.h"
#include "voxpool/pool/job.h"
#include "voxpool/status.h"

namespace voxpool::binding {

class PacketJob : public JsJob {
 public:
  Napi::Value Result(Napi::Env env) override {
    return Napi::Buffer<uint8_t>::Copy(env, out_, static_cast<size_t>(length_));
  }
  bool ResultBytes(const uint8_t** data, size_t* size) const override {
    *data = out_;
    *size = static_cast<size_t>(length_);
    return true;
  }

 protected:
  // Records what libopus returned: a packet length, or a negative code as the job's status.
  void Finish(int length) noexcept {
    length_ = length;
    if (length < 0) status = Status::FromOpus(length);
  }

  int length_ = 0;
  uint8_t out_[opus::kMaxPacketBytes];
};

}  // namespace voxpool::binding
