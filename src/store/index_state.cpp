#include "index_state.hpp"

#include <algorithm>
#include <cstdint>

namespace dirmail::store {

IndexState::IndexState(IndexHeader header)
    : header_(header),
      uidnext_(std::max<std::uint32_t>(header.uidnext, 1)),
      highest_modseq_(header.highest_modseq),
      first_recent_uid_(std::max<std::uint32_t>(header.first_recent_uid, 1)),
      expunges_from_(header.has_modseq ? header.expunges_from : UINT64_MAX) {}

std::uint64_t IndexState::stamp(const IndexRecord& record) {
  const std::uint64_t own = record.info.modseq;
  if (own == 0) return ++highest_modseq_;
  if (expunges_from_ == UINT64_MAX) expunges_from_ = highest_modseq_;  // the first stamped record of an older log
  highest_modseq_ = std::max(highest_modseq_, own);
  return own;
}

void IndexState::apply(const IndexRecord& record) {
  const std::uint32_t uid = record.info.uid;
  switch (record.kind) {
    case IndexRecord::Kind::add: {
      const std::uint64_t modseq = stamp(record);
      if (live_.count(uid) != 0) {
        ++dead_records_;
        return;
      }
      auto& added = live_.emplace(uid, IndexedMessage{record.info, record.file}).first->second;
      added.info.modseq = modseq;
      // Saturating: a damaged size must not wrap the total around to a small number.
      live_bytes_ = record.info.size > UINT64_MAX - live_bytes_ ? UINT64_MAX : live_bytes_ + record.info.size;
      uidnext_ = std::max(uidnext_, uid + 1);  // parse_index_record keeps uid < UINT32_MAX
      // Earlier versions had no \Recent: what they added is not new to anyone.
      if (record.info.modseq == 0) first_recent_uid_ = std::max(first_recent_uid_, uid + 1);
      return;
    }
    case IndexRecord::Kind::flags: {
      const std::uint64_t modseq = stamp(record);
      auto it = live_.find(uid);
      if (it != live_.end()) {
        it->second.info.flags = record.info.flags;
        if (!record.keeps_keywords) it->second.info.keywords = record.info.keywords;
        it->second.info.modseq = modseq;
      }
      ++dead_records_;  // folded into the add record by compaction
      return;
    }
    case IndexRecord::Kind::expunge: {
      const std::uint64_t modseq = stamp(record);
      auto it = live_.find(uid);
      if (it == live_.end()) {
        ++dead_records_;
        return;
      }
      live_bytes_ -= std::min(live_bytes_, it->second.info.size);
      live_.erase(it);
      expunged_.emplace_back(uid, modseq);
      dead_records_ += 2;  // the add and this record
      return;
    }
    case IndexRecord::Kind::keyword:
      // Bits are handed out in order; anything else is a stray repeat.
      if (record.bit == keywords_.size() && !keyword_known(record.file)) keywords_.push_back(record.file);
      else ++dead_records_;
      return;
    case IndexRecord::Kind::recent:
      if (uid > first_recent_uid_) first_recent_uid_ = uid;
      ++dead_records_;  // kept in the header by compaction
      return;
    case IndexRecord::Kind::header:
      ++dead_records_;  // a header after the first line
      return;
  }
}

bool IndexState::keyword_known(std::string_view name) const {
  return std::any_of(keywords_.begin(), keywords_.end(), [&](const std::string& k) { return k == name; });
}

const IndexedMessage* IndexState::find(std::uint32_t uid) const {
  auto it = live_.find(uid);
  return it == live_.end() ? nullptr : &it->second;
}

ExpungedSince IndexState::expunged_since(std::uint64_t modseq) const {
  ExpungedSince result;
  result.exact = expunges_from_ != UINT64_MAX && modseq >= expunges_from_;
  if (!result.exact) return result;
  for (const auto& [uid, when] : expunged_)
    if (when > modseq) result.uids.push_back(uid);
  std::sort(result.uids.begin(), result.uids.end());
  result.uids.erase(std::unique(result.uids.begin(), result.uids.end()), result.uids.end());
  return result;
}

IndexHeader IndexState::compacted_header(std::uint64_t generation) const {
  IndexHeader h;
  h.uidvalidity = header_.uidvalidity;
  h.uidnext = uidnext_;
  h.generation = generation;
  h.has_modseq = true;
  h.highest_modseq = highest_modseq_;
  h.first_recent_uid = first_recent_uid_;
  h.expunges_from = highest_modseq_;  // the expunge records go
  return h;
}

FolderStatus IndexState::to_status() const {
  FolderStatus status;
  status.uidvalidity = header_.uidvalidity;
  status.uidnext = uidnext_;
  status.messages.reserve(live_.size());
  for (const auto& [uid, message] : live_) status.messages.push_back(message.info);
  status.keywords = keywords_;
  status.highest_modseq = highest_modseq_;
  status.first_recent_uid = first_recent_uid_;
  return status;
}

}  // namespace dirmail::store
