// dirmailctl kerberos check: the keytab doctor for the service keytab the
// active/standby pair shares. Gathers the facts (the keytab, AD's view of each SPN
// over the configured directory connection, the DC's clock, DNS, GSSAPI) and prints
// auth::keytab_check's verdict on each, one line apiece, with the fixing command on
// failure. Exit status 1 when any check failed.
#include <unistd.h>

#include <charconv>
#include <chrono>
#include <iostream>
#include <map>
#include <optional>

#include "commands.hpp"
#include "dirmail/auth/keytab_check.hpp"
#include "dirmail/auth/keytab_probe.hpp"
#include "dirmail/base/strings.hpp"
#include "dirmail/config/settings.hpp"
#include "dirmail/directory/dc_pool.hpp"
#include "dirmail/directory/ldap_filter.hpp"
#include "dirmail/directory_settings/directory_from_settings.hpp"

namespace dirmail::ctl {
namespace {

using auth::CheckLevel;
using auth::CheckLine;

constexpr const char* kerberos_usage =
    "usage: dirmailctl kerberos check [--host NAME] [--keytab FILE] [--kinit USER]\n"
    "  --host NAME    the service host name (the VIP's FQDN); default server.hostname\n"
    "  --keytab FILE  the keytab to check; default auth.keytab, else directory.keytab\n"
    "  --kinit USER   also get a ticket as USER (password on stdin) for each service and accept it\n";

struct CheckOptions {
  std::string host;
  std::string keytab;
  std::string kinit_user;
};

// What AD said: the DC asked, its clock, and the accounts holding each SPN.
struct DirectoryFacts {
  std::string dc;
  std::string current_time;
  std::chrono::system_clock::time_point local_time;
  std::map<std::string, std::vector<auth::SpnOwner>> owners;  // by SPN
};

std::string to_upper(std::string text) {
  for (auto& c : text)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return text;
}

std::optional<std::uint32_t> number(const std::string& text) {
  std::uint32_t v = 0;
  // msDS-SupportedEncryptionTypes is a signed 32-bit integer in LDAP.
  if (!text.empty() && text[0] == '-') {
    std::int32_t s = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), s);
    if (ec != std::errc() || p != text.data() + text.size()) return std::nullopt;
    return static_cast<std::uint32_t>(s);
  }
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || p != text.data() + text.size()) return std::nullopt;
  return v;
}

// "ldaps://dc1.corp.example.test:636" -> "dc1.corp.example.test"
std::string host_of_uri(const std::string& uri) {
  std::string h = uri;
  if (auto p = h.find("://"); p != std::string::npos) h = h.substr(p + 3);
  if (auto p = h.find('/'); p != std::string::npos) h = h.substr(0, p);
  if (!h.empty() && h[0] == '[') return h.substr(1, h.find(']') - 1);
  if (auto p = h.rfind(':'); p != std::string::npos) h = h.substr(0, p);
  return h;
}

Result<DirectoryFacts> ask_directory(const config::Settings& settings, const std::vector<std::string>& spns) {
  auto options = directory::ldap_directory_options(settings);
  if (!options) return std::move(options).error();
  std::string base_dn = options->base_dn;
  directory::DcPool pool(options->servers);
  DirectoryFacts facts;
  Status asked = pool.run([&](directory::LdapConnection& c) -> Status {
    facts = DirectoryFacts{};
    auto root = c.root_dse({"currentTime", "defaultNamingContext"});
    if (!root) return std::move(root).error();
    facts.local_time = std::chrono::system_clock::now();
    facts.current_time = root->first("currentTime");
    facts.dc = host_of_uri(c.uri());
    std::string base = base_dn.empty() ? root->first("defaultNamingContext") : base_dn;
    for (const auto& spn : spns) {
      auto filter = directory::equality_filter("servicePrincipalName", spn);
      if (!filter) return std::move(filter).error();
      directory::LdapSearch search;
      search.base = base;
      search.filter = *filter;
      search.attributes = {"sAMAccountName", "msDS-KeyVersionNumber", "msDS-SupportedEncryptionTypes"};
      search.max_entries = 100;
      auto found = c.search(search);
      if (!found) return std::move(found).error();
      auto& owners = facts.owners[spn];
      for (const auto& e : *found)
        owners.push_back({e.dn, e.first("sAMAccountName"), number(e.first("msDS-KeyVersionNumber")),
                          e.values("msDS-SupportedEncryptionTypes")
                              ? number(e.first("msDS-SupportedEncryptionTypes"))
                              : std::nullopt});
    }
    return ok_status();
  });
  pool.stop();
  if (!asked) return std::move(asked).error();
  return facts;
}

// The account the SPNs belong on, for the fix commands: the one holding most of them
// in AD, else the keytab's user principal (svc-mail@REALM).
std::string service_account(const DirectoryFacts* facts, const std::vector<auth::KeytabEntry>& entries) {
  if (facts) {
    std::map<std::string, int> count;
    for (const auto& [spn, owners] : facts->owners)
      if (owners.size() == 1) ++count[owners.front().sam_account_name];
    std::string best;
    int most = 0;
    for (const auto& [name, n] : count)
      if (n > most) best = name, most = n;
    if (!best.empty()) return best;
  }
  for (const auto& e : entries) {
    auto at = e.principal.find('@');
    std::string name = e.principal.substr(0, at);
    if (name.find('/') == std::string::npos) return name;
  }
  return {};
}

