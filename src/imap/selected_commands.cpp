// SELECT/EXAMINE and the commands of the selected state other than FETCH: keeping the
// session's message list in step with the store (NOOP, CHECK, IDLE), STORE, SEARCH (and ESEARCH),
// EXPUNGE and CLOSE; with keywords, \Recent and RFC 7162 CONDSTORE (mod-sequences).
//
// \Recent (RFC 3501 §2.3.2): the store keeps, per folder, the first UID no session has
// been told of. A read-write SELECT, and each later sync that finds new messages, claims
// everything up to UIDNEXT (MailStore::take_recent); the messages it claimed are
// \Recent in that session only. EXAMINE claims nothing: it shows the unclaimed
// messages as \Recent without taking them.
#include <algorithm>

#include <fmt/format.h>

#include "dirmail/base/strings.hpp"
#include "dirmail/imap/esearch_response.hpp"
#include "dirmail/imap/flag_list.hpp"
#include "dirmail/imap/mailbox_names.hpp"
#include "imap_session.hpp"
#include "search_content.hpp"

namespace dirmail::imap {

void ImapSession::deselect() {
  messages_.clear();
  messages_.shrink_to_fit();
  keywords_.clear();
  keywords_.shrink_to_fit();
  highest_modseq_ = 0;
  uidvalidity_ = 0;
  uidnext_ = 1;
  uidvalidity_provisional_ = false;
  read_only_ = false;
  selected_folder_.clear();
  state_ = State::authenticated;
}

void ImapSession::report_expunged(const std::vector<std::size_t>& positions) {
  if (positions.empty()) return;
  if (qresync_on()) {  // RFC 7162 §3.2.10: VANISHED replaces EXPUNGE
    std::vector<std::uint32_t> uids;
    uids.reserve(positions.size());
    for (std::size_t i : positions) uids.push_back(messages_[i].uid);
    reply("* VANISHED " + compact_sequence_set(uids));
  }
  // Highest first, so each number is still right when the client reads it.
  for (auto it = positions.rbegin(); it != positions.rend(); ++it) {
    if (!qresync_on()) reply(fmt::format("* {} EXPUNGE", *it + 1));
    messages_.erase(messages_.begin() + static_cast<std::ptrdiff_t>(*it));
  }
}

std::string ImapSession::flags_of(const SessionMessage& m) const {
  return format_flag_list(m.flags, m.recent, m.keywords, keywords_);
}

std::string ImapSession::modseq_suffix(const SessionMessage& m) const {
  return condstore_on() ? fmt::format(" MODSEQ ({})", std::max<std::uint64_t>(m.modseq, 1)) : std::string();
}

void ImapSession::report_folder_flags() {
  reply(fmt::format("* FLAGS {}", format_folder_flags(keywords_, false)));
  const bool room = keywords_.size() < store::kMaxKeywords;
  reply(fmt::format("* OK [PERMANENTFLAGS {}] {}", read_only_ ? "()" : format_folder_flags(keywords_, room),
                    read_only_ ? "Read-only mailbox" : "Flags permitted"));
}

void ImapSession::update_keywords(std::vector<std::string> keywords) {
  // The list only grows (mail_store.hpp); a longer one means new names to announce.
  if (keywords.size() <= keywords_.size()) return;
  keywords_ = std::move(keywords);
  report_folder_flags();
}

net::awaitable<void> ImapSession::select(const ImapCommand& cmd, bool read_only) {
  if (state_ == State::selected) deselect();  // RFC 3501 §6.3.1: even if the new SELECT fails
  const SelectParameters& params = cmd.select;
  if (params.qresync && !qresync_on()) {  // RFC 7162 §3.2.5
    tagged(cmd.tag, "BAD QRESYNC must be enabled first (ENABLE QRESYNC)");
    ++errors_;
    co_return;
  }
  auto name = folder_from_client(cmd.tag, cmd.args[0]);
  if (!name) co_return;
  auto folder = co_await open_mailbox(cmd.tag, *name, "cannot open mailbox");
  if (!folder) co_return;
  std::uint32_t first_recent = folder->first_recent_uid;
  if (!read_only && first_recent < folder->uidnext) {
    auto* st = service_->store;
    // named: see BlockingPool::run
    auto claim = [st, root = mailbox_root_, folder_name = *name, uidnext = folder->uidnext] {
      return st->take_recent(root, folder_name, uidnext);
    };
    auto claimed = co_await service_->pool->run(claim);
    if (!claimed) line(log::Record::store).with("error", claimed.error().message).warn("cannot claim \\Recent");
    first_recent = claimed ? *claimed : folder->uidnext;
  }
  selected_folder_ = std::move(*name);
  keywords_ = std::move(folder->keywords);
  highest_modseq_ = folder->highest_modseq;
  if (params.condstore || params.qresync) condstore_used_ = true;
  messages_.reserve(folder->messages.size());
  std::optional<std::size_t> first_unseen;
  std::size_t recent = 0;
  for (const auto& m : folder->messages) {
    if (!first_unseen && (m.flags & store::flag_seen) == 0) first_unseen = messages_.size() + 1;
    messages_.push_back(SessionMessage::of(m, m.uid >= first_recent));
    recent += messages_.back().recent ? 1 : 0;
  }
  // A mailbox that was never delivered to has no UIDVALIDITY yet; IMAP needs a
  // non-zero one. It is empty, so a later real value costs clients nothing.
  uidvalidity_provisional_ = folder->uidvalidity == 0;
  uidvalidity_ = uidvalidity_provisional_ ? 1 : folder->uidvalidity;
  uidnext_ = folder->uidnext;
  read_only_ = read_only;
  state_ = State::selected;

  report_folder_flags();
  reply(fmt::format("* {} EXISTS", messages_.size()));
  reply(fmt::format("* {} RECENT", recent));
  if (first_unseen) reply(fmt::format("* OK [UNSEEN {}] First unseen", *first_unseen));
  reply(fmt::format("* OK [UIDVALIDITY {}] UIDs valid", uidvalidity_));
  reply(fmt::format("* OK [UIDNEXT {}] Predicted next UID", uidnext_));
  if (condstore_on())
    reply(fmt::format("* OK [HIGHESTMODSEQ {}] Highest", std::max<std::uint64_t>(highest_modseq_, 1)));
  // RFC 7162 §3.2.5: a client whose UIDVALIDITY is stale gets the plain SELECT.
  if (params.qresync && params.uidvalidity == uidvalidity_ && !uidvalidity_provisional_)
    co_await qresync_select(params);
  line(log::Record::store).with("messages", messages_.size()).with("mode", read_only ? "examine" : "select")
      .debug("mailbox selected");
  tagged(cmd.tag, read_only ? "OK [READ-ONLY] EXAMINE completed" : "OK [READ-WRITE] SELECT completed");
}

net::awaitable<bool> ImapSession::sync() {
  auto* st = service_->store;
  seen_changes_ = st->change_count(mailbox_root_, selected_folder_);  // before reading: no change is missed
  struct Loaded {
    Result<store::FolderStatus> folder = store::FolderStatus{};
    std::uint32_t first_recent = UINT32_MAX;  // new messages from here on are \Recent here
  };
  const std::uint32_t known_uidnext = messages_.empty() ? 1 : messages_.back().uid + 1;
  auto load = [st, root = mailbox_root_, name = selected_folder_, claim = !read_only_, known_uidnext] {  // named
    Loaded l;
    l.folder = st->status(root, name);
    if (!l.folder) return l;
    l.first_recent = l.folder->first_recent_uid;
    if (claim && l.folder->uidnext > known_uidnext) {
      auto claimed = st->take_recent(root, name, l.folder->uidnext);
      l.first_recent = claimed ? *claimed : UINT32_MAX;  // not claimed: not \Recent here
    }
    return l;
  };
  Loaded loaded = co_await service_->pool->run(load);
  auto& folder = loaded.folder;
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
  update_keywords(std::move(folder->keywords));  // before flags that use new keywords
  highest_modseq_ = std::max(highest_modseq_, folder->highest_modseq);
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
    SessionMessage& m = messages_[i];
    const bool flags_moved = fresh[j].flags != m.flags || fresh[j].keywords != m.keywords;
    // A CONDSTORE client also hears of a change undone meanwhile: its mod-sequence moved.
    if (flags_moved || (fresh[j].modseq != m.modseq && condstore_on())) changed.push_back(m.uid);
    m.flags = fresh[j].flags;
    m.keywords = fresh[j].keywords;
    m.modseq = fresh[j].modseq;
  }
  std::uint32_t last_uid = messages_.empty() ? 0 : messages_.back().uid;
  report_expunged(gone);
  std::size_t k = 0;
  for (std::size_t i = 0; i < messages_.size() && k < changed.size(); ++i) {
    if (messages_[i].uid != changed[k]) continue;
    reply(fmt::format("* {} FETCH (UID {} FLAGS {}{})", i + 1, messages_[i].uid, flags_of(messages_[i]),
                      modseq_suffix(messages_[i])));
    ++k;
  }
  std::size_t before = messages_.size();
  for (const auto& m : fresh)
    if (m.uid > last_uid) messages_.push_back(SessionMessage::of(m, m.uid >= loaded.first_recent));
  if (messages_.size() != before || !gone.empty()) reply(fmt::format("* {} EXISTS", messages_.size()));
  if (messages_.size() != before) {
    auto recent = std::count_if(messages_.begin(), messages_.end(), [](const SessionMessage& m) { return m.recent; });
    reply(fmt::format("* {} RECENT", recent));
  }
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
  if (action.unchanged_since) condstore_used_ = true;
  store::FlagUpdate update;
  update.mode = action.mode == StoreAction::Mode::replace ? store::FlagUpdate::Mode::replace
                : action.mode == StoreAction::Mode::add   ? store::FlagUpdate::Mode::add
                                                          : store::FlagUpdate::Mode::remove;
  update.flags = action.flags;
  update.keywords = action.keywords;
  update.unchanged_since = action.unchanged_since;
  std::vector<std::uint32_t> uids;
  uids.reserve(targets->size());
  for (std::size_t i : *targets) uids.push_back(messages_[i].uid);
  auto* st = service_->store;
  auto apply = [st, root = mailbox_root_, name = selected_folder_, uids, update] {  // named: see BlockingPool::run
    return st->update_flags(root, name, uids, update);
  };
  auto applied = co_await service_->pool->run(apply);
  if (!applied) {
    const Error& e = applied.error();
    if (e.code == ErrorCode::invalid_argument) {
      tagged(cmd.tag, "NO [CANNOT] " + e.message);
    } else if (e.code == ErrorCode::limit_exceeded) {
      tagged(cmd.tag, "NO [LIMIT] " + e.message);
    } else {
      line(log::Record::store).with("error", e.message).error("cannot store flags");
      tagged(cmd.tag, "NO [UNAVAILABLE] Cannot store the flags, try again later");
    }
    co_return;
  }
  update_keywords(std::move(applied->keywords));
  highest_modseq_ = std::max(highest_modseq_, applied->highest_modseq);
  // Both ascend by UID.
  std::vector<bool> refused(targets->size(), false);  // UNCHANGEDSINCE or gone: not reported as stored
  std::vector<bool> changed(targets->size(), false);
  for (std::size_t t = 0, c = 0; t < targets->size(); ++t) {
    SessionMessage& m = messages_[(*targets)[t]];
    if (c < applied->changed.size() && applied->changed[c].uid == m.uid) {
      m.flags = applied->changed[c].flags;
      m.keywords = applied->changed[c].keywords;
      m.modseq = applied->changed[c].modseq;
      changed[t] = true;
      ++c;
    }
    auto listed = [&](const std::vector<std::uint32_t>& v) { return std::binary_search(v.begin(), v.end(), m.uid); };
    refused[t] = listed(applied->modified) || listed(applied->missing);
  }
  // RFC 7162 §3.1.3: with UNCHANGEDSINCE the stored messages are reported even when
  // .SILENT, with their new mod-sequence.
  for (std::size_t t = 0; t < targets->size(); ++t) {
    if (refused[t] || (action.silent && !(action.unchanged_since && changed[t]))) continue;
    const std::size_t i = (*targets)[t];
    const auto& m = messages_[i];
    // Once CONDSTORE is on these carry the UID too (RFC 7162 §3.1, errata 1807).
    if (cmd.uid || condstore_on())
      reply(fmt::format("* {} FETCH (UID {} FLAGS {}{})", i + 1, m.uid, flags_of(m), modseq_suffix(m)));
    else reply(fmt::format("* {} FETCH (FLAGS {}{})", i + 1, flags_of(m), modseq_suffix(m)));
  }
  if (!applied->modified.empty()) {
    std::vector<std::uint32_t> numbers;
    for (std::size_t t = 0; t < targets->size(); ++t) {
      const std::uint32_t uid = messages_[(*targets)[t]].uid;
      if (std::binary_search(applied->modified.begin(), applied->modified.end(), uid))
        numbers.push_back(cmd.uid ? uid : static_cast<std::uint32_t>((*targets)[t] + 1));
    }
    tagged(cmd.tag, fmt::format("OK [MODIFIED {}] Conditional STORE failed", compact_sequence_set(numbers)));
  } else if (!applied->missing.empty()) {
    tagged(cmd.tag, "NO [EXPUNGEISSUED] Some of the messages no longer exist");
  } else {
    tagged(cmd.tag, "OK STORE completed");
  }
}

