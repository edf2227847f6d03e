// Fuzzes the gPLink parser, parse_gplink, and the GPO order built from its links.
#include <algorithm>
#include <string>

#include "dirmail/base/strings.hpp"
#include "dirmail/config/gplink.hpp"
#include "dirmail/config/gpo_precedence.hpp"
#include "fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace dirmail;
  std::string_view input = fuzz::as_view(data, size);
  // Byte 0: bit 0 blocks inheritance at the OU; bit 1 filters out every other GPO.
  const std::uint8_t control = fuzz::take_byte(input);
  auto links = config::parse_gplink(input);
  if (!links) {
    const Error& error = links.error();
    FUZZ_CHECK(error.code == ErrorCode::invalid_argument || error.code == ErrorCode::limit_exceeded);
    if (error.code == ErrorCode::invalid_argument) {
      FUZZ_CHECK(error.message.starts_with("gPLink byte "));
      const auto offset = parse_decimal(error.message.substr(12, error.message.find(':') - 12), 20);
      FUZZ_CHECK(offset && *offset <= input.size());
    }
    return 0;
  }
  FUZZ_CHECK(input.size() <= config::kMaxGpLinkBytes && links->size() <= config::kMaxGpLinks);
  for (const config::GpoLink& link : *links) {
    FUZZ_CHECK(link.guid.size() == 38 && link.guid.front() == '{' && link.guid.back() == '}');
    FUZZ_CHECK(link.guid.find_first_of("abcdef") == std::string::npos);
    FUZZ_CHECK(istarts_with(link.gpo_dn, "cn=" + link.guid));
  }
  // The canonical spelling reads back the same links.
  auto again = config::parse_gplink(config::format_gplink(*links));
  FUZZ_CHECK(again.ok() && *again == *links);

  // The same links at the domain and at the computer's OU.
  std::vector<config::GpoFacts> gpos;
  for (std::size_t i = 0; i < links->size(); ++i) {
    gpos.push_back(config::GpoFacts{(*links)[i].guid, std::to_string(i), 0, (control & 2) == 0 || i % 2 == 0});
  }
  const std::vector<config::GpoContainer> chain = {{"DC=example,DC=com", *links, 0},
                                                   {"OU=Mail,DC=example,DC=com", *links, (control & 1) != 0 ? 1u : 0u}};
  const auto order = config::gpos_in_application_order(chain, gpos);
  for (std::size_t i = 0; i < order.size(); ++i) {
    FUZZ_CHECK(std::none_of(order.begin() + static_cast<std::ptrdiff_t>(i) + 1, order.end(),
                            [&](const config::ScheduledGpo& g) { return g.guid == order[i].guid; }));
    const bool linked = std::any_of(links->begin(), links->end(), [&](const config::GpoLink& l) {
      return l.guid == order[i].guid && !l.disabled && l.enforced == order[i].enforced;
    });
    FUZZ_CHECK(linked);
  }
  // Enforced links come after every other.
  FUZZ_CHECK(
      std::is_partitioned(order.begin(), order.end(), [](const config::ScheduledGpo& g) { return !g.enforced; }));
  return 0;
}
