#include "summary_log.hpp"

#include <utility>
#include <vector>

#include <fmt/format.h>

#include "dirmail/base/log.hpp"
#include "dirmail/base/posix_file.hpp"
#include "dirmail/store/summary_record.hpp"
#include "file_bytes.hpp"

namespace dirmail::store {
namespace {

constexpr std::uint64_t kMinRewriteBytes = 256 * 1024;

void warn(const std::string& path, std::string_view message) {
  log::LogLine(log::service("store"), log::Record::store).with("summary", path).warn(message);
}

}  // namespace

SummaryLog::SummaryLog(FileSystem& fs, std::string folder_dir, SummaryCache& cache)
    : fs_(&fs),
      dir_(std::move(folder_dir)), path_(posix::join_path(dir_, kSummaryFileName)), cache_(&cache) {}

Result<SummaryLog> SummaryLog::open(FileSystem& fs, const std::string& folder_dir, SummaryCache& cache) {
  SummaryLog log(fs, folder_dir, cache);
  DIRMAIL_TRY(log.load());
  return log;
}

Status SummaryLog::load() {
  SummaryCache& cache = *cache_;
  if (!file_) {
    auto file = fs_->open(path_, OpenMode::read_write);
    if (!file) {
      cache = SummaryCache{};
      return file.error().code == ErrorCode::not_found ? ok_status() : Status(std::move(file).error());
    }
    file_ = std::move(*file);
  }
  auto info = file_->info();
  if (!info) return std::move(info).error();
  const std::uint64_t file_size = info->size;
  if (!cache.valid || cache.identity != info->identity || file_size < cache.valid_end) {
    cache = SummaryCache{};
    cache.identity = info->identity;
    cache.valid = true;
  }
  cache.file_size = file_size;
  // Read the records appended since; stop at the first that does not check out.
  std::uint64_t pos = cache.valid_end;
  while (pos < file_size) {
    auto head_bytes = read_bytes(*file_, pos, kMaxSummaryHead);
    if (!head_bytes) return std::move(head_bytes).error();
    auto head = parse_summary_head(*head_bytes);
    if (!head || pos + head->record_size() > file_size) break;
    auto record = read_bytes(*file_, pos, head->record_size());
    if (!record) return std::move(record).error();
    if (!summary_record_bytes(*head, *record)) break;
    auto [it, added] = cache.entries.try_emplace(head->uid);
    if (!added) cache.dead_bytes += it->second.length;
    it->second = {pos + head->head_size, head->length};
    pos += head->record_size();
  }
  cache.valid_end = pos;
  if (pos < file_size) warn(path_, "summary file has a damaged or torn tail; it is cut off at the next write");
  return ok_status();
}

Result<std::optional<std::string>> SummaryLog::read(std::uint32_t uid) {
  auto it = cache_->entries.find(uid);
  if (it == cache_->entries.end() || !file_) return std::optional<std::string>();
  auto bytes = read_bytes(*file_, it->second.offset, it->second.length);
  if (!bytes) return std::move(bytes).error();
  if (bytes->size() != it->second.length) return std::optional<std::string>();
  return std::optional<std::string>(std::move(*bytes));
}

Status SummaryLog::append(std::span<const MessageSummaryBytes> entries, const IndexState& live) {
  SummaryCache& cache = *cache_;
  std::string data;
  std::vector<std::pair<std::uint32_t, SummaryCache::Where>> added;  // offsets relative to the write
  for (const auto& e : entries) {
    if (e.bytes.size() > kMaxSummaryBytes || live.find(e.uid) == nullptr) continue;
    std::string record = format_summary_record(e.uid, e.bytes);
    std::uint64_t head = record.size() - e.bytes.size() - 1;
    added.emplace_back(e.uid, SummaryCache::Where{data.size() + head, static_cast<std::uint32_t>(e.bytes.size())});
    data += record;
  }
  if (data.empty()) return ok_status();
  if (!file_) {
    auto file = fs_->open(path_, OpenMode::read_write_create);
    if (!file) return std::move(file).error();
    file_ = std::move(*file);
    DIRMAIL_TRY(load());
  }
  // A torn or damaged tail goes: records after it could not be found again.
  if (cache.file_size > cache.valid_end) DIRMAIL_TRY(file_->truncate(cache.valid_end));
  if (auto written = file_->write_at(cache.valid_end, data); !written) {
    cache.file_size = cache.valid_end + data.size();  // whatever was written is cut off next time
    return written;
  }
  for (auto& [uid, where] : added) {
    where.offset += cache.valid_end;
    auto [it, is_new] = cache.entries.try_emplace(uid, where);
    if (!is_new) {
      cache.dead_bytes += it->second.length;
      it->second = where;
    }
  }
  cache.valid_end = cache.file_size = cache.valid_end + data.size();
  // Summaries of expunged messages are dead too.
  for (auto it = cache.entries.begin(); it != cache.entries.end();) {
    if (live.find(it->first) != nullptr) {
      ++it;
      continue;
    }
    cache.dead_bytes += it->second.length;
    it = cache.entries.erase(it);
  }
  if (cache.dead_bytes >= kMinRewriteBytes && cache.dead_bytes * 2 >= cache.valid_end) return rewrite(live);
  return ok_status();
}

Status SummaryLog::rewrite(const IndexState& live) {
  std::string data;
  SummaryCache fresh;
  for (const auto& [uid, where] : cache_->entries) {
    if (live.find(uid) == nullptr) continue;
    auto bytes = read(uid);
    if (!bytes) return std::move(bytes).error();
    if (!*bytes) continue;
    std::string record = format_summary_record(uid, **bytes);
    fresh.entries[uid] = {data.size() + (record.size() - (*bytes)->size() - 1), where.length};
    data += record;
  }
  const std::string tmp = posix::join_path(dir_, "dirmail.summary.new");
  {
    auto file = fs_->open(tmp, OpenMode::read_write_create);
    if (!file) return std::move(file).error();
    DIRMAIL_TRY((*file)->truncate(0));
    DIRMAIL_TRY((*file)->write_at(0, data));
  }
  // Closed for the rename: a share may refuse to rename over an open file.
  file_.reset();
  *cache_ = SummaryCache{};
  DIRMAIL_TRY(fs_->rename(tmp, path_, Rename::replace));
  auto file = fs_->open(path_, OpenMode::read_write);
  if (!file) return std::move(file).error();
  auto info = (*file)->info();
  if (!info) return std::move(info).error();
  fresh.valid = true;
  fresh.identity = info->identity;
  fresh.valid_end = fresh.file_size = data.size();
  *cache_ = std::move(fresh);
  file_ = std::move(*file);
  return ok_status();
}

}  // namespace dirmail::store
