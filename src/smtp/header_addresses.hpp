#pragma once
// The addresses of an address header field such as From: (RFC 5322 §3.4), enough to
// check who a message claims to be from: "Name <a@b>", "a@b", "a@b (comment)",
// groups and lists. Not a full RFC 5322 parser: quoted display names and comments
// are skipped, obsolete forms are not supported. Lower case; at most max_addresses.
#include <string>
#include <string_view>
#include <vector>

namespace dirmail::smtp {

inline constexpr std::size_t max_header_addresses = 100;

std::vector<std::string> header_addresses(std::string_view value);

}  // namespace dirmail::smtp
