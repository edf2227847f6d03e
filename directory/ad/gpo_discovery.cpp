#include "dirmail/directory/gpo_discovery.hpp"

#include <cctype>
#include <charconv>

#include "dirmail/base/strings.hpp"
#include "dirmail/directory/gpo_security_filter.hpp"
#include "dirmail/directory/ldap_filter.hpp"

namespace dirmail::directory {
namespace {

constexpr std::size_t kMaxGpos = 10000;
constexpr int kSdFlagsDacl = 4;

std::uint32_t number(const std::string& text) {
  std::int64_t value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size()) return 0;
  return static_cast<std::uint32_t>(value);
}

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// The RDNs' start offsets in `dn`, splitting at commas that are not escaped.
std::vector<std::size_t> rdn_starts(const std::string& dn) {
  std::vector<std::size_t> starts{0};
  for (std::size_t i = 0; i < dn.size(); ++i) {
    if (dn[i] == '\\') {
      ++i;
    } else if (dn[i] == ',') {
      std::size_t next = i + 1;
      while (next < dn.size() && dn[next] == ' ') ++next;
      starts.push_back(next);
    }
  }
  return starts;
}

Result<LdapEntry> read_one(LdapConnection& connection, const std::string& dn, std::vector<std::string> attributes,
                           int sd_flags = 0) {
  LdapSearch search;
  search.base = dn;
  search.scope = LdapScope::base;
  search.attributes = std::move(attributes);
  search.page_size = 0;
  search.max_entries = 1;
  search.sd_flags = sd_flags;
  auto found = connection.search(search);
  if (!found) return std::move(found).error();
  if (found->empty()) return make_error(ErrorCode::not_found, connection.uri() + ": no entry " + escape_control(dn));
  return std::move(found->front());
}

}  // namespace

std::vector<std::string> containers_above(const std::string& dn, const std::string& base) {
  std::vector<std::string> out;
  const auto starts = rdn_starts(dn);
  // From the parent up; stop at the base.
  for (std::size_t i = 1; i < starts.size(); ++i) {
    std::string ancestor = dn.substr(starts[i]);
    if (ancestor.size() < base.size() || !iequals(ancestor.substr(ancestor.size() - base.size()), base)) break;
    out.insert(out.begin(), ancestor);
    if (ancestor.size() == base.size()) break;
  }
  return out;
}

Result<ComputerGroupPolicy> discover_group_policy(LdapConnection& connection, const std::string& base_dn,
                                                  const std::string& computer_account) {
  ComputerGroupPolicy result;
  auto root = connection.root_dse({"defaultNamingContext", "dnsHostName"});
  if (!root) return std::move(root).error();
  const std::string base = base_dn.empty() ? root->first("defaultNamingContext") : base_dn;
  result.dc_host = root->first("dnsHostName");
  if (base.empty() || result.dc_host.empty())
    return make_error(ErrorCode::permission_denied,
                      connection.uri() + ": the root DSE names no default naming context or host name");

  auto filter = equality_filter("sAMAccountName", computer_account);
  if (!filter) return std::move(filter).error();
  LdapSearch find;
  find.base = base;
  find.filter = "(&(objectCategory=computer)" + *filter + ")";
  find.attributes = {"objectSid"};
  find.page_size = 0;
  find.max_entries = 2;
  auto computers = connection.search(find);
  if (!computers) return std::move(computers).error();
  if (computers->size() != 1)
    return make_error(ErrorCode::not_found, connection.uri() + ": " +
                                                (computers->empty() ? "no computer account " : "more than one computer account ") +
                                                escape_control(computer_account) + " under " + escape_control(base));
  result.computer_dn = computers->front().dn;

  // The computer's token: its SID, its groups' (tokenGroups is computed, base scope only)
  // and the well-known groups every computer is in.
  auto groups = read_one(connection, result.computer_dn, {"objectSid", "tokenGroups"});
  if (!groups) return std::move(groups).error();
  std::vector<std::string> token{everyone_sid(), authenticated_users_sid()};
  for (const char* attribute : {"objectSid", "tokenGroups"}) {
    if (const auto* values = groups->values(attribute)) token.insert(token.end(), values->begin(), values->end());
  }

  for (const std::string& dn : containers_above(result.computer_dn, base)) {
    auto container = read_one(connection, dn, {"gPLink", "gPOptions"});
    if (!container) return std::move(container).error();
    result.chain.push_back(GpoContainerEntry{dn, container->first("gPLink"), number(container->first("gPOptions"))});
  }

  LdapSearch policies;
  policies.base = "CN=Policies,CN=System," + base;
  policies.scope = LdapScope::one_level;
  policies.filter = "(objectClass=groupPolicyContainer)";
  policies.attributes = {"cn", "displayName", "flags", "gPCFileSysPath", "nTSecurityDescriptor"};
  policies.max_entries = kMaxGpos;
  policies.sd_flags = kSdFlagsDacl;
  auto gpos = connection.search(policies);
  if (!gpos) return std::move(gpos).error();
  for (const LdapEntry& entry : *gpos) {
    GpoEntry gpo{entry.dn, upper(entry.first("cn")), entry.first("displayName"), number(entry.first("flags")),
                 entry.first("gPCFileSysPath")};
    if (const auto* descriptor = entry.values("nTSecurityDescriptor"); descriptor && !descriptor->empty()) {
      auto passes = may_apply_gpo(descriptor->front(), token);
      if (passes) gpo.passes_security_filter = *passes;
      else gpo.filter_problem = passes.error().message;
    } else {
      gpo.filter_problem = "nTSecurityDescriptor not readable";
    }
    result.gpos.push_back(std::move(gpo));
  }
  return result;
}

}  // namespace dirmail::directory
