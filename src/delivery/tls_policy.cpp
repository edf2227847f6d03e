#include "dirmail/delivery/tls_policy.hpp"

#include "dirmail/base/strings.hpp"
#include "dirmail/config/table_source.hpp"
#include "dirmail/delivery/gateway_table.hpp"

namespace dirmail::delivery {
namespace {

constexpr std::string_view kEntryForm = "expected DOMAIN MODE (e.g. \"partner.example required\")";

Error invalid(std::string why) { return make_error(ErrorCode::invalid_argument, std::move(why)); }

bool is_separator(char c) { return c == ' ' || c == '\t' || c == ','; }

// The fields of a line, split at runs of blanks and commas.
std::vector<std::string_view> fields_of(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && is_separator(line[i])) ++i;
    std::size_t start = i;
    while (i < line.size() && !is_separator(line[i])) ++i;
    if (i > start) out.push_back(line.substr(start, i - start));
  }
  return out;
}

Result<TlsPolicyEntry> parse_entry(std::string_view line) {
  if (line.size() > kMaxTlsPolicyLineBytes)
    return make_error(ErrorCode::limit_exceeded,
                      "the line is longer than " + std::to_string(kMaxTlsPolicyLineBytes) + " bytes");
  auto fields = fields_of(line);
  if (fields.size() != 2) return invalid(std::string(kEntryForm));
  TlsPolicyEntry entry;
  auto pattern = parse_gateway_pattern(fields[0]);
  if (!pattern) return std::move(pattern).error();
  entry.pattern = std::move(*pattern);
  auto mode = parse_tls_policy_mode(fields[1]);
  if (!mode) return invalid("\"" + escape_control(fields[1]) + "\" is not a TLS mode (off, opportunistic or required)");
  entry.mode = *mode;
  return entry;
}

class EntryCollector {
 public:
  Status add(std::string_view line, std::string origin) {
    std::string_view text = trim(line);
    if (text.empty() || text.front() == '#' || text.front() == '\'') return ok_status();
    auto entry = parse_entry(line);
    if (!entry) return Error{entry.error().code, origin + ": " + entry.error().message};
    if (entries_.size() >= kMaxTlsPolicyEntries)
      return make_error(ErrorCode::limit_exceeded,
                        origin + ": more than " + std::to_string(kMaxTlsPolicyEntries) + " entries");
    entry->origin = std::move(origin);
    entries_.push_back(std::move(*entry));
    return ok_status();
  }

  std::vector<TlsPolicyEntry> finish() { return std::move(entries_); }

 private:
  std::vector<TlsPolicyEntry> entries_;
};

}  // namespace

std::optional<TlsMode> parse_tls_policy_mode(std::string_view text) {
  if (iequals(text, "off")) return TlsMode::off;
  if (iequals(text, "opportunistic")) return TlsMode::opportunistic;
  if (iequals(text, "required")) return TlsMode::required;
  return std::nullopt;
}

std::string_view to_string(TlsMode mode) {
  switch (mode) {
    case TlsMode::off: return "off";
    case TlsMode::opportunistic: return "opportunistic";
    case TlsMode::required: return "required";
    case TlsMode::implicit: return "implicit";
  }
  return "?";
}

const TlsPolicyEntry* TlsPolicy::find(std::string_view domain) const { return first_matching_entry(entries_, domain); }

TlsMode TlsPolicy::mode_for(std::string_view domain) const {
  const TlsPolicyEntry* entry = find(domain);
  return entry != nullptr ? entry->mode : fallback_;
}

Result<TlsPolicy> parse_tls_policy(std::string_view text, std::string_view name, TlsMode fallback) {
  EntryCollector entries;
  DIRMAIL_TRY(config::for_each_table_line(text, name, kMaxTlsPolicyBytes, [&](std::string_view line, std::string origin) {
    return entries.add(line, std::move(origin));
  }));
  return TlsPolicy(entries.finish(), fallback);
}

Result<TlsPolicy> parse_tls_policy_list(const std::vector<std::string>& list, std::string_view name, TlsMode fallback) {
  EntryCollector entries;
  DIRMAIL_TRY(config::for_each_table_entry(list, name, [&](std::string_view line, std::string origin) {
    return entries.add(line, std::move(origin));
  }));
  return TlsPolicy(entries.finish(), fallback);
}

}  // namespace dirmail::delivery
