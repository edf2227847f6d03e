#pragma once
// Password hashes for soft accounts: Argon2id in the PHC string format
// ("$argon2id$v=19$m=...,t=...,p=...$salt$hash"), from libsodium. The cost is stored
// in each hash, so hashes made with another cost still verify.
#include <cstddef>
#include <string>
#include <string_view>

#include "dirmail/base/result.hpp"

namespace dirmail::directory {

inline constexpr std::size_t max_password_length = 1024;

struct PasswordHashCost {
  unsigned long long opslimit = 0;
  std::size_t memlimit = 0;

  // libsodium's INTERACTIVE limits (64 MiB, 2 passes): the default.
  static PasswordHashCost interactive();
  // The smallest cost Argon2id allows: for tests only, never for real accounts.
  static PasswordHashCost minimum();
};

// Empty and over-long (> max_password_length) passwords are invalid_argument;
// out of memory is temporary_failure.
Result<std::string> hash_password(std::string_view password, PasswordHashCost cost);

// true when `password` matches `hash`; false for a wrong password or a malformed hash.
bool verify_password_hash(std::string_view hash, std::string_view password);

}  // namespace dirmail::directory
