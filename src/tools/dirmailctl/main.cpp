// dirmailctl: dirmail's administration command.
#include <iostream>
#include <string>

#include "alias_command.hpp"
#include "command_words.hpp"
#include "commands.hpp"
#include "dirmail/directory/local_directory.hpp"
#include "dirmail/config/loader.hpp"
#include "dirmail/store_settings/node_settings.hpp"

namespace {

constexpr const char* usage_text =
    "usage: dirmailctl [--config FILE] COMMAND ...\n"
    "\n"
    "  config check FILE        validate a configuration file\n"
    "  config reference         print the settings reference (docs/settings.md)\n"
    "  status [--json]          the running dirmaild: services, sessions, queue, domain\n"
    "                           controllers, cluster role, last reload (its control socket)\n"
    "  reload [--json]          make dirmaild read its configuration again; says why when it\n"
    "                           refuses it (also: config reload)\n"
    "  metrics                  dirmaild's metrics in the Prometheus text format\n"
    "  policy show [--json] [--registry-pol FILE --gpo-name NAME]   each setting's effective\n"
    "                           value and its source (default, file:line, GPO); FILE previews a GPO\n"
    "  user add|del|passwd|enable|disable|list|show ...   soft accounts (embedded directory)\n"
    "  domain add|list ...      mail domains (embedded directory)\n"
    "  alias add|del|list ...   aliases (embedded directory)\n"
    "  directory status [--probe [--json]]   directory servers (ad, ldap): health, latency, errors\n"
    "  directory discover [--json]   domain controllers found in DNS (directory.realm)\n"
    "  directory users [--json]      every mail user, read live from the directory\n"
    "  directory user LOGIN [--json] one account as the mail server sees it (live or snapshot)\n"
    "  secret set|delete|list   SMTP-AUTH/APOP passwords (auth.secrets_file; CRAM-MD5, APOP)\n"
    "  kerberos check [--host NAME] [--kinit USER]   the service keytab: principals, SPNs, KVNO,\n"
    "                           enctypes, clock skew, DNS; each failure with its fix\n"
    "  dns mx DOMAIN            the mail hosts delivery would try for DOMAIN (MX, addresses)\n"
    "  queue list|show ID [--json]   queued messages: envelope, recipients' states, header\n"
    "  queue flush [ID] | hold ID | release ID | delete ID | bounce ID   act on the queue\n"
    "                           (beside a running dirmaild; flush signals it)\n"
    "  delivery send --host H --from F --to T FILE...   send through the outbound SMTP client\n"
    "                           (TLS, AUTH, several messages on one connection)\n"
    "  health                   exit 0 when this node's dirmaild greets on each enabled service\n"
    "  cluster render-keepalived [--output FILE]   keepalived.conf from the cluster.* settings\n"
    "  cluster promote|demote|role   this node's role (keepalived's and Pacemaker's hooks)\n"
    "  cluster status [--json | --state]   role, state, store lease, the other node, differing settings\n"
    "  log report [--dir DIR] [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--format text|csv|html]\n"
    "             [--top N] [--out FILE]   per UTC day from the logs (log.dir): messages received,\n"
    "                           delivered, failures by reason, logins, top senders, recipients, domains\n"
    "\n"
    "The configuration defaults to /etc/dirmail/dirmail.toml ($DIRMAIL_CONFIG overrides it).\n";

}  // namespace

