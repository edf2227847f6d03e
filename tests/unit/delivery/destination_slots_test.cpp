#include "dirmail/delivery/destination_slots.hpp"

#include <gtest/gtest.h>

namespace dirmail::delivery {
namespace {

TEST(DestinationSlots, LimitPerDestination) {
  DestinationSlots slots(2);
  auto a = slots.try_acquire("example.org");
  auto b = slots.try_acquire("example.org");
  ASSERT_TRUE(a && b);
  EXPECT_FALSE(slots.try_acquire("example.org"));
  EXPECT_TRUE(slots.try_acquire("example.net"));  // another destination has its own share
  EXPECT_EQ(slots.in_use("example.org"), 2u);
}

TEST(DestinationSlots, SlotIsReleasedWhenDropped) {
  DestinationSlots slots(1);
  {
    auto a = slots.try_acquire("gateway relay:25");
    ASSERT_TRUE(a);
    EXPECT_FALSE(slots.try_acquire("gateway relay:25"));
    auto moved = std::move(*a);  // a moved-from slot releases nothing
  }
  EXPECT_EQ(slots.in_use("gateway relay:25"), 0u);
  EXPECT_TRUE(slots.try_acquire("gateway relay:25"));
}

TEST(DestinationSlots, LoweredLimitAppliesToNewDeliveries) {
  DestinationSlots slots(3);
  auto a = slots.try_acquire("example.org");
  auto b = slots.try_acquire("example.org");
  slots.set_limit(1);
  EXPECT_FALSE(slots.try_acquire("example.org"));
  a.reset();
  b.reset();
  EXPECT_TRUE(slots.try_acquire("example.org"));
}

}  // namespace
}  // namespace dirmail::delivery
