#pragma once
// A new Message-ID (RFC 5322 §3.6.4): "<unixtime.96-bit-random-hex@hostname>".
#include <string>
#include <string_view>

namespace dirmail {

std::string new_message_id(std::string_view hostname);

}  // namespace dirmail
