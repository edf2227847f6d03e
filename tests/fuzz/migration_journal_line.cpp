// Fuzzes parse_journal_line (one line of dirmail-import's journal, migration_journal.hpp)
// and the journal read as a whole.
//
// Properties: an entry's folder and UIDL are views into the line, the folder valid
// UTF-8 without control characters and the UIDL 1-70 printable ASCII characters, and
// the line is exactly "<folder>\t<uidl>" (so what record() writes reads back as itself).
#include <string>

#include "dirmail/base/strings.hpp"
#include "dirmail/migration/migration_journal.hpp"
#include "fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace dirmail;
  std::string_view input = fuzz::as_view(data, size);
  while (!input.empty()) {
    std::string_view line = fuzz::take_field(input, '\n');
    auto entry = migration::parse_journal_line(line);
    if (!entry) continue;
    FUZZ_CHECK(line.size() <= migration::max_journal_line_bytes);
    FUZZ_CHECK(fuzz::within(entry->folder, line) && fuzz::within(entry->uidl, line));
    FUZZ_CHECK(!entry->folder.empty() && valid_utf8(entry->folder) && entry->folder.front() != '#');
    for (char c : entry->folder) FUZZ_CHECK(static_cast<unsigned char>(c) >= 0x20 && c != 0x7f);
    FUZZ_CHECK(!entry->uidl.empty() && entry->uidl.size() <= 70);
    for (char c : entry->uidl) FUZZ_CHECK(c >= 0x21 && c <= 0x7e);
    std::string again(entry->folder);
    again += '\t';
    again += entry->uidl;
    FUZZ_CHECK(again == line);
  }
  return 0;
}
