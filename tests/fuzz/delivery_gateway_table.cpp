// Fuzzes the gateway table parser (delivery::parse_gateway_table, parse_gateway_table_list),
// the smart host parser (parse_gateway_host) and the `*` matcher. Byte 0 bit 0: the rest is
// a file (0) or a list of LF-separated entries (1); bit 1: the rest is one smart host text.
//
// Checks: errors are invalid_argument/limit_exceeded and name "NAME:LINE" or
// "NAME[INDEX]"; entries are lower case, within the limits and print back to text that
// parses to the same entries; find() is the first match in order; the matcher agrees
// with a plain dynamic-programming matcher.
#include <string>
#include <vector>

#include "dirmail/delivery/gateway_table.hpp"
#include "fuzz_check.hpp"

namespace {

using namespace dirmail;
using namespace dirmail::delivery;

constexpr std::string_view file_name = "gw.txt";
constexpr std::string_view list_name = "delivery.gateway_table";

// An independent matcher: dp[i][j] = pattern[i..] matches domain[j..].
bool reference_match(std::string_view p, std::string_view d) {
  std::vector<std::vector<char>> dp(p.size() + 1, std::vector<char>(d.size() + 1, 0));
  dp[p.size()][d.size()] = 1;
  for (std::size_t i = p.size(); i-- > 0;) {
    for (std::size_t j = d.size() + 1; j-- > 0;) {
      if (p[i] == '*')
        dp[i][j] = dp[i + 1][j] || (j < d.size() && dp[i][j + 1]);
      else
        dp[i][j] = j < d.size() && p[i] == d[j] && dp[i + 1][j + 1];
    }
  }
  return dp[0][0];
}

// to_string gives "host:port[*]"; the table wants "host,port[*]".
std::string table_line(const GatewayEntry& e) {
  std::string host = e.gateway.host.find(':') != std::string::npos ? "[" + e.gateway.host + "]" : e.gateway.host;
  return e.pattern + "," + host + "," + std::to_string(e.gateway.port) + (e.gateway.implicit_tls ? "*" : "");
}

void check_error(const Error& error, std::string_view name) {
  FUZZ_CHECK(error.code == ErrorCode::invalid_argument || error.code == ErrorCode::limit_exceeded);
  FUZZ_CHECK(error.message.starts_with(std::string(name)));
}

void check_table(const GatewayTable& table) {
  FUZZ_CHECK(table.entries().size() <= kMaxGatewayTableEntries);
  FUZZ_CHECK(table.warnings().size() <= table.entries().size());
  std::vector<std::string> lines;
  for (const auto& e : table.entries()) {
    FUZZ_CHECK(!e.pattern.empty() && e.pattern.size() <= 253);
    FUZZ_CHECK(!fuzz::has_upper_ascii(e.pattern) && !fuzz::has_upper_ascii(e.gateway.host));
    FUZZ_CHECK(!e.gateway.host.empty() && e.gateway.port != 0);
    lines.push_back(table_line(e));
  }
  // Printed back, the entries parse to the same table.
  auto again = parse_gateway_table_list(lines, list_name);
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(again->entries().size() == table.entries().size());
  for (std::size_t i = 0; i < lines.size(); ++i) {
    FUZZ_CHECK(again->entries()[i].pattern == table.entries()[i].pattern);
    FUZZ_CHECK(again->entries()[i].gateway == table.entries()[i].gateway);
  }
  // A domain made from an entry's pattern finds that entry or an earlier one.
  for (std::size_t i = 0; i < table.entries().size() && i < 50; ++i) {
    std::string domain = table.entries()[i].pattern;
    for (char& c : domain)
      if (c == '*') c = 'x';
    const GatewayEntry* found = table.find(domain);
    FUZZ_CHECK(found != nullptr);
    FUZZ_CHECK(found <= &table.entries()[i]);
    FUZZ_CHECK(gateway_pattern_matches(found->pattern, domain));
    for (const GatewayEntry* e = table.entries().data(); e < found; ++e) FUZZ_CHECK(!gateway_pattern_matches(e->pattern, domain));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input = fuzz::as_view(data, size);
  const std::uint8_t mode = fuzz::take_byte(input);

  if (mode & 2) {
    auto host = parse_gateway_host(input);
    if (!host.ok()) {
      FUZZ_CHECK(host.error().code == ErrorCode::invalid_argument);
      return 0;
    }
    FUZZ_CHECK(!host->host.empty() && host->port != 0);
    auto again = parse_gateway_host(to_string(*host));
    FUZZ_CHECK(again.ok() && *again == *host);
    // The matcher, on the two halves of the input.
    auto half = input.size() / 2;
    std::string_view p = input.substr(0, std::min<std::size_t>(half, 64));
    std::string_view d = input.substr(half, 64);
    FUZZ_CHECK(gateway_pattern_matches(p, d) == reference_match(p, d));
    return 0;
  }

  if (mode & 1) {
    std::vector<std::string> entries;
    std::string_view rest = input;
    while (!rest.empty() && entries.size() < 200) entries.emplace_back(fuzz::take_field(rest, '\n'));
    auto table = parse_gateway_table_list(entries, list_name);
    if (!table.ok()) {
      check_error(table.error(), list_name);
      return 0;
    }
    check_table(*table);
    return 0;
  }

  auto table = parse_gateway_table(input, file_name);
  if (input.size() > kMaxGatewayTableBytes) {
    FUZZ_CHECK(!table.ok() && table.error().code == ErrorCode::limit_exceeded);
    return 0;
  }
  if (!table.ok()) {
    check_error(table.error(), file_name);
    return 0;
  }
  check_table(*table);
  // The matcher agrees with the reference on every entry and a domain from the input.
  std::string_view probe = input.substr(0, std::min<std::size_t>(input.size(), 64));
  for (std::size_t i = 0; i < table->entries().size() && i < 20; ++i)
    FUZZ_CHECK(gateway_pattern_matches(table->entries()[i].pattern, probe) ==
               reference_match(table->entries()[i].pattern, probe));
  return 0;
}
