// SELECT/EXAMINE and the commands of the selected state other than FETCH: keeping the
// session's message list in step with the store (NOOP, CHECK, IDLE), STORE, SEARCH (and ESEARCH),
// EXPUNGE and CLOSE.
#include <algorithm>

#include <fmt/format.h>

#include "dirmail/base/strings.hpp"
#include "dirmail/imap/esearch_response.hpp"
#include "dirmail/imap/flag_list.hpp"
#include "dirmail/imap/mailbox_names.hpp"
#include "imap_session.hpp"

namespace dirmail::imap {

void ImapSession::deselect() {
  messages_.clear();
  messages_.shrink_to_fit();
  uidvalidity_ = 0;
  uidnext_ = 1;
  uidvalidity_provisional_ = false;
  read_only_ = false;
  selected_folder_.clear();
  state_ = State::authenticated;
}

net::awaitable<void> ImapSession::select(const ImapCommand& cmd, bool read_only) {
  if (state_ == State::selected) deselect();  // RFC 3501 §6.3.1: even if the new SELECT fails
  auto name = folder_from_client(cmd.tag, cmd.args[0]);
  if (!name) co_return;
  auto folder = co_await open_mailbox(cmd.tag, *name, "cannot open mailbox");
  if (!folder) co_return;
  selected_folder_ = std::move(*name);
  messages_.reserve(folder->messages.size());
  std::optional<std::size_t> first_unseen;
  for (const auto& m : folder->messages) {
    if (!first_unseen && (m.flags & store::flag_seen) == 0) first_unseen = messages_.size() + 1;
    messages_.push_back({m.uid, m.flags, m.size, m.internal_date});
  }
  // A mailbox that was never delivered to has no UIDVALIDITY yet; IMAP needs a
  // non-zero one. It is empty, so a later real value costs clients nothing.
  uidvalidity_provisional_ = folder->uidvalidity == 0;
  uidvalidity_ = uidvalidity_provisional_ ? 1 : folder->uidvalidity;
  uidnext_ = folder->uidnext;
  read_only_ = read_only;
  state_ = State::selected;

  reply(fmt::format("* FLAGS {}", all_flags_list));
  reply(fmt::format("* OK [PERMANENTFLAGS {}] {}", read_only ? "()" : all_flags_list,
                    read_only ? "Read-only mailbox" : "Flags permitted"));
  reply(fmt::format("* {} EXISTS", messages_.size()));
  reply("* 0 RECENT");
  if (first_unseen) reply(fmt::format("* OK [UNSEEN {}] First unseen", *first_unseen));
  reply(fmt::format("* OK [UIDVALIDITY {}] UIDs valid", uidvalidity_));
  reply(fmt::format("* OK [UIDNEXT {}] Predicted next UID", uidnext_));
  line(log::Record::store).with("messages", messages_.size()).with("mode", read_only ? "examine" : "select")
      .debug("mailbox selected");
  tagged(cmd.tag, read_only ? "OK [READ-ONLY] EXAMINE completed" : "OK [READ-WRITE] SELECT completed");
}

net::awaitable<bool> ImapSession::sync() {
  auto* st = service_->store;
  seen_changes_ = st->change_count(mailbox_root_, selected_folder_);  // before reading: no change is missed
  auto load = [st, root = mailbox_root_, name = selected_folder_] { return st->status(root, name); };  // named
  auto folder = co_await service_->pool->run(load);
  if (!folder && folder.error().code == ErrorCode::not_found) {
    line(log::Record::store).with("folder", selected_folder_).info("selected mailbox deleted elsewhere");
    reply("* BYE [NONEXISTENT] The selected mailbox was deleted");
    co_return false;
  }
  if (!folder) {
    line(log::Record::store).with("error", folder.error().message).warn("cannot refresh mailbox");
    co_return true;  // nothing is reported; the next NOOP tries again
  }
  if (folder->uidvalidity != 0 && folder->uidvalidity != uidvalidity_) {
    if (!uidvalidity_provisional_) {
      // The index was rebuilt under us: every UID the client holds is void.
      line(log::Record::store).with("uidvalidity", static_cast<std::uint64_t>(folder->uidvalidity))
          .warn("UIDVALIDITY changed while selected");
      reply("* BYE [UNAVAILABLE] The mailbox was rebuilt; please reconnect");
      co_return false;
    }
    uidvalidity_ = folder->uidvalidity;
    uidvalidity_provisional_ = false;
  }
  // Both lists ascend by UID: walk them together.
  std::vector<std::size_t> gone;  // positions in messages_
  std::vector<std::uint32_t> changed;  // UIDs whose flags changed
  const auto& fresh = folder->messages;
  std::size_t j = 0;
  for (std::size_t i = 0; i < messages_.size(); ++i) {
    while (j < fresh.size() && fresh[j].uid < messages_[i].uid) ++j;
    if (j == fresh.size() || fresh[j].uid != messages_[i].uid) {
      gone.push_back(i);
      continue;
    }
    if (fresh[j].flags != messages_[i].flags) {
      messages_[i].flags = fresh[j].flags;
      changed.push_back(messages_[i].uid);
    }
  }
  std::uint32_t last_uid = messages_.empty() ? 0 : messages_.back().uid;
  // Highest first, so each number is still right when the client reads it.
  for (auto it = gone.rbegin(); it != gone.rend(); ++it) {
    reply(fmt::format("* {} EXPUNGE", *it + 1));
    messages_.erase(messages_.begin() + static_cast<std::ptrdiff_t>(*it));
  }
  std::size_t k = 0;
  for (std::size_t i = 0; i < messages_.size() && k < changed.size(); ++i) {
    if (messages_[i].uid != changed[k]) continue;
    reply(fmt::format("* {} FETCH (UID {} FLAGS {})", i + 1, messages_[i].uid, format_flag_list(messages_[i].flags)));
    ++k;
  }
  std::size_t before = messages_.size();
  for (const auto& m : fresh)
    if (m.uid > last_uid) messages_.push_back({m.uid, m.flags, m.size, m.internal_date});
  if (messages_.size() != before || !gone.empty()) reply(fmt::format("* {} EXISTS", messages_.size()));
  uidnext_ = folder->uidnext;
  co_return true;
}

std::optional<std::vector<std::size_t>> ImapSession::resolve(const ImapCommand& cmd) {
  std::vector<std::size_t> out;
  if (cmd.uid) {
    std::uint32_t star = messages_.empty() ? 0 : messages_.back().uid;
    for (const auto& r : cmd.sequence.ranges) {
      auto [lo, hi] = SequenceSet::bounds(r, star);
      auto it = std::lower_bound(messages_.begin(), messages_.end(), lo,
                                 [](const SessionMessage& m, std::uint32_t uid) { return m.uid < uid; });
      for (; it != messages_.end() && it->uid <= hi; ++it) out.push_back(static_cast<std::size_t>(it - messages_.begin()));
    }
  } else {
    auto count = static_cast<std::uint32_t>(messages_.size());
    for (const auto& r : cmd.sequence.ranges) {
      auto [lo, hi] = SequenceSet::bounds(r, count);
      if (lo == 0 || hi > count) {
        tagged(cmd.tag, "BAD Invalid message sequence number");
        ++errors_;
        return std::nullopt;
      }
      for (std::uint32_t n = lo; n <= hi; ++n) out.push_back(n - 1);
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

net::awaitable<void> ImapSession::store(const ImapCommand& cmd) {
  if (read_only_) {
    tagged(cmd.tag, "NO Mailbox is read-only");
    co_return;
  }
  auto targets = resolve(cmd);
  if (!targets) co_return;
  const StoreAction& action = cmd.store;
  std::vector<std::pair<std::uint32_t, std::uint8_t>> changes;
  for (std::size_t i : *targets) {
    std::uint8_t now = messages_[i].flags;
    std::uint8_t next = action.mode == StoreAction::Mode::replace ? action.flags
                        : action.mode == StoreAction::Mode::add   ? static_cast<std::uint8_t>(now | action.flags)
                                                                  : static_cast<std::uint8_t>(now & ~action.flags);
    if (next != now) changes.emplace_back(messages_[i].uid, next);
  }
  struct Applied {
    std::vector<std::uint32_t> missing;  // expunged by another session meanwhile
    std::size_t done = 0;                // changes applied, in order
    Status error;
  };
  auto* st = service_->store;
  auto apply = [st, root = mailbox_root_, name = selected_folder_, changes] {  // named: see BlockingPool::run
    Applied a;
    for (const auto& [uid, flags] : changes) {
      auto r = st->set_flags(root, name, uid, flags);
      if (!r && r.error().code == ErrorCode::not_found) {
        a.missing.push_back(uid);
      } else if (!r) {
        a.error = std::move(r).error();
        break;
      }
      ++a.done;
    }
    return a;
  };
  Applied applied = co_await service_->pool->run(apply);
  std::size_t c = 0;
  for (std::size_t i : *targets) {
    if (c < applied.done && c < changes.size() && changes[c].first == messages_[i].uid) {
      if (std::find(applied.missing.begin(), applied.missing.end(), changes[c].first) == applied.missing.end())
        messages_[i].flags = changes[c].second;
      ++c;
    }
  }
  if (!action.silent) {
    for (std::size_t i : *targets) {
      const auto& m = messages_[i];
      if (cmd.uid) reply(fmt::format("* {} FETCH (UID {} FLAGS {})", i + 1, m.uid, format_flag_list(m.flags)));
      else reply(fmt::format("* {} FETCH (FLAGS {})", i + 1, format_flag_list(m.flags)));
    }
  }
  if (!applied.error) {
    line(log::Record::store).with("error", applied.error.error().message).error("cannot store flags");
    tagged(cmd.tag, "NO [UNAVAILABLE] Cannot store the flags, try again later");
  } else if (!applied.missing.empty()) {
    tagged(cmd.tag, "NO [EXPUNGEISSUED] Some of the messages no longer exist");
  } else if (action.had_keywords) {
    tagged(cmd.tag, "OK STORE completed (keywords are not kept in this version)");
  } else {
    tagged(cmd.tag, "OK STORE completed");
  }
}

std::optional<std::vector<std::size_t>> ImapSession::search_positions(const ImapCommand& cmd) {
  if (!cmd.charset.empty() && cmd.charset != "US-ASCII" && cmd.charset != "UTF-8") {
    tagged(cmd.tag, "NO [BADCHARSET (US-ASCII UTF-8)] Unsupported charset");
    return std::nullopt;
  }
  if (const SearchKey* u = find_unsupported(cmd.search)) {
    tagged(cmd.tag, fmt::format("NO [CANNOT] SEARCH {} is not supported yet", u->name));
    return std::nullopt;
  }
  std::vector<std::size_t> found;
  SearchFacts facts;
  facts.max_seq = static_cast<std::uint32_t>(messages_.size());
  facts.max_uid = messages_.empty() ? 0 : messages_.back().uid;
  for (std::size_t i = 0; i < messages_.size(); ++i) {
    const auto& m = messages_[i];
    facts.seq = static_cast<std::uint32_t>(i + 1);
    facts.uid = m.uid;
    facts.flags = m.flags;
    facts.size = m.size;
    facts.internal_date = m.internal_date;
    if (search_matches(cmd.search, facts)) found.push_back(i);
  }
  return found;
}

void ImapSession::search(const ImapCommand& cmd) {
  auto found = search_positions(cmd);
  if (!found) return;
  std::vector<std::uint32_t> numbers;
  numbers.reserve(found->size());
  for (std::size_t i : *found) numbers.push_back(cmd.uid ? messages_[i].uid : static_cast<std::uint32_t>(i + 1));
  if (cmd.search_return) {
    reply(format_esearch(cmd.tag, cmd.uid, numbers, *cmd.search_return));
  } else {
    std::string result = "* SEARCH";
    for (std::uint32_t n : numbers) result += fmt::format(" {}", n);
    reply(result);
  }
  tagged(cmd.tag, cmd.uid ? "OK UID SEARCH completed" : "OK SEARCH completed");
}

net::awaitable<void> ImapSession::expunge(const ImapCommand& cmd, bool silent) {
  if (read_only_) {
    if (!silent) tagged(cmd.tag, "NO Mailbox is read-only");
    co_return;
  }
  std::vector<std::size_t> candidates;
  if (cmd.uid && cmd.name == CommandName::expunge) {
    auto named = resolve(cmd);
    if (!named) co_return;
    candidates = std::move(*named);
  } else {
    for (std::size_t i = 0; i < messages_.size(); ++i) candidates.push_back(i);
  }
  std::vector<std::size_t> doomed;
  std::vector<std::uint32_t> uids;
  for (std::size_t i : candidates)
    if (messages_[i].flags & store::flag_deleted) {
      doomed.push_back(i);
      uids.push_back(messages_[i].uid);
    }
  if (!uids.empty()) {
    auto* st = service_->store;
    auto remove = [st, root = mailbox_root_, name = selected_folder_, uids] {  // named: see BlockingPool::run
      return st->expunge(root, name, uids);
    };
    auto done = co_await service_->pool->run(remove);
    if (!done) {
      line(log::Record::store).with("error", done.error().message).error("expunge failed");
      if (!silent) tagged(cmd.tag, "NO [UNAVAILABLE] Cannot expunge, try again later");
      co_return;
    }
    line(log::Record::store).with("expunged", uids.size()).info("expunge");
  }
  // Highest first: each number is the message's number at the moment it is sent.
  for (auto it = doomed.rbegin(); it != doomed.rend(); ++it) {
    if (!silent) reply(fmt::format("* {} EXPUNGE", *it + 1));
    messages_.erase(messages_.begin() + static_cast<std::ptrdiff_t>(*it));
  }
  if (!silent) tagged(cmd.tag, cmd.uid ? "OK UID EXPUNGE completed" : "OK EXPUNGE completed");
}

net::awaitable<bool> ImapSession::idle(const ImapCommand& cmd) {
  reply("+ idling");
  if (!co_await out_.flush(conn_.stream, write_timeout)) co_return false;
  auto started = std::chrono::steady_clock::now();
  auto polled = started;
  std::string done;
  for (;;) {
    if (control_.stop_requested()) {
      reply("* BYE Server shutting down");
      co_return false;
    }
    auto left = options_->idle_timeout - (std::chrono::steady_clock::now() - started);
    if (left <= std::chrono::seconds(0)) {
      reply("* BYE Autologout; idle for too long");
      co_return false;
    }
    // Short waits: a change made through this process is seen by its change count.
    auto wait = std::min<std::chrono::steady_clock::duration>(left, options_->idle_check_interval);
    if (!control_.begin_wait()) continue;  // the check above says goodbye
    auto got = co_await reader_.read_line(done, 64, wait);
    control_.end_wait();
    if (got) {
      if (*got == ImapReader::LineResult::complete && iequals(done, "DONE")) {
        tagged(cmd.tag, "OK IDLE terminated");
        co_return true;
      }
      tagged(cmd.tag, "BAD Expected DONE");
      ++errors_;
      co_return true;
    }
    if (got.error().code != ErrorCode::cancelled || control_.stop_requested()) {
      if (control_.stop_requested()) reply("* BYE Server shutting down");
      co_return false;
    }
    // Report what changed (a partial "DONE" stays in `done`): at once when this process
    // changed the folder, otherwise once per poll interval (other processes and nodes).
    const auto now = std::chrono::steady_clock::now();
    if (service_->store->change_count(mailbox_root_, selected_folder_) == seen_changes_ &&
        now - polled < options_->idle_poll_interval)
      continue;
    polled = now;
    if (!co_await sync()) co_return false;
    if (!co_await out_.flush(conn_.stream, write_timeout)) co_return false;
  }
}

}  // namespace dirmail::imap
