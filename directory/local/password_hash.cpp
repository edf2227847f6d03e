#include "dirmail/directory/password_hash.hpp"

#include <sodium.h>

namespace dirmail::directory {
namespace {

// sodium_init is thread-safe and idempotent, but calling it once keeps the check cheap.
bool sodium_ready() {
  static const bool ready = sodium_init() >= 0;
  return ready;
}

}  // namespace

PasswordHashCost PasswordHashCost::interactive() {
  return {crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE, crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE};
}

PasswordHashCost PasswordHashCost::minimum() {
  return {crypto_pwhash_argon2id_OPSLIMIT_MIN, crypto_pwhash_argon2id_MEMLIMIT_MIN};
}

Result<std::string> hash_password(std::string_view password, PasswordHashCost cost) {
  if (password.empty()) return make_error(ErrorCode::invalid_argument, "password is empty");
  if (password.size() > max_password_length)
    return make_error(ErrorCode::invalid_argument, "password is longer than 1024 bytes");
  if (!sodium_ready()) return make_error(ErrorCode::internal, "libsodium could not be initialised");
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), cost.opslimit, cost.memlimit,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return make_error(ErrorCode::temporary_failure, "password hashing ran out of memory");
  }
  return std::string(out);
}

bool verify_password_hash(std::string_view hash, std::string_view password) {
  if (password.size() > max_password_length) return false;
  if (hash.empty() || hash.size() >= crypto_pwhash_STRBYTES) return false;
  if (!sodium_ready()) return false;
  // libsodium wants a NUL-terminated hash buffer.
  char buffer[crypto_pwhash_STRBYTES] = {};
  hash.copy(buffer, hash.size());
  return crypto_pwhash_str_verify(buffer, password.data(), password.size()) == 0;
}

}  // namespace dirmail::directory
