// GainRamp: a ramp of N samples takes exactly N equal steps and lands on its target; Advance and
// ValueAfter agree; a new target mid-ramp starts from where the ramp is.
#include "voxpool/mix/gain_ramp.h"

#include <gtest/gtest.h>

#include <string>

namespace voxpool::mix {
namespace {

TEST(GainRampTest, ARampOfNSamplesTakesNEqualSteps) {
  for (long n : {1L, 2L, 7L, 48L, 960L}) {
    SCOPED_TRACE("ramp of " + std::to_string(n));
    GainRamp ramp(1.0f);
    ramp.Set(0.25f, n);
    const float step = (0.25f - 1.0f) / static_cast<float>(n);
    for (long k = 1; k <= n; ++k) {
      ASSERT_TRUE(ramp.ramping());
      ASSERT_EQ(ramp.remaining(), n - k + 1);
      const float expected = k == n ? 0.25f : 1.0f + step * static_cast<float>(k);
      ASSERT_NEAR(ramp.ValueAfter(1), expected, 2e-5f) << "sample " << k;
      ramp.Advance(1);
      ASSERT_NEAR(ramp.value(), expected, 2e-5f) << "sample " << k;
    }
    EXPECT_FALSE(ramp.ramping());
    EXPECT_EQ(ramp.remaining(), 0);
    EXPECT_EQ(ramp.value(), 0.25f);
    EXPECT_EQ(ramp.target(), 0.25f);
  }
}

TEST(GainRampTest, AdvanceInChunksMatchesValueAfter) {
  GainRamp ramp(0.0f);
  ramp.Set(1.0f, 960);
  EXPECT_NEAR(ramp.ValueAfter(480), 0.5f, 1e-6f);
  EXPECT_EQ(ramp.ValueAfter(959) < 1.0f, true);
  EXPECT_EQ(ramp.ValueAfter(960), 1.0f);
  EXPECT_EQ(ramp.ValueAfter(5000), 1.0f);
  ramp.Advance(480);
  EXPECT_NEAR(ramp.value(), 0.5f, 1e-6f);
  EXPECT_EQ(ramp.remaining(), 480);
  // A new target mid-ramp: from 0.5 to 0 over 100 samples.
  ramp.Set(0.0f, 100);
  EXPECT_NEAR(ramp.ValueAfter(50), 0.25f, 1e-6f);
  ramp.Advance(100);
  EXPECT_EQ(ramp.value(), 0.0f);
  EXPECT_FALSE(ramp.ramping());
}

TEST(GainRampTest, ZeroLengthOrSameTargetJumps) {
  GainRamp ramp(1.0f);
  ramp.Set(0.5f, 0);
  EXPECT_EQ(ramp.value(), 0.5f);
  EXPECT_FALSE(ramp.ramping());
  ramp.Set(0.5f, 100);
  EXPECT_FALSE(ramp.ramping());
  EXPECT_EQ(ramp.ValueAfter(10), 0.5f);
}

}  // namespace
}  // namespace voxpool::mix
