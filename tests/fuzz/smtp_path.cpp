// Fuzzes the MAIL FROM / RCPT TO argument parsers directly. The first byte picks the
// parser (even: reverse path, odd: forward path); the rest is the argument.
#include "dirmail/smtp/command.hpp"
#include "fuzz_check.hpp"
#include "smtp_path_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace dirmail;
  std::string_view input = fuzz::as_view(data, size);
  const bool forward = (fuzz::take_byte(input) & 1) != 0;
  auto path = forward ? smtp::parse_forward_path(input) : smtp::parse_reverse_path(input);
  if (!path) {
    fuzz::check_path_error(path.error());
    return 0;
  }
  fuzz::check_parsed_path(*path, forward);
  // The other parser agrees on every path both accept.
  auto other = forward ? smtp::parse_reverse_path(input) : smtp::parse_forward_path(input);
  if (other && !other->path.null() && !other->path.domain.empty() && !path->path.domain.empty())
    FUZZ_CHECK(fuzz::same_path(*other, *path));
  return 0;
}
