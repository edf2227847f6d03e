#include "queued_message_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "dirmail/base/posix_file.hpp"
#include "dirmail/queue/queue_header.hpp"
#include "dirmail/queue/recipient_state_log.hpp"

namespace dirmail::queue {
namespace {

constexpr std::size_t kHeaderReadChunk = 64 * 1024;

// The start of a queue file up to the end of its header (or the header limit).
Result<std::string> read_header_bytes(int fd, const std::string& path) {
  std::string data;
  std::size_t searched = 0;
  while (data.size() <= kMaxQueueHeaderBytes) {
    auto chunk = posix::pread_up_to(fd, data.size(), kHeaderReadChunk, path);
    if (!chunk) return std::move(chunk).error();
    if (chunk->empty()) break;
    data += *chunk;
    if (data.find("\n\n", searched) != std::string::npos) break;
    searched = data.size() - 1;
  }
  return data;
}

Error with_path(Error error, const std::string& path) {
  error.message += " (" + path + ")";
  return error;
}

}  // namespace

Result<QueuedMessage> read_queued_message(const std::string& path, const std::string& state_path,
                                          std::string_view id) {
  int raw_fd;
  do {
    raw_fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  } while (raw_fd < 0 && errno == EINTR);
  if (raw_fd < 0) {
    if (errno == ENOENT) return make_error(ErrorCode::not_found, "no queued message " + std::string(id));
    return errno_error("open", path, errno);
  }
  posix::UniqueFd fd(raw_fd);
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return errno_error("stat", path, errno);
  auto head = read_header_bytes(fd.get(), path);
  if (!head) return std::move(head).error();
  auto parsed = parse_queue_header(*head);
  if (!parsed) return with_path(std::move(parsed).error(), path);
  if (parsed->id != id) return make_error(ErrorCode::invalid_argument, "queue file holds another id (" + path + ")");

  QueuedMessage message;
  message.id = std::string(id);
  message.envelope = std::move(parsed->envelope);
  message.path = path;
  message.body_offset = parsed->body_offset;
  message.body_size = static_cast<std::uint64_t>(st.st_size) - parsed->body_offset;

  std::string state_data;
  int state_fd = ::open(state_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (state_fd >= 0) {
    posix::UniqueFd state_file(state_fd);
    auto data = posix::pread_up_to(state_fd, 0, kMaxStateLogBytes + 1, state_path);
    if (!data) return std::move(data).error();
    state_data = std::move(*data);
  } else if (errno != ENOENT) {
    return errno_error("open", state_path, errno);
  }
  auto states = parse_recipient_state_log(state_data, message.envelope.recipients.size());
  if (!states) return with_path(std::move(states).error(), state_path);
  message.states = std::move(states->states);
  message.state_reasons = std::move(states->reasons);
  message.retries = std::move(states->retries);
  return message;
}

}  // namespace dirmail::queue
