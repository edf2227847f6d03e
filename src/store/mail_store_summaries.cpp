// FileMailStore's message summaries: <folder>/dirmail.summary (summary_log.hpp), read
// and appended under the folder's lock.
#include "dirmail/store/file_mail_store.hpp"
#include "locked_folder.hpp"
#include "mailbox_layout.hpp"
#include "summary_log.hpp"

namespace dirmail::store {

Result<std::vector<std::optional<std::string>>> FileMailStore::summaries(const std::string& mailbox_root,
                                                                         std::string_view folder,
                                                                         std::span<const std::uint32_t> uids) {
  std::vector<std::optional<std::string>> out(uids.size());
  auto location = locate_folder(mailbox_root, folder);
  if (!location) return std::move(location).error();
  const std::string* folder_dir = &location->dir;
  auto locked = lock_folder(*fs_, *folders_, *folder_dir, false);
  if (!locked && locked.error().code == ErrorCode::not_found) return out;  // no such folder
  if (!locked) return std::move(locked).error();
  auto log = SummaryLog::open(*fs_, *folder_dir, locked->entry->summary);
  if (!log) return std::move(log).error();
  const IndexState& live = locked->log.state();
  for (std::size_t i = 0; i < uids.size(); ++i) {
    if (live.find(uids[i]) == nullptr) continue;
    auto bytes = log->read(uids[i]);
    if (!bytes) return std::move(bytes).error();
    out[i] = std::move(*bytes);
  }
  return out;
}

Status FileMailStore::store_summaries(const std::string& mailbox_root, std::string_view folder,
                                       std::span<const MessageSummaryBytes> summaries) {
  if (summaries.empty()) return ok_status();
  auto location = locate_folder(mailbox_root, folder);
  if (!location) return std::move(location).error();
  const std::string* folder_dir = &location->dir;
  auto locked = lock_folder(*fs_, *folders_, *folder_dir, false);
  if (!locked && locked.error().code == ErrorCode::not_found) return make_error(ErrorCode::not_found, "no such folder");
  if (!locked) return std::move(locked).error();
  auto log = SummaryLog::open(*fs_, *folder_dir, locked->entry->summary);
  if (!log) return std::move(log).error();
  return log->append(summaries, locked->log.state());
}

}  // namespace dirmail::store
