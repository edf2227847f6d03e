#include "dirmail/store_settings/storage_from_settings.hpp"

#include "dirmail/base/posix_file.hpp"
#include "dirmail/base/windows_path_map.hpp"
#include "dirmail/store/smb_file_system.hpp"

namespace dirmail::store_settings {

Result<store::MailboxLocation> mailbox_location(const config::Settings& s) {
  return store::MailboxLocation::make(s.store_mailbox_path, s.store_root, s.server_data_dir, s.store_path_map,
                                      s.store_backend == "smb");
}

Result<std::shared_ptr<store::FileSystem>> share_file_system(const config::Settings& s) {
  if (s.store_backend != "smb") return std::shared_ptr<store::FileSystem>();
  if (s.store_smb_credentials_file.empty())
    return make_error(ErrorCode::invalid_argument,
                      "store.backend = smb needs store.smb_credentials_file (a Kerberos logon to the store's share "
                      "is not available yet)");
  store::SmbFileSystemOptions smb;
  smb.credentials_file = s.store_smb_credentials_file;
  smb.contexts = static_cast<std::size_t>(s.store_smb_connections);
  smb.lock_directory = posix::join_path(s.server_data_dir, "smb-locks");
  auto fs = store::SmbFileSystem::open(smb);
  if (!fs) return std::move(fs).error();
  return std::shared_ptr<store::FileSystem>(std::move(*fs));
}

namespace {

// queue.dir resolved: a local folder, or an "smb://" URL.
Result<std::string> queue_folder(const config::Settings& s, const store::MailboxLocation& mailboxes) {
  const std::string& dir = s.queue_dir;
  if (dir.empty()) return make_error(ErrorCode::invalid_argument, "queue.dir is empty");
  if (!is_unc_path(dir) && !is_drive_path(dir) && !dir.starts_with("smb://")) return dir;
  return mailboxes.resolve_windows_path(dir, "queue.dir");  // a mounted folder, or the share
}

std::string share_queue_local_dir(const config::Settings& s) { return posix::join_path(s.server_data_dir, "queue-local"); }

}  // namespace

Result<std::string> queue_local_dir(const config::Settings& s) {
  auto mailboxes = mailbox_location(s);
  if (!mailboxes) return std::move(mailboxes).error();
  auto folder = queue_folder(s, *mailboxes);
  if (!folder) return std::move(folder).error();
  return folder->starts_with("smb://") ? share_queue_local_dir(s) : *folder;
}

Result<queue::QueueLocation> queue_location(const config::Settings& s, const store::MailboxLocation& mailboxes,
                                            std::shared_ptr<store::FileSystem> share) {
  auto folder = queue_folder(s, mailboxes);
  if (!folder) return std::move(folder).error();
  if (!folder->starts_with("smb://")) return queue::local_queue(*folder);
  if (!share)
    return make_error(ErrorCode::invalid_argument, "queue.dir " + s.queue_dir + " is on a share: set store.backend = smb");
  return queue::QueueLocation{std::move(share), std::move(*folder), share_queue_local_dir(s)};
}

}  // namespace dirmail::store_settings
