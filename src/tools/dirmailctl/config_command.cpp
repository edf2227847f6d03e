// dirmailctl config check FILE (and the shared file it names) | config reference
#include <ostream>

#include "commands.hpp"
#include "dirmail/config/loader.hpp"
#include "dirmail/config/reference.hpp"
#include "dirmail/delivery/mx_settings.hpp"
#include "dirmail/delivery/peer_settings.hpp"
#include "dirmail/delivery/route_settings.hpp"
#include "dirmail/directory_settings/auth_from_settings.hpp"
#include "dirmail/directory_settings/directory_from_settings.hpp"
#include "dirmail/smtp/smtp_settings.hpp"
#include "dirmail/store_settings/node_settings.hpp"
#include "dirmail/features/feature_settings.hpp"

namespace dirmail::ctl {
namespace {

int usage(std::ostream& err) {
  err << "usage: dirmailctl config check FILE\n"
         "       dirmailctl config reference\n";
  return 2;
}

}  // namespace

int config_command(const Args& args, std::ostream& out, std::ostream& err) {
  if (args.empty()) return usage(err);
  const std::string& verb = args[0];

  if (verb == "check") {
    if (args.size() != 2) return usage(err);
    const std::string& file = args[1];
    // With the pair's shared file when the file names one (cluster.shared_config).
    auto loaded = store_settings::load_node_settings(file);
    if (!loaded) {
      err << loaded.error().message << "\n";
      return 1;
    }
    for (const auto& warning : loaded->warnings) err << file << ": warning: " << warning << "\n";
    const config::Settings* settings = &loaded->settings;
    // Settings that are only wrong together (dirmaild refuses to start on these too).
    auto problems = directory::check_directory_settings(*settings);
    for (auto& p : directory::check_auth_settings(*settings)) problems.push_back(std::move(p));
    for (auto& p : smtp::check_smtp_settings(*settings)) problems.push_back(std::move(p));
    for (auto& p : delivery::check_mx_settings(*settings)) problems.push_back(std::move(p));
    for (auto& p : delivery::check_route_settings(*settings)) problems.push_back(std::move(p));
    for (auto& p : delivery::check_peer_settings(*settings)) problems.push_back(std::move(p));
    for (auto& p : features::check_feature_settings(*settings)) problems.push_back(std::move(p));
    for (const auto& p : problems) err << file << ": " << p << "\n";
    if (!problems.empty()) return 1;
    out << file << ": ok\n";
    return 0;
  }

  if (verb == "reference") {
    if (args.size() != 1) return usage(err);
    out << config::render_settings_reference();
    return out ? 0 : 1;
  }

  return usage(err);
}

}  // namespace dirmail::ctl
