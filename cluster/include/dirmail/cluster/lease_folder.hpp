#pragma once
// The lease folder on the shared store, as dirmailctl cluster status reads it: the
// lease (store_lease.hpp), the newest epoch and each node's record (node_record.hpp).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dirmail/base/result.hpp"
#include "dirmail/cluster/lease_record.hpp"
#include "dirmail/cluster/node_record.hpp"
#include "dirmail/store/file_system.hpp"

namespace dirmail::cluster {

std::string lease_file_path(const std::string& dir);
std::string epochs_dir_path(const std::string& dir);
std::string node_record_path(const std::string& dir, const std::string& node);

struct SharedClusterState {
  std::optional<LeaseRecord> lease;   // none: no node took the lease yet (or a torn file)
  std::optional<LeaseRecord> newest;  // the newest epoch's file
  std::uint64_t newest_epoch = 0;
  std::vector<NodeRecord> nodes;      // by node name
  std::vector<std::string> problems;  // records that could not be read, with why
};

// The newest epoch file's number (0: none yet).
Result<std::uint64_t> newest_epoch(store::FileSystem& fs, const std::string& dir);

Result<SharedClusterState> read_shared_cluster_state(store::FileSystem& fs, const std::string& dir);

// Replaces this node's record (store::replace_file).
Status write_node_record(store::FileSystem& fs, const std::string& dir, const NodeRecord& record);

}  // namespace dirmail::cluster
