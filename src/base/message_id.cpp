#include "dirmail/base/message_id.hpp"

#include <sys/random.h>

#include <fmt/format.h>

#include "dirmail/base/time.hpp"

namespace dirmail {

std::string new_message_id(std::string_view hostname) {
  unsigned char random[12] = {};
  std::size_t got = 0;
  while (got < sizeof random) {
    ssize_t n = ::getrandom(random + got, sizeof random - got, 0);
    if (n > 0) got += static_cast<std::size_t>(n);
  }
  std::string hex;
  for (unsigned char b : random) hex += fmt::format("{:02x}", b);
  return fmt::format("<{}.{}@{}>", unix_now(), hex, hostname);
}

}  // namespace dirmail
