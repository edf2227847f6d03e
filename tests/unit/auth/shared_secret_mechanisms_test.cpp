#include "dirmail/auth/shared_secret_mechanisms.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "dirmail/auth/sasl_password.hpp"
#include "dirmail/base/base64.hpp"

namespace dirmail::auth {
namespace {

// RFC 2195 §2 and RFC 1939 §7: the worked examples of the two RFCs.
constexpr std::string_view rfc2195_challenge = "<1896.697170952@postoffice.reston.mci.net>";
constexpr std::string_view rfc2195_secret = "tanstaaftanstaaf";
constexpr std::string_view rfc2195_response = "tim b913a602c7eda7a495b4e6e7334d3890";
constexpr std::string_view rfc2195_response_base64 = "dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw";
constexpr std::string_view rfc1939_token = "<1896.697170952@dbc.mtview.ca.us>";
constexpr std::string_view rfc1939_secret = "tanstaaf";
constexpr std::string_view rfc1939_digest = "c4c9334bac560ecc979e58001b3e22fb";

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

TEST(CramMd5, Rfc2195ExampleDecodesAndProves) {
  EXPECT_EQ(base64_encode(rfc2195_response), rfc2195_response_base64);
  auto r = decode_cram_md5_response(rfc2195_response_base64);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->login, "tim");
  EXPECT_EQ(r->digest, "b913a602c7eda7a495b4e6e7334d3890");
  EXPECT_TRUE(cram_md5_proves(rfc2195_secret, rfc2195_challenge, r->digest));
}

TEST(CramMd5, UpperCaseHexIsAccepted) {
  EXPECT_TRUE(cram_md5_proves(rfc2195_secret, rfc2195_challenge, "B913A602C7EDA7A495B4E6E7334D3890"));
  auto r = decode_cram_md5_response(base64_encode("tim B913A602C7EDA7A495B4E6E7334D3890"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->login, "tim");
  EXPECT_TRUE(cram_md5_proves(rfc2195_secret, rfc2195_challenge, r->digest));
}

TEST(CramMd5, WrongSecretChallengeOrDigestIsRefused) {
  const std::string digest = "b913a602c7eda7a495b4e6e7334d3890";
  EXPECT_FALSE(cram_md5_proves("tanstaaftanstaag", rfc2195_challenge, digest));
  EXPECT_FALSE(cram_md5_proves(rfc2195_secret, "<1896.697170953@postoffice.reston.mci.net>", digest));
  EXPECT_FALSE(cram_md5_proves(rfc2195_secret, rfc2195_challenge, "b913a602c7eda7a495b4e6e7334d3891"));
  EXPECT_FALSE(cram_md5_proves(rfc2195_secret, rfc2195_challenge, digest.substr(0, 31)));
  EXPECT_FALSE(cram_md5_proves(rfc2195_secret, rfc2195_challenge, digest + "0"));
  EXPECT_FALSE(cram_md5_proves(rfc2195_secret, rfc2195_challenge, digest + " "));
  EXPECT_FALSE(cram_md5_proves(rfc2195_secret, rfc2195_challenge, ""));
  // 32 characters, one of them not hex.
  EXPECT_FALSE(cram_md5_proves(rfc2195_secret, rfc2195_challenge, "g913a602c7eda7a495b4e6e7334d3890"));
  // The APOP digest of the same inputs is another construction, not the HMAC.
  EXPECT_FALSE(cram_md5_proves(rfc1939_secret, rfc1939_token, rfc1939_digest));
}

TEST(CramMd5, MalformedResponsesAreRefused) {
  const std::string digest = "b913a602c7eda7a495b4e6e7334d3890";
  struct Case {
    std::string what, text;  // text: the base64 the client sends
  };
  const std::vector<Case> cases = {
      {"no space", base64_encode("tim" + digest)},
      {"no login", base64_encode(" " + digest)},
      {"no digest", base64_encode("tim ")},
      {"31 hex digits", base64_encode("tim " + digest.substr(0, 31))},
      {"33 hex digits", base64_encode("tim " + digest + "0")},
      {"digest not hex", base64_encode("tim z913a602c7eda7a495b4e6e7334d3890")},
      {"trailing newline", base64_encode("tim " + digest + "\n")},
      {"control char in login", base64_encode("t\x01m " + digest)},
      {"NUL in login", base64_encode(std::string("t\0m ", 4) + digest)},
      {"DEL in login", base64_encode("tim\x7f " + digest)},
      {"tab in login", base64_encode("tim\tx " + digest)},
      {"bad base64 character", std::string(rfc2195_response_base64.substr(0, 40)) + "!!!!"},
      {"base64 length", std::string(rfc2195_response_base64) + "A"},
      {"not base64 at all", std::string(rfc2195_response)},
      {"empty", ""},
  };
  for (const auto& c : cases) {
    auto r = decode_cram_md5_response(c.text);
    ASSERT_FALSE(r.ok()) << c.what;
    EXPECT_EQ(r.error().code, ErrorCode::invalid_argument) << c.what;
  }
}

TEST(CramMd5, LoginWithSpacesKeepsEverythingBeforeTheLastSpace) {
  auto r = decode_cram_md5_response(base64_encode("tim smith b913a602c7eda7a495b4e6e7334d3890"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->login, "tim smith");
}

TEST(CramMd5, OverlongResponseIsALimitNotMalformed) {
  std::string padded_login(max_sasl_response, 'a');
  std::string text = base64_encode(padded_login + " b913a602c7eda7a495b4e6e7334d3890");
  ASSERT_GT(text.size(), max_sasl_response);
  auto r = decode_cram_md5_response(text);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::limit_exceeded);
  // Just inside the limit is decoded normally.
  std::string inside_login((max_sasl_response / 4) * 3 - 33, 'a');
  std::string inside = base64_encode(inside_login + " b913a602c7eda7a495b4e6e7334d3890");
  ASSERT_LE(inside.size(), max_sasl_response);
  EXPECT_TRUE(decode_cram_md5_response(inside).ok());
}

TEST(Apop, Rfc1939ExampleProves) {
  EXPECT_TRUE(apop_proves(rfc1939_secret, rfc1939_token, rfc1939_digest));
  EXPECT_TRUE(apop_proves(rfc1939_secret, rfc1939_token, upper(rfc1939_digest)));
}

TEST(Apop, WrongInputsAndDigestsAreRefused) {
  const std::string digest(rfc1939_digest);
  EXPECT_FALSE(apop_proves("tanstaag", rfc1939_token, digest));
  EXPECT_FALSE(apop_proves(rfc1939_secret, "<1896.697170953@dbc.mtview.ca.us>", digest));
  EXPECT_FALSE(apop_proves(rfc1939_secret, rfc1939_token, "c4c9334bac560ecc979e58001b3e22fc"));
  EXPECT_FALSE(apop_proves(rfc1939_secret, rfc1939_token, digest.substr(0, 31)));
  EXPECT_FALSE(apop_proves(rfc1939_secret, rfc1939_token, digest + "f"));
  EXPECT_FALSE(apop_proves(rfc1939_secret, rfc1939_token, ""));
  EXPECT_FALSE(apop_proves(rfc1939_secret, rfc1939_token, "x4c9334bac560ecc979e58001b3e22fb"));
  // The HMAC of the CRAM-MD5 example is not an APOP proof.
  EXPECT_FALSE(apop_proves(rfc2195_secret, rfc2195_challenge, "b913a602c7eda7a495b4e6e7334d3890"));
}

TEST(ChallengeToken, IsMsgIdShapedAndUnique) {
  const std::regex shape(R"(<([0-9a-f]+)\.([0-9]+)@mail\.example\.test>)");
  std::set<std::string> seen;
  const long long now = static_cast<long long>(std::time(nullptr));
  for (int i = 0; i < 200; ++i) {
    std::string token = make_challenge_token("mail.example.test");
    std::smatch m;
    ASSERT_TRUE(std::regex_match(token, m, shape)) << token;
    EXPECT_GE(m[1].length(), 16) << "too little randomness: " << token;
    long long when = std::stoll(m[2].str());
    EXPECT_LE(std::llabs(when - now), 5) << token;
    EXPECT_TRUE(seen.insert(token).second) << "repeated token " << token;
  }
}

// CRAM-MD5 is HMAC-MD5: RFC 2202's test vectors, including a key longer than the
// 64-byte block (a long secret is hashed first).
TEST(CramMd5, IsHmacMd5OfTheChallenge) {
  EXPECT_TRUE(cram_md5_proves("Jefe", "what do ya want for nothing?", "750c783e6ab0b503eaa86e310a5db738"));
  EXPECT_TRUE(cram_md5_proves(std::string(16, '\x0b'), "Hi There", "9294727a3638bb1c13f48ef8158bfc9d"));
  EXPECT_TRUE(cram_md5_proves(std::string(80, '\xaa'), "Test Using Larger Than Block-Size Key - Hash Key First",
                              "6b1ab7fe4bd7bf8f0b62e6ce61b9d0cd"));
}

}  // namespace
}  // namespace dirmail::auth
