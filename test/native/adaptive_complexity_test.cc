// The adaptive complexity controller on simulated ticks: N streams encode a frame every 20 ms at
// the complexity it gives them, each frame taking the time a table says for its complexity; the
// controller sees only what Record reports, as it does on the pool.
#include "voxpool/opus/adaptive_complexity.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <vector>

namespace voxpool::opus {
namespace {

constexpr int64_t kMs = 1'000'000;
constexpr double kC10Ns = 113'000;  // complexity 10's service time on the bench machine

double SimulatedServiceNs(int c) { return kC10Ns * kAdaptivePriorCost[static_cast<size_t>(c)]; }

struct Sim {
  std::shared_ptr<AdaptiveComplexity> controller;
  int64_t now = 1'000 * kMs;
  std::vector<int> levels;  // the level after each tick

  explicit Sim(AdaptiveComplexityOptions o = {}) {
    o.threads = o.threads == 1 ? 2 : o.threads;
    EXPECT_TRUE(AdaptiveComplexity::Create(o, &controller).ok());
  }
  // `ticks` ticks of `streams` frames each, finishing `late` ns after their due time.
  void Run(int ticks, int streams, int64_t late = -10 * kMs, double service_factor = 1.0) {
    for (int t = 0; t < ticks; ++t) {
      for (int id = 0; id < streams; ++id) {
        const int c = controller->ComplexityFor(static_cast<uint64_t>(id));
        controller->Record(c, static_cast<int64_t>(SimulatedServiceNs(c) * service_factor), late,
                           now);
      }
      now += 20 * kMs;
      levels.push_back(controller->stats().level);
    }
  }
};

TEST(AdaptiveComplexity, StaysAtTheTopWhileTheTickFits) {
  Sim sim;
  sim.Run(100, 200);  // 200 x 113 us = 22.6 ms of 2 x 15 ms
  const AdaptiveComplexityStats s = sim.controller->stats();
  EXPECT_EQ(s.level, 1000);
  EXPECT_EQ(s.downgrades, 0u);
  EXPECT_EQ(s.frames[10], 200u * 100);
  EXPECT_NEAR(s.streams_per_tick, 200, 1);
}

TEST(AdaptiveComplexity, StepsDownOnlyAsFarAsTheTickNeedsAndHoldsThere) {
  Sim sim;
  // 300 streams: 33.9 ms at complexity 10 (or 9, or 8: they cost the same) against a 30 ms
  // budget; 7 costs 91.5 us, so 30 % of the streams can stay at 8: level 7.3 (7.4 would be 30.2).
  sim.Run(200, 300);
  const AdaptiveComplexityStats s = sim.controller->stats();
  EXPECT_EQ(s.level, 730);
  EXPECT_EQ(s.downgrades, 1u);
  EXPECT_EQ(s.upgrades, 0u);  // a steady load does not oscillate
  for (size_t i = 20; i < sim.levels.size(); ++i) EXPECT_EQ(sim.levels[i], 730) << i;
  // 330 streams: not even 7 everywhere fits; 6.9 does (6 costs 68.9 us).
  sim.Run(100, 330);
  EXPECT_EQ(sim.controller->stats().level, 690);
  uint64_t at8 = 0;
  for (int id = 0; id < 330; ++id) at8 += sim.controller->ComplexityFor(id) == 8;
  EXPECT_EQ(at8, 0u);
}

TEST(AdaptiveComplexity, AFractionalLevelSplitsTheStreams) {
  Sim sim;
  sim.Run(100, 310);  // 96.8 us a frame fits: between 7 (91.5) and 8 (113)
  const int level = sim.controller->stats().level;
  EXPECT_GT(level, 700);
  EXPECT_LT(level, 800);
  int at8 = 0;
  for (int id = 0; id < 310; ++id) {
    const int c = sim.controller->ComplexityFor(id);
    EXPECT_TRUE(c == 7 || c == 8) << c;
    at8 += c == 8;
  }
  EXPECT_NEAR(at8 / 310.0, (level - 700) / 100.0, 0.08);
  // The predicted tick of that mix fits the budget.
  const double tick = (310 - at8) * SimulatedServiceNs(7) + at8 * SimulatedServiceNs(8);
  EXPECT_LE(tick, 2 * 15 * kMs * 1.02);
}

TEST(AdaptiveComplexity, RecoversWithHysteresisAStepAWindow) {
  Sim sim;
  sim.Run(60, 330);
  ASSERT_EQ(sim.controller->stats().level, 690);
  const uint64_t downgrades = sim.controller->stats().downgrades;
  // Load falls to 150 streams (17 ms at 10): back up a complexity per window (6.9, 7.9, 8.9,
  // 9.9, 10), no further down.
  sim.Run(100, 150);
  const AdaptiveComplexityStats s = sim.controller->stats();
  EXPECT_EQ(s.level, 1000);
  EXPECT_EQ(s.upgrades, 4u);
  EXPECT_EQ(s.downgrades, downgrades);
  // 262 streams at 10 is 29.6 ms: within the budget but not within 85 % of it, so the level 300
  // streams forced (7.3) stays.
  sim.Run(60, 300);
  ASSERT_EQ(sim.controller->stats().level, 730);
  sim.Run(100, 262);
  EXPECT_EQ(sim.controller->stats().level, 730);
}

TEST(AdaptiveComplexity, LateFramesShrinkTheBudgetTheModelMissed) {
  Sim sim;
  // The model says 200 streams fit at 10 (22.6 of 30 ms), but every frame finishes late: the
  // pool is shared with work the controller does not see.
  sim.Run(100, 200, /*late=*/2 * kMs);
  const AdaptiveComplexityStats s = sim.controller->stats();
  EXPECT_LT(s.level, 1000);
  EXPECT_LT(s.scale, 0.8);
  EXPECT_EQ(s.late_frames, 200u * 100);
  // Finishing within targetSlack of the due time is not late: the slack is the model's margin.
  Sim slack;
  slack.Run(30, 10, /*late=*/-1 * kMs);
  EXPECT_EQ(slack.controller->stats().late_frames, 0u);
  EXPECT_EQ(slack.controller->stats().scale, 1.0);
}

TEST(AdaptiveComplexity, AStrayLateFrameIsNotAReasonToStepDown) {
  Sim sim;
  // 200 streams, 2,000 frames a window: one late frame a window is within the 0.1 % the on-time
  // target allows; five are not.
  for (int t = 0; t < 100; ++t) {
    for (int id = 0; id < 200; ++id) {
      const int c = sim.controller->ComplexityFor(id);
      sim.controller->Record(c, static_cast<int64_t>(SimulatedServiceNs(c)),
                             t % 10 == 0 && id == 0 ? kMs : -10 * kMs, sim.now);
    }
    sim.now += 20 * kMs;
  }
  EXPECT_EQ(sim.controller->stats().scale, 1.0);
  EXPECT_EQ(sim.controller->stats().level, 1000);
  for (int t = 0; t < 100; ++t) {
    for (int id = 0; id < 200; ++id) {
      const int c = sim.controller->ComplexityFor(id);
      sim.controller->Record(c, static_cast<int64_t>(SimulatedServiceNs(c)),
                             t % 2 == 0 && id < 1 ? kMs : -10 * kMs, sim.now);
    }
    sim.now += 20 * kMs;
  }
  EXPECT_LT(sim.controller->stats().scale, 1.0);
}

TEST(AdaptiveComplexity, NeverLeavesTheConfiguredRange) {
  AdaptiveComplexityOptions o;
  o.min_complexity = 6;
  o.max_complexity = 9;
  Sim sim(o);
  EXPECT_EQ(sim.controller->ComplexityFor(1), 9);
  sim.Run(60, 2000);  // far beyond any level
  EXPECT_EQ(sim.controller->stats().level, 600);
  sim.Run(200, 10);
  EXPECT_EQ(sim.controller->stats().level, 900);
  for (int id = 0; id < 100; ++id) EXPECT_EQ(sim.controller->ComplexityFor(id), 9);
}

TEST(AdaptiveComplexity, LevelsMapToComplexitiesByAStableHash) {
  EXPECT_EQ(ComplexityAtLevel(1000, 5), 10);
  EXPECT_EQ(ComplexityAtLevel(700, 5), 7);
  int high = 0;
  for (uint64_t id = 0; id < 10000; ++id) {
    const int c = ComplexityAtLevel(730, id);
    ASSERT_TRUE(c == 7 || c == 8);
    high += c == 8;
    EXPECT_EQ(c, ComplexityAtLevel(730, id));
  }
  EXPECT_NEAR(high / 10000.0, 0.30, 0.02);
}

TEST(AdaptiveComplexity, OptionsAreChecked) {
  std::shared_ptr<AdaptiveComplexity> c;
  AdaptiveComplexityOptions o;
  o.max_complexity = 11;
  EXPECT_EQ(AdaptiveComplexity::Create(o, &c).message(), "maxComplexity must be from 0 to 10");
  o = {};
  o.min_complexity = 10;
  o.max_complexity = 8;
  EXPECT_EQ(AdaptiveComplexity::Create(o, &c).message(), "minComplexity must be from 0 to 8");
  o = {};
  o.target_slack_ns = 16 * kMs;
  EXPECT_EQ(AdaptiveComplexity::Create(o, &c).message(),
            "targetSlackNs must be from 0 to 15000000 ns");
  o = {};
  o.threads = 0;
  EXPECT_EQ(AdaptiveComplexity::Create(o, &c).code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace voxpool::opus
