#include "dirmail/features/journal_rule.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "dirmail/base/strings.hpp"
#include "dirmail/features/configured_address.hpp"

namespace dirmail::features {
namespace {

bool plain_address(std::string_view a) { return configured_address_problem(a).empty(); }

}  // namespace

Result<JournalRule> JournalRule::make(const std::vector<std::string>& addresses, const std::vector<std::string>& match) {
  JournalRule rule;
  if (addresses.size() > max_journal_addresses)
    return make_error(ErrorCode::invalid_argument, "journal.addresses: more than 20 addresses");
  for (const auto& a : addresses) {
    if (!plain_address(a))
      return make_error(ErrorCode::invalid_argument,
                        fmt::format("journal.addresses: \"{}\" is not an address (user@domain)", escape_control(a)));
    rule.addresses_.push_back(to_lower(a));
  }
  if (!match.empty() && addresses.empty())
    return make_error(ErrorCode::invalid_argument, "journal.match is set but journal.addresses is empty");
  for (const auto& m : match) {
    std::string entry = to_lower(trim(m));
    if (entry.starts_with("*@")) entry = entry.substr(2);
    bool is_domain = entry.find('@') == std::string::npos;
    if (is_domain ? !plain_address("x@" + entry) : !plain_address(entry))
      return make_error(ErrorCode::invalid_argument,
                        fmt::format("journal.match: \"{}\" is neither an address nor a domain (user@domain, *@domain, domain)",
                                    escape_control(m)));
    (is_domain ? rule.domains_match_ : rule.addresses_match_).push_back(std::move(entry));
  }
  return rule;
}

bool JournalRule::matches(std::string_view address) const {
  std::string a = to_lower(address);
  if (std::find(addresses_match_.begin(), addresses_match_.end(), a) != addresses_match_.end()) return true;
  auto at = a.rfind('@');
  if (at == std::string::npos) return false;
  std::string_view domain = std::string_view(a).substr(at + 1);
  return std::find(domains_match_.begin(), domains_match_.end(), domain) != domains_match_.end();
}

bool JournalRule::applies(std::string_view sender, std::span<const std::string> recipients) const {
  if (!enabled()) return false;
  if (addresses_match_.empty() && domains_match_.empty()) return true;
  if (!sender.empty() && matches(sender)) return true;
  return std::any_of(recipients.begin(), recipients.end(), [this](const std::string& r) { return matches(r); });
}

}  // namespace dirmail::features
