#include "dirmail/pop3/dot_stuffer.hpp"

#include <gtest/gtest.h>

namespace dirmail::pop3 {
namespace {

std::string stuff(std::string_view msg, std::optional<std::uint64_t> top = std::nullopt, std::size_t chunk = 3) {
  DotStuffer s(top);
  std::string out;
  for (std::size_t i = 0; i < msg.size(); i += chunk)
    if (!s.feed(msg.substr(i, chunk), out)) break;
  s.finish(out);
  return out;
}

TEST(DotStuffer, DoublesLeadingDotsAcrossChunks) {
  EXPECT_EQ(stuff("A: b\r\n\r\n.x\r\n..y\r\nz.\r\n"), "A: b\r\n\r\n..x\r\n...y\r\nz.\r\n.\r\n");
  EXPECT_EQ(stuff(".\r\n", std::nullopt, 1), "..\r\n.\r\n");
}

TEST(DotStuffer, AddsMissingFinalLineEnd) { EXPECT_EQ(stuff("A: b\r\n\r\nno end"), "A: b\r\n\r\nno end\r\n.\r\n"); }

TEST(DotStuffer, TopSendsHeaderAndNBodyLines) {
  std::string msg = "A: 1\r\nB: 2\r\n\r\nl1\r\nl2\r\nl3\r\n";
  EXPECT_EQ(stuff(msg, 0), "A: 1\r\nB: 2\r\n\r\n.\r\n");
  EXPECT_EQ(stuff(msg, 2), "A: 1\r\nB: 2\r\n\r\nl1\r\nl2\r\n.\r\n");
  EXPECT_EQ(stuff(msg, 10), msg + ".\r\n");
}

}  // namespace
}  // namespace dirmail::pop3
