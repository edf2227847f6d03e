#include "index_state.hpp"

#include <algorithm>
#include <cstdint>

namespace dirmail::store {

IndexState::IndexState(IndexHeader header) : header_(header), uidnext_(std::max<std::uint32_t>(header.uidnext, 1)) {}

void IndexState::apply(const IndexRecord& record) {
  const std::uint32_t uid = record.info.uid;
  switch (record.kind) {
    case IndexRecord::Kind::add:
      if (live_.count(uid) != 0) {
        ++dead_records_;
        return;
      }
      live_.emplace(uid, IndexedMessage{record.info, record.file});
      // Saturating: a damaged size must not wrap the total around to a small number.
      live_bytes_ = record.info.size > UINT64_MAX - live_bytes_ ? UINT64_MAX : live_bytes_ + record.info.size;
      uidnext_ = std::max(uidnext_, uid + 1);  // parse_index_record keeps uid < UINT32_MAX
      return;
    case IndexRecord::Kind::flags: {
      auto it = live_.find(uid);
      if (it != live_.end()) it->second.info.flags = record.info.flags;
      ++dead_records_;  // folded into the add record by compaction
      return;
    }
    case IndexRecord::Kind::expunge: {
      auto it = live_.find(uid);
      if (it == live_.end()) {
        ++dead_records_;
        return;
      }
      live_bytes_ -= std::min(live_bytes_, it->second.info.size);
      live_.erase(it);
      dead_records_ += 2;  // the add and this record
      return;
    }
    case IndexRecord::Kind::header:
      ++dead_records_;  // a header after the first line
      return;
  }
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
