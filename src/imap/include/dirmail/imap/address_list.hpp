#pragma once
// Address lists of header fields (RFC 5322 §3.4) as ENVELOPE wants them: each mailbox
// as name, route, mailbox and host; groups as a start marker (host NIL, mailbox = the
// group's name) and an end marker (all NIL). Lenient: what cannot be understood is
// skipped, never an error.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dirmail::imap {

inline constexpr std::size_t max_addresses = 200;
inline constexpr std::size_t max_comment_depth = 8;

struct Address {
  std::optional<std::string> name;     // display name, or a comment after a bare address
  std::optional<std::string> route;    // obsolete source route "@a,@b"
  std::optional<std::string> mailbox;  // local part, or the group name
  std::optional<std::string> host;     // domain; nullopt marks a group
};

std::vector<Address> parse_address_list(std::string_view value);

}  // namespace dirmail::imap
