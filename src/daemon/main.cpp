// dirmaild: the mail server daemon. Runs in the foreground (systemd, make run).
#include <csignal>
#include <cstdio>
#include <cstring>
#include <string>

#include "daemon.hpp"
#include "dirmail/directory_settings/auth_from_settings.hpp"
#include "dirmail/directory_settings/directory_from_settings.hpp"
#include "dirmail/smtp/smtp_settings.hpp"
#include "dirmail/delivery/mx_settings.hpp"
#include "dirmail/delivery/peer_settings.hpp"
#include "dirmail/delivery/route_settings.hpp"
#include "dirmail/features/feature_settings.hpp"
#include "dirmail/store_settings/node_settings.hpp"

namespace {

int usage() {
  std::fprintf(stderr, "usage: dirmaild --config FILE\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string config_path = "/etc/dirmail/dirmail.toml";
  for (int i = 1; i < argc; ++i) {
    if ((!std::strcmp(argv[i], "--config") || !std::strcmp(argv[i], "-c")) && i + 1 < argc) {
      config_path = argv[++i];
    } else if (!std::strcmp(argv[i], "--help") || !std::strcmp(argv[i], "-h")) {
      usage();
      return 0;
    } else {
      return usage();
    }
  }
  // A client that vanishes mid-write must not kill the daemon.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);

  // With cluster.shared_config, the pair's shared file too (no start without it).
  auto loaded = dirmail::store_settings::load_node_settings(config_path);
  if (!loaded) {
    std::fprintf(stderr, "dirmaild: %s\n", loaded.error().message.c_str());
    return 78;  // EX_CONFIG
  }
  // Before logging is set up (the settings say where): standard error, the journal.
  for (const auto& w : loaded->warnings) std::fprintf(stderr, "dirmaild: warning: %s\n", w.c_str());
  auto settings = std::move(loaded->settings);
  auto problems = dirmail::directory::check_directory_settings(settings);
  for (auto& p : dirmail::directory::check_auth_settings(settings)) problems.push_back(std::move(p));
  for (auto& p : dirmail::smtp::check_smtp_settings(settings)) problems.push_back(std::move(p));
  for (auto& p : dirmail::features::check_feature_settings(settings)) problems.push_back(std::move(p));
  for (auto& p : dirmail::delivery::check_mx_settings(settings)) problems.push_back(std::move(p));
  for (auto& p : dirmail::delivery::check_route_settings(settings)) problems.push_back(std::move(p));
  for (auto& p : dirmail::delivery::check_peer_settings(settings)) problems.push_back(std::move(p));
  if (!problems.empty()) {
    for (const auto& p : problems) std::fprintf(stderr, "dirmaild: %s: %s\n", config_path.c_str(), p.c_str());
    return 78;
  }
  dirmail::daemon::Daemon daemon(config_path, std::move(settings));
  if (auto st = daemon.start(); !st) {
    std::fprintf(stderr, "dirmaild: cannot start: %s\n", st.error().message.c_str());
    return 1;
  }
  daemon.run();
  return 0;
}
