#pragma once
// The MailStore over a FileSystem: one layout of folders, index logs and message files
// for a local disk (PosixFileSystem: PosixMailStore) and an SMB share (SmbFileSystem).
//
// Layout of one folder (INBOX is the folder "INBOX"; every folder, at any level, is
// one directory below the root named by folder_directory_name(): "Archive%2F2024"):
//   <mailbox_root>/<folder>/tmp/            messages being written
//   <mailbox_root>/<folder>/cur/<file>      stored messages (maildir-style names)
//   <mailbox_root>/<folder>/new/            files dropped by other tools; adopted by status()
//   <mailbox_root>/<folder>/dirmail.index   append-only index log: UIDs, UIDLs, flags
//   <mailbox_root>/<folder>/dirmail.index.new  the log being rewritten (index_log.hpp)
//   <mailbox_root>/<folder>/dirmail.lock    locked (FileSystem::lock) while UIDs are assigned
// The files at the root itself are listed in mailbox_layout.hpp.
// Message files are written in tmp/, synced, renamed into cur/ and the folder synced
// before deliver() returns. File names carry host, pid, counter and time, so nodes
// sharing the store never collide. Every name the store makes is legal on Windows and
// Samba shares (folder_names.hpp, message_names.hpp).
#include <cstddef>
#include <memory>
#include <string>

#include "dirmail/store/file_system.hpp"
#include "dirmail/store/mail_store.hpp"

namespace dirmail::store {

class FolderCache;

struct FileMailStoreOptions {
  std::string host_name;                        // for file names; empty: gethostname()
  std::size_t compaction_min_dead_records = 1000;  // rewrite the index log past this many dead records
  std::size_t cached_folders = 256;             // folders whose replayed index is kept in memory
};

class FileMailStore : public MailStore {
 public:
  explicit FileMailStore(std::shared_ptr<FileSystem> fs, FileMailStoreOptions options = {});
  ~FileMailStore() override;

  // The file system's name: "posix" or "smb".
  std::string_view backend_name() const override { return fs_->name(); }
  Result<MessageInfo> deliver(const std::string& mailbox_root, std::string_view folder,
                              const DeliverySource& source) override;
  // Also repairs the index after a crash: adopts message files that are in cur/ (or
  // new/) but not indexed, and drops index entries whose files are gone.
  // A folder that does not exist yet reports uidvalidity 0 and no messages.
  Result<FolderStatus> status(const std::string& mailbox_root, std::string_view folder) override;
  Result<std::unique_ptr<MessageReader>> open_message(const std::string& mailbox_root,
                                                      std::string_view folder,
                                                      std::uint32_t uid) override;
  Result<void> set_flags(const std::string& mailbox_root, std::string_view folder, std::uint32_t uid,
                         std::uint8_t flags) override;
  Result<FlagUpdateResult> update_flags(const std::string& mailbox_root, std::string_view folder,
                                        std::span<const std::uint32_t> uids, const FlagUpdate& update) override;
  // The first UID not yet claimed is kept in the index (an R record), so the claim holds
  // across processes and nodes sharing the store.
  Result<std::uint32_t> take_recent(const std::string& mailbox_root, std::string_view folder,
                                    std::uint32_t uidnext) override;
  // Exact for mod-sequences since the index log was last compacted.
  Result<ExpungedSince> expunged_since(const std::string& mailbox_root, std::string_view folder,
                                       std::uint64_t modseq) override;
  // UIDs that are not in the folder are ignored.
  Result<void> expunge(const std::string& mailbox_root, std::string_view folder,
                       std::span<const std::uint32_t> uids) override;
  // Sums the indexes of the folders below the root (one directory listing; each index
  // is read only from where this process last left it). Files not indexed yet (left
  // by a crash, dropped in new/) count once status() has adopted them.
  Result<std::uint64_t> usage(const std::string& mailbox_root) override;
  Result<std::optional<std::string>> read_user_file(const std::string& mailbox_root, std::string_view name,
                                                    std::size_t max_size) override;
  Status write_user_file(const std::string& mailbox_root, std::string_view name, std::string_view data) override;

  Result<std::vector<std::string>> list_folders(const std::string& mailbox_root) override;
  Status create_folder(const std::string& mailbox_root, std::string_view folder) override;
  Status delete_folder(const std::string& mailbox_root, std::string_view folder) override;
  Status rename_folder(const std::string& mailbox_root, std::string_view from, std::string_view to) override;
  Result<AppendResult> append(const std::string& mailbox_root, std::string_view folder, const DeliverySource& source,
                              const AppendOptions& options) override;
  Result<CopyResult> copy(const std::string& mailbox_root, std::string_view from, std::span<const std::uint32_t> uids,
                          std::string_view to) override;
  Result<std::vector<std::string>> subscriptions(const std::string& mailbox_root) override;
  Status set_subscriptions(const std::string& mailbox_root, const std::vector<std::string>& names) override;
  Status acquire_lease(const std::string& mailbox_root, std::string_view holder, std::int64_t expires,
                       const std::function<bool(std::string_view holder)>& stale) override;
  Status release_lease(const std::string& mailbox_root, std::string_view holder) override;
  std::uint64_t change_count(const std::string& mailbox_root, std::string_view folder) override;
  std::shared_ptr<void> watch(const std::string& mailbox_root, std::string_view folder,
                              std::function<void()> changed) override;
  Result<std::vector<std::optional<std::string>>> summaries(const std::string& mailbox_root, std::string_view folder,
                                                            std::span<const std::uint32_t> uids) override;
  Status store_summaries(const std::string& mailbox_root, std::string_view folder,
                         std::span<const MessageSummaryBytes> summaries) override;

 private:
  static Status validate_source(const DeliverySource& source);
  // deliver() and append(): one message into a folder whose directories exist.
  // options.internal_date 0: now.
  Result<AppendResult> store_message(const std::string& folder_dir, const DeliverySource& source,
                                     const AppendOptions& options);
  // rename_folder() of INBOX, under the root's lock.
  Status rename_inbox(const std::string& mailbox_root, const std::string& to_dir);
  // Makes an empty folder (with a new UIDVALIDITY) in one rename, under the root's lock.
  Status make_folder(const std::string& mailbox_root, const std::string& folder_dir);

  std::shared_ptr<FileSystem> fs_;
  FileMailStoreOptions options_;
  std::string file_host_;
  std::unique_ptr<FolderCache> folders_;
};

}  // namespace dirmail::store
