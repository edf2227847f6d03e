#include "dirmail/imap/sequence_set.hpp"

#include <gtest/gtest.h>

namespace dirmail::imap {
namespace {

TEST(SequenceSet, ParsesRangesAndStar) {
  auto s = parse_sequence_set("2,4:7,*,9:*");
  ASSERT_TRUE(s.ok());
  ASSERT_EQ(s->ranges.size(), 4u);
  EXPECT_EQ(s->ranges[1].first, 4u);
  EXPECT_EQ(s->ranges[1].last, 7u);
  EXPECT_EQ(s->ranges[2].first, sequence_star);
  EXPECT_EQ(s->ranges[3].last, sequence_star);
}

TEST(SequenceSet, ContainsWithStarAsLargest) {
  auto s = parse_sequence_set("2,4:7");
  ASSERT_TRUE(s.ok());
  EXPECT_FALSE(s->contains(1, 10));
  EXPECT_TRUE(s->contains(2, 10));
  EXPECT_FALSE(s->contains(3, 10));
  EXPECT_TRUE(s->contains(7, 10));
  EXPECT_FALSE(s->contains(8, 10));
  auto all = parse_sequence_set("1:*");
  EXPECT_TRUE(all->contains(10, 10));
  EXPECT_FALSE(all->contains(11, 10));
  // "*:5" and "5:*" are the same range; with '*' = 3 the range is 3..5.
  auto reversed = parse_sequence_set("*:5");
  EXPECT_TRUE(reversed->contains(3, 3));
  EXPECT_TRUE(reversed->contains(5, 3));
  EXPECT_FALSE(reversed->contains(2, 3));
  EXPECT_EQ(reversed->max_value(3), 5u);
  auto backwards = parse_sequence_set("7:4");
  EXPECT_TRUE(backwards->contains(5, 100));
}

TEST(SequenceSet, RefusesMalformedInput) {
  for (const char* bad : {"", "0", "1:0", "01", "1,", ",1", "1::2", "a", "1:b", "4294967296", "1 2", "-1"})
    EXPECT_FALSE(parse_sequence_set(bad).ok()) << bad;
  EXPECT_TRUE(parse_sequence_set("4294967294").ok());
}

TEST(SequenceSet, Limits) {
  std::string many;
  for (std::size_t i = 0; i <= max_sequence_ranges; ++i) many += (i ? ",1" : "1");
  auto s = parse_sequence_set(many);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::limit_exceeded);
  std::string longtext(max_sequence_set_bytes + 1, '1');
  EXPECT_EQ(parse_sequence_set(longtext).error().code, ErrorCode::limit_exceeded);
}

}  // namespace
}  // namespace dirmail::imap
