#pragma once
// What each node of a pair tells the other through the shared store:
// `<lease folder>/nodes/<node>`, rewritten by its dirmaild every few seconds. dirmailctl
// cluster status reads both to show the peer's state and the settings that differ.
//   node NODE / state STATE / epoch N / pid N / updated UNIX_MS
//   setting NAME = VALUE      (each shared, i.e. not node-local, setting in effect)
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "dirmail/base/result.hpp"

namespace dirmail::cluster {

inline constexpr std::size_t kMaxNodeRecordBytes = 256 * 1024;

struct NodeRecord {
  std::string node;
  std::string state;      // standby, acquiring, active, fenced
  std::uint64_t epoch = 0;
  std::int64_t pid = 0;
  std::int64_t updated_ms = 0;  // the node's clock
  std::vector<std::string> settings;  // "name = value", in the table's order

  bool operator==(const NodeRecord&) const = default;
};

std::string format_node_record(const NodeRecord& record);
// invalid_argument for a record that is incomplete, too long or has foreign lines.
Result<NodeRecord> parse_node_record(std::string_view text);

// The settings of `a` and `b` ("name = value" lines) that differ or that only one has,
// as "name: A-VALUE | B-VALUE" (a missing one shown as "(not set)"), in name order.
std::vector<std::string> setting_differences(const std::vector<std::string>& a, const std::vector<std::string>& b);

}  // namespace dirmail::cluster
