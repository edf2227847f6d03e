#pragma once
// dirmailctl's command groups. Each takes the words after the group name and returns
// the process exit status (0 ok, 1 failed, 2 usage error).
#include <iosfwd>
#include <string>
#include <vector>

namespace dirmail::config { struct Settings; }
namespace dirmail::directory { class LocalDirectory; }

namespace dirmail::ctl {

using Args = std::vector<std::string>;

// config check FILE | config reference
int config_command(const Args& args, std::ostream& out, std::ostream& err);
// policy show [--registry-pol FILE --gpo-name NAME]  (each setting's value and its source)
int policy_command(const std::string& config_path, const Args& args, std::ostream& out, std::ostream& err);
// user add|del|passwd|list|show ...
int user_command(directory::LocalDirectory& dir, const Args& args, std::ostream& out, std::ostream& err);
// domain add|list ...
int domain_command(directory::LocalDirectory& dir, const Args& args, std::ostream& out, std::ostream& err);
// directory status [--probe] | users | user LOGIN  (ad and ldap backends)
int directory_command(const config::Settings& settings, const Args& args, std::ostream& out, std::ostream& err);

// secret set|delete|list  (auth.secrets_file: SMTP-AUTH, CRAM-MD5 and APOP passwords)
int secret_command(const config::Settings& settings, const Args& args, std::ostream& out, std::ostream& err);

// kerberos check [--host NAME] [--keytab FILE] [--kinit USER]  (the service keytab doctor)
int kerberos_command(const config::Settings& settings, const Args& args, std::ostream& out, std::ostream& err);

// dns mx DOMAIN  (the mail hosts delivery would try, through delivery.dns_servers)
int dns_command(const config::Settings& settings, const Args& args, std::ostream& out, std::ostream& err);

// queue list|show|flush|hold|release|delete|bounce  (queue.dir, beside a running daemon)
int queue_command(const config::Settings& settings, const Args& args, std::ostream& out, std::ostream& err);

// delivery send --host H --from F --to T FILE...  (one outbound SMTP session by hand)
int delivery_command(const Args& args, std::ostream& out, std::ostream& err);

// health  (exit 0 when this node's dirmaild greets on every enabled service, 3 when it
// does not run, 1 otherwise; keepalived's track script and the Pacemaker agent's monitor)
int health_command(const config::Settings& settings, const Args& args, std::ostream& out, std::ostream& err);

// cluster render-keepalived [--output FILE] [--dirmailctl PATH] | promote | demote | role
int cluster_command(const config::Settings& settings, const std::string& config_path, const Args& args,
                    std::ostream& out, std::ostream& err);

// log report [--dir DIR] [--from D] [--to D] [--format text|csv|html] [--top N] [--out FILE]
// (log_dir: log.dir, used when --dir is not given)
int log_command(const std::string& log_dir, const Args& args, std::ostream& out, std::ostream& err);
// Whether log.dir is needed: not with --dir (nor for a usage error).
bool log_command_needs_settings(const Args& args);

// status [--json] | reload [--json] | metrics: asked of the running dirmaild through
// its control socket (server.control_socket). Exit 3 when no daemon runs.
int daemon_command(const config::Settings& settings, const std::string& verb, const Args& args, std::ostream& out,
                   std::ostream& err);

}  // namespace dirmail::ctl
