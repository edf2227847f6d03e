#pragma once
// A folder's append-only index log ("dirmail.index"), replayed into an IndexState.
//
// Appends are cheap: one write of a few lines at the end. A process keeps the replayed
// state of recently used folders (IndexCache) and, on the next access, reads only what
// other processes or nodes appended since. The log is rewritten (compaction) when most
// of its records are dead. Every call requires the folder lock (FolderLock).
#include <sys/types.h>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "dirmail/base/result.hpp"
#include "dirmail/store/index_record.hpp"
#include "index_state.hpp"
#include "dirmail/base/posix_file.hpp"

namespace dirmail::store {

inline constexpr std::string_view kIndexFileName = "dirmail.index";

// What a process remembers of one folder's log between accesses.
struct IndexCache {
  bool valid = false;
  dev_t dev = 0;
  ino_t ino = 0;
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
  static Result<IndexLog> open(const std::string& folder_dir, IndexCache& cache, bool create);

  bool exists() const { return fd_.valid(); }
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
  IndexLog(std::string folder_dir, IndexCache& cache)
      : dir_(std::move(folder_dir)), path_(posix::join_path(dir_, kIndexFileName)), cache_(&cache) {}
  Status load(bool create);
  Status replay_from(std::uint64_t offset, std::uint64_t file_size);
  Status write_fresh(const IndexHeader& header, const IndexState* keep);

  std::string dir_;
  std::string path_;
  IndexCache* cache_;
  posix::UniqueFd fd_;
};

}  // namespace dirmail::store
