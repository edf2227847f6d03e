#include "dirmail/auth/sasl_password_exchange.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <gtest/gtest.h>

#include <regex>
#include <string>

#include "dirmail/base/base64.hpp"

namespace dirmail::auth {
namespace {

using State = SaslPasswordExchange::State;

std::string b64(std::string_view s) { return base64_encode(s); }

// What a client computes for CRAM-MD5: hex HMAC-MD5(secret, challenge), independent
// of the server's code.
std::string client_cram_digest(std::string_view secret, std::string_view challenge) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(EVP_md5(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(challenge.data()), challenge.size(), mac, &size);
  static constexpr char digits[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < size; ++i) {
    hex.push_back(digits[mac[i] >> 4]);
    hex.push_back(digits[mac[i] & 0xf]);
  }
  return hex;
}

TEST(SaslPasswordMechanism, NamesInAnyCase) {
  EXPECT_EQ(parse_sasl_password_mechanism("PLAIN"), SaslPasswordMechanism::plain);
  EXPECT_EQ(parse_sasl_password_mechanism("login"), SaslPasswordMechanism::login);
  EXPECT_EQ(parse_sasl_password_mechanism("Cram-Md5"), SaslPasswordMechanism::cram_md5);
  EXPECT_FALSE(parse_sasl_password_mechanism("GSSAPI").has_value());
  EXPECT_FALSE(parse_sasl_password_mechanism("CRAM-SHA1").has_value());
  EXPECT_FALSE(parse_sasl_password_mechanism("").has_value());
  EXPECT_TRUE(sends_password(SaslPasswordMechanism::plain));
  EXPECT_TRUE(sends_password(SaslPasswordMechanism::login));
  EXPECT_FALSE(sends_password(SaslPasswordMechanism::cram_md5));
}

TEST(SaslPlainExchange, InitialResponseFinishesAtOnce) {
  SaslPasswordExchange x(SaslPasswordMechanism::plain, "mx.example.test");
  auto step = x.start(b64(std::string("\0alice@example.test\0pw one", 26)));
  EXPECT_EQ(step.state, State::done);
  EXPECT_EQ(x.claim().mechanism, SaslPasswordMechanism::plain);
  EXPECT_EQ(x.claim().credentials.authzid, "");
  EXPECT_EQ(x.claim().credentials.authcid, "alice@example.test");
  EXPECT_EQ(x.claim().credentials.password, "pw one");
  EXPECT_EQ(x.claim().login(), "alice@example.test");
}

TEST(SaslPlainExchange, WithoutInitialResponseSendsAnEmptyChallenge) {
  SaslPasswordExchange x(SaslPasswordMechanism::plain, "mx.example.test");
  auto first = x.start(std::nullopt);
  EXPECT_EQ(first.state, State::challenge);
  EXPECT_EQ(first.challenge, "");
  auto second = x.respond(b64(std::string("admin\0bob\0pw", 12)));
  EXPECT_EQ(second.state, State::done);
  EXPECT_EQ(x.claim().credentials.authzid, "admin");
  EXPECT_EQ(x.claim().credentials.authcid, "bob");
  EXPECT_EQ(x.claim().credentials.password, "pw");
  // Nothing more is expected once done.
  EXPECT_EQ(x.respond(b64(std::string("\0bob\0pw", 7))).state, State::malformed);
}

TEST(SaslPlainExchange, EmptyInitialResponseIsMalformed) {
  // "AUTH PLAIN =": a zero-length message has no authcid or password.
  SaslPasswordExchange x(SaslPasswordMechanism::plain, "mx.example.test");
  EXPECT_EQ(x.start(std::string_view("")).state, State::malformed);
}

TEST(SaslPlainExchange, MalformedAndCancelled) {
  for (std::string bad : {std::string("not base64!"), b64("no nuls"), b64(std::string("\0bob\0", 5)),
                          b64(std::string("\0\0pw", 4)), b64(std::string("a\0b\0c\0d", 7))}) {
    SaslPasswordExchange initial(SaslPasswordMechanism::plain, "mx.example.test");
    EXPECT_EQ(initial.start(bad).state, State::malformed) << bad;
    SaslPasswordExchange later(SaslPasswordMechanism::plain, "mx.example.test");
    ASSERT_EQ(later.start(std::nullopt).state, State::challenge);
    EXPECT_EQ(later.respond(bad).state, State::malformed) << bad;
  }
  SaslPasswordExchange x(SaslPasswordMechanism::plain, "mx.example.test");
  ASSERT_EQ(x.start(std::nullopt).state, State::challenge);
  EXPECT_EQ(x.respond("*").state, State::cancelled);
  EXPECT_EQ(x.respond(b64(std::string("\0bob\0pw", 7))).state, State::malformed);
}

TEST(SaslLoginExchange, AsksForUserThenPassword) {
  SaslPasswordExchange x(SaslPasswordMechanism::login, "mx.example.test");
  auto user = x.start(std::nullopt);
  ASSERT_EQ(user.state, State::challenge);
  EXPECT_EQ(*base64_decode(user.challenge), "Username:");
  auto password = x.respond(b64("carol"));
  ASSERT_EQ(password.state, State::challenge);
  EXPECT_EQ(*base64_decode(password.challenge), "Password:");
  EXPECT_EQ(x.respond(b64("carol's pw")).state, State::done);
  EXPECT_EQ(x.claim().credentials.authzid, "");
  EXPECT_EQ(x.claim().credentials.authcid, "carol");
  EXPECT_EQ(x.claim().credentials.password, "carol's pw");
  EXPECT_EQ(x.claim().login(), "carol");
}

TEST(SaslLoginExchange, UserNameAsInitialResponseAsOutlookSendsIt) {
  SaslPasswordExchange x(SaslPasswordMechanism::login, "mx.example.test");
  auto step = x.start(b64("dave@example.test"));
  ASSERT_EQ(step.state, State::challenge);
  EXPECT_EQ(*base64_decode(step.challenge), "Password:");
  EXPECT_EQ(x.respond(b64("pw")).state, State::done);
  EXPECT_EQ(x.claim().credentials.authcid, "dave@example.test");
  EXPECT_EQ(x.claim().credentials.password, "pw");
}

TEST(SaslLoginExchange, EmptyInitialResponseAsksForTheUser) {
  SaslPasswordExchange x(SaslPasswordMechanism::login, "mx.example.test");
  auto step = x.start(std::string_view(""));
  ASSERT_EQ(step.state, State::challenge);
  EXPECT_EQ(*base64_decode(step.challenge), "Username:");
}

TEST(SaslLoginExchange, MalformedAndCancelled) {
  {
    SaslPasswordExchange x(SaslPasswordMechanism::login, "mx.example.test");
    ASSERT_EQ(x.start(std::nullopt).state, State::challenge);
    EXPECT_EQ(x.respond("").state, State::malformed);  // an empty user name
  }
  {
    SaslPasswordExchange x(SaslPasswordMechanism::login, "mx.example.test");
    ASSERT_EQ(x.start(std::nullopt).state, State::challenge);
    EXPECT_EQ(x.respond("Ym9i!").state, State::malformed);  // not base64
  }
  {
    SaslPasswordExchange x(SaslPasswordMechanism::login, "mx.example.test");
    EXPECT_EQ(x.start(b64(std::string("b\0b", 3))).state, State::malformed);  // NUL in the user
  }
  {
    SaslPasswordExchange x(SaslPasswordMechanism::login, "mx.example.test");
    ASSERT_EQ(x.start(b64("bob")).state, State::challenge);
    EXPECT_EQ(x.respond("").state, State::malformed);  // an empty password
    EXPECT_EQ(x.respond(b64("pw")).state, State::malformed);
  }
  {
    SaslPasswordExchange x(SaslPasswordMechanism::login, "mx.example.test");
    ASSERT_EQ(x.start(std::nullopt).state, State::challenge);
    EXPECT_EQ(x.respond("*").state, State::cancelled);
  }
  {
    SaslPasswordExchange x(SaslPasswordMechanism::login, "mx.example.test");
    ASSERT_EQ(x.start(b64("bob")).state, State::challenge);
    EXPECT_EQ(x.respond("*").state, State::cancelled);
    EXPECT_EQ(x.respond(b64("pw")).state, State::malformed);
  }
}

TEST(SaslCramMd5Exchange, ServerSpeaksFirstWithAFreshChallenge) {
  SaslPasswordExchange x(SaslPasswordMechanism::cram_md5, "mx.example.test");
  auto step = x.start(std::nullopt);
  ASSERT_EQ(step.state, State::challenge);
  auto challenge = base64_decode(step.challenge);
  ASSERT_TRUE(challenge.ok());
  EXPECT_TRUE(std::regex_match(*challenge, std::regex(R"(<[0-9a-f]+\.[0-9]+@mx\.example\.test>)"))) << *challenge;
  EXPECT_EQ(x.claim().challenge, *challenge);

  SaslPasswordExchange other(SaslPasswordMechanism::cram_md5, "mx.example.test");
  EXPECT_NE(other.start(std::nullopt).challenge, step.challenge);

  std::string digest = client_cram_digest("erin's secret", *challenge);
  EXPECT_EQ(x.respond(b64("erin " + digest)).state, State::done);
  EXPECT_EQ(x.claim().mechanism, SaslPasswordMechanism::cram_md5);
  EXPECT_EQ(x.claim().login(), "erin");
  EXPECT_EQ(x.claim().cram.digest, digest);
  EXPECT_TRUE(cram_md5_proves("erin's secret", x.claim().challenge, x.claim().cram.digest));
  EXPECT_FALSE(cram_md5_proves("another secret", x.claim().challenge, x.claim().cram.digest));
}

TEST(SaslCramMd5Exchange, RefusesAnInitialResponse) {
  SaslPasswordExchange x(SaslPasswordMechanism::cram_md5, "mx.example.test");
  EXPECT_EQ(x.start(b64("erin 0123456789abcdef0123456789abcdef")).state, State::malformed);
  SaslPasswordExchange empty(SaslPasswordMechanism::cram_md5, "mx.example.test");
  EXPECT_EQ(empty.start(std::string_view("")).state, State::malformed);
}

TEST(SaslCramMd5Exchange, MalformedAndCancelled) {
  for (std::string bad : {std::string("!!!!"), b64("erin"), b64("erin 0123"), b64(" 0123456789abcdef0123456789abcdef")}) {
    SaslPasswordExchange x(SaslPasswordMechanism::cram_md5, "mx.example.test");
    ASSERT_EQ(x.start(std::nullopt).state, State::challenge);
    EXPECT_EQ(x.respond(bad).state, State::malformed) << bad;
  }
  SaslPasswordExchange x(SaslPasswordMechanism::cram_md5, "mx.example.test");
  ASSERT_EQ(x.start(std::nullopt).state, State::challenge);
  EXPECT_EQ(x.respond("*").state, State::cancelled);
  EXPECT_EQ(x.respond(b64("erin 0123456789abcdef0123456789abcdef")).state, State::malformed);
}

TEST(SaslPasswordExchange, RespondBeforeStartIsMalformed) {
  for (auto m : {SaslPasswordMechanism::plain, SaslPasswordMechanism::login, SaslPasswordMechanism::cram_md5}) {
    SaslPasswordExchange x(m, "mx.example.test");
    EXPECT_EQ(x.respond(b64(std::string("\0bob\0pw", 7))).state, State::malformed) << to_string(m);
  }
}

}  // namespace
}  // namespace dirmail::auth
