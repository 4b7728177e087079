// JobGroup: members run on several strands in parallel; the group completes itself exactly once,
// after its last member, with every member back in index order.
#include <atomic>
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

// Builds a group of `size` TestJobs (ids 0..size-1), submits member i to strands[i % n] and hands
// the group to itself. A member the strand refuses is completed into the group by the caller,
// which is how the binding keeps a batch whole. Returns the number refused.
int SubmitGroup(size_t size, const std::vector<std::shared_ptr<Strand>>& strands,
                std::shared_ptr<CompletionTarget> target) {
  auto owned = std::make_unique<JobGroup>(size);
  owned->completion = std::move(target);
  owned->submitted_ns = NowNs();
  JobGroup* group = owned.release();  // owns itself until it completes
  int refused = 0;
  for (size_t i = 0; i < size; ++i) {
    std::unique_ptr<Job> member = MakeJob(static_cast<int>(i), nullptr);
    group->Prepare(*member, i);
    Status st = strands[i % strands.size()]->TrySubmit(member);
    if (!st.ok()) {
      ++refused;
      member->status = std::move(st);
      group->Complete(std::move(member));  // may complete (and hand off) the group
    }
  }
  return refused;
}

class JobGroupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    PoolOptions options;
    options.threads = 2;
    pool_ = ThreadPool::Create(options);
  }
  void TearDown() override { pool_->Shutdown(); }
  std::shared_ptr<ThreadPool> pool_;
};

TEST_F(JobGroupTest, CompletesOnceAfterTheLastMemberWithMembersInOrder) {
  std::vector<std::shared_ptr<Strand>> strands;
  for (int s = 0; s < 4; ++s) strands.push_back(Strand::Create(pool_));
  auto target = std::make_shared<RecordingTarget>();
  constexpr int kGroups = 50;
  constexpr size_t kSize = 32;
  for (int g = 0; g < kGroups; ++g) ASSERT_EQ(SubmitGroup(kSize, strands, target), 0);
  ASSERT_TRUE(target->WaitFor(kGroups));
  pool_->Shutdown();
  std::vector<std::unique_ptr<Job>> done = target->Take();
  ASSERT_EQ(done.size(), static_cast<size_t>(kGroups));  // one completion per group, not per member
  for (const auto& job : done) {
    auto* group = dynamic_cast<JobGroup*>(job.get());
    ASSERT_NE(group, nullptr);
    EXPECT_TRUE(group->status.ok());
    ASSERT_EQ(group->size(), kSize);
    int64_t last_finish = 0;
    for (size_t i = 0; i < kSize; ++i) {
      const std::unique_ptr<Job>& member = group->members()[i];
      ASSERT_NE(member, nullptr) << i;
      EXPECT_EQ(AsTest(member).id, static_cast<int>(i));
      EXPECT_EQ(member->group_index, i);
      EXPECT_TRUE(member->status.ok());
      EXPECT_EQ(AsTest(member).runs.load(), 1);
      EXPECT_EQ(member->completion, nullptr);  // no member keeps the group alive
      last_finish = std::max(last_finish, member->finished_ns);
    }
    EXPECT_GE(group->finished_ns, last_finish);  // the group finishes after its last member
  }
  // 50 x 32 members ran; the groups themselves never ran.
  EXPECT_EQ(pool_->Stats().completed, static_cast<uint64_t>(kGroups) * kSize);
}

TEST_F(JobGroupTest, MembersOfOneGroupRunInParallelAcrossStrands) {
  // Two members on two strands meet at a barrier: only possible if they run at the same time.
  std::vector<std::shared_ptr<Strand>> strands = {Strand::Create(pool_), Strand::Create(pool_)};
  auto target = std::make_shared<RecordingTarget>();
  Latch barrier(2);
  std::atomic<int> met{0};
  auto owned = std::make_unique<JobGroup>(2);
  owned->completion = target;
  JobGroup* group = owned.release();
  std::vector<std::unique_ptr<Job>> members;
  for (size_t i = 0; i < 2; ++i) {
    members.push_back(MakeJob(static_cast<int>(i), nullptr, [&](TestJob&) {
      if (barrier.ArriveAndWait()) met.fetch_add(1);
    }));
    group->Prepare(*members.back(), i);
  }
  for (size_t i = 0; i < 2; ++i) ASSERT_TRUE(strands[i]->TrySubmit(members[i]).ok());
  ASSERT_TRUE(target->WaitFor(1));
  EXPECT_EQ(met.load(), 2);
}

