#include "dirmail/queue/message_claim.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "queue_id.hpp"

namespace dirmail::queue {
namespace {

// A message a delivery removes or a command moves meanwhile is looked for again; a
// handful of rounds is plenty (each needs another process to act in between).
constexpr int kClaimRounds = 8;

std::string folder_path(const std::string& dir, std::string_view folder) { return posix::join_path(dir, folder); }

std::string file_path(const std::string& dir, std::string_view folder, std::string_view id, std::string_view suffix) {
  return posix::join_path(folder_path(dir, folder), std::string(id) + std::string(suffix));
}

// Whether `path` still names the file open as `fd`.
bool still_at(int fd, const std::string& path) {
  struct stat open_file, named;
  return ::fstat(fd, &open_file) == 0 && ::stat(path.c_str(), &named) == 0 && open_file.st_ino == named.st_ino &&
         open_file.st_dev == named.st_dev;
}

Status lock(int fd, bool wait, const std::string& path) {
  while (::flock(fd, wait ? LOCK_EX : LOCK_EX | LOCK_NB) != 0) {
    if (errno != EINTR) return errno_error("lock", path, errno);
  }
  return ok_status();
}

// Renames and makes the rename durable in both folders before anything else happens.
// `missing_ok`: a message without outcomes has no .state file.
Status durable_rename(const std::string& from, const std::string& to, const std::string& from_dir,
                      const std::string& to_dir, bool missing_ok) {
  if (::rename(from.c_str(), to.c_str()) != 0) {
    if (errno == ENOENT && missing_ok) return ok_status();
    return errno_error("rename", from, errno);
  }
  DIRMAIL_TRY(posix::sync_directory(to_dir));
  return posix::sync_directory(from_dir);
}

}  // namespace

Result<MessageClaim> MessageClaim::acquire(const std::string& queue_dir, std::string_view id,
                                           const std::function<void()>& waiting) {
  if (!valid_queue_id(id)) return make_error(ErrorCode::invalid_argument, "invalid queue id \"" + std::string(id) + "\"");
  bool told = false;
  for (int round = 0; round < kClaimRounds; ++round) {
    bool found = false;
    for (auto folder : {kIncomingFolder, kHoldFolder}) {
      std::string path = file_path(queue_dir, folder, id, ".msg");
      int raw;
      do {
        raw = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
      } while (raw < 0 && errno == EINTR);
      if (raw < 0) {
        if (errno == ENOENT) continue;
        return errno_error("open", path, errno);
      }
      found = true;
      posix::UniqueFd fd(raw);
      if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
        if (errno != EWOULDBLOCK && errno != EINTR) return errno_error("lock", path, errno);
        if (waiting && !told) waiting();
        told = true;
        DIRMAIL_TRY(lock(fd.get(), true, path));
      }
      if (still_at(fd.get(), path))
        return MessageClaim(queue_dir, std::string(id), std::move(fd), folder == kHoldFolder);
      break;  // delivered, removed or moved while we waited: look again
    }
    if (!found) break;
  }
  return make_error(ErrorCode::not_found, "no message " + std::string(id) + " in the queue");
}

Status MessageClaim::move_files(std::string_view from, std::string_view to, bool state_first) {
  std::string from_dir = folder_path(dir_, from);
  std::string to_dir = folder_path(dir_, to);
  DIRMAIL_TRY(posix::ensure_directory(to_dir));
  auto move_file = [&](std::string_view suffix, bool missing_ok) {
    return durable_rename(file_path(dir_, from, id_, suffix), file_path(dir_, to, id_, suffix), from_dir, to_dir,
                          missing_ok);
  };
  if (state_first) {
    DIRMAIL_TRY(move_file(".state", true));
    return move_file(".msg", false);
  }
  DIRMAIL_TRY(move_file(".msg", false));
  return move_file(".state", true);
}

Status MessageClaim::hold() {
  if (held_) return make_error(ErrorCode::invalid_argument, "message " + id_ + " is held already");
  DIRMAIL_TRY(move_files(kIncomingFolder, kHoldFolder, false));
  held_ = true;
  return ok_status();
}

Status MessageClaim::release() {
  if (!held_) return make_error(ErrorCode::invalid_argument, "message " + id_ + " is not held");
  DIRMAIL_TRY(move_files(kHoldFolder, kIncomingFolder, true));
  held_ = false;
  return ok_status();
}

Status settle_interrupted_holds(const std::string& queue_dir) {
  std::string hold_dir = folder_path(queue_dir, kHoldFolder);
  std::string incoming_dir = folder_path(queue_dir, kIncomingFolder);
  if (!posix::is_directory(hold_dir)) return ok_status();
  auto names = posix::list_directory(incoming_dir);
  if (!names) return std::move(names).error();
  constexpr std::string_view suffix = ".state";
  for (const auto& name : *names) {
    if (name.size() <= suffix.size() || !name.ends_with(suffix)) continue;
    std::string id = name.substr(0, name.size() - suffix.size());
    if (!valid_queue_id(id) || ::access(file_path(queue_dir, kIncomingFolder, id, ".msg").c_str(), F_OK) == 0)
      continue;
    std::string held_msg = file_path(queue_dir, kHoldFolder, id, ".msg");
    auto fd = posix::open_file(held_msg, O_RDONLY | O_CLOEXEC);
    if (!fd) continue;  // not held: an ordinary orphan
    if (!lock(fd->get(), false, held_msg)) continue;  // a command is moving it right now
    DIRMAIL_TRY(durable_rename(posix::join_path(incoming_dir, name), file_path(queue_dir, kHoldFolder, id, ".state"),
                               incoming_dir, hold_dir, true));
  }
  return ok_status();
}

}  // namespace dirmail::queue
