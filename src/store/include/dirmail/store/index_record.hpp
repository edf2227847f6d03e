#pragma once
// Records of a folder's append-only index log ("dirmail.index").
//
// One record per line: "<checksum> <payload>\n", where checksum is 8 hex digits of
// FNV-1a over the payload. A line without its newline or with a wrong checksum is the
// torn tail of an append cut short by a crash, or damage: readers skip it.
//
//   H <uidvalidity> <uidnext> <generation>          first line of every log file
//   A <uid> <size> <date> <flags> <uidl> <file>     a message was added
//   F <uid> <flags>                                 flags replaced
//   X <uid>                                         message expunged
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "dirmail/base/result.hpp"
#include "dirmail/store/mail_store.hpp"

namespace dirmail::store {

inline constexpr std::size_t kMaxIndexRecordBytes = 1024;  // including the newline
inline constexpr std::uint8_t kAllFlags = flag_seen | flag_answered | flag_flagged | flag_deleted | flag_draft;

struct IndexHeader {
  std::uint32_t uidvalidity = 0;
  std::uint32_t uidnext = 1;
  std::uint64_t generation = 0;  // differs per log file, so a cached replay can tell files apart
};

struct IndexAdd {
  MessageInfo info;
  std::string file;  // name inside cur/
};

struct IndexFlags {
  std::uint32_t uid = 0;
  std::uint8_t flags = 0;
};

struct IndexExpunge {
  std::uint32_t uid = 0;
};

using IndexRecord = std::variant<IndexHeader, IndexAdd, IndexFlags, IndexExpunge>;

// The record as one line, checksum and newline included.
std::string format_index_record(const IndexRecord& record);

// Parses one line without its newline. Checks the checksum and every field.
Result<IndexRecord> parse_index_record(std::string_view line);

}  // namespace dirmail::store
