#pragma once
// keepalived.conf for one node of the active/standby pair: a VRRP instance that holds
// the virtual IP, a health script that makes a node with a dead mail service give the
// address up, and notify hooks that tell dirmail its role. Both nodes render their
// own file from their own settings; only the preference (priority) differs.
//
// The original's IPWatcher mapped onto VRRP:
//   Interval (30 s, the failover time)  -> advert_int; the backup takes over after
//                                          3 x advert_int + skew (so 10 s ~ the original)
//   PingTimeout (3 s)                   -> the health script's timeout
//   Balance 0 / 1 (master / standby)    -> priority 150 / 100, both start as BACKUP
//   failback after the master returns  -> preempt_delay, or nopreempt for none
//   ReleaseTime (periodic release)      -> not rendered: it only caused blips
#include <string>
#include <vector>

#include "dirmail/base/result.hpp"

namespace dirmail::cluster {

struct KeepalivedSettings {
  std::string virtual_ip;  // "ADDRESS/PREFIX"
  std::string interface;
  int router_id = 51;
  bool primary = false;
  int advert_interval_s = 1;
  bool failback = true;
  int failback_delay_s = 60;
  int health_interval_s = 2;
  int health_timeout_s = 3;
  int health_failures = 2;
  std::vector<std::string> unicast_peers;
  // argv of the commands keepalived runs: the health check (exit 0: healthy), and the
  // hooks for becoming active and for leaving that state (backup, fault, stop).
  std::vector<std::string> health_command;
  std::vector<std::string> promote_command;
  std::vector<std::string> demote_command;
  std::string generated_from;  // named in the file's header comment
};

inline constexpr int kPrimaryPriority = 150;
inline constexpr int kSecondaryPriority = 100;

// The whole file. Errors (invalid_argument) name the setting and what to write instead.
Result<std::string> render_keepalived_config(const KeepalivedSettings& settings);

}  // namespace dirmail::cluster