net::awaitable<std::optional<std::vector<std::size_t>>> ImapSession::search_positions(const ImapCommand& cmd) {
  if (!cmd.charset.empty() && cmd.charset != "US-ASCII" && cmd.charset != "UTF-8") {
    tagged(cmd.tag, "NO [BADCHARSET (US-ASCII UTF-8)] Unsupported charset");
    co_return std::nullopt;
  }
  if (const SearchKey* u = find_unsupported(cmd.search)) {
    tagged(cmd.tag, fmt::format("NO [CANNOT] SEARCH {} is not supported yet", u->name));
    co_return std::nullopt;
  }
  if (has_modseq_key(cmd.search)) condstore_used_ = true;
  std::vector<std::size_t> found;
  std::vector<std::size_t> undecided;  // the content keys decide
  SearchFacts facts;
  facts.max_seq = static_cast<std::uint32_t>(messages_.size());
  facts.max_uid = messages_.empty() ? 0 : messages_.back().uid;
  facts.keyword_names = &keywords_;
  std::vector<SearchFacts> all_facts;
  for (std::size_t i = 0; i < messages_.size(); ++i) {
    const auto& m = messages_[i];
    facts.seq = static_cast<std::uint32_t>(i + 1);
    facts.uid = m.uid;
    facts.flags = m.flags;
    facts.recent = m.recent;
    facts.keywords = m.keywords;
    facts.size = m.size;
    facts.internal_date = m.internal_date;
    facts.modseq = m.modseq;
    switch (search_evaluate(cmd.search, facts)) {
      case SearchMatch::yes: found.push_back(i); break;
      case SearchMatch::unknown: undecided.push_back(i); all_facts.push_back(facts); break;
      case SearchMatch::no: break;
    }
  }
  auto* st = service_->store;
  for (std::size_t first = 0; first < undecided.size(); first += summary_batch) {
    std::size_t count = std::min(summary_batch, undecided.size() - first);
    std::vector<SearchFacts> batch(all_facts.begin() + static_cast<std::ptrdiff_t>(first),
                                   all_facts.begin() + static_cast<std::ptrdiff_t>(first + count));
    auto match = [st, root = mailbox_root_, name = selected_folder_, key = cmd.search, batch = std::move(batch)] {  // named: see BlockingPool::run
      return match_by_content(*st, root, name, key, batch, max_kept_header);
    };
    auto matched = co_await service_->pool->run(match);
    if (!matched) {
      line(log::Record::store).with("error", matched.error().message).error("cannot read messages to search");
      tagged(cmd.tag, "NO [UNAVAILABLE] Cannot read the messages, try again later");
      co_return std::nullopt;
    }
    for (std::size_t k = 0; k < count; ++k)
      if ((*matched)[k]) found.push_back(undecided[first + k]);
  }
  std::sort(found.begin(), found.end());
  co_return found;
}

