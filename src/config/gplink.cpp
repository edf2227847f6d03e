#include "dirmail/config/gplink.hpp"

#include <algorithm>
#include <cctype>

#include "dirmail/base/strings.hpp"

namespace dirmail::config {
namespace {

constexpr std::string_view kScheme = "LDAP://";

Error malformed(std::size_t offset, std::string_view why) {
  return make_error(ErrorCode::invalid_argument, "gPLink byte " + std::to_string(offset) + ": " + std::string(why));
}

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// "{8-4-4-4-12 hex digits}" in upper case, or "" when `text` is not one.
std::string canonical_guid(std::string_view text) {
  if (text.size() != 38 || text.front() != '{' || text.back() != '}') return "";
  std::string guid;
  guid.reserve(38);
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const bool dash = i == 9 || i == 14 || i == 19 || i == 24;
    if (i == 0 || i == 37) {
      guid += c;
    } else if (dash) {
      if (c != '-') return "";
      guid += c;
    } else {
      if (!std::isxdigit(static_cast<unsigned char>(c))) return "";
      guid += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
  }
  return guid;
}

// One "LDAP://DN;options" link (without the brackets); `offset` is where it starts.
Result<GpoLink> parse_link(std::string_view text, std::size_t offset) {
  if (!istarts_with(text, kScheme)) return malformed(offset, "a link must start with \"LDAP://\"");
  const std::size_t semicolon = text.rfind(';');
  if (semicolon == std::string_view::npos) return malformed(offset, "a link has no ';' before its options");
  std::string_view dn = text.substr(kScheme.size(), semicolon - kScheme.size());
  // "LDAP://server/DN" names the server too; the DN is what matters.
  if (!istarts_with(dn, "cn=")) {
    const std::size_t slash = dn.find('/');
    if (slash != std::string_view::npos) dn.remove_prefix(slash + 1);
  }
  if (!istarts_with(dn, "cn={")) return malformed(offset + kScheme.size(), "the DN does not start with cn={GUID}");
  const std::size_t comma = dn.find(',');
  const std::string guid = canonical_guid(dn.substr(3, comma == std::string_view::npos ? dn.npos : comma - 3));
  if (guid.empty()) return malformed(offset + kScheme.size(), "the DN does not start with cn={GUID}");
  if (comma == std::string_view::npos) return malformed(offset + kScheme.size(), "the DN has only the GPO's name");
  const auto options = parse_decimal(text.substr(semicolon + 1), 10);
  if (!options || *options > 0xFFFFFFFFu) {
    return malformed(offset + semicolon + 1, "the link options are not a 32-bit decimal number");
  }
  GpoLink link;
  link.gpo_dn = std::string(dn);
  link.guid = guid;
  link.disabled = (*options & kGpLinkDisabled) != 0;
  link.enforced = (*options & kGpLinkEnforced) != 0;
  return link;
}

}  // namespace

Result<std::vector<GpoLink>> parse_gplink(std::string_view attribute) {
  if (attribute.size() > kMaxGpLinkBytes) {
    return make_error(ErrorCode::limit_exceeded, "gPLink is longer than " + std::to_string(kMaxGpLinkBytes) + " bytes");
  }
  std::vector<GpoLink> links;
  std::size_t pos = 0;
  while (true) {
    while (pos < attribute.size() && is_blank(attribute[pos])) ++pos;
    if (pos == attribute.size()) break;
    if (attribute[pos] != '[') return malformed(pos, "expected '[' to open a link");
    const std::size_t close = attribute.find(']', pos);
    if (close == std::string_view::npos) return malformed(pos, "a link has no closing ']'");
    const std::string_view inside = attribute.substr(pos + 1, close - pos - 1);
    if (inside.find('[') != std::string_view::npos) return malformed(pos, "a link has no closing ']'");
    // "[ ]": an empty placeholder some tools leave.
    if (std::all_of(inside.begin(), inside.end(), is_blank)) {
      pos = close + 1;
      continue;
    }
    if (links.size() == kMaxGpLinks) {
      return make_error(ErrorCode::limit_exceeded, "gPLink has more than " + std::to_string(kMaxGpLinks) + " links");
    }
    auto link = parse_link(inside, pos + 1);
    if (!link) return std::move(link).error();
    links.push_back(std::move(*link));
    pos = close + 1;
  }
  std::reverse(links.begin(), links.end());
  return links;
}

std::string format_gplink(const std::vector<GpoLink>& links) {
  std::string out;
  for (auto it = links.rbegin(); it != links.rend(); ++it) {
    const std::uint32_t options = (it->disabled ? kGpLinkDisabled : 0) | (it->enforced ? kGpLinkEnforced : 0);
    out += "[LDAP://" + it->gpo_dn + ";" + std::to_string(options) + "]";
  }
  return out;
}

}  // namespace dirmail::config
