#pragma once
// The posix MailStore backend: local disks and mounted shares.
//
// Layout of one folder (INBOX is the folder "INBOX"):
//   <mailbox_root>/<folder>/tmp/            messages being written
//   <mailbox_root>/<folder>/cur/<file>      stored messages (maildir-style names)
//   <mailbox_root>/<folder>/new/            files dropped by other tools; adopted by status()
//   <mailbox_root>/<folder>/dirmail.index   append-only index log: UIDs, UIDLs, flags
//   <mailbox_root>/<folder>/dirmail.lock    flock()ed while UIDs are assigned
// Message files are written in tmp/, synced, renamed into cur/ and the folder synced
// before deliver() returns. File names carry host, pid, counter and time, so nodes
// sharing the store never collide.
#include <cstddef>
#include <memory>
#include <string>

#include "dirmail/store/mail_store.hpp"

namespace dirmail::store {

class FolderCache;

struct PosixMailStoreOptions {
  std::string host_name;                        // for file names; empty: gethostname()
  std::size_t compaction_min_dead_records = 1000;  // rewrite the index log past this many dead records
  std::size_t cached_folders = 256;             // folders whose replayed index is kept in memory
};

class PosixMailStore final : public MailStore {
 public:
  explicit PosixMailStore(PosixMailStoreOptions options = {});
  ~PosixMailStore() override;

  std::string_view backend_name() const override { return "posix"; }
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

 private:
  PosixMailStoreOptions options_;
  std::string file_host_;
  std::unique_ptr<FolderCache> folders_;
};

}  // namespace dirmail::store
