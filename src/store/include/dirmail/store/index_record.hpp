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

// One record. A tagged struct rather than a std::variant: GCC 12 reports false
// "maybe uninitialized" warnings inside std::variant's move at -O3.
struct IndexRecord {
  enum class Kind : std::uint8_t { header, add, flags, expunge };
  Kind kind = Kind::expunge;
  IndexHeader header;  // header
  MessageInfo info;    // add: every field; flags: uid and flags; expunge: uid
  std::string file;    // add: the message's name inside cur/

  static IndexRecord make_header(const IndexHeader& header);
  static IndexRecord make_add(MessageInfo info, std::string file);
  static IndexRecord make_flags(std::uint32_t uid, std::uint8_t flags);
  static IndexRecord make_expunge(std::uint32_t uid);
};

// The record as one line, checksum and newline included.
std::string format_index_record(const IndexRecord& record);

// Parses one line without its newline. Checks the checksum and every field.
Result<IndexRecord> parse_index_record(std::string_view line);

}  // namespace dirmail::store