int run_check(const config::Settings& settings, const CheckOptions& o, std::ostream& out) {
  std::vector<CheckLine> lines;
  auto emit = [&](CheckLine l) {
    out << auth::format_check_line(l) << "\n" << std::flush;
    lines.push_back(std::move(l));
  };

  std::string realm = to_upper(settings.directory_realm);
  if (realm.empty())
    emit({CheckLevel::fail, "realm", "directory.realm is not set", "set directory.realm to the AD domain's DNS name"});
  std::string keytab = !o.keytab.empty() ? o.keytab
                       : !settings.auth_keytab.empty() ? settings.auth_keytab
                                                       : settings.directory_keytab;
  std::string host = !o.host.empty() ? o.host : settings.server_hostname;
  if (host.empty()) {
    char name[256] = {};
    if (::gethostname(name, sizeof name - 1) == 0) host = name;
  }

  // 1, 2: the file and the principals in it.
  auto contents = auth::read_keytab(keytab);
  emit(auth::check_keytab_file(contents.file));
  std::vector<std::string> spns;
  for (auto service : auth::mail_services) spns.push_back(auth::service_principal_name(service, host));

  // 3, 4, 5: AD's side, over the configured directory connection.
  std::optional<DirectoryFacts> facts;
  if (settings.directory_backend != "ad") {
    emit({CheckLevel::warn, "directory",
          "directory.backend is \"" + settings.directory_backend + "\": SPN, KVNO, enctype and clock checks need AD",
          "set directory.backend = \"ad\""});
  } else if (auto asked = ask_directory(settings, spns); !asked) {
    emit({CheckLevel::fail, "directory", "cannot ask AD: " + asked.error().message,
          "check the directory settings: dirmailctl directory status --probe"});
  } else {
    facts = std::move(*asked);
  }
  auth::KeytabCheckTarget target{keytab, realm, service_account(facts ? &*facts : nullptr, contents.entries)};

  for (const auto& spn : spns) {
    CheckLine in_keytab = auth::check_principal_in_keytab(contents.entries, spn, target);
    bool present = in_keytab.level == CheckLevel::ok;
    emit(std::move(in_keytab));
    if (!facts) continue;
    const auto& owners = facts->owners[spn];
    emit(auth::check_spn_owner(spn, owners, target));
    if (owners.size() != 1 || !present) continue;
    emit(auth::check_kvno(contents.entries, spn, owners.front(), target));
    emit(auth::check_enctypes(contents.entries, spn, owners.front(), target));
  }
  if (facts) {
    auto dc_time = auth::parse_generalized_time(facts->current_time);
    if (!dc_time)
      emit({CheckLevel::warn, "clock",
            facts->dc + " sent no usable currentTime (\"" + facts->current_time + "\"): " + dc_time.error().message,
            ""});
    else
      emit(auth::check_clock_skew(*dc_time, facts->local_time, facts->dc));
  }

  // 6: DNS of the service name.
  emit(auth::check_dns(auth::resolve_forward_and_reverse(host)));

  // 7: GSSAPI can accept as each principal the keytab holds.
  for (const auto& spn : spns) {
    std::string principal = spn + "@" + realm;
    bool present = false;
    for (const auto& e : contents.entries) present = present || iequals(e.principal, principal);
    if (!present || realm.empty()) continue;
    if (auto acquired = auth::acquire_acceptor_credentials(keytab, principal); acquired)
      emit({CheckLevel::ok, "acceptor " + principal, "GSSAPI acceptor credentials from " + keytab, ""});
    else
      emit({CheckLevel::fail, "acceptor " + principal, acquired.error().message,
            "samba-tool domain exportkeytab " + keytab + " --principal=" + principal});
  }
  if (!o.kinit_user.empty()) {
    std::string password;
    std::getline(std::cin, password);
    for (const auto& spn : spns) {
      std::string principal = spn + "@" + realm;
      auto round = auth::service_ticket_round_trip(o.kinit_user, password, realm, principal, keytab);
      using Step = auth::TicketRoundTrip::Step;
      if (round.failed_at == Step::user_login) {
        // The user's logon failed: nothing is known about the service keys.
        emit({CheckLevel::fail, "kinit " + o.kinit_user, round.message,
              "check the user's password and account (kinit " + o.kinit_user + ")"});
        break;
      }
      if (round.ok())
        emit({CheckLevel::ok, "ticket " + principal,
              "a ticket for " + o.kinit_user + " was issued by the KDC and accepted with " + keytab, ""});
      else if (round.failed_at == Step::service_ticket)
        emit({CheckLevel::fail, "ticket " + principal, round.message,
              "samba-tool spn add " + spn + " " + (target.account.empty() ? "SERVICE-ACCOUNT" : target.account)});
      else
        emit({CheckLevel::fail, "ticket " + principal, round.message,
              "export a fresh keytab and copy it to both nodes: samba-tool domain exportkeytab " + keytab +
                  " --principal=" + principal});
    }
  }
  int status = auth::check_exit_status(lines);
  out << (status == 0 ? "kerberos check passed" : "kerberos check FAILED") << "\n";
  return status;
}

}  // namespace

int kerberos_command(const config::Settings& settings, const Args& args, std::ostream& out, std::ostream& err) {
  if (args.empty() || args[0] != "check") {
    err << kerberos_usage;
    return 2;
  }
  CheckOptions o;
  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (i + 1 >= args.size() || (a != "--host" && a != "--keytab" && a != "--kinit")) {
      err << kerberos_usage;
      return 2;
    }
    std::string& slot = a == "--host" ? o.host : a == "--keytab" ? o.keytab : o.kinit_user;
    slot = args[++i];
  }
  return run_check(settings, o, out);
}

}  // namespace dirmail::ctl
