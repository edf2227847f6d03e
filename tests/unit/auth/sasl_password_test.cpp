#include "dirmail/auth/sasl_password.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "dirmail/auth/plaintext_policy.hpp"
#include "dirmail/base/base64.hpp"

namespace dirmail::auth {
namespace {

std::string b64(std::string_view s) { return base64_encode(s); }

TEST(Base64, RoundTripAndStrictness) {
  for (const std::string& s : std::vector<std::string>{"", "a", "ab", "abc", "abcd", std::string("\0\xff\x10", 3)}) {
    auto d = base64_decode(base64_encode(s));
    ASSERT_TRUE(d.ok()) << s;
    EXPECT_EQ(*d, s);
  }
  EXPECT_EQ(base64_encode("Username:"), sasl_login_username_prompt);
  EXPECT_EQ(base64_encode("Password:"), sasl_login_password_prompt);
  for (const char* bad : {"abc", "ab=c", "a===", "ab!c", "====", "YQ==YQ=="}) EXPECT_FALSE(base64_decode(bad).ok()) << bad;
}

TEST(SaslPlain, Decodes) {
  auto c = decode_sasl_plain(b64(std::string("\0alice@example.test\0pw with space", 33)));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->authzid, "");
  EXPECT_EQ(c->authcid, "alice@example.test");
  EXPECT_EQ(c->password, "pw with space");
  auto z = decode_sasl_plain(b64(std::string("admin\0bob\0x", 11)));
  ASSERT_TRUE(z.ok());
  EXPECT_EQ(z->authzid, "admin");
}

TEST(SaslPlain, Rejects) {
  EXPECT_FALSE(decode_sasl_plain(b64("no nuls")).ok());
  EXPECT_FALSE(decode_sasl_plain(b64(std::string("\0user\0", 6))).ok());        // empty password
  EXPECT_FALSE(decode_sasl_plain(b64(std::string("\0\0pw", 4))).ok());          // empty user
  EXPECT_FALSE(decode_sasl_plain(b64(std::string("a\0b\0c\0d", 7))).ok());      // too many parts
  EXPECT_EQ(decode_sasl_plain(std::string(max_sasl_response + 4, 'A')).error().code, ErrorCode::limit_exceeded);
}

TEST(SaslLogin, Field) {
  EXPECT_EQ(*decode_sasl_login_field(b64("bob")), "bob");
  EXPECT_FALSE(decode_sasl_login_field(b64(std::string("b\0b", 3))).ok());
}

TEST(PlaintextPolicy, Rules) {
  EXPECT_FALSE(plaintext_allowed(PlaintextPolicy::never, false, true));
  EXPECT_TRUE(plaintext_allowed(PlaintextPolicy::never, true, false));
  EXPECT_TRUE(plaintext_allowed(PlaintextPolicy::loopback, false, true));
  EXPECT_FALSE(plaintext_allowed(PlaintextPolicy::loopback, false, false));
  EXPECT_TRUE(plaintext_allowed(PlaintextPolicy::always, false, false));
  EXPECT_EQ(parse_plaintext_policy("loopback"), PlaintextPolicy::loopback);
  EXPECT_FALSE(parse_plaintext_policy("sometimes").has_value());
}

}  // namespace
}  // namespace dirmail::auth
