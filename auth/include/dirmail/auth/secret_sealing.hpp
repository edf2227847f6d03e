#pragma once
// CRAM-MD5 and APOP need the password itself on the server, so the secrets file keeps
// it sealed: XChaCha20-Poly1305 (libsodium) with a 32-byte key in a separate file
// (auth.secrets_key_file). A copy of the secrets file alone (a backup, the shared
// folder) gives nothing away. The login is the associated data, so a sealed secret
// moved to another line does not open.
#include <array>
#include <string>
#include <string_view>

#include "dirmail/base/result.hpp"

namespace dirmail::auth {

class SealingKey {
 public:
  static constexpr std::size_t size = 32;

  // Reads the key file: one line of base64 (44 characters), mode 0600 (see
  // read_private_file). The errors name the file and how to fix it.
  static Result<SealingKey> load(const std::string& path);
  // Makes a new random key and writes it to `path` (0600); already_exists if there is one.
  static Result<SealingKey> create(const std::string& path);

  // base64(nonce || ciphertext || tag); the secret never in the clear.
  std::string seal(std::string_view login, std::string_view secret) const;
  // The secret; invalid_argument when the text is malformed, was sealed with another
  // key or for another login.
  Result<std::string> open(std::string_view login, std::string_view sealed) const;

 private:
  std::array<unsigned char, size> key_{};
};

}  // namespace dirmail::auth
