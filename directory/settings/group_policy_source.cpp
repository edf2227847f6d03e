#include "dirmail/directory_settings/group_policy_source.hpp"

#include <algorithm>
#include <cctype>

#include "dirmail/base/strings.hpp"
#include "dirmail/config/gplink.hpp"
#include "dirmail/config/gpo_precedence.hpp"
#include "dirmail/config/host_names.hpp"
#include "dirmail/config/registry_pol.hpp"
#include "dirmail/directory/gpo_discovery.hpp"
#include "dirmail/directory/smb_file_reader.hpp"

namespace dirmail::directory {

bool group_policy_enabled(const config::Settings& s) {
  return s.policy_group_policy == "on" || (s.policy_group_policy == "auto" && s.directory_backend == "ad");
}

std::string group_policy_computer_account(const config::Settings& s) {
  if (!s.policy_computer_account.empty()) return s.policy_computer_account;
  const std::string& principal = s.directory_principal;
  if (const auto dollar = principal.find("$@"); dollar != std::string::npos && principal.find('/') == std::string::npos)
    return principal.substr(0, dollar + 1);
  std::string host = config::host_name(s);
  host = host.substr(0, host.find('.'));
  for (char& c : host) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return host + "$";
}

std::string unc_on_server(const std::string& unc_path, const std::string& server) {
  std::string_view rest = unc_path;
  while (!rest.empty() && rest.front() == '\\') rest.remove_prefix(1);
  const auto share = rest.find('\\');
  return "\\\\" + server + (share == std::string_view::npos ? "" : std::string(rest.substr(share)));
}

GroupPolicySource::GroupPolicySource(const config::Settings& s, LdapDirectory& ldap)
    : ldap_(ldap),
      computer_account_(group_policy_computer_account(s)),
      keytab_(s.directory_keytab),
      principal_(s.directory_principal),
      cache_file_(s.server_data_dir + "/group-policy.ccache") {}

Result<GroupPolicyFetch> GroupPolicySource::fetch() {
  ComputerGroupPolicy found;
  Status looked = ldap_.run_on_dc([&](LdapConnection& connection) -> Status {
    auto discovered = discover_group_policy(connection, ldap_.configured_base_dn(), computer_account_);
    if (!discovered) return std::move(discovered).error();
    found = std::move(*discovered);
    return ok_status();
  });
  if (!looked) return std::move(looked).error();

  std::vector<config::GpoContainer> chain;
  for (const GpoContainerEntry& container : found.chain) {
    auto links = config::parse_gplink(container.gplink);
    if (!links)
      return make_error(links.error().code,
                        "gPLink of " + escape_control(container.dn) + ": " + links.error().message);
    chain.push_back(config::GpoContainer{container.dn, std::move(*links), container.gp_options});
  }
  GroupPolicyFetch fetched;
  std::vector<config::GpoFacts> facts;
  for (const GpoEntry& gpo : found.gpos) {
    facts.push_back(config::GpoFacts{gpo.guid, gpo.display_name, gpo.flags, gpo.passes_security_filter});
    if (!gpo.filter_problem.empty())
      fetched.skipped.push_back("GPO \"" + gpo.display_name + "\" " + gpo.guid + ": security filter: " + gpo.filter_problem);
  }
  const auto order = config::gpos_in_application_order(chain, facts);
  if (order.empty()) return fetched;

  SmbReaderOptions smb;
  smb.keytab = keytab_;
  smb.principal = principal_;
  smb.cache_file = cache_file_;
  auto reader = SmbFileReader::open(smb);
  if (!reader) return std::move(reader).error();
  for (const config::ScheduledGpo& scheduled : order) {
    const auto gpo = std::find_if(found.gpos.begin(), found.gpos.end(),
                                  [&](const GpoEntry& g) { return g.guid == scheduled.guid; });
    const std::string path = unc_on_server(gpo->file_sys_path, found.dc_host) + "\\Machine\\Registry.pol";
    auto file = (*reader)->read(path, config::kMaxRegistryPolBytes);
    std::string bytes;
    if (file) {
      bytes = std::move(*file);
    } else if (file.error().code != ErrorCode::not_found) {  // no file: the GPO sets no registry value
      return make_error(file.error().code, "GPO \"" + scheduled.display_name + "\": " + file.error().message);
    }
    if (!bytes.empty()) {
      if (auto entries = config::read_registry_pol(bytes); !entries)
        return make_error(ErrorCode::invalid_argument, "GPO \"" + scheduled.display_name + "\": " +
                                                           escape_control(path) + " is damaged: " +
                                                           entries.error().message);
    }
    fetched.gpos.push_back(config::FetchedGpo{scheduled.display_name, std::move(bytes)});
  }
  return fetched;
}

}  // namespace dirmail::directory
