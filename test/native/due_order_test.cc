// Earliest-due-first across strands: a one-thread pool is pinned by a blocker while jobs with
// known due times queue up, then released; the completion order is the schedule. Deterministic:
// nothing depends on how fast the machine is, only on the due times given.
#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "pool_test_support.h"
#include "voxpool/pool/strand.h"
#include "voxpool/pool/thread_pool.h"

namespace voxpool::pool {
namespace {

using test::AsTest;
using test::Latch;
using test::MakeJob;
using test::RecordingTarget;

constexpr int64_t kMs = 1'000'000;

class DueOrderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    PoolOptions options;
    options.threads = 1;
    pool_ = ThreadPool::Create(options);
    target_ = std::make_shared<RecordingTarget>();
    pin_ = Strand::Create(pool_);
    std::unique_ptr<Job> blocker = MakeJob(-1, target_, [this](test::TestJob&) {
      started_.CountDown();
      EXPECT_TRUE(release_.Wait());
    });
    ASSERT_TRUE(pin_->TrySubmit(blocker).ok());
    ASSERT_TRUE(started_.Wait());
    now_ = NowNs();
  }
  void TearDown() override { pool_->Shutdown(); }

  // Submits job `id` on `strand`, due `due_ms` from the test's start (0: no due time given).
  void Submit(Strand& strand, int id, int64_t due_ms) {
    std::unique_ptr<Job> job = MakeJob(id, target_);
    if (due_ms != 0) job->due_ns = now_ + due_ms * kMs;
    ASSERT_TRUE(strand.TrySubmit(job).ok()) << id;
  }

  // Releases the worker and returns the ids in completion order (the blocker left out).
  std::vector<int> Run(size_t jobs) {
    release_.CountDown();
    EXPECT_TRUE(target_->WaitFor(jobs + 1));
    std::vector<int> order;
    for (const auto& job : target_->Take())
      if (AsTest(job).id != -1) order.push_back(AsTest(job).id);
    return order;
  }

  std::shared_ptr<ThreadPool> pool_;
  std::shared_ptr<RecordingTarget> target_;
  std::shared_ptr<Strand> pin_;
  Latch started_{1};
  Latch release_{1};
  int64_t now_ = 0;
};

TEST_F(DueOrderTest, TheEarliestDueStrandRunsFirstNotTheFirstSubmitted) {
  auto a = Strand::Create(pool_), b = Strand::Create(pool_), c = Strand::Create(pool_),
       d = Strand::Create(pool_);
  Submit(*a, 1, 300);
  Submit(*b, 2, 100);
  Submit(*c, 3, 0);  // none given: due kDefaultDueSlackNs (20 ms) after submission
  Submit(*d, 4, 200);
  EXPECT_EQ(Run(4), (std::vector<int>{3, 2, 4, 1}));
}

TEST_F(DueOrderTest, EqualDueTimesRunInSubmissionOrder) {
  std::vector<std::shared_ptr<Strand>> strands;
  for (int i = 0; i < 6; ++i) {
    strands.push_back(Strand::Create(pool_));
    Submit(*strands.back(), i, 50);
  }
  EXPECT_EQ(Run(6), (std::vector<int>{0, 1, 2, 3, 4, 5}));
}

TEST_F(DueOrderTest, AStrandKeepsItsOwnOrderWhateverItsJobsDueTimes) {
  auto s = Strand::Create(pool_), t = Strand::Create(pool_);
  Submit(*s, 1, 300);
  Submit(*s, 2, 10);  // due earlier than its predecessor: still runs after it
  Submit(*t, 3, 100);
  // The strand waits keyed by its head (300 ms), so t's job (100 ms) runs first.
  EXPECT_EQ(Run(3), (std::vector<int>{3, 1, 2}));
}

TEST_F(DueOrderTest, ATurnYieldsWhenAnotherStrandIsDueFirst) {
  auto s = Strand::Create(pool_), t = Strand::Create(pool_);
  Submit(*s, 1, 10);
  Submit(*s, 2, 400);
  Submit(*s, 3, 410);
  Submit(*t, 4, 100);
  // s is served first (10 ms), then gives the worker up: its next job is due after t's.
  EXPECT_EQ(Run(4), (std::vector<int>{1, 4, 2, 3}));
}

}  // namespace
}  // namespace voxpool::pool
