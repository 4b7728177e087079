#include "pool/sink_table.h"

namespace voxpool::binding {

uint32_t SinkTable::Add(Napi::Env env, Napi::Function fn) {
  napi_ref ref = nullptr;
  NAPI_THROW_IF_FAILED(env, napi_create_reference(env, fn, 0, &ref), 0);
  uint32_t id;
  if (!free_.empty()) {
    id = free_.back();
    free_.pop_back();
  } else {
    slots_.emplace_back();
    id = static_cast<uint32_t>(slots_.size());
  }
  slots_[id - 1] = Slot{ref, 0, false};
  return id;
}

void SinkTable::Drop(Napi::Env env, uint32_t id) {
  if (id == 0 || id > slots_.size()) return;
  slots_[id - 1].dropped = true;
  FreeIfDone(env, id);
}

void SinkTable::Expect(Napi::Env env, uint32_t id) {
  Slot& slot = slots_[id - 1];
  if (slot.inflight++ == 0) napi_reference_ref(env, slot.ref, nullptr);
}

void SinkTable::Deliver(Napi::Env env, uint32_t id, napi_value error, napi_value value) {
  // Counted first and copied out: the call may register sinks (slots_ may move) and may throw.
  Slot& slot = slots_[id - 1];
  napi_value fn = nullptr;
  napi_get_reference_value(env, slot.ref, &fn);
  if (--slot.inflight == 0) {
    napi_reference_unref(env, slot.ref, nullptr);
    FreeIfDone(env, id);
  }
  if (fn == nullptr) return;
  napi_value undefined;
  napi_get_undefined(env, &undefined);
  napi_value argv[2] = {error != nullptr ? error : undefined, value != nullptr ? value : undefined};
  if (napi_call_function(env, undefined, fn, 2, argv, nullptr) == napi_pending_exception) {
    napi_value exception;
    napi_get_and_clear_last_exception(env, &exception);
    napi_fatal_exception(env, exception);
  }
}

void SinkTable::FreeIfDone(Napi::Env env, uint32_t id) {
  Slot& slot = slots_[id - 1];
  if (!slot.dropped || slot.inflight != 0 || slot.ref == nullptr) return;
  napi_delete_reference(env, slot.ref);
  slot = Slot{};
  free_.push_back(id);
}

}  // namespace voxpool::binding