net::awaitable<void> ImapSession::search(const ImapCommand& cmd) {
  auto found = co_await search_positions(cmd);
  if (!found) co_return;
  std::vector<std::uint32_t> numbers;
  numbers.reserve(found->size());
  std::uint64_t highest = 0;  // RFC 7162 §3.1.5: the highest mod-sequence of the matches
  for (std::size_t i : *found) {
    numbers.push_back(cmd.uid ? messages_[i].uid : static_cast<std::uint32_t>(i + 1));
    highest = std::max(highest, messages_[i].modseq);
  }
  const bool with_modseq = has_modseq_key(cmd.search) && !found->empty();
  if (cmd.search_return) {
    std::string result = format_esearch(cmd.tag, cmd.uid, numbers, *cmd.search_return);
    if (with_modseq) result += fmt::format(" MODSEQ {}", highest);
    reply(result);
  } else {
    std::string result = "* SEARCH";
    for (std::uint32_t n : numbers) result += fmt::format(" {}", n);
    if (with_modseq) result += fmt::format(" (MODSEQ {})", highest);
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
    auto remove = [st, root = mailbox_root_, name = selected_folder_, uids,
                   qresync = qresync_on()]() -> Result<std::uint64_t> {  // named: see BlockingPool::run
      auto removed = st->expunge(root, name, uids);
      if (!removed) return std::move(removed).error();
      if (!qresync) return std::uint64_t{0};
      // An update of no message changes nothing and reads the new HIGHESTMODSEQ.
      auto now = st->update_flags(root, name, {}, store::FlagUpdate{});
      return now ? now->highest_modseq : std::uint64_t{0};
    };
    auto done = co_await service_->pool->run(remove);
    if (done) highest_modseq_ = std::max(highest_modseq_, *done);
    if (!done) {
      line(log::Record::store).with("error", done.error().message).error("expunge failed");
      if (!silent) tagged(cmd.tag, "NO [UNAVAILABLE] Cannot expunge, try again later");
      co_return;
    }
    line(log::Record::store).with("expunged", uids.size()).info("expunge");
  }
  if (silent) {
    for (auto it = doomed.rbegin(); it != doomed.rend(); ++it)
      messages_.erase(messages_.begin() + static_cast<std::ptrdiff_t>(*it));
    co_return;
  }
  report_expunged(doomed);
  // RFC 7162 §3.2.10: with QRESYNC the client learns the mod-sequence its expunge made.
  const std::string code =
      qresync_on() && highest_modseq_ > 0 ? fmt::format("[HIGHESTMODSEQ {}] ", highest_modseq_) : "";
  tagged(cmd.tag, fmt::format("OK {}{}", code, cmd.uid ? "UID EXPUNGE completed" : "EXPUNGE completed"));
}

