#include "dirmail/base/base64.hpp"

#include <gtest/gtest.h>

namespace dirmail {
namespace {

TEST(Base64, DecodesCanonicalText) {
  EXPECT_EQ(*base64_decode("QQ=="), "A");
  EXPECT_EQ(*base64_decode("QUI="), "AB");
  EXPECT_EQ(*base64_decode("QUJD"), "ABC");
  EXPECT_EQ(*base64_decode("/w=="), "\xff");
  EXPECT_EQ(*base64_decode("//8="), "\xff\xff");
  EXPECT_EQ(*base64_decode(""), "");
}

// Found by tests/fuzz/base64.cpp: the bits left over before the padding were ignored,
// so "QR==" decoded to "A" too and one byte string had several accepted spellings.
TEST(Base64, RefusesNonZeroPadBits) {
  for (const char* text : {"QR==", "QZ==", "//==", "QUJ=", "QUL=", "//9="}) {
    auto decoded = base64_decode(text);
    ASSERT_FALSE(decoded.ok()) << text;
    EXPECT_EQ(decoded.error().code, ErrorCode::invalid_argument) << text;
  }
}

}  // namespace
}  // namespace dirmail
