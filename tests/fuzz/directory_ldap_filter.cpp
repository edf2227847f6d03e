// Fuzzes the LDAP filter escaper (dirmail/directory/ldap_filter.hpp), the one gate for
// every untrusted value put into a search filter. Byte 0 picks the attribute; the rest
// is the value. Invariants: the escaped value is printable ASCII with no raw '*', '(',
// ')' and no '\' outside a \XX escape; it unescapes to the input; the whole filter has
// exactly one pair of parentheses and one '='-separated assertion.
#include <array>
#include <string>

#include "dirmail/directory/ldap_filter.hpp"
#include "fuzz_check.hpp"

namespace {

using namespace dirmail;

constexpr std::array<std::string_view, 4> kAttributes{"sAMAccountName", "mail", "userPrincipalName",
                                                      "1.2.840.113556.1.4.1941"};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view attribute = kAttributes[data[0] % kAttributes.size()];
  const std::string_view value = fuzz::as_view(data + 1, size - 1);

  const std::string escaped = directory::escape_filter_value(value);
  for (std::size_t i = 0; i < escaped.size(); ++i) {
    const char c = escaped[i];
    FUZZ_CHECK(c >= 0x20 && c <= 0x7e);
    FUZZ_CHECK(c != '*' && c != '(' && c != ')');
    if (c == '\\') {
      FUZZ_CHECK(i + 2 < escaped.size());  // every backslash starts a whole \XX escape
      i += 2;
    }
  }
  auto back = directory::unescape_filter_value(escaped);
  FUZZ_CHECK(back.ok());
  FUZZ_CHECK(*back == value);

  auto filter = directory::equality_filter(attribute, value);
  if (value.size() > directory::max_filter_value) {
    FUZZ_CHECK(!filter.ok());
    FUZZ_CHECK(filter.error().code == ErrorCode::limit_exceeded);
    return 0;
  }
  FUZZ_CHECK(filter.ok());
  const std::string& f = *filter;
  FUZZ_CHECK(f.front() == '(' && f.back() == ')');
  FUZZ_CHECK(f.find('(', 1) == std::string::npos && f.find(')') == f.size() - 1);
  FUZZ_CHECK(f.compare(1, attribute.size(), attribute) == 0 && f[attribute.size() + 1] == '=');
  FUZZ_CHECK(f.substr(attribute.size() + 2, f.size() - attribute.size() - 3) == escaped);
  return 0;
}
