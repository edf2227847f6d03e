#pragma once
// The words dirmail writes into keepalived.conf from settings and paths. keepalived's
// parser splits on blanks, takes '#' and '!' as comments and has its own quoting, so a
// value that could change the file's meaning is refused, never "escaped" into it.
#include <string>
#include <string_view>
#include <vector>

#include "dirmail/base/result.hpp"

namespace dirmail::cluster {

// A Linux interface name (1..15 bytes; no blank, '/', ':', quote, comment or control
// character) that keepalived reads back as the same single word.
Status check_interface_name(std::string_view name);

// A command line for "script", "notify_master" and the like: the argv words joined in
// one double-quoted string, a word with blanks in single quotes. Words with quotes,
// backslashes or control characters are refused (keepalived would read them otherwise).
Result<std::string> quoted_command(const std::vector<std::string>& argv);

}  // namespace dirmail::cluster
