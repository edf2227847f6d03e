#include "queued_message_file.hpp"

#include "dirmail/queue/queue_header.hpp"
#include "dirmail/queue/recipient_state_log.hpp"

namespace dirmail::queue {
namespace {

constexpr std::size_t kHeaderReadChunk = 64 * 1024;

// The start of a queue file up to the end of its header (or the header limit).
Result<std::string> read_header_bytes(store::File& file) {
  std::string data;
  std::size_t searched = 0;
  while (data.size() <= kMaxQueueHeaderBytes) {
    std::size_t had = data.size();
    data.resize(had + kHeaderReadChunk);
    auto got = file.read_at(had, std::span<char>(data.data() + had, kHeaderReadChunk));
    if (!got) return std::move(got).error();
    data.resize(had + *got);
    if (*got == 0) break;
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

Result<QueuedMessage> read_queued_message(store::FileSystem& fs, const std::string& msg_path,
                                          const std::string& state_path, std::string_view id) {
  auto file = fs.open(msg_path, store::OpenMode::read);
  if (!file) {
    if (file.error().code == ErrorCode::not_found)
      return make_error(ErrorCode::not_found, "no queued message " + std::string(id));
    return std::move(file).error();
  }
  return read_queued_message(fs, **file, msg_path, state_path, id);
}

Result<QueuedMessage> read_queued_message(store::FileSystem& fs, store::File& msg, const std::string& msg_path,
                                          const std::string& state_path, std::string_view id) {
  auto info = msg.info();
  if (!info) return std::move(info).error();
  auto head = read_header_bytes(msg);
  if (!head) return std::move(head).error();
  auto parsed = parse_queue_header(*head);
  if (!parsed) return with_path(std::move(parsed).error(), msg_path);
  if (parsed->id != id)
    return make_error(ErrorCode::invalid_argument, "queue file holds another id (" + msg_path + ")");

  QueuedMessage message;
  message.id = std::string(id);
  message.envelope = std::move(parsed->envelope);
  message.path = msg_path;
  message.body_offset = parsed->body_offset;
  message.body_size = info->size - parsed->body_offset;

  auto state_data = store::read_small_file(fs, state_path, kMaxStateLogBytes);
  if (!state_data) return with_path(std::move(state_data).error(), state_path);
  auto states = parse_recipient_state_log(state_data->value_or(std::string()), message.envelope.recipients.size());
  if (!states) return with_path(std::move(states).error(), state_path);
  message.states = std::move(states->states);
  message.state_reasons = std::move(states->reasons);
  message.retries = std::move(states->retries);
  return message;
}

}  // namespace dirmail::queue
