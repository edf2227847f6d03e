#include "dirmail/delivery/gateway_table.hpp"

#include <arpa/inet.h>

#include <optional>
#include <unordered_map>

#include "dirmail/base/strings.hpp"
#include "dirmail/config/table_source.hpp"
#include "dirmail/delivery/dns_answer.hpp"

namespace dirmail::delivery {
namespace {

constexpr std::string_view kEntryForm = "expected DOMAIN,GATEWAY,PORT[*] (e.g. *.example.com,mailgw.example.net,25)";
// Earlier patterns compared with each new entry for the "never used" warning; bounds
// the load time of a table of many patterns.
constexpr std::size_t kMaxPatternsCompared = 1000;

Error invalid(std::string why) { return make_error(ErrorCode::invalid_argument, std::move(why)); }

// inet_pton reads a C string: a NUL inside would hide what follows it.
bool is_ipv4_literal(std::string_view text) {
  if (text.find('\0') != std::string_view::npos) return false;
  std::string s(text);
  in_addr a{};
  return inet_pton(AF_INET, s.c_str(), &a) == 1;
}

bool is_ipv6_literal(std::string_view text) {
  if (text.find('\0') != std::string_view::npos) return false;
  std::string s(text);
  in6_addr a{};
  return inet_pton(AF_INET6, s.c_str(), &a) == 1;
}

bool only_digits_and_dots(std::string_view s) {
  for (char c : s)
    if (!(c == '.' || (c >= '0' && c <= '9'))) return false;
  return true;
}

// A gateway host without its port: a name, an IPv4 literal, or an IPv6 literal in
// brackets or (when `bare_ipv6`) without.
Result<std::string> parse_host(std::string_view text, bool bare_ipv6) {
  if (text.empty()) return invalid("the gateway host is empty");
  if (text.front() == '[') {
    if (text.back() != ']') return invalid("\"" + escape_control(text) + "\": a bracketed address ends with ]");
    auto inner = text.substr(1, text.size() - 2);
    if (!is_ipv6_literal(inner)) return invalid("\"" + escape_control(text) + "\" is not an IPv6 address");
    return to_lower(inner);
  }
  if (text.find(':') != std::string_view::npos) {
    if (bare_ipv6 && is_ipv6_literal(text)) return to_lower(text);
    return invalid("\"" + escape_control(text) + "\" is not a host name or an IP address");
  }
  if (only_digits_and_dots(text)) {
    if (!is_ipv4_literal(text)) return invalid("\"" + escape_control(text) + "\" is not an IPv4 address");
    return std::string(text);
  }
  std::string_view name = text;
  if (name.ends_with('.')) name.remove_suffix(1);
  if (!is_usable_host_name(name)) {
    if (!is_ascii(name))
      return invalid("\"" + escape_control(text) + "\": write an international host name as its A-label (xn--...)");
    return invalid("\"" + escape_control(text) + "\" is not a host name or an IP address");
  }
  return to_lower(name);
}

// "25" or "465*".
Status parse_port(std::string_view text, GatewayHost& out) {
  std::string_view digits = text;
  out.implicit_tls = digits.ends_with('*');
  if (out.implicit_tls) digits.remove_suffix(1);
  auto port = parse_decimal(digits, 5);
  if (!port || *port == 0 || *port > 65535)
    return invalid("\"" + escape_control(text) + "\" is not a port (1-65535, with * after it for SSL)");
  out.port = static_cast<std::uint16_t>(*port);
  return ok_status();
}

// A target domain: letters, digits, '-', '_', '.' and '*'; no empty label.
Result<std::string> parse_pattern(std::string_view text) {
  if (text.ends_with('.') && text.size() > 1) text.remove_suffix(1);
  if (text.empty()) return invalid("the domain is empty");
  if (text.size() > kMaxDomainName) return invalid("the domain is longer than 253 characters");
  if (!is_ascii(text))
    return invalid("\"" + escape_control(text) + "\": write an international domain as its A-label (xn--...)");
  std::size_t label = 0;
  for (char c : text) {
    if (c == '.') {
      if (label == 0) return invalid("\"" + escape_control(text) + "\" has an empty label");
      label = 0;
      continue;
    }
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
              c == '*';
    if (!ok) return invalid("\"" + escape_control(text) + "\" is not a domain (only * may stand for other characters)");
    if (++label > 63) return invalid("\"" + escape_control(text) + "\" has a label longer than 63 characters");
  }
  if (label == 0) return invalid("\"" + escape_control(text) + "\" has an empty label");
  return to_lower(text);
}

bool is_comment(std::string_view line) {
  return !line.empty() && (line.front() == '\'' || line.front() == '#' || line.front() == ' ' || line.front() == '\t');
}

Result<GatewayEntry> parse_entry(std::string_view line) {
  if (line.size() > kMaxGatewayLineBytes)
    return make_error(ErrorCode::limit_exceeded, "the line is longer than " + std::to_string(kMaxGatewayLineBytes) + " bytes");
  auto fields = split(line, ',');
  if (fields.size() != 3) return invalid(std::string(kEntryForm));
  GatewayEntry entry;
  auto pattern = parse_pattern(trim(fields[0]));
  if (!pattern) return std::move(pattern).error();
  entry.pattern = std::move(*pattern);
  auto host = parse_host(trim(fields[1]), /*bare_ipv6=*/true);
  if (!host) return std::move(host).error();
  entry.gateway.host = std::move(*host);
  DIRMAIL_TRY(parse_port(trim(fields[2]), entry.gateway));
  return entry;
}

// Gathers the entries of one source and the warnings about them.
class EntryCollector {
 public:
  Status add(std::string_view line, std::string origin) {
    if (line.empty() || is_comment(line)) return ok_status();
    auto entry = parse_entry(line);
    if (!entry) return Error{entry.error().code, origin + ": " + entry.error().message};
    if (entries_.size() >= kMaxGatewayTableEntries)
      return make_error(ErrorCode::limit_exceeded,
                        origin + ": more than " + std::to_string(kMaxGatewayTableEntries) + " entries");
    entry->origin = std::move(origin);
    warn_if_hidden(*entry);
    entries_.push_back(std::move(*entry));
    return ok_status();
  }

