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

std::int64_t int_of(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (!v) return 0;
  if (v->is_int64()) return v->as_int64();
  if (v->is_uint64()) return static_cast<std::int64_t>(v->as_uint64());
  return 0;
}

std::string str_of(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

bool bool_of(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_bool() && v->as_bool();
}

const json::object* object_of(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_object() ? &v->as_object() : nullptr;
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
  out << fmt::format("dirmaild {} on node {} ({}), pid {}, up {}\n", str_of(s, "version"), str_of(s, "node"),
                     str_of(s, "hostname"), int_of(s, "pid"), duration(int_of(s, "uptime_s")));
  out << "config: " << str_of(s, "config");
  if (const auto* r = object_of(s, "last_reload")) {
    out << fmt::format("; last {} {}: ", str_of(*r, "what"), utc(int_of(*r, "at")));
    out << (bool_of(*r, "ok") ? "applied" : "refused: " + str_of(*r, "error"));
  }
  out << "\n";
  if (const auto* services = object_of(s, "services")) {
    out << "services:\n";
    for (const auto& [name, value] : *services) {
      if (!value.is_object()) continue;
      const auto& svc = value.as_object();
      std::string listening;
      if (const json::value* l = svc.if_contains("listening"); l && l->is_array())
        for (const auto& e : l->as_array())
          if (e.is_string()) listening += (listening.empty() ? "" : ", ") + std::string(e.as_string());
      out << fmt::format("  {:<11} {:>5} sessions   {}\n", std::string(name), int_of(svc, "sessions"),
                         listening.empty() ? "(not listening)" : "listening on " + listening);
    }
  }
  if (const auto* d = object_of(s, "delivery")) {
    out << "delivery: " << (bool_of(*d, "enabled") ? "on" : "off (delivery.enabled = false)");
    if (d->contains("queued_messages")) {
      out << fmt::format("; {} messages in hand", int_of(*d, "queued_messages"));
      if (d->contains("oldest_message_age_s")) out << ", the oldest queued " << duration(int_of(*d, "oldest_message_age_s")) << " ago";
    }
    out << "\n";
  }
  if (const auto* d = object_of(s, "directory")) {
    out << "directory: " << str_of(*d, "backend");
    if (bool_of(*d, "outage")) out << "  OUTAGE: no domain controller answers";
    out << "\n";
    if (const json::value* servers = d->if_contains("servers"); servers && servers->is_array()) {
      for (const auto& v : servers->as_array()) {
        if (!v.is_object()) continue;
        const auto& dc = v.as_object();
        out << fmt::format("  {:<40} {:<7} {:<7} {:>5} ms  {} requests, {} failures", str_of(dc, "uri"),
                           bool_of(dc, "active") ? "active" : "", bool_of(dc, "healthy") ? "up" : "DOWN",
                           int_of(dc, "last_latency_ms"), int_of(dc, "requests"), int_of(dc, "failures"));
        if (!str_of(dc, "last_error").empty()) out << "; last error: " << str_of(dc, "last_error");
        out << "\n";
      }
    }
    if (const auto* a = object_of(*d, "answers"))
      out << fmt::format("  answers: {} live, {} from the cache, {} stale (snapshot), {} failed\n",
                         int_of(*a, "live"), int_of(*a, "cache"), int_of(*a, "stale"), int_of(*a, "failed"));
  }
  if (const auto* c = object_of(s, "cluster")) {
    out << fmt::format("cluster: {} for {} (the engine asks for: {})", str_of(*c, "state"),
                       duration(int_of(*c, "in_state_s")), str_of(*c, "engine_role"));
    if (c->contains("lease_epoch"))
      out << fmt::format("; store lease {} at epoch {}", str_of(*c, "lease_state"), int_of(*c, "lease_epoch"));
    out << "\n";
    if (!str_of(*c, "why").empty()) out << "  why: " << str_of(*c, "why") << "\n";
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
    out << str_of(*reply, "text");
  } else {  // reload
    out << "dirmaild reloaded its configuration\n";
    if (const json::value* problems = reply->if_contains("listener_errors"); problems && problems->is_array())
      for (const auto& p : problems->as_array())
        if (p.is_string()) err << "dirmailctl: warning: " << p.as_string().c_str() << "\n";
  }
  return 0;
}

}  // namespace dirmail::ctl
