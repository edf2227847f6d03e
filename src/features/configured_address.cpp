#include "dirmail/features/configured_address.hpp"

#include "dirmail/base/strings.hpp"

namespace dirmail::features {

std::string configured_address_problem(std::string_view address, bool star_local_part) {
  if (address.size() > 254) return "longer than 254 characters";
  const auto at = address.rfind('@');
  if (at == std::string_view::npos || at + 1 == address.size()) return "has no domain";
  if (at == 0) return "has no local part";
  const std::string_view local = address.substr(0, at);
  if (local.find('@') != std::string_view::npos) return "has two @";
  for (char c : address) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 32 || u == 127 || c == '<' || c == '>' || c == ',' || c == '"')
      return "contains a character not allowed in an address";
  }
  if (!valid_utf8(address)) return "is not valid UTF-8";
  const bool star_in_local = local.find('*') != std::string_view::npos;
  if (address.substr(at + 1).find('*') != std::string_view::npos || (star_in_local && !(star_local_part && local == "*")))
    return star_local_part ? "uses * other than as the whole local part" : "contains *";
  return {};
}

}  // namespace dirmail::features
