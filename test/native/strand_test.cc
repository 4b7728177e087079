// Strands: per-strand order and mutual exclusion under concurrent submitters, parallelism across
// strands, per-strand capacity with both overflow policies, deadlines and Close().
#include <atomic>
#include <chrono>
#include <memory>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "pool_test_support.h"
#include "voxpool/pool/strand.h"
#include "voxpool/pool/thread_pool.h"

namespace voxpool::pool {
namespace {

using test::AsTest;
using test::Latch;
using test::MakeJob;
using test::RecordingTarget;
using test::TestJob;

// A job that announces it has started and then holds its worker until released: it pins a
// strand (and a worker) so the test can queue work behind it deterministically.
std::unique_ptr<TestJob> MakeBlocker(int id, std::shared_ptr<CompletionTarget> target,
                                     Latch* started, Latch* release) {
  return MakeJob(id, std::move(target), [started, release](TestJob&) {
    started->CountDown();
    EXPECT_TRUE(release->Wait());
  });
}

StrandOptions DropOldest(size_t capacity) {
  StrandOptions options;
  options.capacity = capacity;
  options.overflow = OverflowPolicy::kDropOldest;
  return options;
}

// Runs a blocker on `strand` and returns once it has started: with a one-thread pool the only
// worker is then pinned until `release` counts down.
void Pin(Strand& strand, std::shared_ptr<CompletionTarget> target, Latch* started, Latch* release) {
  std::unique_ptr<Job> blocker = MakeBlocker(0, std::move(target), started, release);
  ASSERT_TRUE(strand.TrySubmit(blocker).ok());
  ASSERT_TRUE(started->Wait());
}

// Submits jobs `first`..`last` (their ids), each accepted.
void SubmitIds(Strand& strand, const std::shared_ptr<CompletionTarget>& target, int first, int last) {
  for (int id = first; id <= last; ++id) {
    std::unique_ptr<Job> job = MakeJob(id, target);
    ASSERT_TRUE(strand.TrySubmit(job).ok()) << id;
    ASSERT_EQ(job, nullptr);
  }
}

// Every test ends with an explicit Shutdown: it joins the workers, so no worker can hold the
// last reference to a strand (and through it the pool) after the test's locals are gone.
class StrandTest : public ::testing::Test {
 protected:
  std::shared_ptr<ThreadPool> MakePool(size_t threads, size_t capacity = 65536) {
    PoolOptions options;
    options.threads = threads;
    options.capacity = capacity;
    pool_ = ThreadPool::Create(options);
    return pool_;
  }
  void TearDown() override {
    if (pool_) pool_->Shutdown();
  }
  std::shared_ptr<ThreadPool> pool_;
};

TEST_F(StrandTest, OrderAndExclusionUnderConcurrentSubmitters) {
  constexpr int kStrands = 6, kSubmitters = 4, kPerSubmitter = 300;
  auto pool = MakePool(4);
  auto target = std::make_shared<RecordingTarget>();

  struct Lane {
    std::shared_ptr<Strand> strand;
    std::atomic<bool> running{false};
    // Written only by this strand's jobs: TSan flags it if two of them ever overlap.
    int last_seq[kSubmitters];
    int executed = 0;
  };
  std::vector<Lane> lanes(kStrands);
  for (Lane& lane : lanes) {
    lane.strand = Strand::Create(pool);
    for (int& s : lane.last_seq) s = -1;
  }
  std::atomic<int> overlaps{0}, out_of_order{0}, refused{0};

  Latch go(kSubmitters);
  std::vector<std::thread> submitters;
  for (int sub = 0; sub < kSubmitters; ++sub) {
    submitters.emplace_back([&, sub] {
      go.ArriveAndWait();
      for (int seq = 0; seq < kPerSubmitter; ++seq) {
        for (int s = 0; s < kStrands; ++s) {
          Lane& lane = lanes[s];
          std::unique_ptr<Job> job =
              MakeJob(seq, target, [&lane, &overlaps, &out_of_order, sub, seq](TestJob&) {
                if (lane.running.exchange(true, std::memory_order_acq_rel)) overlaps.fetch_add(1);
                if (seq <= lane.last_seq[sub]) out_of_order.fetch_add(1);
                lane.last_seq[sub] = seq;
                ++lane.executed;
                lane.running.store(false, std::memory_order_release);
              });
          if (!lane.strand->TrySubmit(job).ok()) refused.fetch_add(1);
        }
      }
    });
  }
  for (std::thread& t : submitters) t.join();
  constexpr size_t kTotal = size_t{kStrands} * kSubmitters * kPerSubmitter;
  ASSERT_EQ(refused.load(), 0);
  ASSERT_TRUE(target->WaitFor(kTotal));

  EXPECT_EQ(overlaps.load(), 0);
  EXPECT_EQ(out_of_order.load(), 0);
  for (Lane& lane : lanes) {
    EXPECT_EQ(lane.executed, kSubmitters * kPerSubmitter);
    for (int s : lane.last_seq) EXPECT_EQ(s, kPerSubmitter - 1);
  }
  std::vector<std::unique_ptr<Job>> done = target->Take();
  ASSERT_EQ(done.size(), kTotal);
  for (const auto& job : done) {
    EXPECT_TRUE(job->status.ok());
    EXPECT_EQ(AsTest(job).runs.load(), 1);
    EXPECT_GE(job->started_ns, job->submitted_ns);
    EXPECT_GE(job->finished_ns, job->started_ns);
  }
  const PoolStats stats = pool->Stats();
  EXPECT_EQ(stats.submitted, kTotal);
  EXPECT_EQ(stats.completed, kTotal);
  EXPECT_EQ(stats.queued, 0u);
}

TEST_F(StrandTest, NeverStartsAJobWhileItsPredecessorRuns) {
  // Job A holds its worker and watches for job B (same strand) to start while idle workers are
  // available. A correct strand cannot start B before A returns, so the watch always times out
  // (50 ms, a wait that passes; it never decides a failure by itself being slow).
  auto pool = MakePool(4);
  auto strand = Strand::Create(pool);
  auto target = std::make_shared<RecordingTarget>();
  std::atomic<int> overlaps{0};
  for (int round = 0; round < 3; ++round) {
    Latch a_started(1), b_started(1);
    std::unique_ptr<Job> a = MakeJob(0, target, [&](TestJob&) {
      a_started.CountDown();
      if (b_started.Wait(std::chrono::milliseconds(50))) overlaps.fetch_add(1);
    });
    std::unique_ptr<Job> b = MakeJob(1, target, [&](TestJob&) { b_started.CountDown(); });
    ASSERT_TRUE(strand->TrySubmit(a).ok());
    ASSERT_TRUE(a_started.Wait());
    ASSERT_TRUE(strand->TrySubmit(b).ok());
    ASSERT_TRUE(target->WaitFor(2 * (round + 1)));
  }
  EXPECT_EQ(overlaps.load(), 0);
}

TEST_F(StrandTest, FifoOnOneStrandFromOneSubmitter) {
  auto pool = MakePool(2);
  auto strand = Strand::Create(pool);
  auto target = std::make_shared<RecordingTarget>();
  constexpr int kJobs = 2000;
  for (int i = 0; i < kJobs; ++i) {
    std::unique_ptr<Job> job = MakeJob(i, target);
    ASSERT_TRUE(strand->TrySubmit(job).ok());
    ASSERT_EQ(job, nullptr);
  }
  ASSERT_TRUE(target->WaitFor(kJobs));
  // RecordingTarget keeps completion order; for one strand it must be submission order.
  std::vector<std::unique_ptr<Job>> done = target->Take();
  for (int i = 0; i < kJobs; ++i) ASSERT_EQ(AsTest(done[i]).id, i);
}

TEST_F(StrandTest, DifferentStrandsRunInParallel) {
  // Each job waits at a two-party barrier: both can pass only if the two strands run at the same
  // time. Serialised strands would time the first one out (a failure, never a flake).
  auto pool = MakePool(2);
  auto a = Strand::Create(pool);
  auto b = Strand::Create(pool);
  auto target = std::make_shared<RecordingTarget>();
  for (int round = 0; round < 20; ++round) {
    SCOPED_TRACE(round);
    Latch barrier(2);
    std::atomic<int> met{0};
    auto body = [&](TestJob&) {
      if (barrier.ArriveAndWait()) met.fetch_add(1);
    };
    std::unique_ptr<Job> ja = MakeJob(1, target, body);
    std::unique_ptr<Job> jb = MakeJob(2, target, body);
    ASSERT_TRUE(a->TrySubmit(ja).ok());
    ASSERT_TRUE(b->TrySubmit(jb).ok());
    ASSERT_TRUE(target->WaitFor(2 * (round + 1)));
    EXPECT_EQ(met.load(), 2);
  }
}

TEST_F(StrandTest, FullStrandRejectsAndTheJobStaysWithTheCaller) {
  auto pool = MakePool(1);
  StrandOptions options;
  options.capacity = 2;
  auto strand = Strand::Create(pool, options);
  auto target = std::make_shared<RecordingTarget>();
  Latch started(1), release(1);
  std::unique_ptr<Job> blocker = MakeBlocker(0, target, &started, &release);
  ASSERT_TRUE(strand->TrySubmit(blocker).ok());
  ASSERT_TRUE(started.Wait());  // running: no longer counts against the capacity

  for (int id : {1, 2}) {
    std::unique_ptr<Job> job = MakeJob(id, target);
    ASSERT_TRUE(strand->TrySubmit(job).ok());
  }
  EXPECT_EQ(strand->pending(), 2u);
  std::unique_ptr<Job> third = MakeJob(3, target);
  Job* raw = third.get();
  const Status st = strand->TrySubmit(third);
  EXPECT_EQ(st.code(), ErrorCode::kQueueFull);
  EXPECT_STREQ(st.code_name(), "ERR_VOXPOOL_QUEUE_FULL");
  ASSERT_EQ(third.get(), raw);  // still ours, untouched
  EXPECT_TRUE(third->status.ok());
  EXPECT_EQ(third->completion, target);
  EXPECT_EQ(third->submitted_ns, 0);
  EXPECT_EQ(strand->pending(), 2u);
  EXPECT_EQ(pool->Stats().rejected, 1u);

  release.CountDown();
  ASSERT_TRUE(target->WaitFor(3));
  // Once there is room the same job can be submitted again.
  ASSERT_TRUE(strand->TrySubmit(third).ok());
  ASSERT_TRUE(target->WaitFor(4));
  std::vector<std::unique_ptr<Job>> done = target->Take();
  ASSERT_EQ(done.size(), 4u);
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(AsTest(done[i]).id, i);
    EXPECT_TRUE(done[i]->status.ok());
    EXPECT_EQ(AsTest(done[i]).runs.load(), 1);
  }
  const PoolStats stats = pool->Stats();
  EXPECT_EQ(stats.submitted, 4u);
  EXPECT_EQ(stats.completed, 4u);
  EXPECT_EQ(stats.rejected, 1u);
}

TEST_F(StrandTest, DropOldestCompletesTheEvictedJobWithDropped) {
  auto pool = MakePool(1);
  auto strand = Strand::Create(pool, DropOldest(2));
  auto target = std::make_shared<RecordingTarget>();
  Latch started(1), release(1);
  Pin(*strand, target, &started, &release);
  SubmitIds(*strand, target, 1, 4);
  // Jobs 1 and 2 were evicted by 3 and 4; they complete after job 0, which runs ahead of them,
  // so completions keep submission order.
  EXPECT_EQ(target->count(), 0u);
  EXPECT_EQ(strand->pending(), 2u);
  release.CountDown();
  ASSERT_TRUE(target->WaitFor(5));
  std::vector<std::unique_ptr<Job>> done = target->Take();
  ASSERT_EQ(done.size(), 5u);
  const int expected_order[] = {0, 1, 2, 3, 4};
  for (int i = 0; i < 5; ++i) {
    SCOPED_TRACE(i);
    const TestJob& job = AsTest(done[i]);
    EXPECT_EQ(job.id, expected_order[i]);
    const bool dropped = job.id == 1 || job.id == 2;
    EXPECT_EQ(job.status.code(), dropped ? ErrorCode::kDropped : ErrorCode::kOk);
    EXPECT_EQ(job.runs.load(), dropped ? 0 : 1);
  }
  const PoolStats stats = pool->Stats();
  EXPECT_EQ(stats.submitted, 5u);
  EXPECT_EQ(stats.completed, 3u);
  EXPECT_EQ(stats.dropped, 2u);
  EXPECT_EQ(stats.rejected, 0u);
  EXPECT_EQ(stats.queued, 0u);
}

TEST_F(StrandTest, DropOldestWithNothingRunningCompletesTheEvictedJobAtOnce) {
  auto pool = MakePool(1);
  auto busy = Strand::Create(pool);  // pins the only worker: `strand` never starts a job
  auto strand = Strand::Create(pool, DropOldest(1));
  auto target = std::make_shared<RecordingTarget>();
  Latch started(1), release(1);
  Pin(*busy, target, &started, &release);
  SubmitIds(*strand, target, 1, 3);
  std::vector<std::unique_ptr<Job>> done = target->Take();
  ASSERT_EQ(done.size(), 2u) << "nothing of this strand runs, so nothing to wait for";
  EXPECT_EQ(AsTest(done[0]).id, 1);
  EXPECT_EQ(AsTest(done[1]).id, 2);
  for (const auto& job : done) EXPECT_EQ(job->status.code(), ErrorCode::kDropped);
  release.CountDown();
  ASSERT_TRUE(target->WaitFor(2));  // the blocker and job 3
  pool->Shutdown();
  EXPECT_EQ(pool->Stats().dropped, 2u);
}

TEST_F(StrandTest, CloseAfterEvictionsCompletesEverythingInSubmissionOrder) {
  auto pool = MakePool(1);
  auto strand = Strand::Create(pool, DropOldest(1));
  auto target = std::make_shared<RecordingTarget>();
  Latch started(1), release(1);
  Pin(*strand, target, &started, &release);
  SubmitIds(*strand, target, 1, 3);
  strand->Close();
  EXPECT_EQ(target->count(), 0u);
  release.CountDown();
  ASSERT_TRUE(target->WaitFor(4));
  pool->Shutdown();
  std::vector<std::unique_ptr<Job>> done = target->Take();
  ASSERT_EQ(done.size(), 4u);
  const ErrorCode expected[] = {ErrorCode::kOk, ErrorCode::kDropped, ErrorCode::kDropped,
                                ErrorCode::kDestroyed};
  for (int i = 0; i < 4; ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(AsTest(done[i]).id, i);
    EXPECT_EQ(done[i]->status.code(), expected[i]);
  }
  const PoolStats stats = pool->Stats();
  EXPECT_EQ(stats.completed, 1u);
  EXPECT_EQ(stats.dropped, 3u);
  EXPECT_EQ(stats.queued, 0u);
}

TEST_F(StrandTest, DropOldestWithNothingToEvictRejects) {
  auto pool = MakePool(1);
  StrandOptions options;
  options.capacity = 0;
  options.overflow = OverflowPolicy::kDropOldest;
  auto strand = Strand::Create(pool, options);
  auto target = std::make_shared<RecordingTarget>();
  std::unique_ptr<Job> job = MakeJob(1, target);
  EXPECT_EQ(strand->TrySubmit(job).code(), ErrorCode::kQueueFull);
  EXPECT_NE(job, nullptr);
  EXPECT_EQ(target->count(), 0u);
}

TEST_F(StrandTest, DeadlinesDropJobsThatStartTooLate) {
  auto pool = MakePool(1);
  auto strand = Strand::Create(pool);
  auto target = std::make_shared<RecordingTarget>();

  // Already expired at submission.
  std::unique_ptr<Job> expired = MakeJob(1, target);
  expired->deadline_ns = 1;
  ASSERT_TRUE(strand->TrySubmit(expired).ok());
  // Far in the future.
  std::unique_ptr<Job> future = MakeJob(2, target);
  future->deadline_ns = NowNs() + int64_t{3600} * 1000000000;
  ASSERT_TRUE(strand->TrySubmit(future).ok());
  ASSERT_TRUE(target->WaitFor(2));

  // Expires while it waits behind a blocked job.
  Latch started(1), release(1);
  std::unique_ptr<Job> blocker = MakeBlocker(3, target, &started, &release);
  ASSERT_TRUE(strand->TrySubmit(blocker).ok());
  ASSERT_TRUE(started.Wait());
  std::unique_ptr<Job> late = MakeJob(4, target);
  const int64_t deadline = NowNs() + 1000000;  // 1 ms
  late->deadline_ns = deadline;
  ASSERT_TRUE(strand->TrySubmit(late).ok());
  // Waiting for the clock is the subject here, not a synchronisation shortcut.
  while (NowNs() <= deadline) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  release.CountDown();
  ASSERT_TRUE(target->WaitFor(4));

  std::vector<std::unique_ptr<Job>> done = target->Take();
  ASSERT_EQ(done.size(), 4u);
  const ErrorCode expected[] = {ErrorCode::kDeadlineExceeded, ErrorCode::kOk, ErrorCode::kOk,
                                ErrorCode::kDeadlineExceeded};
  for (int i = 0; i < 4; ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(AsTest(done[i]).id, i + 1);
    EXPECT_EQ(done[i]->status.code(), expected[i]);
    EXPECT_EQ(AsTest(done[i]).runs.load(), expected[i] == ErrorCode::kOk ? 1 : 0);
  }
  EXPECT_STREQ(done[0]->status.code_name(), "ERR_VOXPOOL_DEADLINE_EXCEEDED");
  const PoolStats stats = pool->Stats();
  EXPECT_EQ(stats.dropped, 2u);
  EXPECT_EQ(stats.completed, 2u);
}

TEST_F(StrandTest, ALateLimitDropsJobsThatStartThatLongAfterTheirDueTime) {
  auto pool = MakePool(1);
  StrandOptions options;
  options.late_limit_ns = 1000000;  // 1 ms
  auto strand = Strand::Create(pool, options);
  auto target = std::make_shared<RecordingTarget>();

  Latch started(1), release(1);
  std::unique_ptr<Job> blocker = MakeBlocker(1, target, &started, &release);
  ASSERT_TRUE(strand->TrySubmit(blocker).ok());
  ASSERT_TRUE(started.Wait());
  // Due now: late by the time the blocker lets go. Due in an hour: on time then. Its own
  // deadline: the strand's limit does not replace it.
  std::unique_ptr<Job> due_now = MakeJob(2, target);
  due_now->due_ns = NowNs();
  ASSERT_TRUE(strand->TrySubmit(due_now).ok());
  std::unique_ptr<Job> due_later = MakeJob(3, target);
  due_later->due_ns = NowNs() + int64_t{3600} * 1000000000;
  ASSERT_TRUE(strand->TrySubmit(due_later).ok());
  std::unique_ptr<Job> own = MakeJob(4, target);
  own->due_ns = NowNs();
  own->deadline_ns = NowNs() + int64_t{3600} * 1000000000;
  ASSERT_TRUE(strand->TrySubmit(own).ok());
  const int64_t late = NowNs() + 2000000;
  while (NowNs() <= late) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  release.CountDown();
  ASSERT_TRUE(target->WaitFor(4));

  std::vector<std::unique_ptr<Job>> done = target->Take();
  ASSERT_EQ(done.size(), 4u);
  const ErrorCode expected[] = {ErrorCode::kOk, ErrorCode::kDeadlineExceeded, ErrorCode::kOk,
                                ErrorCode::kOk};
  for (int i = 0; i < 4; ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(AsTest(done[i]).id, i + 1);
    EXPECT_EQ(done[i]->status.code(), expected[i]);
  }
  EXPECT_EQ(done[1]->deadline_ns, done[1]->due_ns + 1000000);
  EXPECT_EQ(pool->Stats().dropped, 1u);
}

TEST_F(StrandTest, CloseCompletesQueuedJobsWithDestroyed) {
  auto pool = MakePool(1);
  auto strand = Strand::Create(pool);
  auto target = std::make_shared<RecordingTarget>();
  Latch started(1), release(1);
  Pin(*strand, target, &started, &release);
  SubmitIds(*strand, target, 1, 5);
  strand->Close();
  // The queued five wait for the running job: completing them now would settle their
  // rejections ahead of its result. None will run, so none is pending.
  EXPECT_EQ(target->count(), 0u);
  EXPECT_EQ(strand->pending(), 0u);
  std::unique_ptr<Job> refused = MakeJob(6, target);
  EXPECT_EQ(strand->TrySubmit(refused).code(), ErrorCode::kDestroyed);
  EXPECT_NE(refused, nullptr);
  strand->Close();  // idempotent

  release.CountDown();
  ASSERT_TRUE(target->WaitFor(6));
  pool->Shutdown();  // joins: nothing else can arrive
  std::vector<std::unique_ptr<Job>> done = target->Take();
  ASSERT_EQ(done.size(), 6u);
  for (size_t i = 0; i < done.size(); ++i) {
    const TestJob& t = AsTest(done[i]);
    SCOPED_TRACE(t.id);
    EXPECT_EQ(t.id, static_cast<int>(i)) << "completions in submission order";
    EXPECT_EQ(t.status.code(), t.id == 0 ? ErrorCode::kOk : ErrorCode::kDestroyed);
    EXPECT_EQ(t.runs.load(), t.id == 0 ? 1 : 0);
  }
  const PoolStats stats = pool->Stats();
  EXPECT_EQ(stats.submitted, 6u);
  EXPECT_EQ(stats.completed, 1u);
  EXPECT_EQ(stats.dropped, 5u);
  EXPECT_EQ(stats.queued, 0u);
}

TEST_F(StrandTest, CloseWithNothingRunningCompletesQueuedJobsAtOnce) {
  auto pool = MakePool(1);
  auto busy = Strand::Create(pool);  // pins the only worker, so `strand` waits in the ready queue
  auto strand = Strand::Create(pool);
  auto target = std::make_shared<RecordingTarget>();
  Latch started(1), release(1);
  Pin(*busy, target, &started, &release);
  SubmitIds(*strand, target, 1, 3);
  strand->Close();
  std::vector<std::unique_ptr<Job>> done = target->Take();
  ASSERT_EQ(done.size(), 3u) << "completed inside Close(): none of its jobs was running";
  for (size_t i = 0; i < done.size(); ++i) {
    EXPECT_EQ(AsTest(done[i]).id, static_cast<int>(i + 1));
    EXPECT_EQ(done[i]->status.code(), ErrorCode::kDestroyed);
  }
  release.CountDown();
  ASSERT_TRUE(target->WaitFor(1));
  pool->Shutdown();
  EXPECT_EQ(pool->Stats().queued, 0u);
}

TEST_F(StrandTest, AbandonedTargetCompletesQueuedJobsWithShutdownUnrun) {
  auto pool = MakePool(1);
  auto strand = Strand::Create(pool);
  auto target = std::make_shared<RecordingTarget>();
  Latch started(1), release(1);
  std::unique_ptr<Job> blocker = MakeBlocker(0, target, &started, &release);
  ASSERT_TRUE(strand->TrySubmit(blocker).ok());
  ASSERT_TRUE(started.Wait());
  for (int id = 1; id <= 5; ++id) {
    std::unique_ptr<Job> job = MakeJob(id, target);
    ASSERT_TRUE(strand->TrySubmit(job).ok());
  }
  target->abandoned = true;  // the environment went away while jobs were queued
  release.CountDown();
  ASSERT_TRUE(target->WaitFor(6));
  std::vector<std::unique_ptr<Job>> done = target->Take();
  for (const auto& job : done) {
    const TestJob& t = AsTest(job);
    SCOPED_TRACE(t.id);
    EXPECT_EQ(t.status.code(), t.id == 0 ? ErrorCode::kOk : ErrorCode::kShutdown);
    EXPECT_EQ(t.runs.load(), t.id == 0 ? 1 : 0);
  }
  EXPECT_EQ(pool->Stats().dropped, 5u);
}

TEST_F(StrandTest, ManyStrandsShareFewThreadsWithoutStarving) {
  // More strands than threads, each with more jobs than one turn: every job still completes,
  // and each strand's jobs complete in order.
  constexpr int kStrands = 16, kJobs = 50;
  auto pool = MakePool(2);
  auto target = std::make_shared<RecordingTarget>();
  std::vector<std::shared_ptr<Strand>> strands;
  for (int s = 0; s < kStrands; ++s) strands.push_back(Strand::Create(pool));
  for (int i = 0; i < kJobs; ++i) {
    for (int s = 0; s < kStrands; ++s) {
      std::unique_ptr<Job> job = MakeJob(s * kJobs + i, target);
      ASSERT_TRUE(strands[s]->TrySubmit(job).ok());
    }
  }
  ASSERT_TRUE(target->WaitFor(kStrands * kJobs));
  std::vector<int> next(kStrands, 0);
  for (const auto& job : target->Take()) {
    const int id = AsTest(job).id;
    EXPECT_EQ(id % kJobs, next[id / kJobs]++) << "strand " << id / kJobs;
  }
}

}  // namespace
}  // namespace voxpool::pool
