// The pattern half of a relay rule (networks, sender tokens, domains, addresses), the
// action words, and the envelope sender they are matched against.
#include <array>

#include "dirmail/base/strings.hpp"
#include "dirmail/directory/mail_names.hpp"
#include "dirmail/smtp/relay_rule.hpp"

namespace dirmail::smtp {
namespace {

struct TokenName {
  std::string_view text;
  RelayPattern::Kind kind;
};
constexpr std::array<TokenName, 5> tokens{{{"#blank", RelayPattern::Kind::blank_sender},
                                           {"#<>", RelayPattern::Kind::null_sender},
                                           {"#number", RelayPattern::Kind::numeric_domain},
                                           {"#nodomain", RelayPattern::Kind::no_domain},
                                           {"#host", RelayPattern::Kind::host_domain}}};

struct ActionName {
  std::string_view text;
  RelayAction action;
};
constexpr std::array<ActionName, 8> actions{{{"", RelayAction::allow},
                                             {"true", RelayAction::allow},
                                             {"false", RelayAction::deny},
                                             {"default", RelayAction::default_matrix},
                                             {"norelay", RelayAction::norelay},
                                             {"norelay,0", RelayAction::norelay_refuse_auth},
                                             {"norelay,2", RelayAction::norelay_ip_over_auth},
                                             {"only", RelayAction::only}}};

Error bad(std::string_view text, std::string_view why) {
  return make_error(ErrorCode::invalid_argument, "\"" + escape_control(text) + "\" " + std::string(why));
}

bool numeric_domain(std::string_view domain) {
  if (domain.empty()) return false;
  if (domain.front() == '[') return true;  // an address literal
  bool digit = false;
  for (char c : domain) {
    if (c >= '0' && c <= '9') {
      digit = true;
    } else if (c != '.') {
      return false;
    }
  }
  return digit;
}

bool host_domain(std::string_view domain) {
  return !domain.empty() && domain.find('.') == std::string_view::npos && !numeric_domain(domain);
}

// local@domain against "local@domain" without building the string.
bool same_address(const EnvelopeSender& sender, std::string_view address) {
  if (address.size() != sender.local.size() + 1 + sender.domain.size()) return false;
  return iequals(address.substr(0, sender.local.size()), sender.local) && address[sender.local.size()] == '@' &&
         iequals(address.substr(sender.local.size() + 1), sender.domain);
}

}  // namespace

EnvelopeSender EnvelopeSender::mailbox(std::string_view local, std::string_view domain) {
  return {Form::mailbox, std::string(local), to_lower(domain)};
}

EnvelopeSender EnvelopeSender::from_path(const Path& path) {
  if (path.null()) return null_path();
  return mailbox(path.local, path.domain);
}

std::string_view to_string(RelayAction action) {
  for (const auto& a : actions)
    if (a.action == action && !a.text.empty()) return a.text;
  return "?";
}

std::optional<RelayAction> parse_relay_action(std::string_view word) {
  for (const auto& a : actions)
    if (iequals(word, a.text)) return a.action;
  return std::nullopt;
}

bool RelayPattern::matches(const std::optional<IpAddress>& client, const EnvelopeSender& sender) const {
  const bool mailbox = sender.form == EnvelopeSender::Form::mailbox;
  switch (kind) {
    case Kind::network: return client && network.contains(*client);
    case Kind::sender_domain: return mailbox && !sender.domain.empty() && iequals(sender.domain, value);
    case Kind::sender_address: return mailbox && !sender.domain.empty() && same_address(sender, value);
    case Kind::blank_sender: return sender.form == EnvelopeSender::Form::blank;
    case Kind::null_sender: return sender.form == EnvelopeSender::Form::null_path;
    case Kind::numeric_domain: return mailbox && numeric_domain(sender.domain);
    case Kind::no_domain: return mailbox && sender.domain.empty();
    case Kind::host_domain: return mailbox && host_domain(sender.domain);
  }
  return false;
}

Result<RelayPattern> parse_relay_pattern(std::string_view text, bool& host_bits_set) {
  host_bits_set = false;
  RelayPattern pattern;
  if (text.empty()) return make_error(ErrorCode::invalid_argument, "empty pattern");
  if (text.front() == '#') {
    for (const auto& t : tokens) {
      if (iequals(text, t.text)) {
        pattern.kind = t.kind;
        return pattern;
      }
    }
    return bad(text, "is not a known token (#blank, #<>, #number, #nodomain, #host)");
  }
  if (looks_like_ip_pattern(text)) {
    auto network = parse_ip_network(text, host_bits_set);
    if (!network) return std::move(network).error();
    pattern.kind = RelayPattern::Kind::network;
    pattern.network = *network;
    return pattern;
  }
  if (text.find('*') != std::string_view::npos)
    return bad(text, "has a *: only IPv4 octets take *; a domain matches exactly (no subdomains)");
  if (text.find('@') != std::string_view::npos) {
    auto parts = directory::split_address(text);
    if (!parts) return make_error(ErrorCode::invalid_argument, parts.error().message);
    auto domain = directory::canonical_domain(parts->domain);
    if (!domain) return bad(text, "has a bad domain part: " + domain.error().message);
    pattern.kind = RelayPattern::Kind::sender_address;
    pattern.value = parts->local_part + "@" + *domain;
    return pattern;
  }
  auto domain = directory::canonical_domain(text);
  if (!domain) {
    return bad(text, "is not a pattern: neither an IPv4/IPv6 network, a #token, a domain (letters, digits, '-', '.') "
                     "nor an address");
  }
  pattern.kind = RelayPattern::Kind::sender_domain;
  pattern.value = std::move(*domain);
  return pattern;
}

bool RelayRule::open_relay_risk() const {
  if (action != RelayAction::allow) return false;
  return pattern.judges_sender() || pattern.network.covers_whole_family();
}

}  // namespace dirmail::smtp
