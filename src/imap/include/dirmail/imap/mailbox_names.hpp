#pragma once
// Mailbox names as clients write them and as the store keeps them. On the wire a name
// is modified UTF-7 (mailbox_name_codec.hpp); the store gets UTF-8 with '/' between
// levels. INBOX is case-insensitive (RFC 3501 §5.1), also as the first level of a
// longer name ("inbox/x" is "INBOX/x"); every other name is compared as written.
#include <array>
#include <string>
#include <string_view>

#include "dirmail/base/result.hpp"

namespace dirmail::imap {

inline constexpr char hierarchy_delimiter = '/';
inline constexpr std::size_t max_mailbox_name = 1024;  // bytes of the UTF-8 name
inline constexpr std::size_t max_mailbox_depth = 32;   // levels

bool is_inbox(std::string_view name);

// LIST/LSUB (RFC 3501 §6.3.8): whether `name` matches the reference joined with the
// pattern; '*' matches anything, '%' anything but the hierarchy delimiter.
bool list_pattern_matches(std::string_view reference, std::string_view pattern, std::string_view name);

// Whether a UTF-8 name may name a folder: not empty, within the limits above, no
// empty level (no leading, trailing or doubled '/'), no ".." anywhere, no level ".",
// no '\', no wildcard ('*', '%'), no NUL or other control character (C0, DEL, C1).
// These keep every name inside the mailbox root whatever the store does with it.
Status check_folder_name(std::string_view utf8);

// A name from a client (modified UTF-7) as the store's UTF-8 folder name: decoded,
// checked, INBOX in upper case. invalid_argument with a message for the NO reply.
Result<std::string> folder_name_from_client(std::string_view wire);

// SPECIAL-USE (RFC 6154): the folders every mailbox gets (created at login when
// missing) and the attribute LIST gives them. Names are fixed (top level, this case).
struct SpecialUseFolder {
  std::string_view name;
  std::string_view attribute;
};
inline constexpr std::array<SpecialUseFolder, 4> special_use_folders{{
    {"Drafts", "\\Drafts"}, {"Junk", "\\Junk"}, {"Sent", "\\Sent"}, {"Trash", "\\Trash"},
}};
// The attribute of a folder name ("\Sent"), or empty.
std::string_view special_use_attribute(std::string_view folder);

}  // namespace dirmail::imap
