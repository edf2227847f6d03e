// Fuzzes the mapping of a directory entry to an Account (dirmail/directory/
// user_entry_mapping.hpp): what any LDAP server or AD DC returns is untrusted. The
// input is the entry: line 1 the DN, then "attribute:value" lines. Byte 0 picks the
// schema (AD or generic LDAP), whether the user is a mail user and whether a mailbox
// limit attribute is read. Invariants: a mapped account has a canonical name, a domain
// from the configured list, addresses of the form local@domain in lower case, a limit
// only from that attribute; DN helpers never read past their limit.
#include <string>

#include "dirmail/directory/account_policy.hpp"
#include "dirmail/directory/mail_names.hpp"
#include "dirmail/directory/user_entry_mapping.hpp"
#include "fuzz_check.hpp"

using namespace dirmail;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input = fuzz::as_view(data, size);
  std::uint8_t control = fuzz::take_byte(input);
  directory::LdapEntry entry;
  bool first = true;
  while (!input.empty()) {
    auto nl = input.find('\n');
    std::string_view line = input.substr(0, nl);
    input.remove_prefix(nl == std::string_view::npos ? input.size() : nl + 1);
    if (first) {
      entry.dn = std::string(line);
      first = false;
      continue;
    }
    auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string name(line.substr(0, colon));
    std::string value(line.substr(colon + 1));
    bool added = false;
    for (auto& [n, values] : entry.attributes)
      if (n == name) {
        values.push_back(value);
        added = true;
      }
    if (!added) entry.attributes.push_back({name, {value}});
  }
  auto schema = (control & 1) ? directory::DirectorySchema::generic_ldap() : directory::DirectorySchema::active_directory();
  if (control & 4) schema.mailbox_limit_attribute = "mailboxLimit";
  directory::MappingContext context;
  context.mail_domains = {"example.test", "other.test"};
  context.is_mail_user = (control & 2) != 0;
  context.now_filetime = 133000000000000000;

  auto rdn = directory::first_rdn_value(entry.dn);
  if (rdn) FUZZ_CHECK(!rdn->empty());
  FUZZ_CHECK(directory::same_dn(entry.dn, entry.dn) == (entry.dn.size() <= directory::max_dn_length));

  auto mapped = directory::map_user_entry(entry, schema, context);
  if (!mapped) return 0;
  const auto& account = mapped->account;
  auto canonical = directory::canonical_account_name(account.name);
  FUZZ_CHECK(canonical.ok() && *canonical == account.name);
  FUZZ_CHECK(account.domain == "example.test" || account.domain == "other.test");
  FUZZ_CHECK(account.addresses.size() <= directory::max_mapped_values);
  FUZZ_CHECK(schema.mailbox_limit_attribute.empty() ? account.mailbox_limit == 0 : account.mailbox_limit < (1ull << 63));
  for (const auto& address : account.addresses) {
    FUZZ_CHECK(directory::split_address(address).ok());
    for (char c : address.substr(address.rfind('@'))) FUZZ_CHECK(!(c >= 'A' && c <= 'Z'));
  }
  FUZZ_CHECK(context.is_mail_user || account.state == directory::AccountState::not_mail_user);
  directory::Account applied = account;
  directory::apply_state_policy(applied, {});
  if (applied.state == directory::AccountState::not_mail_user) FUZZ_CHECK(!applied.may_log_in && !applied.may_receive);
  return 0;
}
