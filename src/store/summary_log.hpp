#pragma once
// A folder's summary file ("dirmail.summary"): opaque bytes per message that a protocol
// layer derives from the message once (IMAP keeps its MIME structure there), so that
// later commands need not read the message file. One record per summary
// (summary_record.hpp). Derived data, never synced: a record cut short by a crash or
// damaged ends the readable part, and the next writer cuts it off; a file lost in a
// rewrite (where Rename::replace is remove + rename) only costs recomputing.
// Summaries of expunged messages are dropped when the file is rewritten. Every call
// requires the folder lock (FolderLock).
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "dirmail/base/result.hpp"
#include "dirmail/store/file_system.hpp"
#include "dirmail/store/mail_store.hpp"
#include "dirmail/store/summary_record.hpp"
#include "index_state.hpp"

namespace dirmail::store {

inline constexpr std::string_view kSummaryFileName = "dirmail.summary";

// What a process remembers of one folder's summary file between accesses.
struct SummaryCache {
  bool valid = false;
  std::uint64_t identity = 0;    // FileInfo::identity of the file read
  std::uint64_t valid_end = 0;   // bytes read so far; always at the end of a record
  std::uint64_t file_size = 0;   // > valid_end: a damaged or torn tail to cut off
  struct Where {
    std::uint64_t offset = 0;  // of the bytes
    std::uint32_t length = 0;
  };
  std::map<std::uint32_t, Where> entries;
  std::uint64_t dead_bytes = 0;  // records a rewrite would drop
};

class SummaryLog {
 public:
  // Opens the file of `folder_dir` (absent: no summaries yet) and brings `cache` up to date.
  static Result<SummaryLog> open(FileSystem& fs, const std::string& folder_dir, SummaryCache& cache);

  // The summary of `uid`, or nullopt when none is kept.
  Result<std::optional<std::string>> read(std::uint32_t uid);
  // Adds summaries (a UID given again replaces the earlier one). Rewrites the file
  // without the summaries of messages `live` no longer has when they are most of it.
  Status append(std::span<const MessageSummaryBytes> entries, const IndexState& live);

  SummaryLog(SummaryLog&&) = default;
  SummaryLog& operator=(SummaryLog&&) = default;

 private:
  SummaryLog(FileSystem& fs, std::string folder_dir, SummaryCache& cache);
  Status load();
  Status rewrite(const IndexState& live);

  FileSystem* fs_;
  std::string dir_;
  std::string path_;
  SummaryCache* cache_;
  std::unique_ptr<File> file_;
};

}  // namespace dirmail::store
