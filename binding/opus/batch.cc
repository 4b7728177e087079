#include "opus/batch.h"

namespace voxpool::binding {

Napi::Value BatchJob::Result(Napi::Env env) {
  const size_t n = size();
  Napi::Array out = Napi::Array::New(env, n);
  // Byte results (packets) share one Buffer; see JsResult::ResultBytes.
  std::vector<std::pair<const uint8_t*, size_t>> parts;
  std::vector<uint32_t> slots;
  for (size_t i = 0; i < n; ++i) {
    pool::Job* member = members()[i].get();
    auto* js = dynamic_cast<JsResult*>(member);
    const uint8_t* data = nullptr;
    size_t bytes = 0;
    if (!member->status.ok()) {
      out.Set(static_cast<uint32_t>(i), MakeError(env, member->status));
    } else if (js->ResultBytes(&data, &bytes)) {
      parts.emplace_back(data, bytes);
      slots.push_back(static_cast<uint32_t>(i));
    } else {
      out.Set(static_cast<uint32_t>(i), js->Result(env));
    }
  }
  if (!parts.empty()) {
    Napi::Array views = EnvContext::Get(env).Views(env, parts);
    for (size_t k = 0; k < slots.size(); ++k) out.Set(slots[k], views.Get(static_cast<uint32_t>(k)));
  }
  return out;
}

void CheckBatchLength(Napi::Env env, uint32_t n) {
  if (n > pool::SharedPoolCapacity())
    ThrowRangeError(env, "Expected a batch no longer than the pool's capacity");
}

}  // namespace voxpool::binding
