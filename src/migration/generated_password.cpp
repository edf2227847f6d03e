#include "dirmail/migration/generated_password.hpp"

#include <sys/random.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <stdexcept>
#include <string_view>

namespace dirmail::migration {
namespace {

constexpr std::array<std::string_view, 4> kinds = {
    "ABCDEFGHJKLMNPQRSTUVWXYZ", "abcdefghijkmnopqrstuvwxyz", "23456789", "!#$%&*+-=?@^_"};

std::uint32_t random_below(std::uint32_t bound) {
  // Rejection sampling: no bias towards the first characters of a set.
  const std::uint32_t limit = UINT32_MAX - UINT32_MAX % bound;
  for (;;) {
    std::uint32_t value = 0;
    ssize_t got = ::getrandom(&value, sizeof(value), 0);
    if (got == static_cast<ssize_t>(sizeof(value))) {
      if (value < limit) return value % bound;
      continue;
    }
    if (got < 0 && errno == EINTR) continue;
    throw std::runtime_error("getrandom failed");  // only on a kernel without it
  }
}

}  // namespace

std::string generate_password() {
  std::string all;
  for (auto kind : kinds) all += kind;
  std::string password;
  for (auto kind : kinds) password += kind[random_below(static_cast<std::uint32_t>(kind.size()))];
  while (password.size() < generated_password_length)
    password += all[random_below(static_cast<std::uint32_t>(all.size()))];
  // Shuffle (Fisher-Yates) so the guaranteed kinds are not always first.
  for (std::size_t i = password.size() - 1; i > 0; --i)
    std::swap(password[i], password[random_below(static_cast<std::uint32_t>(i + 1))]);
  return password;
}

}  // namespace dirmail::migration
