// Fuzzes parse_node_record (each node's record on the shared store, read by
// dirmailctl cluster status).
//
// Properties: every refusal is invalid_argument; an accepted record has a valid node
// name and a known state, and formats to text that parses back to itself.
#include <string>

#include "dirmail/cluster/lease_record.hpp"
#include "dirmail/cluster/node_record.hpp"
#include "fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace dirmail;
  auto record = cluster::parse_node_record(fuzz::as_view(data, size));
  if (!record) {
    FUZZ_CHECK(record.error().code == ErrorCode::invalid_argument);
    return 0;
  }
  FUZZ_CHECK(cluster::check_node_name(record->node).ok());
  FUZZ_CHECK(!record->state.empty());
  auto again = cluster::parse_node_record(cluster::format_node_record(*record));
  FUZZ_CHECK(again.ok() && *again == *record);
  // The differences of a record with itself are none.
  FUZZ_CHECK(cluster::setting_differences(record->settings, record->settings).empty());
  return 0;
}
