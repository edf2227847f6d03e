#pragma once
// Journaling (journal.addresses, journal.match): which received messages get a copy for
// the archive addresses. The copy travels as extra recipients of the queued message,
// so it is as durable as the message itself and never bounces (NOTIFY=NEVER).
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dirmail/base/result.hpp"

namespace dirmail::features {

inline constexpr std::size_t max_journal_addresses = 20;

class JournalRule {
 public:
  // `match` entries: "user@domain", "*@domain" or "domain". Errors name the setting.
  static Result<JournalRule> make(const std::vector<std::string>& addresses, const std::vector<std::string>& match);

  bool enabled() const { return !addresses_.empty(); }
  const std::vector<std::string>& addresses() const { return addresses_; }
  // Whether a message from `sender` to `recipients` is copied.
  bool applies(std::string_view sender, std::span<const std::string> recipients) const;

 private:
  bool matches(std::string_view address) const;
  std::vector<std::string> addresses_;  // lower case
  std::vector<std::string> addresses_match_;  // "user@domain", lower case
  std::vector<std::string> domains_match_;    // "domain", lower case
};

}  // namespace dirmail::features