  GatewayTable finish() { return GatewayTable(std::move(entries_), std::move(warnings_)); }

 private:
  // An earlier pattern that matches this entry's text matches every domain this entry
  // does (its `*` can absorb this one's `*`), so this entry is never used.
  void warn_if_hidden(const GatewayEntry& entry) {
    const GatewayEntry* hidden_by = nullptr;
    if (auto same = exact_.find(entry.pattern); same != exact_.end()) hidden_by = &entries_[same->second];
    for (std::size_t i = 0; hidden_by == nullptr && i < wildcards_.size() && i < kMaxPatternsCompared; ++i) {
      const GatewayEntry& earlier = entries_[wildcards_[i]];
      if (gateway_pattern_matches(earlier.pattern, entry.pattern)) hidden_by = &earlier;
    }
    if (hidden_by != nullptr) {
      warnings_.push_back(entry.origin + ": never used: " + hidden_by->origin + " (" + hidden_by->pattern +
                          ") matches every domain of " + entry.pattern + " first");
    }
    if (entry.pattern.find('*') != std::string::npos)
      wildcards_.push_back(entries_.size());
    else
      exact_.emplace(entry.pattern, entries_.size());
  }

  std::vector<GatewayEntry> entries_;
  std::vector<std::string> warnings_;
  std::unordered_map<std::string, std::size_t> exact_;  // pattern without `*` -> first entry
  std::vector<std::size_t> wildcards_;                  // entries with `*`, in order
};

}  // namespace

Result<GatewayHost> parse_gateway_host(std::string_view text) {
  text = trim(text);
  GatewayHost out;
  std::string_view host = text;
  std::optional<std::string_view> port;
  if (text.starts_with('[')) {
    auto close = text.find(']');
    if (close == std::string_view::npos) return invalid("\"" + escape_control(text) + "\": a bracketed address ends with ]");
    host = text.substr(0, close + 1);
    std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return invalid("\"" + escape_control(text) + "\": expected HOST[:PORT][*]");
      port = rest.substr(1);
    }
  } else if (auto colon = text.find(':'); colon != std::string_view::npos && text.find(':', colon + 1) == std::string_view::npos) {
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  auto name = parse_host(host, /*bare_ipv6=*/true);
  if (!name) return std::move(name).error();
  out.host = std::move(*name);
  if (port) DIRMAIL_TRY(parse_port(*port, out));
  return out;
}

std::string to_string(const GatewayHost& host) {
  std::string out = host.host.find(':') != std::string::npos ? "[" + host.host + "]" : host.host;
  out += ':' + std::to_string(host.port);
  if (host.implicit_tls) out += '*';
  return out;
}

Result<std::string> parse_gateway_pattern(std::string_view text) { return parse_pattern(trim(text)); }

bool gateway_pattern_matches(std::string_view pattern, std::string_view domain) {
  // Glob matching with one backtracking point: on a mismatch, the last `*` takes one
  // more character. O(pattern x domain), both at most 253 characters.
  std::size_t p = 0, d = 0;
  std::size_t star = std::string_view::npos, mark = 0;
  while (d < domain.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = d;
    } else if (p < pattern.size() && pattern[p] == domain[d]) {
      ++p;
      ++d;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      d = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

std::string pattern_subject(std::string_view domain) {
  if (domain.ends_with('.')) domain.remove_suffix(1);
  return to_lower(domain);
}

const GatewayEntry* GatewayTable::find(std::string_view domain) const { return first_matching_entry(entries_, domain); }

Result<GatewayTable> parse_gateway_table(std::string_view text, std::string_view name) {
  EntryCollector entries;
  DIRMAIL_TRY(config::for_each_table_line(text, name, kMaxGatewayTableBytes, [&](std::string_view line, std::string origin) {
    return entries.add(line, std::move(origin));
  }));
  return entries.finish();
}

Result<GatewayTable> parse_gateway_table_list(const std::vector<std::string>& list, std::string_view name) {
  EntryCollector entries;
  DIRMAIL_TRY(config::for_each_table_entry(list, name, [&](std::string_view line, std::string origin) {
    return entries.add(line, std::move(origin));
  }));
  return entries.finish();
}

}  // namespace dirmail::delivery
