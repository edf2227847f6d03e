// Fuzzes THREAD (message_threads.hpp) and SORT keys (sort_record.hpp). Input: message
// headers separated by NUL bytes (at most 64 messages). Both algorithms name every
// message exactly once, whatever the Message-IDs, References and subjects (cycles,
// duplicates, missing parents); the thread list's parentheses balance.
#include <map>
#include <string>
#include <vector>

#include "dirmail/imap/message_threads.hpp"
#include "fuzz_check.hpp"

namespace {

void count_ids(const dirmail::imap::ThreadNode& node, std::map<std::uint32_t, int>& seen) {
  if (node.id != 0) ++seen[node.id];
  for (const auto& c : node.children) count_ids(c, seen);
}

void check_threads(const std::vector<dirmail::imap::ThreadNode>& threads, std::size_t messages) {
  std::map<std::uint32_t, int> seen;
  for (const auto& t : threads) count_ids(t, seen);
  FUZZ_CHECK(seen.size() == messages);
  for (const auto& [id, n] : seen) FUZZ_CHECK(id >= 1 && id <= messages && n == 1);
  const std::string text = dirmail::imap::format_threads(threads);
  int depth = 0;
  for (char c : text) {
    depth += c == '(' ? 1 : c == ')' ? -1 : 0;
    FUZZ_CHECK(depth >= 0);
  }
  FUZZ_CHECK(depth == 0);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace dirmail;
  std::string_view input = fuzz::as_view(data, size);
  std::vector<imap::SortRecord> records;
  while (!input.empty() && records.size() < 64) {
    std::size_t end = input.find('\0');
    std::string_view header = input.substr(0, end);
    imap::SortRecord r;
    r.seq = static_cast<std::uint32_t>(records.size() + 1);
    r.uid = r.seq;
    r.internal_date = static_cast<std::int64_t>(header.size());
    imap::read_sort_fields(header, r);
    records.push_back(std::move(r));
    input = end == std::string_view::npos ? std::string_view() : input.substr(end + 1);
  }
  check_threads(imap::thread_by_references(records, false), records.size());
  check_threads(imap::thread_by_ordered_subject(records, false), records.size());
  return 0;
}
