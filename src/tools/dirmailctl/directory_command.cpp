// dirmailctl directory status|users|user: the ad and ldap backends seen from the
// command line. status shows what the running dirmaild reports (each DC's health,
// latency, last error, counters, snapshot age) and, with --probe, asks every DC now.
// user shows one account as the mail server sees it, saying whether the answer came
// live from a DC or from the last-known-good snapshot. --json gives the same for scripts.
#include <sys/stat.h>

#include <chrono>
#include <ctime>
#include <fstream>
#include <iostream>
#include <sstream>

#include <boost/json.hpp>

#include "commands.hpp"
#include "dirmail/config/settings.hpp"
#include "dirmail/directory/dc_discovery.hpp"
#include "dirmail/directory/ldap_connection.hpp"
#include "dirmail/directory_settings/directory_from_settings.hpp"
#include "dirmail/store/mailbox_path.hpp"

namespace dirmail::ctl {
namespace {

constexpr const char* directory_usage =
    "usage: dirmailctl directory status [--probe [--json]]\n"
    "       dirmailctl directory discover [--json]\n"
    "       dirmailctl directory users [--json]\n"
    "       dirmailctl directory user LOGIN [--json]\n";

int usage(std::ostream& err) {
  err << directory_usage;
  return 2;
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
  return out;
}

int show_status(const config::Settings& settings, bool probe, bool json, std::ostream& out, std::ostream& err) {
  std::string path = directory::directory_status_file(settings);
  std::ifstream in(path);
  struct stat st {};
  if (json) {
    // The probe's figures; the daemon's own view is `dirmailctl status --json`.
  } else if (in && ::stat(path.c_str(), &st) == 0) {
    auto age = std::time(nullptr) - st.st_mtime;
    out << "# reported by dirmaild " << age << " s ago (" << path << ")\n" << in.rdbuf();
    if (age > 60) out << "# the report is old: is dirmaild running?\n";
  } else if (!probe) {
    out << "# no report from dirmaild (" << path << "); probing the servers now\n";
    probe = true;
  }
  if (!probe) return 0;
  auto options = directory::ldap_directory_options(settings);
  if (!options) {
    err << "dirmailctl: " << options.error().message << "\n";
    return 1;
  }
  // With directory.servers empty, the DCs dirmaild would use: DNS SRV of directory.realm.
  std::vector<std::string> uris = options->servers.uris;
  if (uris.empty() && options->servers.discover) {
    auto found = options->servers.discover();
    if (!found) {
      err << "dirmailctl: " << found.error().message << "\n";
      return 1;
    }
    uris = std::move(*found);
  }
  if (uris.empty()) {
    err << "dirmailctl: no directory server to probe (directory.servers, directory.realm)\n";
    return 1;
  }
  int failures = 0;
  boost::json::array probes;
  for (std::size_t i = 0; i < uris.size(); ++i) {
    directory::LdapConnectionOptions o = options->servers.connection;
    o.uri = uris[i];
    auto start = std::chrono::steady_clock::now();
    auto c = directory::LdapConnection::open(o);
    Status outcome = ok_status();
    if (!c) {
      outcome = std::move(c).error();
    } else if (auto root = (*c)->root_dse({"currentTime"}); !root) {
      outcome = std::move(root).error();
    }
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
    if (!outcome) ++failures;
    if (json) {
      boost::json::object p{{"uri", o.uri}, {"preferred", i == 0}, {"healthy", outcome.ok()}, {"ms", ms}};
      if (!outcome) p["error"] = outcome.error().message;
      probes.emplace_back(std::move(p));
      continue;
    }
    out << "probe " << o.uri << (i == 0 ? " preferred=yes" : " preferred=no");
    if (outcome)
      out << " state=healthy latency_ms=" << ms << "\n";
    else
      out << " state=failed after_ms=" << ms << " error=" << outcome.error().message << "\n";
  }
  if (json) out << boost::json::serialize(probes) << "\n";
  return failures == 0 ? 0 : 1;
}

boost::json::array json_list(const std::vector<std::string>& items) {
  boost::json::array a;
  for (const auto& i : items) a.emplace_back(i);
  return a;
}

int show_user(directory::LdapDirectory& dir, const config::Settings& settings, const std::string& login, bool json,
              std::ostream& out, std::ostream& err) {
  auto account = dir.find_account(login);
  if (!account) {
    err << "dirmailctl: " << account.error().message << "\n";
    return 1;
  }
  const auto& a = *account;
  auto location = store::MailboxLocation::make(settings.store_mailbox_path, settings.store_root, settings.server_data_dir,
                                               settings.store_path_map, settings.store_backend == "smb");
  auto root = location ? location->root_for({a.name, a.domain, a.home}) : Result<std::string>(location.error());
  // The limit that applies: the account's own, else the server-wide one.
  std::string limit = a.mailbox_limit != 0                ? std::to_string(a.mailbox_limit)
                      : settings.store_mailbox_limit != 0 ? std::to_string(settings.store_mailbox_limit) + " (store.mailbox_limit)"
                                                          : "0 (unlimited)";
  if (json) {
    boost::json::object o{{"name", a.name}, {"address", a.address()}, {"addresses", json_list(a.addresses)},
                          {"display_name", a.display_name}, {"dn", a.dn}, {"groups", json_list(a.groups)},
                          {"domain", a.domain}, {"home", a.home}, {"state", directory::to_string(a.state)},
                          {"may_log_in", a.may_log_in}, {"may_receive", a.may_receive},
                          {"mailbox_limit", a.mailbox_limit != 0 ? a.mailbox_limit
                                                                 : static_cast<std::uint64_t>(settings.store_mailbox_limit)},
                          {"answer_from", directory::to_string(a.source)}};
    if (root) o["mailbox"] = *root;
    else o["mailbox_error"] = root.error().message;
    out << boost::json::serialize(o) << "\n";
    return 0;
  }
  out << "name:          " << a.name << "\n"
      << "address:       " << a.address() << "\n"
      << "addresses:     " << join(a.addresses) << "\n"
      << "display_name:  " << a.display_name << "\n"
      << "dn:            " << a.dn << "\n"
      << "groups:        " << join(a.groups) << "\n"
      << "domain:        " << a.domain << "\n"
      << "home:          " << a.home << "\n"
      << "state:         " << directory::to_string(a.state) << "\n"
      << "may_log_in:    " << (a.may_log_in ? "yes" : "no") << "\n"
      << "may_receive:   " << (a.may_receive ? "yes" : "no") << "\n"
      << "mailbox:       " << (root ? *root : "(invalid: " + root.error().message + ")") << "\n"
      << "mailbox_limit: " << limit << "\n"
      << "answer_from:   " << directory::to_string(a.source) << "\n";
  return 0;
}

int list_users(directory::LdapDirectory& dir, bool json, std::ostream& out, std::ostream& err) {
  auto users = dir.list_mail_users();
  if (!users) {
    err << "dirmailctl: " << users.error().message << "\n";
    return 1;
  }
  if (json) {
    boost::json::array list;
    for (const auto& a : *users)
      list.emplace_back(boost::json::object{{"name", a.name}, {"address", a.address()},
                                            {"state", directory::to_string(a.state)}, {"display_name", a.display_name}});
    out << boost::json::serialize(list) << "\n";
    return 0;
  }
  for (const auto& a : *users)
    out << a.name << "\t" << a.address() << "\t" << directory::to_string(a.state) << "\t" << a.display_name << "\n";
  return 0;
}

}  // namespace

int directory_command(const config::Settings& settings, const Args& given, std::ostream& out, std::ostream& err) {
  Args args;
  bool json = false;
  for (const auto& a : given) {
    if (a == "--json") json = true;
    else args.push_back(a);
  }
  if (args.empty()) return usage(err);
  if (settings.directory_backend != "ad" && settings.directory_backend != "ldap") {
    err << "dirmailctl: directory.backend is \"" << settings.directory_backend
        << "\": these commands are for the ad and ldap backends\n";
    return 1;
  }
  const std::string& verb = args[0];
  if (verb == "status") {
    if (args.size() > 2 || (args.size() == 2 && args[1] != "--probe") || (json && args.size() != 2)) return usage(err);
    return show_status(settings, args.size() == 2, json, out, err);
  }
  if (verb == "discover" && args.size() == 1) {
    auto found = directory::discover_domain_controllers(directory::discovery_options(settings));
    if (!found) {
      err << "dirmailctl: " << found.error().message << "\n";
      return 1;
    }
    boost::json::array list;
    for (const auto& t : *found) {
      if (json)
        list.emplace_back(boost::json::object{{"host", t.host}, {"port", t.port}, {"priority", t.priority},
                                              {"weight", t.weight}});
      else
        out << t.host << " port=" << t.port << " priority=" << t.priority << " weight=" << t.weight << "\n";
    }
    if (json) out << boost::json::serialize(list) << "\n";
    return 0;
  }
  if ((verb == "user" && args.size() == 2) || (verb == "users" && args.size() == 1)) {
    auto backend = directory::open_directory(settings, /*report_status=*/false);
    if (!backend) {
      err << "dirmailctl: " << backend.error().message << "\n";
      return 1;
    }
    if (verb == "users") return list_users(*backend->ldap, json, out, err);
    return show_user(*backend->ldap, settings, args[1], json, out, err);
  }
  return usage(err);
}

}  // namespace dirmail::ctl
