#pragma once
// A folder's append-only index log ("dirmail.index"), replayed into an IndexState.
//
// Appends are cheap: one write of a few lines at the end. A process keeps the replayed
// state of recently used folders (IndexCache) and, on the next access, reads only what
// other processes or nodes appended since. The log is rewritten (compaction) when most
// of its records are dead: the live records are written to "dirmail.index.new", synced,
// and renamed over the log. Every call requires the folder lock (FolderLock), so the
// new file's name can be fixed and a reader knows what a crash may have left of it.
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "dirmail/base/result.hpp"
#include "dirmail/store/file_system.hpp"
#include "dirmail/store/index_record.hpp"
#include "index_state.hpp"

namespace dirmail::store {

inline constexpr std::string_view kIndexFileName = "dirmail.index";
// A rewritten log before it is renamed over kIndexFileName.
inline constexpr std::string_view kNewIndexFileName = "dirmail.index.new";

// What a process remembers of one folder's log between accesses.
struct IndexCache {
  bool valid = false;
  std::uint64_t identity = 0;  // FileInfo::identity of the log replayed
  std::string header_line;     // the exact first line: tells a rewritten log from the old one
  std::uint64_t valid_end = 0;  // bytes replayed so far; always at the end of a line
  IndexState state;
};

class IndexLog {
 public:
  // Opens the log of `folder_dir` and brings `cache` up to date. A missing log is
  // created (with a new UIDVALIDITY) when `create`; otherwise exists() is false and the
  // state is empty. A torn last record is cut off. A log whose header is unreadable is
  // replaced by an empty one with a new UIDVALIDITY (status() then adopts the files).
  // New UIDVALIDITYs come from the counter of the mailbox root, `folder_dir`'s parent.
  // Where Rename::replace is not atomic (smb) a compaction cut short can leave the new
  // log without the old one: a whole "dirmail.index.new" is then taken as the log.
  static Result<IndexLog> open(FileSystem& fs, const std::string& folder_dir, IndexCache& cache, bool create);

  bool exists() const { return file_ != nullptr; }
  // Closes the log's file (a share may refuse to move a directory with a file open in
  // it); only state() is left.
  void close() { file_.reset(); }
  const IndexState& state() const { return cache_->state; }
  // Writes the records at the end of the log and applies them. Not synced: call sync(),
  // which may be done after the folder lock is released.
  Status append(std::span<const IndexRecord> records);
  Status sync();
  // True when compaction would shrink the log by at least half.
  bool wants_compaction(std::size_t min_dead_records) const;
  // Rewrites the log with only the live messages (new file, synced, renamed over).
  Status compact();

  IndexLog(IndexLog&&) = default;
  IndexLog& operator=(IndexLog&&) = default;

 private:
  IndexLog(FileSystem& fs, std::string folder_dir, IndexCache& cache);
  Status load(bool create);
  Result<bool> take_new_log();
  Status replay_from(std::uint64_t offset, std::uint64_t file_size);
  Status write_fresh(const IndexHeader& header, const IndexState* keep);

  FileSystem* fs_;
  std::string dir_;
  std::string path_;
  IndexCache* cache_;
  std::unique_ptr<File> file_;
};

}  // namespace dirmail::store
