#include "folder_repair.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <ctime>
#include <unordered_set>

#include "dirmail/base/log.hpp"
#include "message_names.hpp"
#include "dirmail/base/posix_file.hpp"

namespace dirmail::store {
namespace {

struct FoundFile {
  std::string name;
  std::uint64_t size = 0;
  std::int64_t mtime = 0;
};

void note(const std::string& path, std::string_view message) {
  log::LogLine(log::service("store"), log::Record::store).with("path", path).warn(message);
}

// Moves regular files from new/ into cur/; returns whether anything moved.
Result<bool> move_new_to_cur(const std::string& new_dir, const std::string& cur_dir) {
  if (!posix::is_directory(new_dir)) return false;
  auto names = posix::list_directory(new_dir);
  if (!names) return std::move(names).error();
  bool moved = false;
  for (const auto& name : *names) {
    if (!valid_message_file_name(name)) continue;
    std::string from = posix::join_path(new_dir, name);
    std::string to = posix::join_path(cur_dir, name);
    if (::access(to.c_str(), F_OK) == 0) continue;  // never replace a stored message
    if (::rename(from.c_str(), to.c_str()) != 0) return errno_error("rename", from, errno);
    moved = true;
  }
  if (moved) {
    DIRMAIL_TRY(posix::sync_directory(cur_dir));
    DIRMAIL_TRY(posix::sync_directory(new_dir));
  }
  return moved;
}

}  // namespace

Result<FolderRepair> plan_folder_repair(const std::string& folder_dir, const IndexState& state) {
  std::string cur_dir = posix::join_path(folder_dir, "cur");
  auto moved = move_new_to_cur(posix::join_path(folder_dir, "new"), cur_dir);
  if (!moved) return std::move(moved).error();

  auto names = posix::list_directory(cur_dir);
  if (!names) return std::move(names).error();

  std::unordered_set<std::string> indexed;
  for (const auto& [uid, message] : state.live()) indexed.insert(message.file);

  std::unordered_set<std::string> present;
  std::vector<FoundFile> unindexed;
  for (auto& name : *names) {
    if (!valid_message_file_name(name)) {
      if (name.front() != '.') note(posix::join_path(cur_dir, name), "file name cannot be indexed; left alone");
      continue;
    }
    if (indexed.count(name) != 0) {
      present.insert(std::move(name));
      continue;
    }
    struct stat st;
    std::string path = posix::join_path(cur_dir, name);
    if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    unindexed.push_back(FoundFile{std::move(name), static_cast<std::uint64_t>(st.st_size),
                                  static_cast<std::int64_t>(st.st_mtime)});
  }

  FolderRepair repair;
  for (const auto& [uid, message] : state.live()) {
    if (present.count(message.file) == 0) {
      repair.records.push_back(IndexRecord::make_expunge(uid));
      ++repair.dropped;
    }
  }
  // Oldest first, so adopted messages get UIDs in arrival order.
  std::sort(unindexed.begin(), unindexed.end(), [](const FoundFile& a, const FoundFile& b) {
    return a.mtime != b.mtime ? a.mtime < b.mtime : a.name < b.name;
  });
  std::uint32_t next_uid = state.uidnext();
  for (auto& file : unindexed) {
    if (next_uid >= UINT32_MAX - 1) break;  // UID space exhausted; the folder needs a new UIDVALIDITY
    MessageInfo info;
    info.uid = next_uid++;
    info.size = file.size;
    info.uidl = uidl_from_file_name(file.name);
    info.internal_date = file.mtime;
    note(posix::join_path(cur_dir, file.name), "adopted a message file missing from the index");
    repair.records.push_back(IndexRecord::make_add(std::move(info), std::move(file.name)));
    ++repair.adopted;
  }
  return repair;
}

void remove_stale_tmp_files(const std::string& folder_dir, std::int64_t max_age_seconds) {
  std::string tmp_dir = posix::join_path(folder_dir, "tmp");
  auto names = posix::list_directory(tmp_dir);
  if (!names) return;
  auto now = static_cast<std::int64_t>(std::time(nullptr));
  for (const auto& name : *names) {
    std::string path = posix::join_path(tmp_dir, name);
    struct stat st;
    if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    if (now - static_cast<std::int64_t>(st.st_mtime) > max_age_seconds) ::unlink(path.c_str());
  }
}

}  // namespace dirmail::store
