// Fuzzes the directory's name rules (mail_names.hpp): account names, domains,
// addresses and logins. Every accepted name is canonical (lower case), canonicalising
// it again changes nothing, and none can act as a path trick; every refusal message
// is printable ASCII (it quotes the hostile input into logs).
#include <string>

#include "dirmail/base/strings.hpp"
#include "dirmail/directory/mail_names.hpp"
#include "fuzz_check.hpp"

namespace {

using namespace dirmail;
using namespace dirmail::directory;

bool printable_ascii(std::string_view s) {
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7f) return false;
  }
  return true;
}

template <typename T>
bool refused_cleanly(const Result<T>& r) {
  return !r.ok() && r.error().code == ErrorCode::invalid_argument && printable_ascii(r.error().message) &&
         r.error().message.size() < 200;
}

void check_account_name(std::string_view input, const std::string& name) {
  FUZZ_CHECK(name == to_lower(input));
  FUZZ_CHECK(!name.empty() && name.size() <= max_account_name_length);
  FUZZ_CHECK(name.front() != '.');  // so neither "." nor ".."
  for (char c : name)
    FUZZ_CHECK((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-');
  auto again = canonical_account_name(name);
  FUZZ_CHECK(again.ok() && *again == name);
}

void check_domain(std::string_view input, const std::string& domain) {
  FUZZ_CHECK(domain == to_lower(input));
  FUZZ_CHECK(!domain.empty() && domain.size() <= max_domain_length);
  for (auto label : split(domain, '.')) {
    FUZZ_CHECK(!label.empty() && label.size() <= 63);
    FUZZ_CHECK(label.front() != '-' && label.back() != '-');
    for (char c : label) FUZZ_CHECK((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-');
  }
  auto again = canonical_domain(domain);
  FUZZ_CHECK(again.ok() && *again == domain);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input = fuzz::as_view(data, size);

  auto name = canonical_account_name(input);
  if (name) check_account_name(input, *name);
  else FUZZ_CHECK(refused_cleanly(name));

  auto domain = canonical_domain(input);
  if (domain) check_domain(input, *domain);
  else FUZZ_CHECK(refused_cleanly(domain));

  auto address = split_address(input);
  if (address) {
    FUZZ_CHECK(input.size() <= max_address_length);
    FUZZ_CHECK(!address->local_part.empty() && address->local_part.size() <= max_local_part_length);
    FUZZ_CHECK(!address->domain.empty() && address->domain.find('@') == std::string::npos);
    for (char c : address->local_part + address->domain) {
      auto u = static_cast<unsigned char>(c);
      FUZZ_CHECK(u > 0x20 && u != 0x7f && !(c >= 'A' && c <= 'Z'));
    }
    FUZZ_CHECK(address->local_part + "@" + address->domain == to_lower(input));
    auto again = split_address(address->local_part + "@" + address->domain);
    FUZZ_CHECK(again.ok() && again->local_part == address->local_part && again->domain == address->domain);
  } else {
    FUZZ_CHECK(refused_cleanly(address));
  }

  auto login = parse_login(input);
  if (login) {
    const auto at = input.rfind('@');
    check_account_name(input.substr(0, at), login->name);
    if (at == std::string_view::npos) {
      FUZZ_CHECK(login->domain.empty());
    } else {
      check_domain(input.substr(at + 1), login->domain);
    }
    const std::string written = login->domain.empty() ? login->name : login->name + "@" + login->domain;
    FUZZ_CHECK(written == to_lower(input));
    auto again = parse_login(written);
    FUZZ_CHECK(again.ok() && again->name == login->name && again->domain == login->domain);
  } else {
    FUZZ_CHECK(refused_cleanly(login));
  }
  return 0;
}
