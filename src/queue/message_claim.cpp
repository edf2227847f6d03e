#include "dirmail/queue/message_claim.hpp"

#include "dirmail/base/posix_file.hpp"
#include "dirmail/queue/queue_id.hpp"

namespace dirmail::queue {
namespace {

std::string folder_path(const QueueLocation& where, std::string_view folder) {
  return posix::join_path(where.root, folder);
}

std::string file_path(const QueueLocation& where, std::string_view folder, std::string_view id,
                      std::string_view suffix) {
  return posix::join_path(folder_path(where, folder), std::string(id) + std::string(suffix));
}

// Renames and makes the rename durable in both folders before anything else happens.
// `missing_ok`: a message without outcomes has no .state file.
Status durable_rename(store::FileSystem& fs, const std::string& from, const std::string& to,
                      const std::string& from_dir, const std::string& to_dir, bool missing_ok) {
  if (auto renamed = fs.rename(from, to, store::Rename::replace); !renamed) {
    if (renamed.error().code == ErrorCode::not_found && missing_ok) return ok_status();
    return renamed;
  }
  DIRMAIL_TRY(fs.sync_directory(to_dir));
  return fs.sync_directory(from_dir);
}

}  // namespace

Result<MessageClaim> MessageClaim::acquire(const QueueLocation& where, std::string_view id,
                                           const std::function<void()>& waiting) {
  if (!valid_queue_id(id)) return make_error(ErrorCode::invalid_argument, "invalid queue id \"" + std::string(id) + "\"");
  auto taken = ClaimLock::try_take(where.claims_dir(), id);
  if (!taken) return std::move(taken).error();
  if (!*taken) {
    if (waiting) waiting();
    auto waited = ClaimLock::wait(where.claims_dir(), id);
    if (!waited) return std::move(waited).error();
    taken->emplace(std::move(*waited));
  }
  // Under the claim the message stays where it is: look only now.
  for (auto folder : {kIncomingFolder, kHoldFolder}) {
    auto here = store::exists(*where.fs, file_path(where, folder, id, ".msg"));
    if (!here) return std::move(here).error();
    if (*here) return MessageClaim(where, std::string(id), std::move(**taken), folder == kHoldFolder);
  }
  return make_error(ErrorCode::not_found, "no message " + std::string(id) + " in the queue");
}

Status MessageClaim::move_files(std::string_view from, std::string_view to, bool state_first) {
  std::string from_dir = folder_path(where_, from);
  std::string to_dir = folder_path(where_, to);
  DIRMAIL_TRY(store::make_directories(*where_.fs, to_dir));
  auto move_file = [&](std::string_view suffix, bool missing_ok) {
    return durable_rename(*where_.fs, file_path(where_, from, id_, suffix), file_path(where_, to, id_, suffix),
                          from_dir, to_dir, missing_ok);
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

Status settle_interrupted_holds(const QueueLocation& where) {
  store::FileSystem& fs = *where.fs;
  std::string hold_dir = folder_path(where, kHoldFolder);
  std::string incoming_dir = folder_path(where, kIncomingFolder);
  auto hold = fs.stat(hold_dir);
  if (!hold) return std::move(hold).error();
  if (!*hold || !(*hold)->directory) return ok_status();
  auto entries = fs.list(incoming_dir);
  if (!entries) return std::move(entries).error();
  constexpr std::string_view suffix = ".state";
  for (const auto& entry : *entries) {
    const std::string& name = entry.name;
    if (name.size() <= suffix.size() || !name.ends_with(suffix)) continue;
    std::string id = name.substr(0, name.size() - suffix.size());
    if (!valid_queue_id(id)) continue;
    auto queued_now = store::exists(fs, file_path(where, kIncomingFolder, id, ".msg"));
    if (!queued_now) return std::move(queued_now).error();
    if (*queued_now) continue;  // the usual case: a queued message's outcomes
    auto claim = ClaimLock::try_take(where.claims_dir(), id);
    if (!claim) return std::move(claim).error();
    if (!*claim) continue;  // a command or a delivery has it right now
    // Looked at under the claim, so that a release that ends meanwhile is not undone.
    auto queued = store::exists(fs, file_path(where, kIncomingFolder, id, ".msg"));
    if (!queued) return std::move(queued).error();
    if (*queued) continue;
    auto held = store::exists(fs, file_path(where, kHoldFolder, id, ".msg"));
    if (!held) return std::move(held).error();
    if (!*held) continue;  // not held: an ordinary orphan
    DIRMAIL_TRY(durable_rename(fs, posix::join_path(incoming_dir, name), file_path(where, kHoldFolder, id, ".state"),
                               incoming_dir, hold_dir, true));
  }
  return ok_status();
}

}  // namespace dirmail::queue
