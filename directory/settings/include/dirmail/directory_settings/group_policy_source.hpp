#pragma once
// Group Policy for dirmaild: the GPOs that apply to this computer's account, each with
// its Machine\Registry.pol, fetched from the domain (directory/ad/gpo_discovery for the
// LDAP side, SmbFileReader for SYSVOL) in application order (config/gpo_precedence).
//
// SYSVOL is read from the DC that answered LDAP (its dnsHostName), in place of the
// domain name that gPCFileSysPath starts with, as a Windows client reaches SYSVOL
// through a DFS referral to its DC. The service keytab (directory.keytab,
// directory.principal) authenticates both.
#include <memory>
#include <string>
#include <vector>

#include "dirmail/base/result.hpp"
#include "dirmail/config/policy_state.hpp"
#include "dirmail/config/settings.hpp"
#include "dirmail/directory/ldap_directory.hpp"

namespace dirmail::directory {

// policy.group_policy: on, or auto with the ad backend.
bool group_policy_enabled(const config::Settings& settings);

// policy.computer_account, or the name worked out as that setting describes.
std::string group_policy_computer_account(const config::Settings& settings);

struct GroupPolicyFetch {
  std::vector<config::FetchedGpo> gpos;  // lowest precedence first
  std::vector<std::string> skipped;      // GPOs linked but not applied, and why (for the log)
};

class GroupPolicySource {
 public:
  // `ldap`: the running ad backend (its DC pool); must outlive this object.
  GroupPolicySource(const config::Settings& settings, LdapDirectory& ldap);

  // Blocking (LDAP and SMB round trips). An error when the DC or SYSVOL cannot be read,
  // or when a GPO's Registry.pol is damaged (naming the GPO and the file): the caller
  // keeps the policy it has.
  Result<GroupPolicyFetch> fetch();

 private:
  LdapDirectory& ldap_;
  std::string computer_account_;
  std::string keytab_, principal_, cache_file_;
};

// "\\dc1.corp.example.test\SysVol\..." for "\\corp.example.test\SysVol\..." and the DC.
std::string unc_on_server(const std::string& unc_path, const std::string& server);

}  // namespace dirmail::directory
