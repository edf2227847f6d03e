// dirmailctl status | reload | metrics: the running dirmaild's own view, through its
// control socket (daemon_client.hpp).
#include <ctime>
#include <ostream>

#include <boost/json.hpp>
#include <fmt/format.h>

#include "command_words.hpp"
#include "commands.hpp"
#include "daemon_client.hpp"
#include "dirmail/config/settings.hpp"

namespace dirmail::ctl {
namespace {

namespace json = boost::json;

int failed(std::ostream& err, const std::string& message) {
  err << "dirmailctl: " << message << "\n";
  return 1;
}

// Exit 3 when no daemon runs (as `health`), 1 for other failures.
int unreachable(std::ostream& err, const Error& e) {
  err << "dirmailctl: " << e.message << "\n";
  return e.code == ErrorCode::not_found ? 3 : 1;
}

std::string duration(std::int64_t s) {
  if (s < 120) return fmt::format("{} s", s);
  if (s < 7200) return fmt::format("{} min", s / 60);
  if (s < 172800) return fmt::format("{} h {} min", s / 3600, s % 3600 / 60);
  return fmt::format("{} days {} h", s / 86400, s % 86400 / 3600);
}

std::string utc(std::int64_t t) {
  std::time_t tt = t;
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
  return buf;
}

void print_status(const json::object& s, std::ostream& out) {
  out << fmt::format("dirmaild {} on node {} ({}), pid {}, up {}\n", json_string(s, "version"), json_string(s, "node"),
                     json_string(s, "hostname"), json_int(s, "pid"), duration(json_int(s, "uptime_s")));
  out << "config: " << json_string(s, "config");
  if (const auto* r = json_object(s, "last_reload")) {
    out << fmt::format("; last {} {}: ", json_string(*r, "what"), utc(json_int(*r, "at")));
    out << (json_bool(*r, "ok") ? "applied" : "refused: " + json_string(*r, "error"));
  }
  out << "\n";
  if (const auto* services = json_object(s, "services")) {
    out << "services:\n";
    for (const auto& [name, value] : *services) {
      if (!value.is_object()) continue;
      const auto& svc = value.as_object();
      std::string listening;
      if (const json::value* l = svc.if_contains("listening"); l && l->is_array())
        for (const auto& e : l->as_array())
          if (e.is_string()) listening += (listening.empty() ? "" : ", ") + std::string(e.as_string());
      out << fmt::format("  {:<11} {:>5} sessions   {}\n", std::string(name), json_int(svc, "sessions"),
                         listening.empty() ? "(not listening)" : "listening on " + listening);
    }
  }
  if (const auto* d = json_object(s, "delivery")) {
    out << "delivery: " << (json_bool(*d, "enabled") ? "on" : "off (delivery.enabled = false)");
    if (d->contains("queued_messages")) {
      out << fmt::format("; {} messages in hand", json_int(*d, "queued_messages"));
      if (d->contains("oldest_message_age_s")) out << ", the oldest queued " << duration(json_int(*d, "oldest_message_age_s")) << " ago";
    }
    out << "\n";
  }
  if (const auto* d = json_object(s, "directory")) {
    out << "directory: " << json_string(*d, "backend");
    if (json_bool(*d, "outage")) out << "  OUTAGE: no domain controller answers";
    out << "\n";
    if (const json::value* servers = d->if_contains("servers"); servers && servers->is_array()) {
      for (const auto& v : servers->as_array()) {
        if (!v.is_object()) continue;
        const auto& dc = v.as_object();
        out << fmt::format("  {:<40} {:<7} {:<7} {:>5} ms  {} requests, {} failures", json_string(dc, "uri"),
                           json_bool(dc, "active") ? "active" : "", json_bool(dc, "healthy") ? "up" : "DOWN",
                           json_int(dc, "last_latency_ms"), json_int(dc, "requests"), json_int(dc, "failures"));
        if (!json_string(dc, "last_error").empty()) out << "; last error: " << json_string(dc, "last_error");
        out << "\n";
      }
    }
    if (const auto* a = json_object(*d, "answers"))
      out << fmt::format("  answers: {} live, {} from the cache, {} stale (snapshot), {} failed\n",
                         json_int(*a, "live"), json_int(*a, "cache"), json_int(*a, "stale"), json_int(*a, "failed"));
  }
  if (const auto* c = json_object(s, "cluster")) {
    out << fmt::format("cluster: {} for {} (the engine asks for: {})", json_string(*c, "state"),
                       duration(json_int(*c, "in_state_s")), json_string(*c, "engine_role"));
    if (c->contains("lease_epoch"))
      out << fmt::format("; store lease {} at epoch {}", json_string(*c, "lease_state"), json_int(*c, "lease_epoch"));
    out << "\n";
    if (!json_string(*c, "why").empty()) out << "  why: " << json_string(*c, "why") << "\n";
  }
}

}  // namespace

int daemon_command(const config::Settings& settings, const std::string& verb, const Args& args, std::ostream& out,
                   std::ostream& err) {
  Args with_verb{verb};  // parse_words skips the verb
  with_verb.insert(with_verb.end(), args.begin(), args.end());
  auto words = parse_words(with_verb, {}, {"--json"});
  if (!words || !words->positional.empty()) {
    err << "usage: dirmailctl status [--json] | reload [--json] | metrics\n";
    return 2;
  }
  const bool as_json = words->flags.count("--json") > 0;
  if (verb == "metrics" && as_json) {
    err << "usage: dirmailctl metrics   (the Prometheus text format)\n";
    return 2;
  }
  auto reply = ask_daemon(settings.server_control_socket, verb);
  if (!reply) return unreachable(err, reply.error());
  if (as_json) out << json::serialize(*reply) << "\n";
  if (!reply_ok(*reply)) return failed(err, verb + ": " + reply_error(*reply));
  if (as_json) return 0;
  if (verb == "status") {
    print_status(*reply, out);
  } else if (verb == "metrics") {
    out << json_string(*reply, "text");
  } else {  // reload
    out << "dirmaild reloaded its configuration\n";
    // Applied, but a listener the new file asks for could not be opened: say so and fail,
    // so that a script does not take the service as fully up.
    int status = 0;
    if (const json::value* problems = reply->if_contains("listener_errors"); problems && problems->is_array())
      for (const auto& p : problems->as_array())
        if (p.is_string()) {
          err << "dirmailctl: reload: " << p.as_string().c_str() << "\n";
          status = 1;
        }
    return status;
  }
  return 0;
}

}  // namespace dirmail::ctl
