// COPY and UID COPY (RFC 3501 §6.4.7), MOVE and UID MOVE (RFC 6851), with COPYUID
// (RFC 4315 UIDPLUS): the store copies in ascending UID order and says which UID each
// copy got; MOVE then expunges the originals it copied.
#include <algorithm>

#include <fmt/format.h>

#include "dirmail/imap/sequence_set.hpp"
#include "imap_session.hpp"

namespace dirmail::imap {

net::awaitable<bool> ImapSession::copy(const ImapCommand& cmd, bool move) {
  if (move && read_only_) {
    tagged(cmd.tag, "NO [READ-ONLY] The mailbox is read-only");
    co_return true;
  }
  auto targets = resolve(cmd);
  if (!targets) co_return true;
  auto target = folder_from_client(cmd.tag, cmd.args[0]);
  if (!target) co_return true;
  std::vector<std::uint32_t> uids;
  std::uint64_t bytes = 0;
  for (std::size_t i : *targets) {
    uids.push_back(messages_[i].uid);
    bytes += messages_[i].size;
  }
  const std::string_view done = move ? "OK MOVE completed" : "OK COPY completed";
  if (uids.empty()) {  // UID COPY of UIDs that are gone: nothing to do (RFC 4315 §4.3)
    tagged(cmd.tag, done);
    co_return true;
  }
  // MOVE frees what it adds: a full mailbox must still be able to move mail to Trash.
  if (!move && !co_await mailbox_has_room(cmd.tag, bytes)) co_return true;

  auto* st = service_->store;
  auto duplicate = [st, root = mailbox_root_, from = selected_folder_, uids, to = *target] {  // named
    return st->copy(root, from, uids, to);
  };
  auto copied = co_await service_->pool->run(duplicate);
  if (!copied && copied.error().code == ErrorCode::not_found) {
    // Either folder may be missing: the target is the usual case ([TRYCREATE]).
    auto list = [st, root = mailbox_root_] { return st->list_folders(root); };  // named: see BlockingPool::run
    auto folders = co_await service_->pool->run(list);
    const bool target_exists =
        folders && std::find(folders->begin(), folders->end(), *target) != folders->end();
    if (!target_exists) tagged(cmd.tag, "NO [TRYCREATE] The target mailbox does not exist; create it first");
    else tagged(cmd.tag, "NO [NONEXISTENT] The selected mailbox no longer exists");
    co_return true;
  }
  if (!copied) {
    store_failure(cmd.tag, copied.error(), move ? "cannot move messages" : "cannot copy messages");
    co_return true;
  }
  std::vector<std::uint32_t> sources, copies;
  for (const auto& c : copied->copied) {
    sources.push_back(c.source_uid);
    copies.push_back(c.uid);
  }
  const std::string code = sources.empty() ? std::string()
                                           : fmt::format("[COPYUID {} {} {}] ", copied->uidvalidity,
                                                         format_uid_set(sources), format_uid_set(copies));
  line(log::Record::store).with("folder", selected_folder_).with("to", *target).with("messages", sources.size())
      .info(move ? "messages moved" : "messages copied");
  if (!move) {
    if (*target == selected_folder_ && !co_await sync()) co_return false;  // the copies are new messages here
    tagged(cmd.tag, fmt::format("OK {}COPY completed", code));
    co_return true;
  }

  auto remove = [st, root = mailbox_root_, from = selected_folder_, sources] {  // named: see BlockingPool::run
    return st->expunge(root, from, sources);
  };
  auto removed = co_await service_->pool->run(remove);
  if (!removed) {
    // The copies exist; the originals stay too. Say both, the client may retry the expunge.
    line(log::Record::store).with("error", removed.error().message).error("move: cannot expunge the originals");
    if (!code.empty()) reply("* OK " + code + "Copied");
    tagged(cmd.tag, "NO [UNAVAILABLE] Copied, but the originals could not be removed; try again later");
    co_return true;
  }
  // RFC 6851 §4.3: COPYUID in an untagged OK, then the EXPUNGEs (or VANISHED).
  if (!code.empty()) reply("* OK " + code + "Moved");
  std::vector<std::size_t> moved;
  for (std::uint32_t uid : sources) {
    auto at = std::lower_bound(messages_.begin(), messages_.end(), uid,
                               [](const SessionMessage& m, std::uint32_t u) { return m.uid < u; });
    if (at != messages_.end() && at->uid == uid) moved.push_back(static_cast<std::size_t>(at - messages_.begin()));
  }
  std::sort(moved.begin(), moved.end());
  report_expunged(moved);
  if (*target == selected_folder_ && !co_await sync()) co_return false;
  tagged(cmd.tag, done);
  co_return true;
}

}  // namespace dirmail::imap
