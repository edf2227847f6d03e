#include "dirmail/queue/file_queue.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <ctime>

#include "dirmail/base/log.hpp"
#include "dirmail/queue/message_claim.hpp"
#include "dirmail/queue/queue_header.hpp"
#include "dirmail/queue/recipient_state_log.hpp"
#include "file_message_writer.hpp"
#include "queue_folders.hpp"
#include "queue_id.hpp"
#include "queued_message_file.hpp"

namespace dirmail::queue {
namespace {

constexpr std::int64_t kForeignTmpMaxAgeSeconds = 24 * 3600;

bool has_suffix(std::string_view s, std::string_view suffix) {
  return s.size() > suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

void note(std::string_view message, const std::string& path) {
  log::LogLine(log::service("queue"), log::Record::daemon).with("path", path).info(message);
}

// Another process of this node may be writing into tmp/ right now (an admin tool, a
// second daemon by mistake): its files are only discarded when this process is the
// only one with the queue open, shown by getting queue.lock exclusively.
Result<bool> lock_queue(QueueFolders& folders, posix::UniqueFd& lock_fd) {
  std::string path = posix::join_path(folders.root, "queue.lock");
  auto fd = posix::open_file(path, O_RDWR | O_CREAT, 0600);
  if (!fd) return std::move(fd).error();
  bool alone = ::flock(fd->get(), LOCK_EX | LOCK_NB) == 0;
  while (::flock(fd->get(), LOCK_SH) != 0) {  // downgrade, or join the others
    if (errno != EINTR) return errno_error("lock", path, errno);
  }
  lock_fd = std::move(*fd);
  return alone;
}

Status discard_unfinished(const QueueFolders& folders, bool alone) {
  auto names = posix::list_directory(folders.tmp);
  if (!names) return std::move(names).error();
  auto now = static_cast<std::int64_t>(std::time(nullptr));
  for (const auto& name : *names) {
    std::string path = posix::join_path(folders.tmp, name);
    std::string_view id = std::string_view(name).substr(0, name.size() - (has_suffix(name, ".msg") ? 4 : 0));
    bool ours = alone && has_suffix(name, ".msg") && queue_id_from_node(id, folders.node_tag);
    struct stat st;
    if (::lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    bool abandoned = now - static_cast<std::int64_t>(st.st_mtime) > kForeignTmpMaxAgeSeconds;
    if (!ours && !abandoned) continue;
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) return errno_error("unlink", path, errno);
    note("discarded an unfinished message", path);
  }
  return ok_status();
}

Status remove_orphan_states(const QueueFolders& folders) {
  auto names = posix::list_directory(folders.incoming);
  if (!names) return std::move(names).error();
  for (const auto& name : *names) {
    if (!has_suffix(name, ".state")) continue;
    std::string id = name.substr(0, name.size() - 6);
    if (!valid_queue_id(id) || ::access(folders.msg_path(id).c_str(), F_OK) == 0) continue;
    // A hold or release under way (message_claim.hpp): its command moves the state.
    std::string held = posix::join_path(posix::join_path(folders.root, kHoldFolder), id + ".msg");
    if (::access(held.c_str(), F_OK) == 0) continue;
    std::string path = folders.state_path(id);
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) return errno_error("unlink", path, errno);
  }
  return ok_status();
}

}  // namespace

FileQueue::FileQueue(std::shared_ptr<QueueFolders> folders) : folders_(std::move(folders)) {}
FileQueue::~FileQueue() = default;

Result<std::unique_ptr<FileQueue>> FileQueue::open(const std::string& dir, std::string node_name) {
  if (dir.empty()) return make_error(ErrorCode::invalid_argument, "queue folder is empty");
  auto folders = std::make_shared<QueueFolders>();
  folders->root = dir;
  folders->tmp = posix::join_path(dir, "tmp");
  folders->incoming = posix::join_path(dir, "incoming");
  folders->node_tag = node_tag(node_name);
  DIRMAIL_TRY(posix::ensure_directory(folders->tmp));
  DIRMAIL_TRY(posix::ensure_directory(folders->incoming));
  auto incoming_fd = posix::open_file(folders->incoming, O_RDONLY | O_DIRECTORY);
  if (!incoming_fd) return std::move(incoming_fd).error();
  folders->incoming_fd = std::move(*incoming_fd);

  auto alone = lock_queue(*folders, folders->lock_fd);
  if (!alone) return std::move(alone).error();
  DIRMAIL_TRY(discard_unfinished(*folders, *alone));
  DIRMAIL_TRY(settle_interrupted_holds(dir));  // before their states look like orphans
  DIRMAIL_TRY(remove_orphan_states(*folders));
  return std::unique_ptr<FileQueue>(new FileQueue(std::move(folders)));
}

std::uint64_t FileQueue::directory_syncs() const { return folders_->incoming_commit.syncs(); }
const std::string& FileQueue::dir() const { return folders_->root; }

Result<std::unique_ptr<MessageWriter>> FileQueue::begin(const Envelope& envelope) {
  for (int attempt = 0; attempt < 5; ++attempt) {
    std::string id = make_queue_id(folders_->node_tag);
    auto header = format_queue_header(id, envelope);
    if (!header) return std::move(header).error();
    if (::access(folders_->msg_path(id).c_str(), F_OK) == 0) continue;  // id taken (clock went back)
    std::string path = folders_->tmp_path(id);
    int fd;
    do {
      fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) {
      if (errno == EEXIST) continue;
      return errno_error("create", path, errno);
    }
    return std::unique_ptr<MessageWriter>(
        std::make_unique<FileMessageWriter>(folders_, std::move(id), posix::UniqueFd(fd), std::move(*header)));
  }
  return make_error(ErrorCode::temporary_failure, "could not find a free queue id");
}

Result<std::vector<std::string>> FileQueue::list() {
  auto names = posix::list_directory(folders_->incoming);
  if (!names) return std::move(names).error();
  std::vector<std::string> ids;
  for (auto& name : *names) {
    if (!has_suffix(name, ".msg")) continue;
    name.resize(name.size() - 4);
    if (valid_queue_id(name)) ids.push_back(std::move(name));
  }
  std::sort(ids.begin(), ids.end());  // ids begin with the arrival time
  return ids;
}

Result<QueuedMessage> FileQueue::load(std::string_view id) {
  if (!valid_queue_id(id)) return make_error(ErrorCode::invalid_argument, "invalid queue id");
  return read_queued_message(folders_->msg_path(id), folders_->state_path(id), id);
}

Status FileQueue::set_recipient_state(std::string_view id, std::size_t index, RecipientState state,
                                      std::string_view reason) {
  if (!valid_queue_id(id)) return make_error(ErrorCode::invalid_argument, "invalid queue id");
  if (state == RecipientState::pending)
    return make_error(ErrorCode::invalid_argument, "only delivered or failed can be recorded");
  if (index >= kMaxQueueRecipients) return make_error(ErrorCode::invalid_argument, "recipient index out of range");
  if (::access(folders_->msg_path(id).c_str(), F_OK) != 0)
    return make_error(ErrorCode::not_found, "no queued message " + std::string(id));

  return append_state_line(id, format_recipient_state_line(index, state, reason));
}

Status FileQueue::record_retry(std::string_view id, std::size_t index, const RetryState& retry) {
  if (!valid_queue_id(id)) return make_error(ErrorCode::invalid_argument, "invalid queue id");
  if (index >= kMaxQueueRecipients) return make_error(ErrorCode::invalid_argument, "recipient index out of range");
  if (::access(folders_->msg_path(id).c_str(), F_OK) != 0)
    return make_error(ErrorCode::not_found, "no queued message " + std::string(id));
  return append_state_line(id, format_retry_state_line(index, retry));
}

Status FileQueue::append_state_line(std::string_view id, std::string line) {
  std::string path = folders_->state_path(id);
  std::lock_guard lock(folders_->state_append);
  bool created = true;
  int fd;
  do {
    fd = ::open(path.c_str(), O_RDWR | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0 && errno == EEXIST) {
    created = false;
    do {
      fd = ::open(path.c_str(), O_RDWR | O_APPEND | O_CLOEXEC);
    } while (fd < 0 && errno == EINTR);
  }
  if (fd < 0) return errno_error("open", path, errno);
  posix::UniqueFd file(fd);
  if (!created) {
    // A torn last line (crash mid-append) must not swallow this record.
    struct stat st;
    if (::fstat(fd, &st) != 0) return errno_error("stat", path, errno);
    if (st.st_size > 0) {
      auto last = posix::pread_up_to(fd, static_cast<std::uint64_t>(st.st_size) - 1, 1, path);
      if (!last) return std::move(last).error();
      if (*last != "\n") {
        std::string separated(1, '\n');
        separated += line;
        line = std::move(separated);
      }
    }
  }
  DIRMAIL_TRY(posix::write_all(fd, line, path));
  while (::fdatasync(fd) != 0) {
    if (errno != EINTR) return errno_error("fdatasync", path, errno);
  }
  if (created) return folders_->incoming_commit.commit();  // the new name must survive too
  return ok_status();
}

Status FileQueue::remove(std::string_view id) {
  if (!valid_queue_id(id)) return make_error(ErrorCode::invalid_argument, "invalid queue id");
  std::string msg = folders_->msg_path(id);
  std::string state = folders_->state_path(id);
  // Without recorded results there is nothing to keep in step: a removal lost in a
  // crash brings the message back whole, and its deliveries are named by its id, so the
  // store keeps one copy. Only with a state file must the removal be durable first.
  bool has_state = ::access(state.c_str(), F_OK) == 0;
  if (::unlink(msg.c_str()) != 0) {
    int err = errno;
    if (err != ENOENT) return errno_error("unlink", msg, err);
    ::unlink(state.c_str());  // an orphan left by an earlier crash
    return make_error(ErrorCode::not_found, "no queued message " + std::string(id));
  }
  if (!has_state) return ok_status();
  DIRMAIL_TRY(folders_->incoming_commit.commit());
  if (::unlink(state.c_str()) != 0 && errno != ENOENT) return errno_error("unlink", state, errno);
  return ok_status();
}

}  // namespace dirmail::queue
