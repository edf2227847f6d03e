#pragma once
// The replayed content of a folder's index log: which messages are live, their flags
// and keywords, the UID counters, mod-sequences and the expunges QRESYNC asks about.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dirmail/store/index_record.hpp"
#include "dirmail/store/mail_store.hpp"

namespace dirmail::store {

struct IndexedMessage {
  MessageInfo info;
  std::string file;
};

class IndexState {
 public:
  IndexState() = default;
  explicit IndexState(IndexHeader header);

  // Applies a record that follows the header. Records that change nothing (flags or
  // expunge of an unknown UID, a second add of a live UID, a stray header) only count
  // as dead.
  void apply(const IndexRecord& record);
  // Counts a line that could not be parsed.
  void count_damaged() { ++dead_records_; }

  const IndexHeader& header() const { return header_; }
  std::uint32_t uidvalidity() const { return header_.uidvalidity; }
  // The UID the next message gets; never lower than any UID ever added.
  std::uint32_t uidnext() const { return uidnext_; }
  const std::map<std::uint32_t, IndexedMessage>& live() const { return live_; }
  const IndexedMessage* find(std::uint32_t uid) const;
  // Sum of the live messages' sizes, kept up to date by apply() (the mailbox usage).
  std::uint64_t live_bytes() const { return live_bytes_; }
  // Records a compaction would drop.
  std::size_t dead_records() const { return dead_records_; }
  const std::vector<std::string>& keywords() const { return keywords_; }
  std::uint64_t highest_modseq() const { return highest_modseq_; }
  std::uint32_t first_recent_uid() const { return first_recent_uid_; }
  // The mod-sequence above which every expunge is known (expunged_since() is exact).
  std::uint64_t expunges_from() const { return expunges_from_; }
  ExpungedSince expunged_since(std::uint64_t modseq) const;
  // The header a compacted log starts with: what the dropped records must not take along.
  IndexHeader compacted_header(std::uint64_t generation) const;

  FolderStatus to_status() const;

 private:
  // The mod-sequence of a change record: its own, or (older records) the next one.
  std::uint64_t stamp(const IndexRecord& record);
  bool keyword_known(std::string_view name) const;

  IndexHeader header_;
  std::uint32_t uidnext_ = 1;
  std::vector<std::string> keywords_;
  std::uint64_t highest_modseq_ = 0;
  std::uint32_t first_recent_uid_ = 1;
  // UINT64_MAX: an older log, whose expunges carry no mod-sequence; set when the first
  // record with one arrives.
  std::uint64_t expunges_from_ = 0;
  std::vector<std::pair<std::uint32_t, std::uint64_t>> expunged_;  // uid, modseq; in log order
  std::map<std::uint32_t, IndexedMessage> live_;
  std::uint64_t live_bytes_ = 0;
  std::size_t dead_records_ = 0;
};

}  // namespace dirmail::store
