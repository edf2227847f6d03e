#pragma once
// The store lease's records on the shared store (store_lease.hpp): the lease file the
// holder rewrites at each renewal, and the epoch files, one per taking of the lease,
// created exclusively so that two nodes never take the same epoch. Both hold
//   epoch N / holder NODE / pid N / boot ID / lease_time MS / sequence N /
//   renewed UNIX_MS / state held|released
// as "key value" lines. Times are for people (dirmailctl cluster status); no decision
// is taken on another node's clock.
#include <cstdint>
#include <string>
#include <string_view>

#include "dirmail/base/result.hpp"

namespace dirmail::cluster {

// A record is written whole at offset 0, padded with blanks to this size, so that a
// renewal is one write of the same length (never a truncate).
inline constexpr std::size_t kLeaseRecordBytes = 256;
inline constexpr std::size_t kMaxNodeNameBytes = 64;

struct LeaseRecord {
  std::uint64_t epoch = 0;
  std::string holder;          // the node name (server.node_name)
  std::int64_t pid = 0;        // the holder's dirmaild
  std::string boot = "-";      // the holder machine's boot id ("-": unknown): its pid means something only there
  std::int64_t lease_time_ms = 0;  // the holder's cluster.lease_time: a taker waits at least this long
  std::uint64_t sequence = 0;  // grows at each renewal: what observers watch
  std::int64_t renewed_ms = 0;  // the holder's clock at the renewal
  bool released = false;       // the holder stepped down: the lease may be taken at once

  bool operator==(const LeaseRecord&) const = default;
};

// invalid_argument for a node name that could not be read back (empty, over 64 bytes,
// a blank or a control character).
Status check_node_name(std::string_view node);

// kLeaseRecordBytes long.
std::string format_lease_record(const LeaseRecord& record);
// invalid_argument for anything but a complete record (a torn or foreign file).
Result<LeaseRecord> parse_lease_record(std::string_view text);

}  // namespace dirmail::cluster
