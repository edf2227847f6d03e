// dirmailctl health: does this node's dirmaild answer? The check keepalived's track
// script and the Pacemaker agent's monitor run: the daemon holds its pid file, and each
// enabled mail service greets on one of its listeners, all within cluster.health_timeout.
// Exit 0 healthy, 3 not running, 1 running but not answering.
// A daemon that is frozen or wedged holds its pid file but greets nobody, so the
// greeting, not the process, is what counts.
#include <chrono>
#include <ostream>

#include "commands.hpp"
#include "dirmail/config/host_names.hpp"
#include "dirmail/config/listen_entry.hpp"
#include "dirmail/config/settings.hpp"
#include "dirmail/queue/daemon_pid_file.hpp"
#include "dirmail/store_settings/storage_from_settings.hpp"
#include "greeting_probe.hpp"

namespace dirmail::ctl {
namespace {

using Clock = std::chrono::steady_clock;

// LSB's "program is not running" status: the Pacemaker agent tells a stopped daemon
// (OCF_NOT_RUNNING) from one that runs but does not answer (exit 1).
constexpr int kNotRunning = 3;

struct Service {
  const char* name;
  bool enabled;
  const std::vector<std::string>* listen;
  const char* greeting;  // what the first line starts with
};

// A wildcard listener is reached through loopback.
std::string probe_address(const config::ListenEntry& e) {
  if (e.address == "0.0.0.0") return "127.0.0.1";
  if (e.address == "::") return "::1";
  return e.address;
}

// "" when the service greets on one of its listeners, else why not (the last failure).
std::string check_service(const Service& svc, Clock::time_point deadline, std::ostream& out) {
  std::string why = "no listener";
  // Plain listeners first: they show a greeting; an implicit-TLS one only a connection.
  for (bool tls_pass : {false, true}) {
    for (const auto& text : *svc.listen) {
      auto entry = config::parse_listen_entry(text);
      if (!entry || entry->implicit_tls != tls_pass) continue;
      std::string address = probe_address(*entry);
      auto line = read_greeting(address, entry->port, entry->ipv6, deadline, entry->implicit_tls);
      if (!line) {
        why = line.error().message;
        continue;
      }
      if (!entry->implicit_tls && line->rfind(svc.greeting, 0) != 0) {
        why = address + " " + std::to_string(entry->port) + ": greeted \"" + line->substr(0, 80) + "\"";
        continue;
      }
      out << svc.name << " " << address << " " << entry->port << ": "
          << (entry->implicit_tls ? std::string("accepts connections (implicit TLS)") : *line) << "\n";
      return "";
    }
  }
  return why;
}

}  // namespace

int health_command(const config::Settings& s, const Args& args, std::ostream& out, std::ostream& err) {
  if (!args.empty()) {
    err << "usage: dirmailctl health\n";
    return 2;
  }
  auto queue_local = store_settings::queue_local_dir(s);  // where the daemon's pid file is
  if (!queue_local) {
    err << "dirmailctl: unhealthy: " << queue_local.error().message << "\n";
    return 1;
  }
  auto pid = queue::running_daemon_pid(*queue_local, config::node_name(s));
  if (!pid) {
    err << "dirmailctl: unhealthy: dirmaild does not run on this node (" << pid.error().message << ")\n";
    return pid.error().code == ErrorCode::not_found ? kNotRunning : 1;
  }
  out << "dirmaild runs (pid " << *pid << ")\n";
  auto deadline = Clock::now() + std::chrono::seconds(s.cluster_health_timeout);
  const Service services[] = {
      {"smtp", s.smtp_enabled, &s.smtp_listen, "220"},
      {"submission", s.submission_enabled, &s.submission_listen, "220"},
      {"pop3", s.pop3_enabled, &s.pop3_listen, "+OK"},
      {"imap", s.imap_enabled, &s.imap_listen, "* OK"},
  };
  int failures = 0;
  for (const auto& svc : services) {
    if (!svc.enabled || svc.listen->empty()) continue;
    if (std::string why = check_service(svc, deadline, out); !why.empty()) {
      err << "dirmailctl: unhealthy: " << svc.name << " does not answer: " << why << "\n";
      ++failures;
    }
  }
  return failures ? 1 : 0;
}

}  // namespace dirmail::ctl
