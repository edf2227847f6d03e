// Fuzzes listener entries ("ADDRESS PORT" or "ADDRESS PORT*", parse_listen_entry).
#include <arpa/inet.h>
#include <netinet/in.h>

#include <string>

#include "dirmail/config/listen_entry.hpp"
#include "fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace dirmail;
  const std::string_view entry = fuzz::as_view(data, size);
  auto parsed = config::parse_listen_entry(entry);
  if (!parsed) {
    FUZZ_CHECK(parsed.error().code == ErrorCode::invalid_argument);
    FUZZ_CHECK(!parsed.error().message.empty());
    return 0;
  }
  FUZZ_CHECK(entry.size() <= 128);
  FUZZ_CHECK(parsed->port >= 1);
  const std::string& address = parsed->address;
  FUZZ_CHECK(!address.empty() && address.find_first_of(std::string_view(" \t\0", 3)) == std::string::npos);
  FUZZ_CHECK(entry.find(address) != std::string_view::npos);
  // The family matches what the socket layer will make of the address.
  in6_addr buffer{};
  FUZZ_CHECK(inet_pton(parsed->ipv6 ? AF_INET6 : AF_INET, address.c_str(), &buffer) == 1);
  FUZZ_CHECK(parsed->ipv6 == (address.find(':') != std::string::npos));

  // Implicit TLS exactly when the port is written with a star.
  const std::string_view trimmed = entry.substr(0, entry.find_last_not_of(" \t") + 1);
  FUZZ_CHECK(parsed->implicit_tls == (!trimmed.empty() && trimmed.back() == '*'));

  // The canonical spelling, and one with other blanks, parse to the same entry.
  const std::string star = parsed->implicit_tls ? "*" : "";
  for (const std::string& again : {address + " " + std::to_string(parsed->port) + star,
                                   "\t " + address + "\t\t" + std::to_string(parsed->port) + star + " \t"}) {
    auto reparsed = config::parse_listen_entry(again);
    FUZZ_CHECK(reparsed.ok());
    FUZZ_CHECK(reparsed->address == address && reparsed->port == parsed->port && reparsed->ipv6 == parsed->ipv6 &&
               reparsed->implicit_tls == parsed->implicit_tls);
  }
  return 0;
}
