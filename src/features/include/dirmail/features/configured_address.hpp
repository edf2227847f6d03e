#pragma once
// Addresses written by administrators and users (alias tables, journal settings,
// IMS.CTL forward targets): a plain user@domain, checked before it can route mail.
#include <string>
#include <string_view>

namespace dirmail::features {

// Why `address` is not a plain user@domain: "" when it is. Refused: more than 254
// bytes, no local part or domain, more than one '@', spaces and control characters,
// '<', '>', ',', '"', invalid UTF-8, and '*' unless `star_local_part` allows it as the
// whole local part ("*@example.com", an alias wildcard).
std::string configured_address_problem(std::string_view address, bool star_local_part = false);

}  // namespace dirmail::features
