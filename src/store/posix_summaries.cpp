// PosixMailStore's message summaries: <folder>/dirmail.summary (summary_log.hpp), read
// and appended under the folder's lock.
#include "dirmail/base/posix_file.hpp"
#include "dirmail/store/posix_mail_store.hpp"
#include "locked_folder.hpp"
#include "mailbox_layout.hpp"
#include "summary_log.hpp"

namespace dirmail::store {

Result<std::vector<std::optional<std::string>>> PosixMailStore::summaries(const std::string& mailbox_root,
                                                                         std::string_view folder,
                                                                         std::span<const std::uint32_t> uids) {
  std::vector<std::optional<std::string>> out(uids.size());
  auto location = locate_folder(mailbox_root, folder);
  if (!location) return std::move(location).error();
  const std::string* folder_dir = &location->dir;
  if (!posix::is_directory(*folder_dir)) return out;
  auto locked = lock_folder(*folders_, *folder_dir, false);
  if (!locked) return std::move(locked).error();
  auto log = SummaryLog::open(*folder_dir, locked->entry->summary);
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

Status PosixMailStore::store_summaries(const std::string& mailbox_root, std::string_view folder,
                                       std::span<const MessageSummaryBytes> summaries) {
  if (summaries.empty()) return ok_status();
  auto location = locate_folder(mailbox_root, folder);
  if (!location) return std::move(location).error();
  const std::string* folder_dir = &location->dir;
  if (!posix::is_directory(*folder_dir)) return make_error(ErrorCode::not_found, "no such folder");
  auto locked = lock_folder(*folders_, *folder_dir, false);
  if (!locked) return std::move(locked).error();
  auto log = SummaryLog::open(*folder_dir, locked->entry->summary);
  if (!log) return std::move(log).error();
  return log->append(summaries, locked->log.state());
}

}  // namespace dirmail::store
