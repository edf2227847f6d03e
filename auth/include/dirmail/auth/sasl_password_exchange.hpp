#pragma once
// The server side of the SASL mechanisms that check a password or a shared secret,
// PLAIN (RFC 4616), LOGIN and CRAM-MD5 (RFC 2195), as steps that know no protocol:
// the session sends each challenge in its own framing ("334 ...", "+ ...") and feeds
// the client's lines back; at the end, claim() goes to Authenticator::check.
#include <optional>
#include <string>
#include <string_view>

#include "dirmail/auth/sasl_password.hpp"
#include "dirmail/auth/shared_secret_mechanisms.hpp"

namespace dirmail::auth {

enum class SaslPasswordMechanism { plain, login, cram_md5 };
// PLAIN, LOGIN or CRAM-MD5 in any case; nullopt for any other name.
std::optional<SaslPasswordMechanism> parse_sasl_password_mechanism(std::string_view name);
std::string_view to_string(SaslPasswordMechanism mechanism);
// PLAIN and LOGIN send the password itself: only over TLS (or where allowed).
inline bool sends_password(SaslPasswordMechanism m) { return m != SaslPasswordMechanism::cram_md5; }

// What the client's answers claim, to be checked.
struct SaslClaim {
  SaslPasswordMechanism mechanism = SaslPasswordMechanism::plain;
  PasswordCredentials credentials;  // PLAIN, LOGIN
  std::string challenge;            // CRAM-MD5: the token the digest is over
  CramMd5Response cram;             // CRAM-MD5
  const std::string& login() const { return mechanism == SaslPasswordMechanism::cram_md5 ? cram.login : credentials.authcid; }
};

class SaslPasswordExchange {
 public:
  enum class State { challenge, done, malformed, cancelled };
  struct Step {
    State state = State::malformed;
    std::string challenge;  // base64, to send when state == challenge
  };

  // `hostname` goes into the CRAM-MD5 challenge.
  SaslPasswordExchange(SaslPasswordMechanism mechanism, std::string hostname);

  // The first step: `initial` is the initial response (empty for "=") or nullopt when
  // the client gave none.
  Step start(std::optional<std::string_view> initial);
  // The client's answer to the last challenge ("*" cancels).
  Step respond(std::string_view response);

  const SaslClaim& claim() const { return claim_; }

 private:
  Step take_plain(std::string_view response);
  Step take_login_user(std::string_view response);
  Step take_login_password(std::string_view response);
  Step take_cram(std::string_view response);

  enum class Expect { plain, login_user, login_password, cram, finished };
  Expect expect_ = Expect::finished;
  std::string hostname_;
  SaslClaim claim_;
};

}  // namespace dirmail::auth
