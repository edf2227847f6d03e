#include "dirmail/imap/address_list.hpp"

#include <gtest/gtest.h>

#include "dirmail/imap/envelope.hpp"

namespace dirmail::imap {
namespace {

// Found by tests/fuzz/imap_envelope.cpp: a ':' with nothing before it inside a group
// made parse_address_list loop forever (FETCH ENVELOPE of such a message hung).
TEST(AddressList, StrayColonInGroupIsSkipped) {
  auto a = parse_address_list("team: : x@y.test;");
  ASSERT_EQ(a.size(), 3u);
  EXPECT_EQ(a[0].mailbox, "team");  // group start
  EXPECT_FALSE(a[0].host.has_value());
  EXPECT_EQ(a[1].mailbox, "x");
  EXPECT_EQ(a[1].host, "y.test");
  EXPECT_FALSE(a[2].mailbox.has_value());  // group end

  EXPECT_EQ(parse_address_list("g: :").size(), 2u);  // start and end, nothing between
  EXPECT_EQ(parse_address_list("g:(c) ::;").size(), 2u);
  EXPECT_EQ(format_envelope("To: g: :\r\n\r\n"),
            "(NIL NIL NIL NIL NIL ((NIL NIL \"g\" NIL)(NIL NIL NIL NIL)) NIL NIL NIL NIL)");
}

}  // namespace
}  // namespace dirmail::imap
