#include "dirmail/queue/queue_listing.hpp"

#include <fcntl.h>

#include <algorithm>

#include "dirmail/base/posix_file.hpp"
#include "dirmail/queue/delivery_report.hpp"
#include "dirmail/queue/message_claim.hpp"
#include "queue_id.hpp"
#include "queued_message_file.hpp"

namespace dirmail::queue {
namespace {

Result<ListedMessage> read_in(const std::string& queue_dir, std::string_view folder, std::string_view id) {
  std::string dir = posix::join_path(queue_dir, folder);
  auto message = read_queued_message(posix::join_path(dir, std::string(id) + ".msg"),
                                     posix::join_path(dir, std::string(id) + ".state"), id);
  if (!message) return std::move(message).error();
  return ListedMessage{std::move(*message), folder == kHoldFolder};
}

}  // namespace

Result<QueueListing> list_queue_folder(const std::string& queue_dir) {
  QueueListing listing;
  for (auto folder : {kIncomingFolder, kHoldFolder}) {
    std::string dir = posix::join_path(queue_dir, folder);
    if (!posix::is_directory(dir)) continue;
    auto names = posix::list_directory(dir);
    if (!names) return std::move(names).error();
    for (const auto& name : *names) {
      if (name.size() <= 4 || !name.ends_with(".msg")) continue;
      std::string id = name.substr(0, name.size() - 4);
      if (!valid_queue_id(id)) continue;
      auto entry = read_in(queue_dir, folder, id);
      if (entry) {
        listing.messages.push_back(std::move(*entry));
      } else if (entry.error().code != ErrorCode::not_found) {  // not_found: delivered meanwhile
        listing.problems.push_back(entry.error().message);
      }
    }
  }
  std::sort(listing.messages.begin(), listing.messages.end(),
            [](const ListedMessage& a, const ListedMessage& b) { return a.message.id < b.message.id; });
  return listing;
}

Result<ListedMessage> read_listed_message(const std::string& queue_dir, std::string_view id) {
  if (!valid_queue_id(id)) return make_error(ErrorCode::invalid_argument, "invalid queue id \"" + std::string(id) + "\"");
  // incoming/ before hold/, as a hold moves it: a release in between is read in incoming/ the next time.
  for (auto folder : {kIncomingFolder, kHoldFolder}) {
    auto entry = read_in(queue_dir, folder, id);
    if (entry || entry.error().code != ErrorCode::not_found) return entry;
  }
  return make_error(ErrorCode::not_found, "no message " + std::string(id) + " in the queue");
}

Result<std::string> read_message_header(const QueuedMessage& message, std::size_t max_bytes) {
  auto fd = posix::open_file(message.path, O_RDONLY);
  if (!fd) return std::move(fd).error();
  auto bytes = posix::pread_up_to(fd->get(), message.body_offset,
                                  static_cast<std::size_t>(std::min<std::uint64_t>(message.body_size, max_bytes)),
                                  message.path);
  if (!bytes) return std::move(bytes).error();
  return std::string(header_block(*bytes));
}

}  // namespace dirmail::queue
