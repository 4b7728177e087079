// Status's range messages: built from the limits they state, so they cannot drift from them.
#include "voxpool/status.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <memory>
#include <string>

#include "voxpool/mix/mixer.h"

namespace voxpool {
namespace {

TEST(Status, CheckRangeIsOkInsideTheLimitsInclusive) {
  EXPECT_TRUE(CheckRange("x", 1, 1, 4).ok());
  EXPECT_TRUE(CheckRange("x", 4, 1, 4).ok());
  EXPECT_TRUE(CheckRange("x", -0.5f, -1.0, 0.0).ok());
}

TEST(Status, CheckRangeStatesTheLimitsAndUnit) {
  const Status st = CheckRange("frameSize", 5761, 1, 5760, "samples per channel");
  EXPECT_EQ(st.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(st.message(), "frameSize must be from 1 to 5760 samples per channel");
  EXPECT_EQ(CheckRange("ceilingDb", 0.5, -24, 0).message(), "ceilingDb must be from -24 to 0");
  EXPECT_EQ(OutOfRange("gain", 0, 1.5).message(), "gain must be from 0 to 1.5");
}

TEST(Status, CheckRangeRefusesNaN) {
  EXPECT_FALSE(CheckRange("x", std::numeric_limits<double>::quiet_NaN(), 0, 1).ok());
  EXPECT_FALSE(CheckRange("x", std::nanf(""), -1, 1).ok());
}

TEST(Status, CoreMessagesFollowTheirLimits) {
  mix::MixerOptions o;
  o.queue_frames = mix::kMixerMaxQueueFrames + 1;
  std::unique_ptr<mix::Mixer> mixer;
  const Status st = mix::Mixer::Create(o, &mixer);
  EXPECT_EQ(st.message(), "queueFrames must be from " + std::to_string(mix::kMixerMinQueueFrames) +
                              " to " + std::to_string(mix::kMixerMaxQueueFrames));
  EXPECT_EQ(mixer, nullptr);
}

}  // namespace
}  // namespace voxpool
