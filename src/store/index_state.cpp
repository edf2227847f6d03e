#include "index_state.hpp"

#include <algorithm>

namespace dirmail::store {

IndexState::IndexState(IndexHeader header) : header_(header), uidnext_(std::max<std::uint32_t>(header.uidnext, 1)) {}

void IndexState::apply(const IndexRecord& record) {
  if (const auto* add = std::get_if<IndexAdd>(&record)) {
    std::uint32_t uid = add->info.uid;
    if (live_.count(uid) != 0) {
      ++dead_records_;
      return;
    }
    live_.emplace(uid, IndexedMessage{add->info, add->file});
    uidnext_ = std::max(uidnext_, uid + 1);  // parse_index_record keeps uid < UINT32_MAX
    return;
  }
  if (const auto* flags = std::get_if<IndexFlags>(&record)) {
    auto it = live_.find(flags->uid);
    if (it != live_.end()) it->second.info.flags = flags->flags;
    ++dead_records_;  // folded into the add record by compaction
    return;
  }
  if (const auto* expunge = std::get_if<IndexExpunge>(&record)) {
    if (live_.erase(expunge->uid) != 0)
      dead_records_ += 2;  // the add and this record
    else
      ++dead_records_;
    return;
  }
  ++dead_records_;  // a header after the first line
}

const IndexedMessage* IndexState::find(std::uint32_t uid) const {
  auto it = live_.find(uid);
  return it == live_.end() ? nullptr : &it->second;
}

FolderStatus IndexState::to_status() const {
  FolderStatus status;
  status.uidvalidity = header_.uidvalidity;
  status.uidnext = uidnext_;
  status.messages.reserve(live_.size());
  for (const auto& [uid, message] : live_) status.messages.push_back(message.info);
  return status;
}

}  // namespace dirmail::store
