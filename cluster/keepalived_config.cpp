#include "dirmail/cluster/keepalived_config.hpp"

#include <fmt/format.h>

#include "dirmail/cluster/virtual_address.hpp"
#include "keepalived_words.hpp"

namespace dirmail::cluster {
namespace {

Status check_range(std::string_view setting, int value, int min, int max) {
  if (value < min || value > max)
    return make_error(ErrorCode::invalid_argument,
                      fmt::format("{} is {}: keepalived accepts {}..{}", setting, value, min, max));
  return ok_status();
}

Status check_numbers(const KeepalivedSettings& s) {
  DIRMAIL_TRY(check_range("cluster.router_id", s.router_id, 1, 255));
  DIRMAIL_TRY(check_range("cluster.advert_interval", s.advert_interval_s, 1, 255));
  DIRMAIL_TRY(check_range("cluster.failback_delay", s.failback_delay_s, 0, 1000));
  DIRMAIL_TRY(check_range("cluster.health_interval", s.health_interval_s, 1, 3600));
  DIRMAIL_TRY(check_range("cluster.health_timeout", s.health_timeout_s, 1, 60));
  DIRMAIL_TRY(check_range("cluster.health_failures", s.health_failures, 1, 100));
  return ok_status();
}

}  // namespace

Result<std::string> render_keepalived_config(const KeepalivedSettings& s) {
  auto vip = parse_virtual_address(s.virtual_ip);
  if (!vip) return std::move(vip).error();
  DIRMAIL_TRY(check_interface_name(s.interface));
  DIRMAIL_TRY(check_numbers(s));
  std::vector<std::string> peers;
  for (const auto& p : s.unicast_peers) {
    auto peer = parse_peer_address(p, vip->ipv6);
    if (!peer) return std::move(peer).error();
    if (*peer == vip->address)
      return make_error(ErrorCode::invalid_argument,
                        "cluster.unicast_peers lists the virtual IP " + *peer + ": list the other node's real address");
    peers.push_back(std::move(*peer));
  }
  auto health = quoted_command(s.health_command);
  if (!health) return std::move(health).error();
  auto promote = quoted_command(s.promote_command);
  if (!promote) return std::move(promote).error();
  auto demote = quoted_command(s.demote_command);
  if (!demote) return std::move(demote).error();

  std::string out;
  out += "# keepalived.conf for dirmail's active/standby pair.\n";
  if (!s.generated_from.empty()) out += "# Rendered by dirmailctl cluster render-keepalived from " + s.generated_from + ".\n";
  out += "# Change the cluster.* settings and render again rather than editing this file.\n\n";
  out += "global_defs {\n";
  // The hooks run as root; refuse to run them from a path others could change.
  out += "    enable_script_security\n";
  out += "    script_user root\n";
  out += "}\n\n";
  out += "# dirmailctl health: the local dirmaild answers on each enabled mail service.\n";
  out += "vrrp_script dirmail_health {\n";
  out += "    script " + *health + "\n";
  out += fmt::format("    interval {}\n    timeout {}\n    fall {}\n    rise {}\n", s.health_interval_s,
                     s.health_timeout_s, s.health_failures, s.health_failures);
  out += "}\n\n";
  out += "vrrp_instance dirmail {\n";
  // Both nodes start as BACKUP so that neither takes the address before it has heard
  // the other (and because preempt_delay and nopreempt need it); priority decides.
  out += "    state BACKUP\n";
  out += "    interface " + s.interface + "\n";
  out += fmt::format("    virtual_router_id {}\n", s.router_id);
  out += fmt::format("    priority {}    # cluster.role = {}\n", s.primary ? kPrimaryPriority : kSecondaryPriority,
                     s.primary ? "primary" : "secondary");
  out += fmt::format("    advert_int {}\n", s.advert_interval_s);
  if (vip->ipv6) out += "    version 3\n";
  if (s.failback)
    out += fmt::format("    preempt_delay {}\n", s.failback_delay_s);
  else
    out += "    nopreempt\n";
  if (!peers.empty()) {
    out += "    unicast_peer {\n";
    for (const auto& p : peers) out += "        " + p + "\n";
    out += "    }\n";
  }
  out += "    virtual_ipaddress {\n";
  out += "        " + vip->text() + " dev " + s.interface + "\n";
  out += "    }\n";
  out += "    track_script {\n        dirmail_health\n    }\n";
  out += "    notify_master " + *promote + "\n";
  out += "    notify_backup " + *demote + "\n";
  out += "    notify_fault " + *demote + "\n";
  out += "    notify_stop " + *demote + "\n";
  out += "}\n";
  return out;
}

}  // namespace dirmail::cluster
