#include "dirmail/auth/sasl_password_exchange.hpp"

#include "dirmail/base/base64.hpp"
#include "dirmail/base/strings.hpp"

namespace dirmail::auth {

std::optional<SaslPasswordMechanism> parse_sasl_password_mechanism(std::string_view name) {
  if (iequals(name, "PLAIN")) return SaslPasswordMechanism::plain;
  if (iequals(name, "LOGIN")) return SaslPasswordMechanism::login;
  if (iequals(name, "CRAM-MD5")) return SaslPasswordMechanism::cram_md5;
  return std::nullopt;
}

std::string_view to_string(SaslPasswordMechanism mechanism) {
  switch (mechanism) {
    case SaslPasswordMechanism::plain: return "plain";
    case SaslPasswordMechanism::login: return "login";
    case SaslPasswordMechanism::cram_md5: return "cram-md5";
  }
  return "plain";
}

SaslPasswordExchange::SaslPasswordExchange(SaslPasswordMechanism mechanism, std::string hostname)
    : hostname_(std::move(hostname)) {
  claim_.mechanism = mechanism;
}

SaslPasswordExchange::Step SaslPasswordExchange::start(std::optional<std::string_view> initial) {
  switch (claim_.mechanism) {
    case SaslPasswordMechanism::plain:
      if (initial) return take_plain(*initial);
      expect_ = Expect::plain;
      return {State::challenge, ""};
    case SaslPasswordMechanism::login:
      if (initial && !initial->empty()) return take_login_user(*initial);  // the user name, as Outlook sends it
      expect_ = Expect::login_user;
      return {State::challenge, std::string(sasl_login_username_prompt)};
    case SaslPasswordMechanism::cram_md5:
      if (initial) return {State::malformed, ""};  // the server speaks first (RFC 2195)
      expect_ = Expect::cram;
      claim_.challenge = make_challenge_token(hostname_);
      return {State::challenge, base64_encode(claim_.challenge)};
  }
  return {};
}

SaslPasswordExchange::Step SaslPasswordExchange::respond(std::string_view response) {
  if (response == "*") {
    expect_ = Expect::finished;
    return {State::cancelled, ""};
  }
  switch (expect_) {
    case Expect::plain: return take_plain(response);
    case Expect::login_user: return take_login_user(response);
    case Expect::login_password: return take_login_password(response);
    case Expect::cram: return take_cram(response);
    case Expect::finished: break;
  }
  return {State::malformed, ""};
}

SaslPasswordExchange::Step SaslPasswordExchange::take_plain(std::string_view response) {
  expect_ = Expect::finished;
  auto creds = decode_sasl_plain(response);
  if (!creds) return {State::malformed, ""};
  claim_.credentials = std::move(*creds);
  return {State::done, ""};
}

SaslPasswordExchange::Step SaslPasswordExchange::take_login_user(std::string_view response) {
  auto user = decode_sasl_login_field(response);
  if (!user || user->empty()) {
    expect_ = Expect::finished;
    return {State::malformed, ""};
  }
  claim_.credentials.authcid = std::move(*user);
  expect_ = Expect::login_password;
  return {State::challenge, std::string(sasl_login_password_prompt)};
}

SaslPasswordExchange::Step SaslPasswordExchange::take_login_password(std::string_view response) {
  expect_ = Expect::finished;
  auto password = decode_sasl_login_field(response);
  if (!password || password->empty()) return {State::malformed, ""};
  claim_.credentials.password = std::move(*password);
  return {State::done, ""};
}

SaslPasswordExchange::Step SaslPasswordExchange::take_cram(std::string_view response) {
  expect_ = Expect::finished;
  auto cram = decode_cram_md5_response(response);
  if (!cram) return {State::malformed, ""};
  claim_.cram = std::move(*cram);
  return {State::done, ""};
}

}  // namespace dirmail::auth
