// The functions pool results are delivered to instead of Promises: a stream's in-order sink
// (lib/sink-queue.js), set once with setSink() and called as fn(error, value) for each job
// submitted with toSink, in submission order, from the loop. A Promise per frame costs its
// creation, its resolution and a microtask for the reaction; a call costs one call (measured in
// docs/ARCHITECTURE.md, "Results to a sink").
//
// Each slot references its function weakly while none of its jobs is in flight and strongly
// while one is: a sink with work in flight lives until every result is delivered, and an idle
// one is collected with its stream like any closure. JS thread only.
#pragma once

#include <napi.h>

#include <cstdint>
#include <vector>

namespace voxpool::binding {

class SinkTable {
 public:
  SinkTable() = default;
  SinkTable(const SinkTable&) = delete;
  SinkTable& operator=(const SinkTable&) = delete;

  // Registers `fn`; returns its id (>= 1; 0 means none). Allocates only when no slot is free.
  uint32_t Add(Napi::Env env, Napi::Function fn);
  // The owner is gone (its finalizer, or setSink() again): the slot is freed once nothing of it
  // is in flight. Never allocates beyond the free list's growth.
  void Drop(Napi::Env env, uint32_t id);
  // One more job in flight for `id`; the reference turns strong at the first. Never allocates.
  void Expect(Napi::Env env, uint32_t id);
  // Calls sink `id` with (error, value) (either may be null: undefined is passed) for one job and
  // counts it delivered. A sink that throws is reported as an uncaught exception, as a throwing
  // event listener is, and delivery goes on. Never allocates.
  void Deliver(Napi::Env env, uint32_t id, napi_value error, napi_value value);

 private:
  struct Slot {
    napi_ref ref = nullptr;
    uint32_t inflight = 0;
    bool dropped = false;
  };
  // Frees the slot of a dropped owner once its last job is delivered.
  void FreeIfDone(Napi::Env env, uint32_t id);

  std::vector<Slot> slots_;     // by id - 1
  std::vector<uint32_t> free_;  // ids of free slots
};

}  // namespace voxpool::binding
