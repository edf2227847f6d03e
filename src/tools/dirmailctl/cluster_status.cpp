#include "cluster_status.hpp"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <fstream>
#include <map>
#include <sstream>

#include <boost/json.hpp>
#include <fmt/format.h>

#include "dirmail/base/posix_file.hpp"
#include "dirmail/base/process.hpp"
#include "dirmail/base/strings.hpp"
#include "dirmail/base/time.hpp"
#include "dirmail/cluster/lease_folder.hpp"
#include "dirmail/cluster/node_role_file.hpp"
#include "dirmail/config/host_names.hpp"
#include "dirmail/config/node_local_settings.hpp"
#include "dirmail/store/posix_file_system.hpp"
#include "dirmail/store_settings/storage_from_settings.hpp"

namespace dirmail::ctl {
namespace {

std::string ago(std::int64_t then_ms) {
  if (then_ms <= 0) return "never";
  double s = static_cast<double>(unix_now_ms() - then_ms) / 1000.0;
  return s < 0 ? fmt::format("{:.1f} s ahead of this clock", -s) : fmt::format("{:.1f} s ago", s);
}

// <data_dir>/cluster/state as the daemon's role gate writes it ("key value" lines);
// empty when there is none. Small and local: read whole, at most 4 KB.
std::map<std::string, std::string> read_state_file(const std::string& data_dir) {
  std::map<std::string, std::string> fields;
  std::ifstream in(posix::join_path(posix::join_path(data_dir, "cluster"), "state"));
  std::string line;
  std::size_t bytes = 0;
  while (std::getline(in, line) && (bytes += line.size()) < 4096) {
    auto blank = line.find(' ');
    if (blank != std::string::npos) fields[line.substr(0, blank)] = line.substr(blank + 1);
  }
  return fields;
}

bool daemon_runs(const std::string& pid_text) {
  auto pid = parse_decimal(pid_text, 10);
  return pid && process_runs(static_cast<long>(*pid));
}

}  // namespace

int cluster_status(const config::Settings& s, const Args& args, std::ostream& out, std::ostream& err) {
  bool json = false;
  bool state_only = false;
  for (const auto& a : args) {
    if (a == "--json") json = true;
    else if (a == "--state") state_only = true;
    else {
      err << "usage: dirmailctl cluster status [--json | --state]\n";
      return 2;
    }
  }
  const std::string node = config::node_name(s);
  auto engine = cluster::read_node_role_this_boot(s.server_data_dir);
  auto recorded = cluster::read_node_role(s.server_data_dir);
  std::string engine_role = engine && *engine ? std::string(cluster::to_string(**engine)) : "unknown";
  if (engine_role == "unknown" && recorded && *recorded)
    engine_role = fmt::format("unknown (the role file says {}, from before this machine started)",
                              cluster::to_string(**recorded));
  auto state = read_state_file(s.server_data_dir);
  const bool running = state.count("pid") && daemon_runs(state["pid"]);

  if (state_only) {
    // One word for scripts (the Pacemaker agent's promote): the running daemon's state,
    // "not-running", or "no-cluster" when this is no cluster node.
    if (!store_settings::cluster_store(s)) out << "no-cluster\n";
    else out << (running && state.count("state") ? state["state"] : std::string("not-running")) << "\n";
    return 0;
  }
  auto mailboxes = store_settings::mailbox_location(s);
  if (!mailboxes) {
    err << "dirmailctl: " << mailboxes.error().message << "\n";
    return 1;
  }
  std::shared_ptr<store::FileSystem> fs;
  if (s.store_backend == "smb") {
    auto share = store_settings::share_file_system(s, "smb-store-dirmailctl-" + std::to_string(::getpid()) + ".ccache");
    if (!share) {
      err << "dirmailctl: the mail share: " << share.error().message << "\n";
      return 1;
    }
    fs = std::move(*share);
  } else {
    fs = std::make_shared<store::PosixFileSystem>();
  }
  const std::string folder = store_settings::cluster_lease_folder(*mailboxes);
  auto shared = cluster::read_shared_cluster_state(*fs, folder);
  if (!shared) {
    err << "dirmailctl: the lease folder " << folder << " cannot be read: " << shared.error().message << "\n";
    return 1;
  }
  std::vector<std::string> own_settings = config::shared_setting_lines(s);
  // Each other node against this node's settings (the file as dirmailctl reads it).
  std::vector<std::pair<std::string, std::vector<std::string>>> differences;
  for (const auto& n : shared->nodes)
    if (n.node != node) differences.emplace_back(n.node, cluster::setting_differences(own_settings, n.settings));

  if (json) {
    boost::json::object o;
    o["node"] = node;
    o["cluster"] = store_settings::cluster_store(s);
    o["engine_role"] = engine_role;
    o["daemon_running"] = running;
    boost::json::object st;
    for (const auto& [k, v] : state) st[k] = v;
    o["daemon_state"] = st;
    if (shared->lease) {
      o["lease"] = boost::json::object{{"epoch", shared->lease->epoch}, {"holder", shared->lease->holder},
                                       {"sequence", shared->lease->sequence}, {"renewed_ms", shared->lease->renewed_ms},
                                       {"released", shared->lease->released}};
    }
    o["newest_epoch"] = shared->newest_epoch;
    boost::json::array nodes;
    for (const auto& n : shared->nodes)
      nodes.push_back(boost::json::object{{"node", n.node}, {"state", n.state}, {"epoch", n.epoch}, {"pid", n.pid},
                                          {"updated_ms", n.updated_ms}});
    o["nodes"] = nodes;
    boost::json::object diffs;
    for (const auto& [other, lines] : differences) {
      boost::json::array a;
      for (const auto& l : lines) a.push_back(boost::json::string(l));
      diffs[other] = a;
    }
    o["setting_differences"] = diffs;
    boost::json::array problems;
    for (const auto& p : shared->problems) problems.push_back(boost::json::string(p));
    o["problems"] = problems;
    out << boost::json::serialize(o) << "\n";
    return 0;
  }

  auto row = [&](std::string_view key, const std::string& value) { out << fmt::format("{:<14}{}\n", key, value); };
  row("node", node + (store_settings::cluster_store(s) ? "" : " (not a cluster node: cluster.virtual_ip is empty)"));
  row("engine role", engine_role);
  if (!running) {
    row("dirmaild", state.empty() ? "not running (no state file)" : "not running (state file of pid " + state["pid"] + ")");
  } else {
    auto since = parse_decimal(state["since"], 19);
    row("dirmaild", fmt::format("pid {}, {} since {} ({})", state["pid"], state["state"],
                                since ? rfc5322_date(static_cast<std::int64_t>(*since / 1000)) : "?", state["why"]));
    if (state.count("lease_reason")) row("", state["lease_reason"]);
  }
  if (shared->lease) {
    const auto& l = *shared->lease;
    row("lease", fmt::format("epoch {} {} by {} (pid {}), sequence {}, renewed {} by the holder's clock", l.epoch,
                             l.released ? "released" : "held", l.holder, l.pid, l.sequence, ago(l.renewed_ms)));
  } else {
    row("lease", "none yet (no node has been active)");
  }
  if (shared->newest_epoch > 0 && (!shared->lease || shared->newest_epoch != shared->lease->epoch))
    row("", fmt::format("newest epoch {} taken by {}", shared->newest_epoch,
                        shared->newest ? shared->newest->holder : std::string("(unreadable)")));
  for (const auto& n : shared->nodes)
    row("node " + n.node, fmt::format("{}{}, epoch {}, pid {}, record written {}", n.state,
                                      n.node == node ? " (this node)" : "", n.epoch, n.pid, ago(n.updated_ms)));
  if (shared->nodes.empty()) row("nodes", "no node record on the store yet");
  for (const auto& [other, lines] : differences) {
    if (lines.empty()) {
      row("settings", fmt::format("the same on {} and {}", node, other));
      continue;
    }
    row("settings", fmt::format("{} differ between {} (left) and {} (right):", lines.size(), node, other));
    for (const auto& l : lines) row("", "  " + l);
  }
  for (const auto& p : shared->problems) row("problem", p);
  return 0;
}

}  // namespace dirmail::ctl
