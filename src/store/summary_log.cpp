#include "summary_log.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "dirmail/base/log.hpp"
#include "dirmail/store/summary_record.hpp"

namespace dirmail::store {
namespace {

constexpr std::uint64_t kMinRewriteBytes = 256 * 1024;

void warn(const std::string& path, std::string_view message) {
  log::LogLine(log::service("store"), log::Record::store).with("summary", path).warn(message);
}

}  // namespace

SummaryLog::SummaryLog(std::string folder_dir, SummaryCache& cache)
    : dir_(std::move(folder_dir)), path_(posix::join_path(dir_, kSummaryFileName)), cache_(&cache) {}

Result<SummaryLog> SummaryLog::open(const std::string& folder_dir, SummaryCache& cache) {
  SummaryLog log(folder_dir, cache);
  DIRMAIL_TRY(log.load());
  return log;
}

Status SummaryLog::load() {
  int raw_fd;
  do {
    raw_fd = ::open(path_.c_str(), O_RDWR | O_CLOEXEC);
  } while (raw_fd < 0 && errno == EINTR);
  SummaryCache& cache = *cache_;
  if (raw_fd < 0) {
    cache = SummaryCache{};
    return errno == ENOENT ? ok_status() : errno_error("open", path_, errno);
  }
  fd_.reset(raw_fd);
  struct stat st;
  if (::fstat(fd_.get(), &st) != 0) return errno_error("stat", path_, errno);
  auto file_size = static_cast<std::uint64_t>(st.st_size);
  if (!cache.valid || cache.dev != st.st_dev || cache.ino != st.st_ino || file_size < cache.valid_end) {
    cache = SummaryCache{};
    cache.dev = st.st_dev;
    cache.ino = st.st_ino;
    cache.valid = true;
  }
  cache.file_size = file_size;
  // Read the records appended since; stop at the first that does not check out.
  std::uint64_t pos = cache.valid_end;
  while (pos < file_size) {
    auto head_bytes = posix::pread_up_to(fd_.get(), pos, kMaxSummaryHead, path_);
    if (!head_bytes) return std::move(head_bytes).error();
    auto head = parse_summary_head(*head_bytes);
    if (!head || pos + head->record_size() > file_size) break;
    auto record = posix::pread_up_to(fd_.get(), pos, head->record_size(), path_);
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
  if (it == cache_->entries.end() || !fd_.valid()) return std::optional<std::string>();
  auto bytes = posix::pread_up_to(fd_.get(), it->second.offset, it->second.length, path_);
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
  if (!fd_.valid()) {
    auto fd = posix::open_file(path_, O_RDWR | O_CREAT, 0600);
    if (!fd) return std::move(fd).error();
    fd_ = std::move(*fd);
    DIRMAIL_TRY(load());
  }
  // A torn or damaged tail goes: records after it could not be found again.
  if (cache.file_size > cache.valid_end && ::ftruncate(fd_.get(), static_cast<off_t>(cache.valid_end)) != 0) {
    return errno_error("truncate", path_, errno);
  }
  if (auto written = posix::pwrite_all(fd_.get(), data, cache.valid_end, path_); !written) {
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
  std::string tmp = posix::join_path(dir_, "dirmail.summary.new");
  auto fd = posix::open_file(tmp, O_RDWR | O_CREAT | O_TRUNC, 0600);
  if (!fd) return std::move(fd).error();
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
  DIRMAIL_TRY(posix::write_all(fd->get(), data, tmp));
  if (::rename(tmp.c_str(), path_.c_str()) != 0) return errno_error("rename", tmp, errno);
  struct stat st;
  if (::fstat(fd->get(), &st) != 0) return errno_error("stat", tmp, errno);
  fresh.valid = true;
  fresh.dev = st.st_dev;
  fresh.ino = st.st_ino;
  fresh.valid_end = fresh.file_size = data.size();
  *cache_ = std::move(fresh);
  fd_ = std::move(*fd);
  return ok_status();
}

}  // namespace dirmail::store