net::awaitable<bool> ImapSession::idle(const ImapCommand& cmd) {
  reply("+ idling");
  if (!co_await out_.flush(conn_.stream, write_timeout)) co_return false;
  auto started = std::chrono::steady_clock::now();
  auto polled = started;
  std::string done;
  // A change made through this process wakes the wait at once (MailStore::watch): the
  // store's thread posts here, and a wait in progress is cancelled. Changes by other
  // processes and nodes are found by reading the folder every idle_poll_interval.
  struct Wake {
    bool waiting = false;  // a read is in progress
    bool pending = false;  // a change was told since the last check
  };
  auto wake = std::make_shared<Wake>();
  auto executor = co_await net::asio::this_coro::executor;
  auto& socket = conn_.stream.socket();
  std::weak_ptr<Wake> weak = wake;
  auto watch = service_->store->watch(mailbox_root_, selected_folder_, [executor, weak, &socket] {
    net::asio::post(executor, [weak, &socket] {
      auto w = weak.lock();  // gone: IDLE has ended
      if (!w) return;
      w->pending = true;
      boost::system::error_code ec;
      if (w->waiting) socket.cancel(ec);
    });
  });
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
    // Without a watch, short waits: a change made through this process is seen by its
    // change count at the next check.
    auto wait = std::min<std::chrono::steady_clock::duration>(
        left, watch ? options_->idle_poll_interval - (std::chrono::steady_clock::now() - polled)
                    : std::chrono::steady_clock::duration(options_->idle_check_interval));
    if (wait < std::chrono::milliseconds(1)) wait = std::chrono::milliseconds(1);
    if (!control_.begin_wait()) continue;  // the check above says goodbye
    Result<ImapReader::LineResult> got = make_error(ErrorCode::cancelled, "woken");
    if (!wake->pending) {  // a change told while this session was busy: no wait
      wake->waiting = true;
      got = co_await reader_.read_line(done, 64, wait);
      wake->waiting = false;
    }
    wake->pending = false;
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
