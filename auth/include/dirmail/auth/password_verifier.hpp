#pragma once
// Checks a login and password and says who the user is. SASL PLAIN and LOGIN, POP3
// USER/PASS and IMAP LOGIN all go through this, whatever the directory backend is.
#include <optional>
#include <string_view>

#include "dirmail/base/result.hpp"
#include "dirmail/directory/directory.hpp"

namespace dirmail::auth {

inline bool is_password_expired(const Error& e) { return e.code == ErrorCode::permission_denied; }

class PasswordVerifier {
 public:
  virtual ~PasswordVerifier() = default;
  // The account on success; std::nullopt for wrong credentials, an unknown login or an
  // account that may not use mail (disabled, not a mail user); temporary_failure when
  // the directory could not answer (the caller says "try again", never "wrong password");
  // permission_denied (is_password_expired) for the right password of an account whose
  // password has expired or must be changed at next logon.
  virtual Result<std::optional<directory::Account>> verify(std::string_view login, std::string_view password) = 0;
};

// Verifies against a directory that keeps passwords itself (the local backend), then
// accepts only active accounts. Kerberos verification for AD comes later.
class DirectoryPasswordVerifier final : public PasswordVerifier {
 public:
  DirectoryPasswordVerifier(directory::Directory& directory, directory::PasswordStore& passwords)
      : directory_(directory), passwords_(passwords) {}

  Result<std::optional<directory::Account>> verify(std::string_view login, std::string_view password) override;

 private:
  directory::Directory& directory_;
  directory::PasswordStore& passwords_;
};

}  // namespace dirmail::auth
