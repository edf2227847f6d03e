#include "dirmail/queue/queue_id.hpp"

#include <chrono>

#include <gtest/gtest.h>

namespace dirmail::queue {
namespace {

TEST(QueueId, ArrivalTimeIsReadBackFromTheId) {
  auto before = std::chrono::duration_cast<std::chrono::microseconds>(
                    std::chrono::system_clock::now().time_since_epoch()).count();
  std::string id = make_queue_id(node_tag("node1"));
  auto arrival = queue_id_arrival_us(id);
  ASSERT_TRUE(arrival.has_value()) << id;
  EXPECT_GE(*arrival, before);
  EXPECT_LT(*arrival - before, 60'000'000);
}

TEST(QueueId, OtherIdsHaveNoArrivalTime) {
  EXPECT_FALSE(queue_id_arrival_us("abc").has_value());
  EXPECT_FALSE(queue_id_arrival_us("ZZZZZZZZZZZZZZ0000ABCDEF").has_value());
  EXPECT_EQ(queue_id_arrival_us("00000000000010FFFFABCDEF"), 16);
}

}  // namespace
}  // namespace dirmail::queue
