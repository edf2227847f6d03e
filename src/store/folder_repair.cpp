#include "folder_repair.hpp"

#include <algorithm>
#include <ctime>
#include <unordered_set>

#include "dirmail/base/log.hpp"
#include "dirmail/base/posix_file.hpp"
#include "message_names.hpp"

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
Result<bool> move_new_to_cur(FileSystem& fs, const std::string& new_dir, const std::string& cur_dir) {
  auto entries = fs.list(new_dir);
  if (!entries) {
    if (entries.error().code == ErrorCode::not_found) return false;
    return std::move(entries).error();
  }
  bool moved = false;
  for (const auto& entry : *entries) {
    if (entry.directory || !valid_message_file_name(entry.name)) continue;
    std::string from = posix::join_path(new_dir, entry.name);
    auto renamed = fs.rename(from, posix::join_path(cur_dir, entry.name), Rename::no_replace);
    if (!renamed && renamed.error().code == ErrorCode::already_exists) continue;  // never replace a stored message
    if (!renamed) return std::move(renamed).error();
    moved = true;
  }
  if (moved) {
    DIRMAIL_TRY(fs.sync_directory(cur_dir));
    DIRMAIL_TRY(fs.sync_directory(new_dir));
  }
  return moved;
}

}  // namespace

Result<FolderRepair> plan_folder_repair(FileSystem& fs, const std::string& folder_dir, const IndexState& state) {
  std::string cur_dir = posix::join_path(folder_dir, "cur");
  auto moved = move_new_to_cur(fs, posix::join_path(folder_dir, "new"), cur_dir);
  if (!moved) return std::move(moved).error();

  auto entries = fs.list(cur_dir);
  if (!entries) return std::move(entries).error();

  std::unordered_set<std::string> indexed;
  for (const auto& [uid, message] : state.live()) indexed.insert(message.file);

  std::unordered_set<std::string> present;
  std::vector<FoundFile> unindexed;
  for (auto& entry : *entries) {
    std::string& name = entry.name;
    if (!valid_message_file_name(name)) {
      if (name.front() != '.') note(posix::join_path(cur_dir, name), "file name cannot be indexed; left alone");
      continue;
    }
    if (indexed.count(name) != 0) {
      present.insert(std::move(name));
      continue;
    }
    if (entry.directory) continue;
    std::string path = posix::join_path(cur_dir, name);
    auto info = fs.stat(path);
    // An error must not pass for "no file": the stamp taken after this scan would keep
    // the file from being adopted until the folder changes again.
    if (!info) return std::move(info).error();
    if (!*info || (*info)->directory) continue;  // gone meanwhile, or not a message
    unindexed.push_back(FoundFile{std::move(name), (*info)->size, static_cast<std::int64_t>((*info)->modified.tv_sec)});
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

void remove_stale_tmp_files(FileSystem& fs, const std::string& folder_dir, std::int64_t max_age_seconds) {
  std::string tmp_dir = posix::join_path(folder_dir, "tmp");
  auto entries = fs.list(tmp_dir);
  if (!entries) return;
  auto now = static_cast<std::int64_t>(std::time(nullptr));
  for (const auto& entry : *entries) {
    if (entry.directory) continue;
    std::string path = posix::join_path(tmp_dir, entry.name);
    auto info = fs.stat(path);
    if (!info || !*info || (*info)->directory) continue;
    if (now - static_cast<std::int64_t>((*info)->modified.tv_sec) > max_age_seconds) (void)fs.remove(path);
  }
}

}  // namespace dirmail::store
