#include "dirmail/migration/account_target.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "dirmail/base/strings.hpp"

namespace dirmail::migration {
namespace {

constexpr std::size_t max_shown_bytes = 128;

// A value for the report: control characters escaped, long values cut at a whole
// character.
std::string shown(std::string_view s) {
  std::size_t cut = std::min(s.size(), max_shown_bytes);
  while (cut < s.size() && cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  return fmt::format("'{}{}'", escape_control(s.substr(0, cut)), cut < s.size() ? "..." : "");
}

bool has_domain(const TargetAccount& existing, std::string_view domain) {
  return std::any_of(existing.domains.begin(), existing.domains.end(),
                     [&](const std::string& d) { return domain_key(d) == domain_key(domain); });
}

// Blank in the file: the user belongs to no mail domain (spec §16), so any domain
// group differs; otherwise membership of that domain's group is what counts (a user
// in two groups is the directory's warning, not the importer's conflict).
bool domain_matches(const TargetAccount& existing, const SoftAccount& row) {
  return row.domain.empty() ? existing.domains.empty() : has_domain(existing, row.domain);
}

// Windows paths ignore the case of ASCII letters.
bool home_matches(const TargetAccount& existing, const SoftAccount& row) {
  return iequals(existing.home_folder, row.home_folder);
}

std::string domains_text(const std::vector<std::string>& domains) {
  if (domains.empty()) return "none";
  std::string out;
  for (const std::string& d : domains) out += (out.empty() ? "" : ", ") + shown(d);
  return out;
}

}  // namespace

std::string_view to_string(TargetFailureKind kind) {
  switch (kind) {
    case TargetFailureKind::password_policy: return "password policy";
    case TargetFailureKind::already_exists: return "already exists";
    case TargetFailureKind::refused: return "refused";
    case TargetFailureKind::permission: return "permission denied";
    case TargetFailureKind::unavailable: return "unavailable";
    case TargetFailureKind::other: return "other";
  }
  return "other";
}

bool target_matches(const TargetAccount& existing, const SoftAccount& row) {
  return existing.display_name == row.full_name && home_matches(existing, row) && domain_matches(existing, row) &&
         existing.mail_user;
}

std::string describe_differences(const TargetAccount& existing, const SoftAccount& row) {
  std::vector<std::string> parts;
  if (existing.display_name != row.full_name)
    parts.push_back(fmt::format("full name {} in the directory, {} in the file", shown(existing.display_name),
                                shown(row.full_name)));
  if (!home_matches(existing, row))
    parts.push_back(fmt::format("home folder {} in the directory, {} in the file", shown(existing.home_folder),
                                shown(row.home_folder)));
  if (!domain_matches(existing, row))
    parts.push_back(fmt::format("mail domain {} in the directory, {} in the file", domains_text(existing.domains),
                                row.domain.empty() ? std::string("none") : shown(row.domain)));
  if (!existing.mail_user) parts.push_back("not a member of the mail users group");
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : "; ") + p;
  return out;
}

}  // namespace dirmail::migration
