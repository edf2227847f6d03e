#pragma once
// Base64 (RFC 4648 §4) for SASL exchanges: strict decoding, no line breaks.
#include <string>
#include <string_view>

#include "dirmail/base/result.hpp"

namespace dirmail {

std::string base64_encode(std::string_view data);
// invalid_argument for characters outside the alphabet, bad padding or length.
Result<std::string> base64_decode(std::string_view text);

}  // namespace dirmail
