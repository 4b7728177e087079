#include "voxpool/pool/shared_pool.h"

#include <cstdlib>
#include <mutex>
#include <string>

namespace voxpool::pool {
namespace {

struct Registry {
  std::mutex mutex;
  PoolOptions options;
  bool options_from_env = false;
  bool nice_configured = false;  // configure() set worker_nice (it then wins over the environment)
  std::shared_ptr<ThreadPool> pool;
};

// Never destroyed: the workers may still be finishing a job while static destructors run at
// exit, so the pool must outlive them. Reachable, not leaked.
Registry& GetRegistry() {
  static Registry* registry = new Registry();
  return *registry;
}

size_t ThreadsFromEnvironment() {
  const char* value = std::getenv("VOXPOOL_THREADS");
  if (value == nullptr || *value == '\0') return 0;
  char* end = nullptr;
  const long n = std::strtol(value, &end, 10);
  if (end == value || *end != '\0' || n < 1 || n > static_cast<long>(kMaxPoolThreads)) return 0;
  return static_cast<size_t>(n);
}

// VOXPOOL_WORKER_NICE: 0..kMaxWorkerNice, or -1 when unset or invalid.
int WorkerNiceFromEnvironment() {
  const char* value = std::getenv("VOXPOOL_WORKER_NICE");
  if (value == nullptr || *value == '\0') return -1;
  char* end = nullptr;
  const long n = std::strtol(value, &end, 10);
  if (end == value || *end != '\0' || n < 0 || n > kMaxWorkerNice) return -1;
  return static_cast<int>(n);
}

int EffectiveWorkerNice(const Registry& r) {
  if (r.nice_configured) return r.options.worker_nice;
  const int from_env = WorkerNiceFromEnvironment();
  return from_env >= 0 ? from_env : r.options.worker_nice;
}

size_t EffectiveThreads(const PoolOptions& options) {
  if (options.threads != 0) return options.threads;
  const size_t from_env = ThreadsFromEnvironment();
  if (from_env != 0) return from_env;
  const unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1 : hw;
}

}  // namespace

std::shared_ptr<ThreadPool> SharedPool() {
  Registry& r = GetRegistry();
  std::lock_guard<std::mutex> lock(r.mutex);
  if (!r.pool) {
    PoolOptions options = r.options;
    options.threads = EffectiveThreads(r.options);
    options.worker_nice = EffectiveWorkerNice(r);
    r.pool = ThreadPool::Create(options);
  }
  return r.pool;
}

Status ConfigureSharedPool(size_t threads, size_t capacity, int worker_nice) {
  Registry& r = GetRegistry();
  std::lock_guard<std::mutex> lock(r.mutex);
  if (r.pool && worker_nice >= 0 && worker_nice != r.pool->worker_nice()) {
    return Status(ErrorCode::kAlreadyStarted,
                  "The voxpool thread pool is already running at nice " +
                      std::to_string(r.pool->worker_nice()) +
                      "; set workerNice before the first async call");
  }
  if (r.pool && threads != 0 && threads != r.pool->threads()) {
    return Status(ErrorCode::kAlreadyStarted,
                  "The voxpool thread pool is already running with " +
                      std::to_string(r.pool->threads()) +
                      " threads; set the thread count before the first async call");
  }
  if (threads != 0) r.options.threads = threads;
  if (worker_nice >= 0) {
    r.options.worker_nice = worker_nice;
    r.nice_configured = true;
  }
  if (capacity != 0) {
    r.options.capacity = capacity;
    if (r.pool) r.pool->SetCapacity(capacity);
  }
  return Status::Ok();
}

bool SharedPoolStarted() {
  Registry& r = GetRegistry();
  std::lock_guard<std::mutex> lock(r.mutex);
  return r.pool != nullptr;
}

size_t SharedPoolCapacity() {
  Registry& r = GetRegistry();
  std::lock_guard<std::mutex> lock(r.mutex);
  return r.options.capacity;
}

size_t SharedPoolThreads() {
  Registry& r = GetRegistry();
  std::lock_guard<std::mutex> lock(r.mutex);
  return r.pool ? r.pool->threads() : EffectiveThreads(r.options);
}

int SharedPoolWorkerNice() {
  Registry& r = GetRegistry();
  std::lock_guard<std::mutex> lock(r.mutex);
  return r.pool ? r.pool->worker_nice() : EffectiveWorkerNice(r);
}

}  // namespace voxpool::pool
