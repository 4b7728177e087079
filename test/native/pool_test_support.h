// Synchronisation helpers and a recording completion target for the pool tests and benchmarks.
// Every wait has a generous timeout so a bug shows up as a failed assertion, never a hung suite;
// no test relies on a wait being short.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "voxpool/pool/job.h"

namespace voxpool::pool::test {

// Long enough that only a deadlock or a lost job can reach it, even under TSan on 2 cores.
inline constexpr std::chrono::seconds kWaitTimeout{60};

// A count-down latch (std::latch is C++20).
class Latch {
 public:
  explicit Latch(size_t count) : count_(count) {}
  void CountDown() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (count_ > 0 && --count_ == 0) cv_.notify_all();
  }
  // True when the count reached zero; false on timeout.
  bool Wait(std::chrono::milliseconds timeout = kWaitTimeout) {
    std::unique_lock<std::mutex> lock(mutex_);
    return cv_.wait_for(lock, timeout, [&] { return count_ == 0; });
  }
  // Counts down and waits for the others: a one-shot barrier.
  bool ArriveAndWait(std::chrono::milliseconds timeout = kWaitTimeout) {
    CountDown();
    return Wait(timeout);
  }
  bool IsReady() {
    std::lock_guard<std::mutex> lock(mutex_);
    return count_ == 0;
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  size_t count_;
};

// A job for tests: counts how often it ran and how often it was destroyed, and runs an optional
// body on the worker.
class TestJob final : public Job {
 public:
  explicit TestJob(int id, std::function<void(TestJob&)> body = nullptr)
      : id(id), body_(std::move(body)) {}
  ~TestJob() override {
    if (destroyed) destroyed->fetch_add(1);
  }
  void Run() noexcept override {
    runs.fetch_add(1, std::memory_order_relaxed);
    if (body_) body_(*this);
  }

  const int id;
  std::atomic<int> runs{0};
  std::atomic<int>* destroyed = nullptr;  // optional, counts destructions

 private:
  std::function<void(TestJob&)> body_;
};

inline std::unique_ptr<TestJob> MakeJob(int id, std::shared_ptr<CompletionTarget> target,
                                        std::function<void(TestJob&)> body = nullptr) {
  auto job = std::make_unique<TestJob>(id, std::move(body));
  job->completion = std::move(target);
  return job;
}

// Keeps every completed job so a test can check each was completed exactly once, and with what.
class RecordingTarget final : public CompletionTarget {
 public:
  void Complete(std::unique_ptr<Job> job) noexcept override {
    // Like CompletionQueue: a kept job must not keep its target alive (a reference cycle).
    job->completion.reset();
    std::lock_guard<std::mutex> lock(mutex_);
    jobs_.push_back(std::move(job));
    cv_.notify_all();
  }
  bool Abandoned() const noexcept override { return abandoned.load(std::memory_order_acquire); }

  // Waits until at least `n` jobs have completed; false on timeout.
  bool WaitFor(size_t n, std::chrono::milliseconds timeout = kWaitTimeout) {
    std::unique_lock<std::mutex> lock(mutex_);
    return cv_.wait_for(lock, timeout, [&] { return jobs_.size() >= n; });
  }
  size_t count() {
    std::lock_guard<std::mutex> lock(mutex_);
    return jobs_.size();
  }
  // Takes the completed jobs (in completion order).
  std::vector<std::unique_ptr<Job>> Take() {
    std::lock_guard<std::mutex> lock(mutex_);
    return std::move(jobs_);
  }

  std::atomic<bool> abandoned{false};

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Job>> jobs_;
};

inline TestJob& AsTest(const std::unique_ptr<Job>& job) { return static_cast<TestJob&>(*job); }

}  // namespace voxpool::pool::test
