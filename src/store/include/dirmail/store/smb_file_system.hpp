#pragma once
// FileSystem on an SMB share reached with libsmbclient (no kernel mount): paths are
// "smb://server[:port]/share/dir/file" (share_url() makes one from a UNC path).
//
// Logon: Kerberos from a credential cache holding the service's ticket, or the account
// of a private credentials file; never anonymous or guest, and no NTLM fallback when
// Kerberos is chosen.
//
// Threads: an SMBCCTX serves one call at a time, so calls take a context from a
// bounded pool (blocking while all are busy); a File keeps the context it was opened
// on and takes it for each of its calls.
//
// A share the server does not offer (removed, its folder gone: libsmbclient says ENOENT
// as for a missing file) answers temporary_failure "share \\server\share is not
// available", never not_found: a mailbox there must not look empty.
//
// A dropped connection (the server restarted, the network cut) makes the context
// reconnect; calls that can safely run twice are retried once, and Files opened before
// answer temporary_failure ("connection to the share was lost"): the caller starts over.
//
// Durability ("fsync before 250"): libsmbclient has no flush call, and it does not
// request write-through: with Samba 4.17 an open with O_SYNC reaches smbd with the same
// create options (0x40, FILE_NON_DIRECTORY_FILE) as one without, no FILE_WRITE_THROUGH
// (0x2) (smbd's log at level 10). So File::sync() and sync_directory() do nothing,
// and the share itself must commit each write before answering it:
//   Samba    strict sync = yes (the default) and sync always = yes on the share;
//   Windows  a continuously available share (SMB3 CA, which writes every open through),
//            or a volume whose write cache is safe (battery or flash backed);
//   a NAS    its equivalent of "sync" exports (synchronous writes, no async cache).
// A share that caches writes can lose accepted mail when the server crashes.
//
// Locks: SMB byte-range locks are not usable as advisory locks through libsmbclient,
// so lock() takes flock() on a local file in lock_directory named after the URL: it
// excludes the threads and processes of this node only. Other nodes are kept out by
// the cluster's store lease (a single writing node per store), not by this lock.
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "dirmail/store/file_system.hpp"
#include "dirmail/store/smb_credentials.hpp"

namespace dirmail::store {

struct SmbFileSystemOptions {
  // Kerberos: a FILE credential cache ("FILE:/path" or "/path") with the TGT of
  // `kerberos_principal` ("mail$@EXAMPLE.COM"), made from the service keytab and kept
  // fresh by the daemon (libsmbclient's Heimdal cannot read MIT's MEMORY caches).
  // libsmbclient finds it through KRB5CCNAME, which is the process's: it is set to this
  // cache under libsmbclient_mutex() before each call (the SYSVOL reader uses its own).
  std::string kerberos_cache;
  std::string kerberos_principal;
  // Asked before a call takes a connection: true when it put a new ticket into the
  // cache (connections then log on again with it). Empty: the ticket is never renewed.
  std::function<bool()> refresh_kerberos_ticket;
  // Or: a credentials file (smb_credentials.hpp). Exactly one of the two.
  std::string credentials_file;

  std::size_t contexts = 4;                    // connections to the server, at most
  std::string lock_directory;                  // node-local, created when missing
  std::chrono::milliseconds timeout{30000};    // one SMB request
  // libsmbclient answers "no such file" for a share the server does not offer too, so
  // such an answer is checked against the share root; a root found there is trusted for
  // this long (0: checked every time).
  std::chrono::milliseconds share_seen_for{1000};
};

class SmbFileSystem final : public FileSystem {
 public:
  // Checks the options and reads the credentials; connects on the first call.
  static Result<std::unique_ptr<SmbFileSystem>> open(const SmbFileSystemOptions& options);
  ~SmbFileSystem() override;
  SmbFileSystem(const SmbFileSystem&) = delete;
  SmbFileSystem& operator=(const SmbFileSystem&) = delete;

  std::string_view name() const override { return "smb"; }
  Result<std::unique_ptr<File>> open(const std::string& path, OpenMode mode) override;
  Result<std::optional<FileInfo>> stat(const std::string& path) override;
  Result<std::vector<DirectoryEntry>> list(const std::string& path) override;
  // libsmbclient's rename replaces an existing file itself (delete, then rename); with
  // Rename::no_replace the target is looked for first, so callers hold a lock over
  // both names as on a posix file system without renameat2.
  Status rename(const std::string& from, const std::string& to, Rename mode) override;
  Result<bool> link(const std::string& existing, const std::string& new_name) override;
  Status remove(const std::string& path) override;
  Status make_directory(const std::string& path) override;
  Status remove_directory(const std::string& path) override;
  Status sync_directory(const std::string& path) override;
  Status set_modified(const std::string& path, std::int64_t unix_seconds) override;
  Result<std::unique_ptr<FileLock>> lock(const std::string& path) override;

 private:
  struct State;
  explicit SmbFileSystem(std::shared_ptr<State> state);
  std::shared_ptr<State> state_;
};

}  // namespace dirmail::store
