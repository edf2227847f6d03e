#include "dirmail/cluster/lease_folder.hpp"

#include <algorithm>

#include "dirmail/base/posix_file.hpp"
#include "dirmail/base/strings.hpp"

namespace dirmail::cluster {

std::string lease_file_path(const std::string& dir) { return posix::join_path(dir, "lease"); }
std::string epochs_dir_path(const std::string& dir) { return posix::join_path(dir, "epochs"); }
std::string node_record_path(const std::string& dir, const std::string& node) {
  return posix::join_path(posix::join_path(dir, "nodes"), node);
}

Result<std::uint64_t> newest_epoch(store::FileSystem& fs, const std::string& dir) {
  auto entries = fs.list(epochs_dir_path(dir));
  if (!entries) return std::move(entries).error();
  std::uint64_t newest = 0;
  for (const auto& e : *entries)
    if (auto n = parse_decimal(e.name, 19); n && !e.directory) newest = std::max(newest, *n);
  return newest;
}

Result<SharedClusterState> read_shared_cluster_state(store::FileSystem& fs, const std::string& dir) {
  SharedClusterState state;
  auto lease = store::read_small_file(fs, lease_file_path(dir), kLeaseRecordBytes + 1);
  if (!lease) return std::move(lease).error();
  if (*lease) {
    if (auto parsed = parse_lease_record(**lease)) state.lease = *parsed;
    else state.problems.push_back("lease: " + parsed.error().message);
  }
  auto newest = newest_epoch(fs, dir);
  if (!newest && newest.error().code != ErrorCode::not_found) return std::move(newest).error();
  if (newest) state.newest_epoch = *newest;
  if (state.newest_epoch > 0) {
    auto text = store::read_small_file(fs, posix::join_path(epochs_dir_path(dir), std::to_string(state.newest_epoch)),
                                       kLeaseRecordBytes + 1);
    if (text && *text)
      if (auto parsed = parse_lease_record(**text)) state.newest = *parsed;
  }
  auto nodes = fs.list(posix::join_path(dir, "nodes"));
  if (!nodes && nodes.error().code != ErrorCode::not_found) return std::move(nodes).error();
  if (nodes) {
    for (const auto& e : *nodes) {
      if (e.directory || !check_node_name(e.name) || e.name.ends_with(".new") || e.name.starts_with(".")) continue;
      auto text = store::read_small_file(fs, node_record_path(dir, e.name), kMaxNodeRecordBytes);
      if (!text || !*text) continue;  // removed meanwhile, or being replaced
      auto parsed = parse_node_record(**text);
      if (!parsed) {
        state.problems.push_back("node record " + e.name + ": " + parsed.error().message);
        continue;
      }
      state.nodes.push_back(std::move(*parsed));
    }
  }
  std::sort(state.nodes.begin(), state.nodes.end(), [](const auto& a, const auto& b) { return a.node < b.node; });
  return state;
}

Status write_node_record(store::FileSystem& fs, const std::string& dir, const NodeRecord& record) {
  DIRMAIL_TRY(check_node_name(record.node));
  DIRMAIL_TRY(store::make_directories(fs, posix::join_path(dir, "nodes")));
  return store::replace_file(fs, node_record_path(dir, record.node), format_node_record(record));
}

}  // namespace dirmail::cluster
