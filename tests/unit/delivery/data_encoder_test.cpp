#include "dirmail/delivery/data_encoder.hpp"

#include <gtest/gtest.h>

#include <string>

namespace dirmail::delivery {
namespace {

std::string encode(std::string_view message, std::size_t chunk = 1 << 20) {
  DataEncoder encoder;
  std::string out;
  for (std::size_t i = 0; i < message.size(); i += chunk) encoder.feed(message.substr(i, chunk), out);
  encoder.finish(out);
  return out;
}

TEST(DataEncoder, DotsAtLineStartAreDoubled) {
  EXPECT_EQ(encode("Subject: x\r\n\r\n.\r\n..two\r\na.b\r\n.end"),
            "Subject: x\r\n\r\n..\r\n...two\r\na.b\r\n..end\r\n.\r\n");
}

TEST(DataEncoder, SameResultWhateverTheChunkSize) {
  const std::string message = "A: b\r\n\r\n.x\r\n\r\n.\r\nlast.\n.bare lf\n";
  const std::string whole = encode(message);
  EXPECT_EQ(whole, "A: b\r\n\r\n..x\r\n\r\n..\r\nlast.\r\n..bare lf\r\n.\r\n");
  for (std::size_t chunk = 1; chunk < message.size(); ++chunk) EXPECT_EQ(encode(message, chunk), whole) << chunk;
}

TEST(DataEncoder, BareLfGetsItsCrAndCrLfStaysOne) {
  EXPECT_EQ(encode("a\nb\r\nc\r"), "a\r\nb\r\nc\r\n.\r\n");
}

TEST(DataEncoder, EmptyMessageIsJustTheDot) { EXPECT_EQ(encode(""), ".\r\n"); }

TEST(DataEncoder, MessageEndingInCrLfGetsNoExtraLine) { EXPECT_EQ(encode("x\r\n"), "x\r\n.\r\n"); }

TEST(DataEncoder, EightBitOctetsPassUnchanged) {
  EXPECT_EQ(encode("\xe3\x81\x82\r\n.\xff\r\n"), "\xe3\x81\x82\r\n..\xff\r\n.\r\n");
}

}  // namespace
}  // namespace dirmail::delivery