TEST_F(JobGroupTest, MixedOutcomesStillCompleteTheGroup) {
  // Member 0's strand is closed (refused at submit, completed by the caller), member 1 is past
  // its deadline, member 2 fails while running, member 3 succeeds.
  auto closed = Strand::Create(pool_);
  closed->Close();
  auto open = Strand::Create(pool_);
  auto target = std::make_shared<RecordingTarget>();
  auto owned = std::make_unique<JobGroup>(4);
  owned->completion = target;
  JobGroup* group = owned.release();
  std::vector<std::unique_ptr<Job>> m;
  m.push_back(MakeJob(0, nullptr));
  m.push_back(MakeJob(1, nullptr));
  m.back()->deadline_ns = 1;
  m.push_back(MakeJob(2, nullptr, [](TestJob& self) {
    self.status = Status(ErrorCode::kOpusInvalidPacket, "corrupted stream");
  }));
  m.push_back(MakeJob(3, nullptr));
  for (size_t i = 0; i < m.size(); ++i) group->Prepare(*m[i], i);
  Status st = closed->TrySubmit(m[0]);
  ASSERT_EQ(st.code(), ErrorCode::kDestroyed);
  m[0]->status = st;
  group->Complete(std::move(m[0]));
  EXPECT_EQ(target->count(), 0u);  // three members still out
  for (size_t i = 1; i < 4; ++i) ASSERT_TRUE(open->TrySubmit(m[i]).ok());
  ASSERT_TRUE(target->WaitFor(1));
  pool_->Shutdown();
  std::vector<std::unique_ptr<Job>> done = target->Take();
  ASSERT_EQ(done.size(), 1u);
  auto& members = static_cast<JobGroup&>(*done[0]).members();
  EXPECT_EQ(members[0]->status.code(), ErrorCode::kDestroyed);
  EXPECT_EQ(members[1]->status.code(), ErrorCode::kDeadlineExceeded);
  EXPECT_EQ(members[2]->status.code(), ErrorCode::kOpusInvalidPacket);
  EXPECT_EQ(members[3]->status.code(), ErrorCode::kOk);
  EXPECT_EQ(AsTest(members[1]).runs.load(), 0);
  EXPECT_EQ(AsTest(members[2]).runs.load(), 1);
}

TEST_F(JobGroupTest, AbandonedGroupTargetMeansMembersDoNotRun) {
  std::vector<std::shared_ptr<Strand>> strands = {Strand::Create(pool_), Strand::Create(pool_)};
  auto target = std::make_shared<RecordingTarget>();
  target->abandoned = true;
  ASSERT_EQ(SubmitGroup(16, strands, target), 0);
  ASSERT_TRUE(target->WaitFor(1));
  std::vector<std::unique_ptr<Job>> done = target->Take();
  auto& group = static_cast<JobGroup&>(*done[0]);
  for (const auto& member : group.members()) {
    EXPECT_EQ(member->status.code(), ErrorCode::kShutdown);
    EXPECT_EQ(AsTest(member).runs.load(), 0);
  }
}

TEST(JobGroup, AbandonedFollowsItsTarget) {
  JobGroup group(1);
  EXPECT_FALSE(group.Abandoned());  // no target yet
  auto target = std::make_shared<RecordingTarget>();
  group.completion = target;
  EXPECT_FALSE(group.Abandoned());
  target->abandoned = true;
  EXPECT_TRUE(group.Abandoned());
}

TEST_F(JobGroupTest, ConcurrentGroupsFromSeveralThreads) {
  constexpr int kThreads = 3, kGroupsPerThread = 40;
  std::vector<std::shared_ptr<Strand>> strands;
  for (int s = 0; s < 6; ++s) strands.push_back(Strand::Create(pool_));
  auto target = std::make_shared<RecordingTarget>();
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int g = 0; g < kGroupsPerThread; ++g) EXPECT_EQ(SubmitGroup(8, strands, target), 0);
    });
  }
  for (std::thread& t : threads) t.join();
  ASSERT_TRUE(target->WaitFor(kThreads * kGroupsPerThread));
  pool_->Shutdown();
  EXPECT_EQ(target->count(), static_cast<size_t>(kThreads * kGroupsPerThread));
  for (const auto& job : target->Take()) {
    for (const auto& member : static_cast<JobGroup&>(*job).members()) {
      ASSERT_NE(member, nullptr);
      EXPECT_EQ(AsTest(member).runs.load(), 1);
    }
  }
}

}  // namespace
}  // namespace voxpool::pool
