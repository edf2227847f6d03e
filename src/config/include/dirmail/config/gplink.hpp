#pragma once
// The gPLink attribute of a domain, OU or site: the GPOs linked there, e.g.
//   [LDAP://cn={31B2F340-016D-11D2-945F-00C04FB984F9},cn=policies,cn=system,DC=example,DC=com;0]
// one bracketed link after another. The options are bit 0: link disabled, bit 1: link
// enforced ("No Override"). The last link in the string has link order 1 (it wins within
// its container): Group Policy Management puts a new link, which gets the largest link
// order number, in front.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "dirmail/base/result.hpp"

namespace dirmail::config {

inline constexpr std::size_t kMaxGpLinkBytes = 64 * 1024;
inline constexpr std::size_t kMaxGpLinks = 1000;
inline constexpr std::uint32_t kGpLinkDisabled = 1;
inline constexpr std::uint32_t kGpLinkEnforced = 2;

struct GpoLink {
  std::string gpo_dn;  // the GPO container's DN, without "LDAP://"
  std::string guid;    // "{31B2F340-016D-11D2-945F-00C04FB984F9}", upper case
  bool disabled = false;
  bool enforced = false;

  bool operator==(const GpoLink&) const = default;
};

// The links in link order: [0] has link order 1. An empty or blank attribute (what
// Group Policy Management leaves after the last link is removed) has no links.
// invalid_argument, naming the byte offset, when a link is malformed; limit_exceeded past
// kMaxGpLinkBytes or kMaxGpLinks.
Result<std::vector<GpoLink>> parse_gplink(std::string_view attribute);

// The attribute holding `links` (in link order), as parse_gplink() reads it back.
std::string format_gplink(const std::vector<GpoLink>& links);

}  // namespace dirmail::config
