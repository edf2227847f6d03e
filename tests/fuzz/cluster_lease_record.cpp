// Fuzzes parse_lease_record (the store lease's file, read from a share both nodes write).
//
// Properties: every refusal is invalid_argument; an accepted record has an epoch, a
// holder that is a valid node name, and formats to a record of the fixed size that
// parses back to itself.
#include <string>

#include "dirmail/cluster/lease_record.hpp"
#include "fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace dirmail;
  auto record = cluster::parse_lease_record(fuzz::as_view(data, size));
  if (!record) {
    FUZZ_CHECK(record.error().code == ErrorCode::invalid_argument);
    return 0;
  }
  FUZZ_CHECK(record->epoch > 0);
  FUZZ_CHECK(cluster::check_node_name(record->holder).ok());
  const std::string text = cluster::format_lease_record(*record);
  FUZZ_CHECK(text.size() == cluster::kLeaseRecordBytes);
  auto again = cluster::parse_lease_record(text);
  FUZZ_CHECK(again.ok() && *again == *record);
  return 0;
}
