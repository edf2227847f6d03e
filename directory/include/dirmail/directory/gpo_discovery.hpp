#pragma once
// What the directory says about the Group Policy of one computer: its object (found by
// sAMAccountName), the gPLink and gPOptions of the domain and of each container down to
// the computer's, and every GPO container of the domain (CN=Policies,CN=System) with
// its flags, display name, SYSVOL path and whether the computer passes its security
// filter (gpo_security_filter.hpp, with the computer's objectSid and tokenGroups).
// Blocking LDAP round trips: call from a thread that may block.
#include <cstdint>
#include <string>
#include <vector>

#include "dirmail/base/result.hpp"
#include "dirmail/directory/ldap_connection.hpp"

namespace dirmail::directory {

struct GpoContainerEntry {
  std::string dn;
  std::string gplink;  // the raw attribute ("" when absent)
  std::uint32_t gp_options = 0;
};

struct GpoEntry {
  std::string dn;
  std::string guid;  // the cn, upper case: "{31B2F340-016D-11D2-945F-00C04FB984F9}"
  std::string display_name;
  std::uint32_t flags = 0;
  std::string file_sys_path;  // gPCFileSysPath: \\corp.example.test\SysVol\corp.example.test\Policies\{GUID}
  bool passes_security_filter = false;
  std::string filter_problem;  // why the descriptor could not be evaluated, if it could not
};

struct ComputerGroupPolicy {
  std::string computer_dn;
  std::string dc_host;                     // the root DSE's dnsHostName: where SYSVOL is read
  std::vector<GpoContainerEntry> chain;    // the domain first, down to the computer's container
  std::vector<GpoEntry> gpos;
};

// `base_dn` empty: the root DSE's default naming context. not_found when no computer
// has the sAMAccountName `computer_account` ("MAIL1$").
Result<ComputerGroupPolicy> discover_group_policy(LdapConnection& connection, const std::string& base_dn,
                                                  const std::string& computer_account);

// The DNs from `base` down to the parent of `dn` (which must end with `base`), e.g.
// "CN=m,OU=a,OU=b,DC=x" and "DC=x" give {"DC=x", "OU=b,DC=x", "OU=a,OU=b,DC=x"}.
// Escaped commas ("\,") do not split.
std::vector<std::string> containers_above(const std::string& dn, const std::string& base);

}  // namespace dirmail::directory
