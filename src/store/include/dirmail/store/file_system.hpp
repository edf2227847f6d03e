#pragma once
// FileSystem: the file operations the mail store's layout is built on, so that one
// layout (folders, index logs, message files) serves a local disk (PosixFileSystem)
// and an SMB share reached with libsmbclient (SmbFileSystem) alike.
//
// Paths are strings with '/' between components: "/var/mail/alice/INBOX/cur/x" for
// posix, "smb://server/share/mail/alice/INBOX/cur/x" for smb; posix::join_path builds
// both. Every call blocks (disk or network): run it on the blocking pool.
//
// Errors are the same on every backend, so the store maps them once:
//   not_found          the file, or a directory on its path, does not exist
//   already_exists     create_new of an existing file; make_directory of an existing name;
//                      rename without replace onto an existing name; a directory not empty
//   permission_denied  refused by the file system or the share (access denied)
//   temporary_failure  a full disk or share, a quota, a share that cannot be reached,
//                      dropped the connection or is not offered (never not_found for a
//                      share that is not there): the caller answers 4xx and retries later
//   io_error           anything else
#include <cstdint>
#include <ctime>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dirmail/base/result.hpp"

namespace dirmail::store {

struct FileInfo {
  bool directory = false;
  std::uint64_t size = 0;
  timespec modified{};  // last write; for a directory, when an entry came or went
  // Tells two files at one path apart (a file replaced by rename): inode and device on
  // posix, the server's file id on smb. Equal for two opens of the same file.
  std::uint64_t identity = 0;
};

struct DirectoryEntry {
  std::string name;
  bool directory = false;
};

// One open file. Not shared between threads.
class File {
 public:
  virtual ~File() = default;
  // Reads up to buf.size() bytes at `offset`; fewer only at the end of the file.
  virtual Result<std::size_t> read_at(std::uint64_t offset, std::span<char> buf) = 0;
  virtual Status write_at(std::uint64_t offset, std::string_view data) = 0;
  // Writes `length` bytes of the local file `fd` from `fd_offset` at `offset` of this
  // file (a message body from its queue file).
  virtual Status write_from(std::uint64_t offset, int fd, std::uint64_t fd_offset, std::uint64_t length) = 0;
  virtual Status truncate(std::uint64_t size) = 0;
  // Makes what was written durable (fsync; on smb the share writes through: see
  // SmbFileSystem).
  virtual Status sync() = 0;
  virtual Result<FileInfo> info() = 0;
};

// An exclusive lock; released when destroyed.
class FileLock {
 public:
  virtual ~FileLock() = default;
};

enum class OpenMode : std::uint8_t {
  read,               // an existing regular file, read only
  read_write,         // an existing regular file
  read_write_create,  // created empty when missing
  create_new,         // a new file, write only; already_exists when the name is taken
};

enum class Rename : std::uint8_t {
  replace,     // an existing file `to` is replaced (see FileSystem::rename)
  no_replace,  // already_exists when `to` exists (file or directory)
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;
  // "posix" or "smb": MailStore::backend_name().
  virtual std::string_view name() const = 0;

  // Never follows a symbolic link at the last component and never blocks on a FIFO:
  // anything there but a regular file is invalid_argument ("not a regular file").
  virtual Result<std::unique_ptr<File>> open(const std::string& path, OpenMode mode) = 0;
  // nullopt when nothing is at `path`.
  virtual Result<std::optional<FileInfo>> stat(const std::string& path) = 0;
  // The entries of a directory, without "." and "..", in no particular order.
  virtual Result<std::vector<DirectoryEntry>> list(const std::string& path) = 0;
  // Renames a file or a directory. With Rename::replace an existing file `to` is
  // replaced: atomically on posix; on smb (libsmbclient has no replacing rename) as
  // remove + rename, so a crash in between can leave `from` and no `to`: a caller that
  // must not lose `to` looks for `from` when `to` is missing.
  virtual Status rename(const std::string& from, const std::string& to, Rename mode) = 0;
  // Gives a file a second name (a hard link): true; false when the file system has no
  // hard links (smb, or a share that refuses them): the caller copies instead.
  virtual Result<bool> link(const std::string& existing, const std::string& new_name) = 0;
  // Removes a file; not_found when there is none.
  virtual Status remove(const std::string& path) = 0;
  // already_exists when the name is taken; not_found when the parent is missing.
  virtual Status make_directory(const std::string& path) = 0;
  // An empty directory; already_exists when it is not empty.
  virtual Status remove_directory(const std::string& path) = 0;
  // Makes the entries of a directory (files created, renamed, removed) durable: fsync
  // of the directory on posix; nothing on smb, where the server commits names itself.
  virtual Status sync_directory(const std::string& path) = 0;
  // Sets the access and modification times (best effort for callers).
  virtual Status set_modified(const std::string& path, std::int64_t unix_seconds) = 0;
  // Blocks until this process holds the exclusive lock of the file `path` (created
  // empty when missing; not_found when its directory is missing). When the file is
  // replaced or removed while we wait, the lock follows the file now at `path` (or
  // answers not_found). It excludes threads and processes of this machine, and on posix
  // every node whose file system honours flock(); on smb other nodes are not excluded:
  // there the cluster's store lease keeps a single writing node.
  virtual Result<std::unique_ptr<FileLock>> lock(const std::string& path) = 0;
};

// Whether anything (a file, a directory, a name of another case on a case-insensitive
// share) answers to `path`. A file system that fails answers an error, never "missing":
// callers act on a missing file.
Result<bool> exists(FileSystem& fs, const std::string& path);
// Creates `path` and any missing parents (each new directory's parent synced).
Status make_directories(FileSystem& fs, const std::string& path);
// The bytes of a small regular file written by replace_file; nullopt when it does not
// exist, limit_exceeded past max_size. While `path` is missing, the pending file of a
// replace cut short ("<path>.new") is read instead.
Result<std::optional<std::string>> read_small_file(FileSystem& fs, const std::string& path, std::size_t max_size);
// Replaces the file `path` with `data` so that a crash at any point leaves the old or
// the new contents for read_small_file: written to a temporary name beside it, synced,
// renamed to "<path>.new", renamed over `path`, the directory synced. Where
// Rename::replace is remove + rename (smb), a crash between the two leaves only
// "<path>.new", which readers take and the next replace puts into place. Callers
// serialize replaces of one path (a lock): they share the ".new" name.
Status replace_file(FileSystem& fs, const std::string& path, std::string_view data);

}  // namespace dirmail::store
