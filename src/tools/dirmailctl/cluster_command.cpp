// dirmailctl cluster: the node's side of the cluster engine.
//   render-keepalived   keepalived.conf from the cluster.* settings
//   promote | demote    the engine's hooks: record this node's role (node_role_file.hpp)
//   role                print the recorded role (the Pacemaker agent's monitor reads it)
//   status [--json]     role, state, store lease, the other node and differing settings
#include <filesystem>
#include <ostream>

#include "cluster_status.hpp"
#include "command_words.hpp"
#include "commands.hpp"
#include "dirmail/cluster/keepalived_config.hpp"
#include "dirmail/cluster/node_role_file.hpp"
#include "dirmail/cluster/replace_file.hpp"
#include "dirmail/config/settings.hpp"

namespace dirmail::ctl {
namespace {

constexpr const char* cluster_usage =
    "usage: dirmailctl cluster render-keepalived [--output FILE] [--dirmailctl PATH]\n"
    "       dirmailctl cluster promote | demote | role\n"
    "       dirmailctl cluster status [--json | --state]\n";

int failed(std::ostream& err, const std::string& message) {
  err << "dirmailctl: " << message << "\n";
  return 1;
}

// The path keepalived runs dirmailctl by: this very program unless --dirmailctl says.
std::string own_path() {
  std::error_code ec;
  auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("/usr/bin/dirmailctl") : p.string();
}

cluster::KeepalivedSettings keepalived_settings(const config::Settings& s, const std::string& dirmailctl,
                                                const std::string& config_path) {
  cluster::KeepalivedSettings k;
  k.virtual_ip = s.cluster_virtual_ip;
  k.interface = s.cluster_interface;
  k.router_id = static_cast<int>(s.cluster_router_id);
  k.primary = s.cluster_role == "primary";
  k.advert_interval_s = static_cast<int>(s.cluster_advert_interval);
  k.failback = s.cluster_failback;
  k.failback_delay_s = static_cast<int>(s.cluster_failback_delay);
  k.health_interval_s = static_cast<int>(s.cluster_health_interval);
  k.health_timeout_s = static_cast<int>(s.cluster_health_timeout);
  k.health_failures = static_cast<int>(s.cluster_health_failures);
  k.unicast_peers = s.cluster_unicast_peers;
  k.health_command = {dirmailctl, "--config", config_path, "health"};
  k.promote_command = {dirmailctl, "--config", config_path, "cluster", "promote"};
  k.demote_command = {dirmailctl, "--config", config_path, "cluster", "demote"};
  k.generated_from = config_path;
  return k;
}

int render_keepalived(const config::Settings& s, const std::string& config_path, const Args& args,
                      std::ostream& out, std::ostream& err) {
  auto words = parse_words(args, {"--output", "--dirmailctl"}, {});
  if (!words || !words->positional.empty()) {
    err << cluster_usage;
    return 2;
  }
  std::string dirmailctl = words->values.count("--dirmailctl") ? words->values["--dirmailctl"] : own_path();
  std::error_code ec;
  std::string absolute_config = std::filesystem::absolute(config_path, ec).lexically_normal().string();
  if (ec) absolute_config = config_path;
  auto text = cluster::render_keepalived_config(keepalived_settings(s, dirmailctl, absolute_config));
  if (!text) return failed(err, "cannot render keepalived.conf: " + text.error().message);
  if (!words->values.count("--output")) {
    out << *text;
    return 0;
  }
  const std::string& path = words->values["--output"];
  // Replaced whole: keepalived never reads half a file.
  if (auto st = cluster::replace_file(path, *text, 0644); !st) return failed(err, st.error().message);
  out << "wrote " << path << "; check it with keepalived -t -f " << path << "\n";
  return 0;
}

int record_role(const config::Settings& s, cluster::NodeRole role, std::ostream& out, std::ostream& err) {
  if (auto st = cluster::write_node_role(s.server_data_dir, role); !st) return failed(err, st.error().message);
  out << "this node is now " << cluster::to_string(role) << " (" << cluster::node_role_path(s.server_data_dir)
      << ")\n";
  return 0;
}

}  // namespace

int cluster_command(const config::Settings& s, const std::string& config_path, const Args& args, std::ostream& out,
                    std::ostream& err) {
  if (args.empty()) {
    err << cluster_usage;
    return 2;
  }
  Args rest(args.begin() + 1, args.end());
  const std::string& verb = args.front();
  if (verb == "render-keepalived") return render_keepalived(s, config_path, args, out, err);
  if (verb == "status") return cluster_status(s, rest, out, err);
  if ((verb == "promote" || verb == "demote" || verb == "role") && !rest.empty()) {
    err << cluster_usage;
    return 2;
  }
  if (verb == "promote") return record_role(s, cluster::NodeRole::active, out, err);
  if (verb == "demote") return record_role(s, cluster::NodeRole::standby, out, err);
  if (verb == "role") {
    auto role = cluster::read_node_role(s.server_data_dir);
    if (!role) return failed(err, role.error().message);
    out << (*role ? cluster::to_string(**role) : "unknown") << "\n";
    return 0;
  }
  err << "dirmailctl: unknown cluster command \"" << verb << "\"\n" << cluster_usage;
  return 2;
}

}  // namespace dirmail::ctl
