#include "dirmail/delivery/peer_credentials.hpp"

#include <algorithm>
#include <unordered_map>

#include "dirmail/base/strings.hpp"
#include "dirmail/config/table_source.hpp"
#include "dirmail/delivery/gateway_table.hpp"

namespace dirmail::delivery {
namespace {

constexpr std::string_view kEntryForm = "expected HOST USER PASSWORD";

Error invalid(std::string why) { return make_error(ErrorCode::invalid_argument, std::move(why)); }

bool is_blank(char c) { return c == ' ' || c == '\t'; }

bool has_control(std::string_view s) {
  for (unsigned char c : s)
    if (c < 0x20 || c == 0x7f) return true;
  return false;
}

// The first blank-delimited word of `rest`, removed from it.
std::string_view take_word(std::string_view& rest) {
  std::size_t end = 0;
  while (end < rest.size() && !is_blank(rest[end])) ++end;
  std::string_view word = rest.substr(0, end);
  rest = trim(rest.substr(end));
  return word;
}

// A host as delivery.smtp_gateway writes it, without the port; "*" as is.
Result<std::string> parse_host(std::string_view text) {
  if (text == "*") return std::string("*");
  const bool has_port = text.starts_with('[') ? text.find("]:") != std::string_view::npos
                                               : std::count(text.begin(), text.end(), ':') == 1;
  if (has_port) return invalid("\"" + escape_control(text) + "\": write the host without its port");
  auto host = parse_gateway_host(text);
  if (!host) return std::move(host).error();
  return std::move(host->host);
}

Result<PeerCredentialsEntry> parse_entry(std::string_view line) {
  if (line.size() > kMaxPeerCredentialsLineBytes)
    return make_error(ErrorCode::limit_exceeded,
                      "the line is longer than " + std::to_string(kMaxPeerCredentialsLineBytes) + " bytes");
  std::string_view rest = trim(line);
  std::string_view host = take_word(rest);
  std::string_view user = take_word(rest);
  std::string_view password = rest;  // already trimmed
  if (user.empty() || password.empty()) return invalid(std::string(kEntryForm));
  // A control character would end up inside the AUTH exchange (PLAIN separates with NUL).
  if (has_control(user)) return invalid("the user name holds a control character");
  if (has_control(password)) return invalid("the password holds a control character");
  PeerCredentialsEntry entry;
  auto parsed = parse_host(host);
  if (!parsed) return std::move(parsed).error();
  entry.host = std::move(*parsed);
  entry.user = std::string(user);
  entry.password = std::string(password);
  return entry;
}

std::string normalized_host(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host.ends_with('.')) host.remove_suffix(1);
  return to_lower(host);
}

}  // namespace

const PeerCredentialsEntry* PeerCredentials::find(std::string_view host, bool gateway) const {
  const std::string wanted = normalized_host(host);
  const PeerCredentialsEntry* any = nullptr;
  for (const auto& entry : entries_) {
    if (entry.host == wanted && wanted != "*") return &entry;
    if (entry.host == "*") any = &entry;
  }
  return gateway ? any : nullptr;
}

Result<PeerCredentials> parse_peer_credentials(std::string_view text, std::string_view name) {
  std::vector<PeerCredentialsEntry> entries;
  std::unordered_map<std::string, std::size_t> seen;  // host -> entry
  DIRMAIL_TRY(config::for_each_table_line(
      text, name, kMaxPeerCredentialsBytes, [&](std::string_view line, std::string origin) -> Status {
        std::string_view content = trim(line);
        if (content.empty() || content.front() == '#') return ok_status();
        auto entry = parse_entry(line);
        if (!entry) return Error{entry.error().code, origin + ": " + entry.error().message};
        if (entries.size() >= kMaxPeerCredentialsEntries)
          return make_error(ErrorCode::limit_exceeded,
                            origin + ": more than " + std::to_string(kMaxPeerCredentialsEntries) + " entries");
        if (auto earlier = seen.find(entry->host); earlier != seen.end())
          return invalid(origin + ": " + entry->host + " is given already at " + entries[earlier->second].origin);
        seen.emplace(entry->host, entries.size());
        entry->origin = std::move(origin);
        entries.push_back(std::move(*entry));
        return ok_status();
      }));
  return PeerCredentials(std::move(entries));
}

}  // namespace dirmail::delivery
