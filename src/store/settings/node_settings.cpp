#include "dirmail/store_settings/node_settings.hpp"

#include <unistd.h>

#include "dirmail/base/windows_path_map.hpp"
#include "dirmail/config/loader.hpp"
#include "dirmail/config/shared_config.hpp"
#include "dirmail/store/file_system.hpp"
#include "dirmail/store/mailbox_path.hpp"
#include "dirmail/store_settings/storage_from_settings.hpp"

namespace dirmail::store_settings {
namespace {

constexpr std::string_view kSetting = "cluster.shared_config";

Error shared_file_error(ErrorCode code, const std::string& where, std::string_view what) {
  return make_error(code, std::string(kSetting) + ": " + where + ": " + std::string(what));
}

// The shared file's bytes: from a local (or mounted) folder, or from the share.
Result<std::string> read_shared_file(const config::Settings& local, std::string_view ticket_cache) {
  const std::string& where = local.cluster_shared_config;
  std::string path = where;
  if (is_unc_path(where) || is_drive_path(where) || where.starts_with("smb://")) {
    // Only where the mail store's settings put a Windows path: store.path_map, then
    // the share itself with store.backend = smb.
    auto map = WindowsPathMap::parse(local.store_path_map);
    if (!map) return std::move(map).error();
    store::MailboxLocation location;
    location.path_map = std::move(*map);
    location.shares = local.store_backend == "smb";
    auto resolved = location.resolve_windows_path(where, kSetting);
    if (!resolved) return std::move(resolved).error();
    path = std::move(*resolved);
  }
  if (!path.starts_with("smb://")) {
    auto text = config::read_config_text(path);
    if (!text) return make_error(text.error().code, std::string(kSetting) + ": " + text.error().message);
    return text;
  }

  const std::string cache = ticket_cache.empty() ? "shared-config-" + std::to_string(::getpid()) + ".ccache"
                                                 : std::string(ticket_cache);
  auto share = share_file_system(local, cache);
  if (!share) return shared_file_error(share.error().code, where, "cannot reach the share: " + share.error().message);
  auto text = store::read_small_file(**share, path, config::kMaxConfigBytes);
  if (!text) {
    if (text.error().code == ErrorCode::limit_exceeded)
      return make_error(ErrorCode::limit_exceeded,
                        std::string(kSetting) + ": " + where + ": configuration is larger than " +
                            std::to_string(config::kMaxConfigBytes / (1024 * 1024)) + " MiB");
    return shared_file_error(text.error().code, where, "cannot read: " + text.error().message);
  }
  if (!*text) return shared_file_error(ErrorCode::not_found, where, "cannot open: no such file on the share");
  return std::move(**text);
}

}  // namespace

Result<NodeSettings> load_node_settings(const std::string& path, std::string_view ticket_cache) {
  auto local = config::load_local_file(path);
  if (!local) return std::move(local).error();
  if (local->settings.cluster_shared_config.empty()) return NodeSettings{std::move(local->settings), {}};
  auto shared_text = read_shared_file(local->settings, ticket_cache);
  if (!shared_text) return std::move(shared_text).error();
  auto layered = config::add_shared_config(*local, *shared_text, local->settings.cluster_shared_config);
  if (!layered) return std::move(layered).error();
  return NodeSettings{std::move(layered->settings), std::move(layered->warnings)};
}

Result<config::Settings> load_node_settings(const std::string& path,
                                            const std::function<void(const std::string&)>& warn) {
  auto loaded = load_node_settings(path);
  if (!loaded) return std::move(loaded).error();
  for (const std::string& warning : loaded->warnings) warn(warning);
  return std::move(loaded->settings);
}

}  // namespace dirmail::store_settings
