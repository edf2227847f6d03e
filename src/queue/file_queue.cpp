#include "dirmail/queue/file_queue.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <ctime>

#include "dirmail/base/log.hpp"
#include "dirmail/queue/message_claim.hpp"
#include "dirmail/queue/queue_header.hpp"
#include "dirmail/queue/recipient_state_log.hpp"
#include "dirmail/store/posix_file_system.hpp"
#include "file_message_writer.hpp"
#include "queue_folders.hpp"
#include "dirmail/queue/queue_id.hpp"
#include "queued_message_file.hpp"

namespace dirmail::queue {
namespace {

constexpr std::int64_t kForeignTmpMaxAgeSeconds = 24 * 3600;
constexpr std::size_t kCopyChunk = 1024 * 1024;  // one SMB read of a message copied for delivery

bool has_suffix(std::string_view s, std::string_view suffix) {
  return s.size() > suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

void note(std::string_view message, const std::string& path) {
  log::LogLine(log::service("queue"), log::Record::daemon).with("path", path).info(message);
}

// Another process of this node may be writing into tmp/ right now (an admin tool, a
// second daemon by mistake): its files are only discarded when this process is the
// only one with the queue open, shown by getting queue.lock exclusively.
Result<bool> lock_queue(QueueFolders& folders) {
  DIRMAIL_TRY(posix::ensure_directory(folders.location.local_dir));
  std::string path = posix::join_path(folders.location.local_dir, "queue.lock");
  auto fd = posix::open_file(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (!fd) return std::move(fd).error();
  bool alone = ::flock(fd->get(), LOCK_EX | LOCK_NB) == 0;
  while (::flock(fd->get(), LOCK_SH) != 0) {  // downgrade, or join the others
    if (errno != EINTR) return errno_error("lock", path, errno);
  }
  folders.lock_fd = std::move(*fd);
  return alone;
}

Status discard_unfinished(QueueFolders& folders, bool alone) {
  auto entries = folders.fs.list(folders.tmp);
  if (!entries) return std::move(entries).error();
  auto now = static_cast<std::int64_t>(std::time(nullptr));
  for (const auto& entry : *entries) {
    if (entry.directory) continue;
    const std::string& name = entry.name;
    std::string path = posix::join_path(folders.tmp, name);
    std::string_view id = std::string_view(name).substr(0, name.size() - (has_suffix(name, ".msg") ? 4 : 0));
    bool ours = alone && has_suffix(name, ".msg") && queue_id_from_node(id, folders.node_tag);
    if (!ours) {
      auto info = folders.fs.stat(path);
      if (!info) return std::move(info).error();
      if (!*info || (*info)->directory) continue;
      if (now - static_cast<std::int64_t>((*info)->modified.tv_sec) <= kForeignTmpMaxAgeSeconds) continue;
    }
    if (auto removed = folders.fs.remove(path); !removed && removed.error().code != ErrorCode::not_found)
      return removed;
    note("discarded an unfinished message", path);
  }
  return ok_status();
}

Status remove_orphan_states(QueueFolders& folders) {
  auto entries = folders.fs.list(folders.incoming);
  if (!entries) return std::move(entries).error();
  std::string hold = posix::join_path(folders.root(), kHoldFolder);
  for (const auto& entry : *entries) {
    if (!has_suffix(entry.name, ".state")) continue;
    std::string id = entry.name.substr(0, entry.name.size() - 6);
    if (!valid_queue_id(id)) continue;
    auto queued = folders.exists(folders.msg_path(id));
    if (!queued) return std::move(queued).error();
    if (*queued) continue;
    // A hold or release under way (message_claim.hpp): its command moves the state.
    auto held = folders.exists(posix::join_path(hold, id + ".msg"));
    if (!held) return std::move(held).error();
    if (*held) continue;
    if (auto removed = folders.fs.remove(folders.state_path(id)); !removed && removed.error().code != ErrorCode::not_found)
      return removed;
  }
  return ok_status();
}

// The whole queue file in an unnamed local file, for a delivery that reads it more
// than once.
Result<posix::UniqueFd> local_copy(store::File& file, std::uint64_t size, const QueueFolders& folders,
                                   const std::string& path) {
  auto copy = posix::create_anonymous_file(folders.location.local_dir);
  if (!copy) return std::move(copy).error();
  std::string chunk(static_cast<std::size_t>(std::min<std::uint64_t>(size, kCopyChunk)), '\0');
  for (std::uint64_t offset = 0; offset < size;) {
    std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(size - offset, chunk.size()));
    auto got = file.read_at(offset, std::span<char>(chunk.data(), want));
    if (!got) return std::move(got).error();
    if (*got == 0) return make_error(ErrorCode::io_error, "queue file ends early: " + path);
    DIRMAIL_TRY(posix::pwrite_all(copy->get(), std::string_view(chunk.data(), *got), offset, "local copy of " + path));
    offset += *got;
  }
  return std::move(*copy);
}

}  // namespace

FileQueue::FileQueue(std::shared_ptr<QueueFolders> folders) : folders_(std::move(folders)) {}
FileQueue::~FileQueue() = default;

Result<std::unique_ptr<FileQueue>> FileQueue::open(const std::string& dir, std::string node_name) {
  if (dir.empty()) return make_error(ErrorCode::invalid_argument, "queue folder is empty");
  return open(local_queue(dir), std::move(node_name));
}

Result<std::unique_ptr<FileQueue>> FileQueue::open(QueueLocation location, std::string node_name) {
  if (location.root.empty() || location.local_dir.empty() || !location.fs)
    return make_error(ErrorCode::invalid_argument, "queue folder is empty");
  auto folders = std::make_shared<QueueFolders>(std::move(location));
  folders->node_tag = node_tag(node_name);
  for (const auto* dir : {&folders->tmp, &folders->incoming}) {
    // A local queue may be named relative to the working folder: posix makes that too.
    DIRMAIL_TRY(folders->location.local() ? posix::ensure_directory(*dir) : store::make_directories(folders->fs, *dir));
  }

  auto alone = lock_queue(*folders);
  if (!alone) return std::move(alone).error();
  DIRMAIL_TRY(discard_unfinished(*folders, *alone));
  DIRMAIL_TRY(settle_interrupted_holds(folders->location));  // before their states look like orphans
  DIRMAIL_TRY(remove_orphan_states(*folders));
  return std::unique_ptr<FileQueue>(new FileQueue(std::move(folders)));
}

std::uint64_t FileQueue::directory_syncs() const { return folders_->incoming_commit.syncs(); }
const QueueLocation& FileQueue::location() const { return folders_->location; }

Result<std::unique_ptr<MessageWriter>> FileQueue::begin(const Envelope& envelope) {
  if (!folders_->location.local()) {
    // On a share: spooled locally (file_message_writer.hpp); an id taken already (the
    // clock went back) is caught by the rename at commit.
    std::string id = make_queue_id(folders_->node_tag);
    auto header = format_queue_header(id, envelope);
    if (!header) return std::move(header).error();
    auto spool = posix::create_anonymous_file(posix::join_path(folders_->location.local_dir, "spool"));
    if (!spool) return std::move(spool).error();
    posix::UniqueFd source(::fcntl(spool->get(), F_DUPFD_CLOEXEC, 0));  // what commit() copies from
    if (!source.valid()) return errno_error("dup", "spool of queue message " + id, errno);
    auto file = store::posix_file(std::move(*spool), "spool of queue message " + id);
    return std::unique_ptr<MessageWriter>(std::make_unique<FileMessageWriter>(
        folders_, std::move(id), std::move(file), std::move(*header), std::move(source)));
  }
  for (int attempt = 0; attempt < 5; ++attempt) {
    std::string id = make_queue_id(folders_->node_tag);
    auto header = format_queue_header(id, envelope);
    if (!header) return std::move(header).error();
    auto taken = folders_->exists(folders_->msg_path(id));  // the clock went back
    if (!taken) return std::move(taken).error();
    if (*taken) continue;
    auto file = folders_->fs.open(folders_->tmp_path(id), store::OpenMode::create_new);
    if (!file) {
      if (file.error().code == ErrorCode::already_exists) continue;
      return std::move(file).error();
    }
    return std::unique_ptr<MessageWriter>(
        std::make_unique<FileMessageWriter>(folders_, std::move(id), std::move(*file), std::move(*header)));
  }
  return make_error(ErrorCode::temporary_failure, "could not find a free queue id");
}

Result<std::vector<std::string>> FileQueue::list() {
  auto entries = folders_->fs.list(folders_->incoming);
  if (!entries) return std::move(entries).error();
  std::vector<std::string> ids;
  for (auto& entry : *entries) {
    std::string& name = entry.name;
    if (entry.directory || !has_suffix(name, ".msg")) continue;
    name.resize(name.size() - 4);
    if (valid_queue_id(name)) ids.push_back(std::move(name));
  }
  std::sort(ids.begin(), ids.end());  // ids begin with the arrival time
  return ids;
}

Result<QueuedMessage> FileQueue::load(std::string_view id) {
  if (!valid_queue_id(id)) return make_error(ErrorCode::invalid_argument, "invalid queue id");
  return read_queued_message(folders_->fs, folders_->msg_path(id), folders_->state_path(id), id);
}

Result<ClaimedMessage> FileQueue::claim(std::string_view id) {
  if (!valid_queue_id(id)) return make_error(ErrorCode::invalid_argument, "invalid queue id");
  auto lock = ClaimLock::try_take(folders_->claims, id);
  if (!lock) return std::move(lock).error();
  if (!*lock)
    return make_error(ErrorCode::temporary_failure, "an administrator's command has message " + std::string(id));
  auto opened = open_claimed(id);
  if (opened) opened->claim = std::move(**lock);
  return opened;
}

Result<ClaimedMessage> FileQueue::open_claimed(std::string_view id) {
  if (!valid_queue_id(id)) return make_error(ErrorCode::invalid_argument, "invalid queue id");
  // Under the claim the message stays where it is: look only now.
  std::string path = folders_->msg_path(id);
  auto file = folders_->fs.open(path, store::OpenMode::read);
  if (!file) {
    if (file.error().code == ErrorCode::not_found)
      return make_error(ErrorCode::not_found, "no queued message " + std::string(id));
    return std::move(file).error();
  }
  auto message = read_queued_message(folders_->fs, **file, path, folders_->state_path(id), id);
  if (!message) return std::move(message).error();
  posix::UniqueFd fd;
  if (folders_->location.local()) {
    auto opened = posix::open_file(path, O_RDONLY | O_CLOEXEC);
    if (!opened) return std::move(opened).error();
    fd = std::move(*opened);
  } else {
    auto copy = local_copy(**file, message->body_offset + message->body_size, *folders_, path);
    if (!copy) return std::move(copy).error();
    fd = std::move(*copy);
  }
  return ClaimedMessage{std::move(*message), std::move(fd), ClaimLock()};
}

Status FileQueue::check_queued(std::string_view id) {
  if (!valid_queue_id(id)) return make_error(ErrorCode::invalid_argument, "invalid queue id");
  auto queued = folders_->exists(folders_->msg_path(id));
  if (!queued) return std::move(queued).error();
  if (!*queued) return make_error(ErrorCode::not_found, "no queued message " + std::string(id));
  return ok_status();
}

Status FileQueue::set_recipient_state(std::string_view id, std::size_t index, RecipientState state,
                                      std::string_view reason) {
  if (state == RecipientState::pending)
    return make_error(ErrorCode::invalid_argument, "only delivered or failed can be recorded");
  if (index >= kMaxQueueRecipients) return make_error(ErrorCode::invalid_argument, "recipient index out of range");
  DIRMAIL_TRY(check_queued(id));
  return append_state_line(id, format_recipient_state_line(index, state, reason));
}

Status FileQueue::record_retry(std::string_view id, std::size_t index, const RetryState& retry) {
  if (index >= kMaxQueueRecipients) return make_error(ErrorCode::invalid_argument, "recipient index out of range");
  DIRMAIL_TRY(check_queued(id));
  return append_state_line(id, format_retry_state_line(index, retry));
}

Status FileQueue::append_state_line(std::string_view id, std::string line) {
  std::string path = folders_->state_path(id);
  std::lock_guard lock(folders_->state_append);
  bool created = true;
  auto file = folders_->fs.open(path, store::OpenMode::create_new);
  if (!file && file.error().code == ErrorCode::already_exists) {
    created = false;
    file = folders_->fs.open(path, store::OpenMode::read_write);
  }
  if (!file) return std::move(file).error();
  std::uint64_t end = 0;
  if (!created) {
    auto info = (*file)->info();
    if (!info) return std::move(info).error();
    end = info->size;
    // A torn last line (crash mid-append) must not swallow this record.
    if (end > 0) {
      char last = '\n';
      auto got = (*file)->read_at(end - 1, std::span<char>(&last, 1));
      if (!got) return std::move(got).error();
      if (last != '\n') line.insert(line.begin(), '\n');
    }
  }
  DIRMAIL_TRY((*file)->write_at(end, line));
  DIRMAIL_TRY((*file)->sync());
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
  auto has_state = folders_->exists(state);
  if (!has_state) return std::move(has_state).error();
  if (auto removed = folders_->fs.remove(msg); !removed) {
    if (removed.error().code != ErrorCode::not_found) return removed;
    (void)folders_->fs.remove(state);  // an orphan left by an earlier crash
    return make_error(ErrorCode::not_found, "no queued message " + std::string(id));
  }
  if (!*has_state) return ok_status();
  DIRMAIL_TRY(folders_->incoming_commit.commit());
  if (auto removed = folders_->fs.remove(state); !removed && removed.error().code != ErrorCode::not_found)
    return removed;
  return ok_status();
}

}  // namespace dirmail::queue
