// The one pool per process, shared by every Node environment (main thread and worker_threads),
// so N workers do not start N x cores threads. This is the core's only process-global state, and
// it is deliberate: it is guarded by a mutex and holds no per-environment data.
#pragma once

#include <memory>

#include "voxpool/status.h"
#include "voxpool/pool/thread_pool.h"

namespace voxpool::pool {

// Returns the process pool, starting it on first use with the configured options (or the
// VOXPOOL_THREADS environment variable, or hardware concurrency). The pool lives until the
// process exits; idle workers sleep. Allocates on first use. Thread-safe.
std::shared_ptr<ThreadPool> SharedPool();

// Sets the thread count, capacity and workers' nice value. Capacity always applies
// (immediately, if started). A different thread count or nice value after the pool has started
// fails with kAlreadyStarted (threads are fixed once running: resizing a live pool would reorder
// strands mid-stream). 0 (threads, capacity) or -1 (worker_nice) keeps the current value.
// Thread-safe.
Status ConfigureSharedPool(size_t threads, size_t capacity, int worker_nice = -1);

// The nice value the workers run (or will run) at. Thread-safe.
int SharedPoolWorkerNice();

// True once SharedPool() has started the workers. Thread-safe.
bool SharedPoolStarted();

// The thread count the pool has or would start with. Thread-safe.
size_t SharedPoolThreads();

// The capacity the pool has or would start with (jobs queued across all strands). Thread-safe.
size_t SharedPoolCapacity();

}  // namespace voxpool::pool
