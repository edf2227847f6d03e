// QRESYNC (RFC 7162 §3.2): SELECT (QRESYNC (...)) tells a returning client what
// vanished and what changed since the mod-sequence it last saw, so it need not fetch
// the flags of the whole mailbox again. The expunges come from the store's record
// (MailStore::expunged_since); once the store no longer has it (its index log was
// compacted), every UID the client may know that is not in the mailbox is reported,
// which §3.2.5.1 allows.
#include <algorithm>

#include <fmt/format.h>

#include "dirmail/imap/esearch_response.hpp"
#include "imap_session.hpp"

namespace dirmail::imap {

net::awaitable<std::vector<std::uint32_t>> ImapSession::vanished_since(std::uint64_t modseq,
                                                                       const SequenceSet& wanted) {
  auto* st = service_->store;
  auto ask = [st, root = mailbox_root_, name = selected_folder_, modseq] {  // named: see BlockingPool::run
    return st->expunged_since(root, name, modseq);
  };
  auto known = co_await service_->pool->run(ask);
  // Only UIDs ever given out; '*' is the highest of them.
  const std::uint32_t highest = uidnext_ > 1 ? uidnext_ - 1 : 0;
  auto present = [this](std::uint32_t uid) {
    auto at = std::lower_bound(messages_.begin(), messages_.end(), uid,
                               [](const SessionMessage& m, std::uint32_t u) { return m.uid < u; });
    return at != messages_.end() && at->uid == uid;
  };
  std::vector<std::uint32_t> uids;
  if (known && known->exact) {
    // A message still in this session's view is reported when the session learns of
    // its expunge, not before.
    for (std::uint32_t uid : known->uids)
      if (uid <= highest && wanted.contains(uid, highest) && !present(uid)) uids.push_back(uid);
    co_return uids;
  }
  if (!known) line(log::Record::store).with("error", known.error().message).warn("expunge record unreadable");
  for (const auto& range : wanted.ranges) {
    auto [lo, hi] = SequenceSet::bounds(range, highest);
    hi = std::min(hi, highest);
    for (std::uint32_t uid = std::max<std::uint32_t>(lo, 1); uid != 0 && uid <= hi; ++uid)
      if (!present(uid)) uids.push_back(uid);
  }
  std::sort(uids.begin(), uids.end());
  uids.erase(std::unique(uids.begin(), uids.end()), uids.end());
  co_return uids;
}

net::awaitable<void> ImapSession::qresync_select(const SelectParameters& params) {
  SequenceSet all;
  all.ranges.push_back({1, sequence_star});
  const SequenceSet& known = params.known_uids ? *params.known_uids : all;
  // Nothing can have vanished after the mailbox's own highest mod-sequence.
  if (params.modseq < highest_modseq_) {
    auto vanished = co_await vanished_since(params.modseq, known);
    if (!vanished.empty()) reply("* VANISHED (EARLIER) " + compact_sequence_set(vanished));
  }
  for (std::size_t i = 0; i < messages_.size(); ++i) {
    const SessionMessage& m = messages_[i];
    if (m.modseq <= params.modseq) continue;
    reply(fmt::format("* {} FETCH (UID {} FLAGS {}{})", i + 1, m.uid, flags_of(m), modseq_suffix(m)));
    if (!co_await flush_if_large()) co_return;
  }
}

net::awaitable<bool> ImapSession::apply_fetch_modifiers(const ImapCommand& cmd, std::vector<std::size_t>& targets) {
  // RFC 7162 §3.1: MODSEQ and CHANGEDSINCE turn CONDSTORE on for the session.
  if (std::any_of(cmd.fetch.begin(), cmd.fetch.end(), [](const FetchItem& i) { return i.kind == FetchKind::modseq; }))
    condstore_used_ = true;
  const FetchModifiers& mods = cmd.fetch_modifiers;
  if (!mods.changed_since) co_return true;
  condstore_used_ = true;
  if (mods.vanished) {  // §3.2.6: only once QRESYNC is enabled
    if (!qresync_on()) {
      tagged(cmd.tag, "BAD VANISHED needs ENABLE QRESYNC first");
      ++errors_;
      co_return false;
    }
    auto vanished = co_await vanished_since(*mods.changed_since, cmd.sequence);
    if (!vanished.empty()) reply("* VANISHED (EARLIER) " + compact_sequence_set(vanished));
  }
  std::erase_if(targets, [&](std::size_t i) { return messages_[i].modseq <= *mods.changed_since; });
  co_return true;
}

}  // namespace dirmail::imap
