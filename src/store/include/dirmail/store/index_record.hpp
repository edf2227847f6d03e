#pragma once
// Records of a folder's append-only index log ("dirmail.index").
//
// One record per line: "<checksum> <payload>\n", where checksum is 8 hex digits of
// FNV-1a over the payload. A line without its newline or with a wrong checksum is the
// torn tail of an append cut short by a crash, or damage: readers skip it.
//
//   H <uidvalidity> <uidnext> <generation> [<highestmodseq> <recent> <expunges-from>]
//                                                   first line of every log file
//   A <uid> <size> <date> <flags> <uidl> <file> [<keywords> <modseq>]
//                                                   a message was added
//   F <uid> <flags> [<keywords> <modseq>]           flags (and keywords) replaced
//   X <uid> [<modseq>]                              message expunged
//   K <bit> <name>                                  keyword <name> defined with bit <bit>
//   R <uid>                                         messages below <uid> claimed as \Recent
//
// <keywords> is a mask in hex over the K records' bits. The bracketed fields came with
// mod-sequences (RFC 7162); records without them (written by earlier versions) still
// parse, and replay gives each change the next mod-sequence in log order. The header
// carries what compaction must not lose: the highest mod-sequence, the first UID not
// claimed as \Recent, and the mod-sequence from which every expunge is still in the log.
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
  // false: an older header without the three fields below.
  bool has_modseq = true;
  std::uint64_t highest_modseq = 0;
  std::uint32_t first_recent_uid = 1;
  // Expunges with a mod-sequence above this are all in the log (compaction drops them).
  std::uint64_t expunges_from = 0;
};

// One record. A tagged struct rather than a std::variant: GCC 12 reports false
// "maybe uninitialized" warnings inside std::variant's move at -O3.
struct IndexRecord {
  enum class Kind : std::uint8_t { header, add, flags, expunge, keyword, recent };
  Kind kind = Kind::expunge;
  IndexHeader header;  // header
  // add: every field; flags: uid, flags, keywords; expunge: uid; recent: uid.
  // modseq 0: a record of an earlier version (IndexLog::append stamps new ones).
  MessageInfo info;
  bool keeps_keywords = false;  // flags: an older record without keywords (they stay)
  std::string file;    // add: the message's name inside cur/; keyword: its name
  std::uint8_t bit = 0;  // keyword

  static IndexRecord make_header(const IndexHeader& header);
  static IndexRecord make_add(MessageInfo info, std::string file);
  static IndexRecord make_flags(std::uint32_t uid, std::uint8_t flags, std::uint64_t keywords);
  static IndexRecord make_expunge(std::uint32_t uid);
  static IndexRecord make_keyword(std::uint8_t bit, std::string name);
  static IndexRecord make_recent(std::uint32_t first_unclaimed_uid);
  // Whether the record changes a message (and so gets a mod-sequence).
  bool changes_message() const { return kind == Kind::add || kind == Kind::flags || kind == Kind::expunge; }
};

// The record as one line, checksum and newline included.
std::string format_index_record(const IndexRecord& record);

// Parses one line without its newline. Checks the checksum and every field.
Result<IndexRecord> parse_index_record(std::string_view line);

}  // namespace dirmail::store
