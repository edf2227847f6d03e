#pragma once
// Mailbox names as clients write them. In this milestone only INBOX exists; its name
// is case-insensitive (RFC 3501 §5.1), every other name is compared as written.
#include <string_view>

namespace dirmail::imap {

inline constexpr char hierarchy_delimiter = '/';

bool is_inbox(std::string_view name);

// LIST/LSUB (RFC 3501 §6.3.8): whether `name` matches the reference joined with the
// pattern; '*' matches anything, '%' anything but the hierarchy delimiter.
bool list_pattern_matches(std::string_view reference, std::string_view pattern, std::string_view name);

}  // namespace dirmail::imap
