#pragma once
// Recipients at an address literal (RFC 5321 §4.1.3), "user@[192.0.2.1]" or
// "user@[IPv6:2001:db8::1]": the mail goes to that address itself, without DNS.
#include <optional>
#include <string_view>

#include "dirmail/base/result.hpp"
#include "dirmail/delivery/mail_route.hpp"

namespace dirmail::delivery {

// nullopt when `domain` is not a literal (does not start with '['); otherwise the route
// to its address, or invalid_argument for a literal that is not an IPv4 or IPv6 address
// (a general address literal of another tag cannot be delivered).
std::optional<Result<MailRoute>> address_literal_route(std::string_view domain);

}  // namespace dirmail::delivery
