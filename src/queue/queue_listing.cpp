#include "dirmail/queue/queue_listing.hpp"

#include <algorithm>

#include "dirmail/base/posix_file.hpp"
#include "dirmail/queue/delivery_report.hpp"
#include "dirmail/queue/message_claim.hpp"
#include "dirmail/queue/queue_id.hpp"
#include "queued_message_file.hpp"

namespace dirmail::queue {
namespace {

Result<ListedMessage> read_in(const QueueLocation& where, std::string_view folder, std::string_view id) {
  std::string dir = posix::join_path(where.root, folder);
  auto message = read_queued_message(*where.fs, posix::join_path(dir, std::string(id) + ".msg"),
                                     posix::join_path(dir, std::string(id) + ".state"), id);
  if (!message) return std::move(message).error();
  return ListedMessage{std::move(*message), folder == kHoldFolder};
}

}  // namespace

Result<QueueListing> list_queue_folder(const QueueLocation& where) {
  QueueListing listing;
  for (auto folder : {kIncomingFolder, kHoldFolder}) {
    auto entries = where.fs->list(posix::join_path(where.root, folder));
    if (!entries) {
      if (entries.error().code == ErrorCode::not_found) continue;
      return std::move(entries).error();
    }
    for (const auto& entry : *entries) {
      const std::string& name = entry.name;
      if (entry.directory || name.size() <= 4 || !name.ends_with(".msg")) continue;
      std::string id = name.substr(0, name.size() - 4);
      if (!valid_queue_id(id)) continue;
      auto listed = read_in(where, folder, id);
      if (listed) {
        listing.messages.push_back(std::move(*listed));
      } else if (listed.error().code != ErrorCode::not_found) {  // not_found: delivered meanwhile
        listing.problems.push_back(listed.error().message);
      }
    }
  }
  std::sort(listing.messages.begin(), listing.messages.end(),
            [](const ListedMessage& a, const ListedMessage& b) { return a.message.id < b.message.id; });
  return listing;
}

Result<ListedMessage> read_listed_message(const QueueLocation& where, std::string_view id) {
  if (!valid_queue_id(id)) return make_error(ErrorCode::invalid_argument, "invalid queue id \"" + std::string(id) + "\"");
  // incoming/ before hold/, as a hold moves it: a release in between is read in incoming/ the next time.
  for (auto folder : {kIncomingFolder, kHoldFolder}) {
    auto entry = read_in(where, folder, id);
    if (entry || entry.error().code != ErrorCode::not_found) return entry;
  }
  return make_error(ErrorCode::not_found, "no message " + std::string(id) + " in the queue");
}

Result<std::string> read_message_header(store::FileSystem& fs, const QueuedMessage& message, std::size_t max_bytes) {
  auto file = fs.open(message.path, store::OpenMode::read);
  if (!file) return std::move(file).error();
  std::string bytes(static_cast<std::size_t>(std::min<std::uint64_t>(message.body_size, max_bytes)), '\0');
  auto got = (*file)->read_at(message.body_offset, bytes);
  if (!got) return std::move(got).error();
  bytes.resize(*got);
  return std::string(header_block(bytes));
}

}  // namespace dirmail::queue
