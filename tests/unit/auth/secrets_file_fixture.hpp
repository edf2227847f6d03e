#pragma once
// A secrets file and its key in a temporary folder, for the tests of SecretsFile and
// Authenticator. Hashes use the cheapest Argon2id cost to stay fast under the sanitizers.
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "../common/temp_dir.hpp"
#include "dirmail/auth/secret_sealing.hpp"
#include "dirmail/auth/secrets_file_format.hpp"
#include "dirmail/base/private_file.hpp"
#include "dirmail/directory/password_hash.hpp"

namespace dirmail::auth::testing {

class SecretsFolder {
 public:
  SecretsFolder() {
    auto key = SealingKey::create(key_path());
    if (!key) ADD_FAILURE() << key.error().message;
    else key_.emplace(std::move(*key));
  }

  std::string key_path() const { return dir_ / "secrets.key"; }
  std::string file_path() const { return dir_ / "secrets"; }
  const std::string& folder() const { return dir_.path(); }
  const SealingKey& key() const { return *key_; }

  // One line of the file: the password sealed for `login`.
  std::string sealed_line(const std::string& login, const std::string& password) const {
    return format_secret_entry({login, SecretScheme::sealed, key_->seal(login, password), 0});
  }
  // One line of the file: an Argon2id hash of `password`.
  static std::string hashed_line(const std::string& login, const std::string& password) {
    auto hash = directory::hash_password(password, directory::PasswordHashCost::minimum());
    if (!hash) ADD_FAILURE() << hash.error().message;
    return format_secret_entry({login, SecretScheme::argon2id, hash ? *hash : std::string(), 0});
  }

  // Replaces the secrets file with these lines (mode 0600).
  void write(const std::vector<std::string>& lines) const {
    std::string text;
    for (const auto& line : lines) text += line + "\n";
    auto st = posix::write_private_file(file_path(), text);
    if (!st) ADD_FAILURE() << st.error().message;
  }

 private:
  dirmail::testing::TempDir dir_;
  std::optional<SealingKey> key_;
};

}  // namespace dirmail::auth::testing
