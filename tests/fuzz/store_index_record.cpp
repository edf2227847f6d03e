// Fuzzes index log records (parse_index_record). The first byte picks the mode: odd,
// the rest is a payload and the target writes the checksum in front of it (so the
// fuzzer reaches the field parsers); even, the rest is the whole line as read from disk.
#include <cctype>
#include <cinttypes>
#include <cstdio>
#include <string>

#include "dirmail/store/index_record.hpp"
#include "fuzz_check.hpp"

namespace {

using namespace dirmail;
using Kind = store::IndexRecord::Kind;

// FNV-1a, written here independently; a parsed line's checksum must agree with it.
std::uint32_t fnv1a32(std::string_view data) {
  std::uint32_t h = 2166136261u;
  for (char c : data) {
    h ^= static_cast<unsigned char>(c);
    h *= 16777619u;
  }
  return h;
}

std::string with_checksum(std::string_view payload) {
  char hex[9];
  std::snprintf(hex, sizeof hex, "%08" PRIx32, fnv1a32(payload));
  return std::string(hex) + " " + std::string(payload);
}

bool valid_uid(std::uint32_t uid) { return uid != 0 && uid != UINT32_MAX; }

bool printable_name(std::string_view s, std::size_t max) {
  if (s.empty() || s.size() > max) return false;
  for (char c : s)
    if (c < 0x21 || c > 0x7e) return false;
  return true;
}

bool same_record(const store::IndexRecord& a, const store::IndexRecord& b) {
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case Kind::header:
      return a.header.uidvalidity == b.header.uidvalidity && a.header.uidnext == b.header.uidnext &&
             a.header.generation == b.header.generation && a.header.has_modseq == b.header.has_modseq &&
             a.header.highest_modseq == b.header.highest_modseq &&
             a.header.first_recent_uid == b.header.first_recent_uid && a.header.expunges_from == b.header.expunges_from;
    case Kind::add:
      return a.info.uid == b.info.uid && a.info.size == b.info.size && a.info.internal_date == b.info.internal_date &&
             a.info.flags == b.info.flags && a.info.uidl == b.info.uidl && a.file == b.file &&
             a.info.keywords == b.info.keywords && a.info.modseq == b.info.modseq;
    case Kind::flags:
      return a.info.uid == b.info.uid && a.info.flags == b.info.flags && a.info.keywords == b.info.keywords &&
             a.info.modseq == b.info.modseq && a.keeps_keywords == b.keeps_keywords;
    case Kind::expunge:
      return a.info.uid == b.info.uid && a.info.modseq == b.info.modseq;
    case Kind::keyword:
      return a.bit == b.bit && a.file == b.file;
    case Kind::recent:
      return a.info.uid == b.info.uid;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input = fuzz::as_view(data, size);
  const bool add_checksum = (fuzz::take_byte(input) & 1) != 0;
  const std::string line = add_checksum ? with_checksum(input) : std::string(input);

  auto record = store::parse_index_record(line);
  if (!record) {
    FUZZ_CHECK(record.error().code == ErrorCode::io_error);
    return 0;
  }
  FUZZ_CHECK(line.size() + 1 <= store::kMaxIndexRecordBytes);
  FUZZ_CHECK(line.size() > 9 && line[8] == ' ');
  char hex[9];
  std::snprintf(hex, sizeof hex, "%08" PRIx32, fnv1a32(std::string_view(line).substr(9)));
  FUZZ_CHECK(line.size() >= 8);
  for (std::size_t i = 0; i < 8; ++i) FUZZ_CHECK(std::tolower(static_cast<unsigned char>(line[i])) == hex[i]);

  const store::IndexRecord& r = *record;
  switch (r.kind) {
    case Kind::header:
      FUZZ_CHECK(r.header.uidvalidity != 0 && r.header.uidnext != 0);
      FUZZ_CHECK(r.header.expunges_from <= r.header.highest_modseq && r.header.first_recent_uid != 0);
      break;
    case Kind::keyword:
      FUZZ_CHECK(r.bit < store::kMaxKeywords && store::valid_keyword(r.file));
      break;
    case Kind::recent:
      FUZZ_CHECK(r.info.uid != 0);
      break;
    case Kind::add:
      FUZZ_CHECK(printable_name(r.info.uidl, 70));
      FUZZ_CHECK(printable_name(r.file, 255) && r.file.front() != '.' && r.file.find('/') == std::string::npos);
      [[fallthrough]];
    case Kind::flags:
      FUZZ_CHECK((r.info.flags & ~store::kAllFlags) == 0);
      [[fallthrough]];
    case Kind::expunge:
      FUZZ_CHECK(valid_uid(r.info.uid));
      FUZZ_CHECK(r.info.modseq <= INT64_MAX);
      break;
  }

  // The record written back is one line, no longer than what was read, that reads back
  // as the same record, and writing that again changes nothing.
  const std::string formatted = store::format_index_record(r);
  FUZZ_CHECK(!formatted.empty() && formatted.back() == '\n');
  FUZZ_CHECK(formatted.find('\n') == formatted.size() - 1);
  FUZZ_CHECK(formatted.size() <= line.size() + 1);
  const std::string_view formatted_line = std::string_view(formatted).substr(0, formatted.size() - 1);
  FUZZ_CHECK(with_checksum(formatted_line.substr(9)) == formatted_line);
  auto reparsed = store::parse_index_record(formatted_line);
  FUZZ_CHECK(reparsed.ok() && same_record(*reparsed, r));
  FUZZ_CHECK(store::format_index_record(*reparsed) == formatted);

  // Any single flipped bit in the payload is caught by the checksum or the fields.
  std::string damaged(formatted_line);
  const std::size_t at = 9 + (size * 7919) % (damaged.size() - 9);
  damaged[at] = static_cast<char>(damaged[at] ^ (1 << (size % 8)));
  auto read_damaged = store::parse_index_record(damaged);
  FUZZ_CHECK(!read_damaged.ok());
  return 0;
}
