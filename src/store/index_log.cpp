#include "index_log.hpp"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <vector>

#include "dirmail/base/log.hpp"
#include "dirmail/base/posix_file.hpp"
#include "file_bytes.hpp"
#include "message_names.hpp"
#include "uidvalidity_counter.hpp"

namespace dirmail::store {
namespace {

constexpr std::size_t kReadChunk = 64 * 1024;

void warn(const std::string& path, std::string_view message) {
  log::LogLine(log::service("store"), log::Record::store).with("index", path).warn(message);
}

std::uint64_t new_generation() {
  static std::atomic<std::uint64_t> counter{0};
  auto now = std::chrono::system_clock::now().time_since_epoch().count();
  std::string seed = std::to_string(now) + "/" + std::to_string(::getpid()) + "/" +
                     std::to_string(counter.fetch_add(1));
  return fnv1a64(seed);
}

// Folders are directories right below the mailbox root, which keeps the counter.
std::string mailbox_root_of(const std::string& folder_dir) {
  auto end = folder_dir.find_last_not_of('/');
  auto slash = end == std::string::npos ? std::string::npos : folder_dir.rfind('/', end);
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : folder_dir.substr(0, slash);
}

// A new log. A new UIDVALIDITY voids every mod-sequence a client holds (RFC 7162
// §3.1.2.1), so starting over would be allowed; still, mod-sequences this process saw
// go on from where they were.
IndexHeader fresh_header(std::uint32_t uidvalidity, std::uint64_t highest_modseq) {
  IndexHeader header;
  header.uidvalidity = uidvalidity;
  header.uidnext = 1;
  header.generation = new_generation();
  header.highest_modseq = highest_modseq;
  header.expunges_from = highest_modseq;
  return header;
}

}  // namespace

IndexLog::IndexLog(FileSystem& fs, std::string folder_dir, IndexCache& cache)
    : fs_(&fs), dir_(std::move(folder_dir)), path_(posix::join_path(dir_, kIndexFileName)), cache_(&cache) {}

Result<IndexLog> IndexLog::open(FileSystem& fs, const std::string& folder_dir, IndexCache& cache, bool create) {
  IndexLog log(fs, folder_dir, cache);
  DIRMAIL_TRY(log.load(create));
  return log;
}

Result<bool> IndexLog::take_new_log() {
  const std::string fresh = posix::join_path(dir_, kNewIndexFileName);
  auto file = fs_->open(fresh, OpenMode::read);
  if (!file) {
    if (file.error().code == ErrorCode::not_found) return false;
    return std::move(file).error();
  }
  // It was synced before the old log was removed, so it is whole unless the crash came
  // while a first log was written: then its header or its last line is cut short.
  auto info = (*file)->info();
  if (!info) return std::move(info).error();
  auto first = read_bytes(**file, 0, kMaxIndexRecordBytes);
  if (!first) return std::move(first).error();
  auto newline = first->find('\n');
  auto header = newline == std::string::npos ? Result<IndexRecord>(make_error(ErrorCode::io_error, "no header"))
                                             : parse_index_record(std::string_view(*first).substr(0, newline));
  auto last = read_bytes(**file, info->size == 0 ? 0 : info->size - 1, 1);
  if (!last) return std::move(last).error();
  file->reset();
  if (!header || header->kind != IndexRecord::Kind::header || *last != "\n") {
    warn(fresh, "unfinished new index left by a crash; not used");
    return false;
  }
  warn(path_, "index was missing; took the new index a compaction left");
  if (auto renamed = fs_->rename(fresh, path_, Rename::no_replace); !renamed) return std::move(renamed).error();
  DIRMAIL_TRY(fs_->sync_directory(dir_));
  return true;
}

Status IndexLog::load(bool create) {
  auto file = fs_->open(path_, OpenMode::read_write);
  if (!file && file.error().code == ErrorCode::not_found) {
    auto taken = take_new_log();
    if (!taken) return std::move(taken).error();
    if (*taken) file = fs_->open(path_, OpenMode::read_write);
  }
  if (!file && file.error().code == ErrorCode::not_found) {
    IndexCache& cache = *cache_;
    std::uint32_t previous = cache.valid ? cache.state.uidvalidity() : 0;
    const std::uint64_t modseq = cache.valid ? cache.state.highest_modseq() : 0;
    cache = IndexCache{};
    if (!create) return ok_status();
    auto uidvalidity = next_uidvalidity(*fs_, mailbox_root_of(dir_), previous);
    if (!uidvalidity) return std::move(uidvalidity).error();
    return write_fresh(fresh_header(*uidvalidity, modseq), nullptr);
  }
  if (!file) return std::move(file).error();
  file_ = std::move(*file);

  auto info = file_->info();
  if (!info) return std::move(info).error();
  auto first = read_bytes(*file_, 0, kMaxIndexRecordBytes);
  if (!first) return std::move(first).error();
  auto newline = first->find('\n');
  Result<IndexRecord> header = make_error(ErrorCode::io_error, "index header has no end");
  if (newline != std::string::npos) header = parse_index_record(std::string_view(*first).substr(0, newline));
  if (!header || header->kind != IndexRecord::Kind::header) {
    warn(path_, "index header is damaged; starting a new index with a new UIDVALIDITY");
    std::uint32_t previous = cache_->valid ? cache_->state.uidvalidity() : 0;
    const std::uint64_t modseq = cache_->valid ? cache_->state.highest_modseq() : 0;
    file_.reset();
    auto uidvalidity = next_uidvalidity(*fs_, mailbox_root_of(dir_), previous);
    if (!uidvalidity) return std::move(uidvalidity).error();
    return write_fresh(fresh_header(*uidvalidity, modseq), nullptr);
  }
  std::string header_line = first->substr(0, newline + 1);
  const std::uint64_t file_size = info->size;

  IndexCache& cache = *cache_;
  bool same_file = cache.valid && cache.identity == info->identity && cache.header_line == header_line &&
                   file_size >= cache.valid_end;
  if (!same_file) {
    cache = IndexCache{};
    cache.identity = info->identity;
    cache.header_line = header_line;
    cache.valid_end = header_line.size();
    cache.state = IndexState(header->header);
    cache.valid = true;
  }
  return replay_from(cache.valid_end, file_size);
}

Status IndexLog::replay_from(std::uint64_t offset, std::uint64_t file_size) {
  IndexCache& cache = *cache_;
  std::string pending;               // bytes after the last complete line
  std::uint64_t pending_start = offset;
  bool skipping_long_line = false;   // inside a line longer than any valid record
  std::uint64_t pos = offset;
  while (pos < file_size) {
    auto chunk = read_bytes(*file_, pos, kReadChunk);
    if (!chunk) return std::move(chunk).error();
    if (chunk->empty()) break;
    pos += chunk->size();
    pending += *chunk;
    std::size_t start = 0;
    for (;;) {
      auto newline = pending.find('\n', start);
      if (newline == std::string::npos) break;
      std::string_view line(pending.data() + start, newline - start);
      if (skipping_long_line) {
        skipping_long_line = false;
        cache.state.count_damaged();
        warn(path_, "skipped an overlong index record");
      } else if (auto record = parse_index_record(line); record) {
        cache.state.apply(*record);
      } else {
        cache.state.count_damaged();
        warn(path_, "skipped a damaged index record");
      }
      start = newline + 1;
      cache.valid_end = pending_start + start;
    }
    pending.erase(0, start);
    pending_start += start;
    if (pending.size() > kMaxIndexRecordBytes) {
      skipping_long_line = true;
      pending_start += pending.size();
      pending.clear();
    }
  }
  if (cache.valid_end < file_size) {
    // We hold the folder lock, so nobody is writing: an unfinished last line is the
    // torn tail of an append cut short by a crash. Cut it off so the next append starts
    // on a fresh line.
    warn(path_, "cut off a torn index record at the end of the log");
    DIRMAIL_TRY(file_->truncate(cache.valid_end));
  }
  return ok_status();
}

Status IndexLog::append(std::span<const IndexRecord> records) {
  if (records.empty()) return ok_status();
  IndexCache& cache = *cache_;
  // Each change gets the next mod-sequence, written out so that replay never guesses.
  std::vector<IndexRecord> stamped(records.begin(), records.end());
  std::uint64_t modseq = cache.state.highest_modseq();
  for (auto& record : stamped)
    if (record.changes_message() && record.info.modseq == 0) record.info.modseq = ++modseq;
  std::string data;
  for (const auto& record : stamped) data += format_index_record(record);
  if (auto written = file_->write_at(cache.valid_end, data); !written) {
    // Do not leave half a record behind for the next writer; if this fails too, the
    // next open cuts the torn tail off instead.
    (void)file_->truncate(cache.valid_end);
    return written;
  }
  cache.valid_end += data.size();
  for (const auto& record : stamped) cache.state.apply(record);
  return ok_status();
}

Status IndexLog::sync() {
  if (!file_) return ok_status();
  return file_->sync();
}

bool IndexLog::wants_compaction(std::size_t min_dead_records) const {
  const auto& state = cache_->state;
  return state.dead_records() >= min_dead_records && state.dead_records() >= state.live().size();
}

Status IndexLog::compact() {
  IndexState keep = cache_->state;
  return write_fresh(keep.compacted_header(new_generation()), &keep);
}

Status IndexLog::write_fresh(const IndexHeader& header, const IndexState* keep) {
  IndexState fresh(header);
  std::string data = format_index_record(IndexRecord::make_header(header));
  std::string header_line = data;
  if (keep != nullptr) {
    // Keywords first: the messages' masks refer to their bits.
    for (std::size_t bit = 0; bit < keep->keywords().size(); ++bit) {
      IndexRecord keyword = IndexRecord::make_keyword(static_cast<std::uint8_t>(bit), keep->keywords()[bit]);
      data += format_index_record(keyword);
      fresh.apply(keyword);
    }
    for (const auto& [uid, message] : keep->live()) {
      IndexRecord add = IndexRecord::make_add(message.info, message.file);
      data += format_index_record(add);
      fresh.apply(add);
    }
  }

  const std::string tmp = posix::join_path(dir_, kNewIndexFileName);
  auto written = [&]() -> Status {
    auto file = fs_->open(tmp, OpenMode::read_write_create);  // may be what a crash left
    if (!file) return std::move(file).error();
    DIRMAIL_TRY((*file)->truncate(0));
    DIRMAIL_TRY((*file)->write_at(0, data));
    return (*file)->sync();
  }();
  if (!written) {
    (void)fs_->remove(tmp);
    return written;
  }
  // Both files are closed for the rename: a share may refuse to rename or remove an
  // open file.
  file_.reset();
  if (auto renamed = fs_->rename(tmp, path_, Rename::replace); !renamed) {
    // Where the log was removed first (smb), the new file is the log now: open() takes it.
    return renamed;
  }
  DIRMAIL_TRY(fs_->sync_directory(dir_));
  auto file = fs_->open(path_, OpenMode::read_write);
  if (!file) return std::move(file).error();
  auto info = (*file)->info();
  if (!info) return std::move(info).error();

  IndexCache& cache = *cache_;
  cache = IndexCache{};
  cache.valid = true;
  cache.identity = info->identity;
  cache.header_line = header_line;
  cache.valid_end = data.size();
  cache.state = std::move(fresh);
  file_ = std::move(*file);
  return ok_status();
}

}  // namespace dirmail::store
