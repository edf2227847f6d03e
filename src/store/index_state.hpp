#pragma once
// The replayed content of a folder's index log: which messages are live, their flags,
// and the UID counters.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

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

  FolderStatus to_status() const;

 private:
  IndexHeader header_;
  std::uint32_t uidnext_ = 1;
  std::map<std::uint32_t, IndexedMessage> live_;
  std::uint64_t live_bytes_ = 0;
  std::size_t dead_records_ = 0;
};

}  // namespace dirmail::store
