// Fuzzes summary file records (summary_record.hpp). The first byte picks the mode: odd,
// the rest is a summary that the target writes as a record (so the fuzzer reaches the
// checks past the head); even, the rest is the file as read from disk.
// A head never claims more than its limits; a record that checks out is exactly the
// one format_summary_record writes for its UID and bytes, so a damaged record cannot
// pass for another.
#include <string>

#include "dirmail/store/summary_record.hpp"
#include "fuzz_check.hpp"

namespace {

using namespace dirmail;

void check_file(std::string_view data) {
  auto head = store::parse_summary_head(data);
  if (!head) return;
  FUZZ_CHECK(head->uid != 0 && head->length <= store::kMaxSummaryBytes);
  FUZZ_CHECK(head->head_size <= store::kMaxSummaryHead && head->head_size <= data.size());
  if (head->record_size() > data.size()) return;
  auto bytes = store::summary_record_bytes(*head, data.substr(0, head->record_size()));
  if (!bytes) return;
  FUZZ_CHECK(bytes->size() == head->length);
  FUZZ_CHECK(store::format_summary_record(head->uid, *bytes) == data.substr(0, head->record_size()));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input = fuzz::as_view(data, size);
  const std::uint8_t mode = fuzz::take_byte(input);
  if ((mode & 1) == 0) {
    check_file(input);
    return 0;
  }
  const std::uint32_t uid = 1u + mode;
  const std::string record = store::format_summary_record(uid, input);
  auto head = store::parse_summary_head(record);
  FUZZ_CHECK(head && head->uid == uid && head->record_size() == record.size());
  auto bytes = store::summary_record_bytes(*head, record);
  FUZZ_CHECK(bytes && *bytes == input);
  // One flipped byte anywhere is caught.
  std::string damaged = record;
  damaged[record.size() / 2] ^= 0x20;
  auto damaged_head = store::parse_summary_head(damaged);
  FUZZ_CHECK(!damaged_head || damaged_head->record_size() != damaged.size() ||
             !store::summary_record_bytes(*damaged_head, damaged));
  check_file(record + "trailing");
  return 0;
}
