// The pool: thread count, pool-wide capacity, shutdown with work queued (every accepted job
// completed exactly once), abandoned targets, stats that add up, and the process-wide pool.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <set>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#if defined(__linux__)
#include <pthread.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <dirent.h>

#include <cerrno>
#include <fstream>
#include <string>
#endif

#include "pool_test_support.h"
#include "voxpool/pool/shared_pool.h"
#include "voxpool/pool/strand.h"
#include "voxpool/pool/thread_pool.h"

namespace voxpool::pool {
namespace {

using test::AsTest;
using test::Latch;
using test::MakeJob;
using test::RecordingTarget;
using test::TestJob;

std::shared_ptr<ThreadPool> MakePool(size_t threads, size_t capacity = 65536) {
  PoolOptions options;
  options.threads = threads;
  options.capacity = capacity;
  return ThreadPool::Create(options);
}

std::unique_ptr<TestJob> MakeBlocker(int id, std::shared_ptr<CompletionTarget> target,
                                     Latch* started, Latch* release) {
  return MakeJob(id, std::move(target), [started, release](TestJob&) {
    started->CountDown();
    EXPECT_TRUE(release->Wait());
  });
}

TEST(ThreadPool, StartsTheRequestedNumberOfThreads) {
  for (size_t n : {1u, 3u}) {
    auto pool = MakePool(n);
    EXPECT_EQ(pool->threads(), n);
    EXPECT_EQ(pool->Stats().threads, n);
    EXPECT_FALSE(pool->stopping());
    pool->Shutdown();
    EXPECT_TRUE(pool->stopping());
  }
  auto pool = MakePool(0);
  EXPECT_EQ(pool->threads(), std::max(1u, std::thread::hardware_concurrency()));
  pool->Shutdown();
  // A capacity of 0 is raised to 1 (a pool that can hold nothing would be useless).
  auto tiny = MakePool(1, 0);
  EXPECT_EQ(tiny->capacity(), 1u);
}

TEST(ThreadPool, PoolCapacityRejectsAcrossStrands) {
  auto pool = MakePool(1, 3);
  auto target = std::make_shared<RecordingTarget>();
  std::vector<std::shared_ptr<Strand>> strands;
  for (int i = 0; i < 5; ++i) strands.push_back(Strand::Create(pool));

  Latch started(1), release(1);
  std::unique_ptr<Job> blocker = MakeBlocker(0, target, &started, &release);
  ASSERT_TRUE(strands[0]->TrySubmit(blocker).ok());
  ASSERT_TRUE(started.Wait());  // a running job no longer counts as queued
  EXPECT_EQ(pool->Stats().queued, 0u);

  for (int s = 1; s <= 3; ++s) {
    std::unique_ptr<Job> job = MakeJob(s, target);
    ASSERT_TRUE(strands[s]->TrySubmit(job).ok()) << s;
  }
  EXPECT_EQ(pool->Stats().queued, 3u);
  std::unique_ptr<Job> extra = MakeJob(4, target);
  const Status st = strands[4]->TrySubmit(extra);
  EXPECT_EQ(st.code(), ErrorCode::kQueueFull);
  ASSERT_NE(extra, nullptr);
  EXPECT_EQ(AsTest(extra).runs.load(), 0);
  EXPECT_EQ(strands[4]->pending(), 0u);
  PoolStats stats = pool->Stats();
  EXPECT_EQ(stats.rejected, 1u);
  EXPECT_EQ(stats.submitted, 4u);
  EXPECT_EQ(stats.queued, 3u);

  // Raising the limit takes effect for the next submission.
  pool->SetCapacity(4);
  EXPECT_EQ(pool->capacity(), 4u);
  ASSERT_TRUE(strands[4]->TrySubmit(extra).ok());
  release.CountDown();
  ASSERT_TRUE(target->WaitFor(5));
  pool->Shutdown();
  stats = pool->Stats();
  EXPECT_EQ(stats.submitted, 5u);
  EXPECT_EQ(stats.completed, 5u);
  EXPECT_EQ(stats.rejected, 1u);
  EXPECT_EQ(stats.queued, 0u);
}

TEST(ThreadPool, DropOldestEvictionFreesItsPoolSlot) {
  // Pool capacity 2, strand capacity 1 with drop-oldest: replacing the queued job must not leak a
  // pool slot, or the pool would eventually refuse everything.
  auto pool = MakePool(1, 2);
  StrandOptions options;
  options.capacity = 1;
  options.overflow = OverflowPolicy::kDropOldest;
  auto strand = Strand::Create(pool, options);
  auto target = std::make_shared<RecordingTarget>();
  Latch started(1), release(1);
  std::unique_ptr<Job> blocker = MakeBlocker(0, target, &started, &release);
  ASSERT_TRUE(strand->TrySubmit(blocker).ok());
  ASSERT_TRUE(started.Wait());
  for (int id = 1; id <= 100; ++id) {
    std::unique_ptr<Job> job = MakeJob(id, target);
    ASSERT_TRUE(strand->TrySubmit(job).ok()) << id;
    ASSERT_EQ(pool->Stats().queued, 1u);
  }
  release.CountDown();
  ASSERT_TRUE(target->WaitFor(101));
  pool->Shutdown();
  const PoolStats stats = pool->Stats();
  EXPECT_EQ(stats.dropped, 99u);
  EXPECT_EQ(stats.completed, 2u);
  EXPECT_EQ(stats.submitted, stats.completed + stats.failed + stats.dropped);
}

TEST(ThreadPool, ShutdownWithWorkQueuedCompletesEveryAcceptedJobOnce) {
  constexpr int kStrands = 10, kPerStrand = 30, kThreads = 2;
  auto pool = MakePool(kThreads);
  auto target = std::make_shared<RecordingTarget>();
  std::vector<std::shared_ptr<Strand>> strands;
  for (int s = 0; s < kStrands; ++s) strands.push_back(Strand::Create(pool));

  // Pin both workers, then queue plenty behind them.
  Latch started(kThreads), release(1);
  int next_id = 0;
  for (int w = 0; w < kThreads; ++w) {
    std::unique_ptr<Job> blocker = MakeBlocker(next_id++, target, &started, &release);
    ASSERT_TRUE(strands[w]->TrySubmit(blocker).ok());
  }
  ASSERT_TRUE(started.Wait());
  for (int i = 0; i < kPerStrand; ++i) {
    for (int s = 0; s < kStrands; ++s) {
      std::unique_ptr<Job> job = MakeJob(next_id++, target);
      ASSERT_TRUE(strands[s]->TrySubmit(job).ok());
    }
  }
  const int accepted = next_id;

  std::thread stopper([&] { pool->Shutdown(); });
  // Shutdown must not need the running jobs to finish before it stops accepting work.
  const auto give_up = std::chrono::steady_clock::now() + test::kWaitTimeout;
  while (!pool->stopping() && std::chrono::steady_clock::now() < give_up) std::this_thread::yield();
  ASSERT_TRUE(pool->stopping());
  std::unique_ptr<Job> late = MakeJob(-1, target);
  EXPECT_EQ(strands[5]->TrySubmit(late).code(), ErrorCode::kShutdown);
  EXPECT_NE(late, nullptr);
  release.CountDown();
  stopper.join();

  // Shutdown has returned: every accepted job is already completed, none twice.
  std::vector<std::unique_ptr<Job>> done = target->Take();
  ASSERT_EQ(done.size(), static_cast<size_t>(accepted));
  std::set<int> ids;
  int ran = 0, cancelled = 0;
  for (const auto& job : done) {
    const TestJob& t = AsTest(job);
    EXPECT_TRUE(ids.insert(t.id).second) << "job " << t.id << " completed twice";
    if (t.status.ok()) {
      EXPECT_EQ(t.runs.load(), 1);
      ++ran;
    } else {
      EXPECT_EQ(t.status.code(), ErrorCode::kShutdown) << t.id;
      EXPECT_EQ(t.runs.load(), 0);
      ++cancelled;
    }
  }
  EXPECT_GE(ran, kThreads);  // the blockers
  const PoolStats stats = pool->Stats();
  EXPECT_EQ(stats.submitted, static_cast<uint64_t>(accepted));
  EXPECT_EQ(stats.completed, static_cast<uint64_t>(ran));
  EXPECT_EQ(stats.dropped, static_cast<uint64_t>(cancelled));
  EXPECT_EQ(stats.queued, 0u);

  // After shutdown nothing is accepted and the job stays with the caller; Shutdown is idempotent.
  std::unique_ptr<Job> after = MakeJob(-2, target);
  const Status st = strands[0]->TrySubmit(after);
  EXPECT_EQ(st.code(), ErrorCode::kShutdown);
  EXPECT_STREQ(st.code_name(), "ERR_VOXPOOL_SHUTDOWN");
  EXPECT_NE(after, nullptr);
  pool->Shutdown();
  EXPECT_EQ(target->count(), 0u);
}

TEST(ThreadPool, ShutdownRacingWithSubmittersLosesNoAcceptedJob) {
  // Submitters keep going while the pool shuts down. Whatever TrySubmit accepted must have been
  // completed by the time Shutdown has returned and the submitters have stopped: the workers are
  // joined, so a job not completed by then never will be.
  constexpr int kRounds = 20, kSubmitters = 3;
  for (int round = 0; round < kRounds; ++round) {
    SCOPED_TRACE(round);
    auto pool = MakePool(2);
    auto target = std::make_shared<RecordingTarget>();
    std::vector<std::shared_ptr<Strand>> strands;
    for (int s = 0; s < 4; ++s) strands.push_back(Strand::Create(pool));
    std::atomic<int> accepted{0};
    std::atomic<bool> stop{false};
    Latch go(kSubmitters + 1);
    std::vector<std::thread> submitters;
    for (int t = 0; t < kSubmitters; ++t) {
      submitters.emplace_back([&, t] {
        go.ArriveAndWait();
        for (int i = 0; !stop.load(std::memory_order_relaxed); ++i) {
          std::unique_ptr<Job> job = MakeJob(i, target);
          const Status st = strands[(t + i) % strands.size()]->TrySubmit(job);
          if (st.ok()) {
            accepted.fetch_add(1, std::memory_order_relaxed);
          } else {
            EXPECT_NE(job, nullptr);
            if (st.code() == ErrorCode::kShutdown) break;
            EXPECT_EQ(st.code(), ErrorCode::kQueueFull);  // submitters outrun 2 workers
            std::this_thread::yield();
          }
        }
      });
    }
    go.ArriveAndWait();
    // Let some work through first (a completion count, not a sleep).
    ASSERT_TRUE(target->WaitFor(static_cast<size_t>(50 + round * 10)));
    pool->Shutdown();
    stop = true;
    for (std::thread& t : submitters) t.join();
    EXPECT_EQ(target->count(), static_cast<size_t>(accepted.load()));
    const PoolStats stats = pool->Stats();
    EXPECT_EQ(stats.submitted, static_cast<uint64_t>(accepted.load()));
    EXPECT_EQ(stats.submitted, stats.completed + stats.dropped);
  }
}

TEST(ThreadPool, LastReferenceDroppedOnAWorkerIsSafe) {
  // The owner lets go of the pool and the strand while a job runs: the worker then holds the last
  // reference (worker -> strand -> pool) and the pool is destroyed on its own worker. Nothing may
  // touch the destroyed pool afterwards (ASan reports it if anything does).
  auto target = std::make_shared<RecordingTarget>();
  Latch started(1), release(1);
  std::weak_ptr<ThreadPool> weak;
  {
    auto pool = MakePool(2);
    weak = pool;
    auto strand = Strand::Create(pool);
    std::unique_ptr<Job> job = MakeBlocker(0, target, &started, &release);
    ASSERT_TRUE(strand->TrySubmit(job).ok());
    ASSERT_TRUE(started.Wait());
  }
  EXPECT_FALSE(weak.expired());  // the running strand keeps it alive
  release.CountDown();
  ASSERT_TRUE(target->WaitFor(1));
  const auto give_up = std::chrono::steady_clock::now() + test::kWaitTimeout;
  while (!weak.expired() && std::chrono::steady_clock::now() < give_up) std::this_thread::yield();
  EXPECT_TRUE(weak.expired());
  // Give the (detached) workers a chance to misbehave before the process moves on.
  auto pool = MakePool(2);
  auto strand = Strand::Create(pool);
  for (int i = 1; i <= 100; ++i) {
    std::unique_ptr<Job> job = MakeJob(i, target);
    ASSERT_TRUE(strand->TrySubmit(job).ok());
  }
  ASSERT_TRUE(target->WaitFor(101));
  pool->Shutdown();
}

TEST(ThreadPool, ShutdownOfAnIdlePoolCompletesNothingAndJoins) {
  auto pool = MakePool(3);
  auto strand = Strand::Create(pool);
  auto target = std::make_shared<RecordingTarget>();
  for (int i = 0; i < 100; ++i) {
    std::unique_ptr<Job> job = MakeJob(i, target);
    ASSERT_TRUE(strand->TrySubmit(job).ok());
  }
  ASSERT_TRUE(target->WaitFor(100));
  pool->Shutdown();
  EXPECT_EQ(target->count(), 100u);
}

TEST(ThreadPool, AbandonedTargetCompletesWithShutdownUnrun) {
  auto pool = MakePool(2);
  auto strand = Strand::Create(pool);
  auto live = std::make_shared<RecordingTarget>();
  auto gone = std::make_shared<RecordingTarget>();
  gone->abandoned = true;
  for (int i = 0; i < 40; ++i) {
    std::unique_ptr<Job> job = MakeJob(i, i % 2 ? gone : live);
    ASSERT_TRUE(strand->TrySubmit(job).ok());
  }
  ASSERT_TRUE(live->WaitFor(20));
  ASSERT_TRUE(gone->WaitFor(20));
  pool->Shutdown();
  for (const auto& job : live->Take()) {
    EXPECT_TRUE(job->status.ok());
    EXPECT_EQ(AsTest(job).runs.load(), 1);
  }
  for (const auto& job : gone->Take()) {
    EXPECT_EQ(job->status.code(), ErrorCode::kShutdown);
    EXPECT_EQ(AsTest(job).runs.load(), 0);
  }
  const PoolStats stats = pool->Stats();
  EXPECT_EQ(stats.completed, 20u);
  EXPECT_EQ(stats.dropped, 20u);
}

TEST(ThreadPool, StatsAddUpWhenIdle) {
  auto pool = MakePool(2);
  auto target = std::make_shared<RecordingTarget>();
  std::vector<std::shared_ptr<Strand>> strands;
  for (int s = 0; s < 4; ++s) strands.push_back(Strand::Create(pool));
  int expected_ok = 0, expected_failed = 0, expected_dropped = 0;
  for (int i = 0; i < 400; ++i) {
    std::unique_ptr<Job> job;
    switch (i % 4) {
      case 0:
      case 1:
        job = MakeJob(i, target);
        ++expected_ok;
        break;
      case 2:  // runs and reports an error
        job = MakeJob(i, target, [](TestJob& self) {
          self.status = Status(ErrorCode::kOpusBadArg, "invalid argument");
        });
        ++expected_failed;
        break;
      default:  // dropped unrun
        job = MakeJob(i, target);
        job->deadline_ns = 1;
        ++expected_dropped;
        break;
    }
    ASSERT_TRUE(strands[i % 4]->TrySubmit(job).ok());
  }
  ASSERT_TRUE(target->WaitFor(400));
  pool->Shutdown();
  const PoolStats stats = pool->Stats();
  EXPECT_EQ(stats.submitted, 400u);
  EXPECT_EQ(stats.completed, static_cast<uint64_t>(expected_ok));
  EXPECT_EQ(stats.failed, static_cast<uint64_t>(expected_failed));
  EXPECT_EQ(stats.dropped, static_cast<uint64_t>(expected_dropped));
  EXPECT_EQ(stats.submitted, stats.completed + stats.failed + stats.dropped);
  EXPECT_EQ(stats.rejected, 0u);
  EXPECT_EQ(stats.queued, 0u);
  // Latency is recorded for jobs that ran, not for dropped ones.
  EXPECT_EQ(stats.queue_wait.count, stats.completed + stats.failed);
  EXPECT_EQ(stats.service_time.count, stats.completed + stats.failed);
  EXPECT_LE(stats.service_time.p50_us, stats.service_time.p99_us);
  EXPECT_LE(stats.service_time.p99_us, stats.service_time.max_us);
  pool->ResetLatency();
  EXPECT_EQ(pool->Stats().queue_wait.count, 0u);
  EXPECT_EQ(pool->Stats().submitted, 400u);  // counters keep counting
}

TEST(ThreadPool, ConcurrentSubmittersAndCompletionCountsAgree) {
  constexpr int kThreads = 4, kJobs = 2000;
  auto pool = MakePool(2, 1000);
  auto target = std::make_shared<RecordingTarget>();
  std::atomic<int> accepted{0}, rejected{0};
  Latch go(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto strand = Strand::Create(pool);
      go.ArriveAndWait();
      for (int i = 0; i < kJobs; ++i) {
        std::unique_ptr<Job> job = MakeJob(t * kJobs + i, target);
        const Status st = strand->TrySubmit(job);
        if (st.ok()) {
          accepted.fetch_add(1);
        } else {
          EXPECT_EQ(st.code(), ErrorCode::kQueueFull);
          EXPECT_NE(job, nullptr);
          rejected.fetch_add(1);
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  ASSERT_TRUE(target->WaitFor(static_cast<size_t>(accepted.load())));
  pool->Shutdown();
  const PoolStats stats = pool->Stats();
  EXPECT_EQ(target->count(), static_cast<size_t>(accepted.load()));
  EXPECT_EQ(stats.submitted, static_cast<uint64_t>(accepted.load()));
  EXPECT_EQ(stats.rejected, static_cast<uint64_t>(rejected.load()));
  EXPECT_EQ(stats.completed, stats.submitted);
  EXPECT_EQ(stats.queued, 0u);
}

#if defined(__linux__)
// The nice value of the calling thread (Linux: per thread).
int ThreadNice() {
  errno = 0;
  return getpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)));
}

TEST(ThreadPool, WorkersRunAtTheirNiceValueAndAreNamed) {
  const int base = ThreadNice();
  if (base + 5 > 19) GTEST_SKIP() << "this process already runs at nice " << base;
  PoolOptions options;
  options.threads = 2;
  options.worker_nice = 5;
  auto pool = ThreadPool::Create(options);
  EXPECT_EQ(pool->worker_nice(), 5);
  EXPECT_EQ(pool->Stats().worker_nice, 5);
  auto strand = Strand::Create(pool);
  auto target = std::make_shared<RecordingTarget>();
  std::atomic<int> seen_nice{-100};
  std::string name;
  std::unique_ptr<Job> job = MakeJob(1, target, [&](TestJob&) {
    seen_nice = ThreadNice();
    char buf[32] = {};
    pthread_getname_np(pthread_self(), buf, sizeof(buf));
    name = buf;
  });
  ASSERT_TRUE(strand->TrySubmit(job).ok());
  ASSERT_TRUE(target->WaitFor(1));
  EXPECT_EQ(seen_nice.load(), base + 5) << "lowered by 5 from what the thread inherited";
  EXPECT_EQ(name, "voxpool-worker");
  EXPECT_EQ(ThreadNice(), base) << "the submitting thread keeps its priority";
  pool->Shutdown();
}

// The workers of a pool, as /proc shows them: named voxpool-worker, at nice `nice`.
size_t WorkersAtNice(int nice) {
  size_t count = 0;
  DIR* dir = opendir("/proc/self/task");
  if (dir == nullptr) return 0;
  while (const dirent* entry = readdir(dir)) {
    if (entry->d_name[0] == '.') continue;
    const std::string task = std::string("/proc/self/task/") + entry->d_name;
    std::ifstream comm_file(task + "/comm");
    std::string comm;
    std::getline(comm_file, comm);
    errno = 0;
    const int thread_nice = getpriority(PRIO_PROCESS, static_cast<id_t>(std::stoi(entry->d_name)));
    if (comm == "voxpool-worker" && errno == 0 && thread_nice == nice) ++count;
  }
  closedir(dir);
  return count;
}

TEST(ThreadPool, CreateReturnsWithEveryWorkerNamedAndAtItsPriority) {
  const int base = ThreadNice();
  if (base + 7 > 19) GTEST_SKIP() << "this process already runs at nice " << base;
  // A nice value no other pool in this process uses, so only this pool's workers are counted.
  PoolOptions options;
  options.threads = 4;
  options.worker_nice = 7;
  for (int round = 0; round < 20; ++round) {
    auto pool = ThreadPool::Create(options);
    // No job has run: what /proc shows must already be true the moment Create returns.
    ASSERT_EQ(WorkersAtNice(base + 7), pool->threads()) << "round " << round;
    pool->Shutdown();
  }
}
#endif

TEST(SharedPool, ConfigureBeforeStartThenRefuseAResize) {
  // The process-wide pool may already be running if another test in this process used it;
  // either way the thread count is fixed from the first use on.
  const size_t want = SharedPoolStarted() ? SharedPool()->threads() : 3;
  ASSERT_TRUE(ConfigureSharedPool(want, 0).ok());
  EXPECT_EQ(SharedPoolThreads(), want);
  std::shared_ptr<ThreadPool> pool = SharedPool();
  ASSERT_NE(pool, nullptr);
  EXPECT_TRUE(SharedPoolStarted());
  EXPECT_EQ(pool->threads(), want);
  EXPECT_EQ(SharedPool(), pool);  // one per process

  const Status st = ConfigureSharedPool(want + 1, 0);
  EXPECT_EQ(st.code(), ErrorCode::kAlreadyStarted);
  EXPECT_NE(st.message().find(std::to_string(want) + " threads"), std::string::npos)
      << st.message();
  EXPECT_TRUE(ConfigureSharedPool(want, 0).ok());  // the same count is not a change

  const size_t old_capacity = pool->capacity();
  ASSERT_TRUE(ConfigureSharedPool(0, 123).ok());
  EXPECT_EQ(pool->capacity(), 123u);
  ASSERT_TRUE(ConfigureSharedPool(0, old_capacity).ok());

  // And it runs work.
  auto strand = Strand::Create(pool);
  auto target = std::make_shared<RecordingTarget>();
  std::unique_ptr<Job> job = MakeJob(1, target);
  ASSERT_TRUE(strand->TrySubmit(job).ok());
  ASSERT_TRUE(target->WaitFor(1));
}

}  // namespace
}  // namespace voxpool::pool