int main(int argc, char** argv) {
  auto command_line = dirmail::ctl::parse_command_line(argc, argv);
  if (command_line.help) {
    std::cout << usage_text;
    return 0;
  }
  const std::string& config_path = command_line.config_path;
  dirmail::ctl::Args& args = command_line.args;
  if (args.empty()) {
    std::cerr << usage_text;
    return 2;
  }
  std::string group = args.front();
  dirmail::ctl::Args rest(args.begin() + 1, args.end());
  if (group == "config" && !rest.empty() && rest[0] == "reload") {
    group = "reload";
    rest.erase(rest.begin());
  }
  if (group == "config") return dirmail::ctl::config_command(rest, std::cout, std::cerr);
  if (group == "policy") return dirmail::ctl::policy_command(config_path, rest, std::cout, std::cerr);
  if (group == "delivery") return dirmail::ctl::delivery_command(rest, std::cout, std::cerr);
  if (group == "log" && !dirmail::ctl::log_command_needs_settings(rest))
    return dirmail::ctl::log_command("", rest, std::cout, std::cerr);
  if (group != "user" && group != "domain" && group != "alias" && group != "directory" &&
      group != "kerberos" && group != "secret" && group != "dns" && group != "queue" && group != "health" &&
      group != "cluster" && group != "log" && group != "status" && group != "reload" && group != "metrics") {
    std::cerr << "dirmailctl: unknown command \"" << group << "\"\n" << usage_text;
    return 2;
  }
  // The cluster engine's hooks need this node's folder only (node-local): they must work
  // while the share with the shared file is away, as keepalived runs them then too.
  if (group == "cluster" && !rest.empty() && (rest[0] == "promote" || rest[0] == "demote" || rest[0] == "role")) {
    auto local = dirmail::config::load_file(config_path);
    if (!local) {
      std::cerr << "dirmailctl: " << local.error().message << "\n";
      return 1;
    }
    return dirmail::ctl::cluster_command(*local, config_path, rest, std::cout, std::cerr);
  }
  // The settings dirmaild runs with: this node's file and the pair's shared file.
  auto loaded = dirmail::store_settings::load_node_settings(config_path);
  if (!loaded) {
    std::cerr << "dirmailctl: " << loaded.error().message << "\n";
    return 1;
  }
  for (const auto& warning : loaded->warnings) std::cerr << "dirmailctl: warning: " << warning << "\n";
  const dirmail::config::Settings& settings = loaded->settings;
  if (group == "status" || group == "reload" || group == "metrics")
    return dirmail::ctl::daemon_command(settings, group, rest, std::cout, std::cerr);
  if (group == "directory") return dirmail::ctl::directory_command(settings, rest, std::cout, std::cerr);
  if (group == "secret") return dirmail::ctl::secret_command(settings, rest, std::cout, std::cerr);
  if (group == "kerberos") return dirmail::ctl::kerberos_command(settings, rest, std::cout, std::cerr);
  if (group == "dns") return dirmail::ctl::dns_command(settings, rest, std::cout, std::cerr);
  if (group == "queue") return dirmail::ctl::queue_command(settings, rest, std::cout, std::cerr);
  if (group == "health") return dirmail::ctl::health_command(settings, rest, std::cout, std::cerr);
  if (group == "cluster") return dirmail::ctl::cluster_command(settings, config_path, rest, std::cout, std::cerr);
  if (group == "log") return dirmail::ctl::log_command(settings.log_dir, rest, std::cout, std::cerr);
  if (settings.directory_backend != "local" && group == "user" && rest.size() == 2 && rest[0] == "show")
    return dirmail::ctl::directory_command(settings, {"user", rest[1]}, std::cout, std::cerr);
  if (settings.directory_backend != "local") {
    std::cerr << "dirmailctl: directory.backend is \"" << settings.directory_backend
              << "\": accounts are managed in the directory itself\n";
    return 1;
  }
  auto dir = dirmail::directory::LocalDirectory::open(settings.directory_local_database);
  if (!dir) {
    std::cerr << "dirmailctl: " << settings.directory_local_database << ": " << dir.error().message << "\n";
    return 1;
  }
  if (group == "user") return dirmail::ctl::user_command(**dir, rest, std::cout, std::cerr);
  if (group == "domain") return dirmail::ctl::domain_command(**dir, rest, std::cout, std::cerr);
  return dirmail::ctl::alias_command(**dir, rest, std::cout, std::cerr);
}
