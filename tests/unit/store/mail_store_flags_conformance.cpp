// The MailStore conformance suite, IMAP flag state: keywords, mod-sequences (RFC 7162
// CONDSTORE/QRESYNC), \Recent and the expunges QRESYNC asks about. Every backend
// passes these; the fixture is in mail_store_conformance.hpp.
#include <algorithm>
#include <vector>

#include "mail_store_conformance.hpp"

namespace dirmail::store::testing {
namespace {

using Uids = std::vector<std::uint32_t>;

FlagUpdate update_of(FlagUpdate::Mode mode, std::uint8_t flags, std::vector<std::string> keywords = {}) {
  FlagUpdate u;
  u.mode = mode;
  u.flags = flags;
  u.keywords = std::move(keywords);
  return u;
}

const MessageInfo* find_uid(const FolderStatus& s, std::uint32_t uid) {
  auto it = std::find_if(s.messages.begin(), s.messages.end(), [&](const MessageInfo& m) { return m.uid == uid; });
  return it == s.messages.end() ? nullptr : &*it;
}

std::vector<std::string> names_of(const FolderStatus& s, std::uint64_t mask) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < s.keywords.size(); ++i)
    if (mask & (std::uint64_t{1} << i)) out.push_back(s.keywords[i]);
  return out;
}

TEST_P(MailStoreConformance, KeywordsAreKeptPerMessageAndSurviveARestart) {
  const std::string root = harness_->mailbox_root("kate");
  auto a = deliver_ok(root, "a");
  auto b = deliver_ok(root, "b");
  Uids both{a.uid, b.uid};
  auto added =
      store_->update_flags(root, "INBOX", both, update_of(FlagUpdate::Mode::add, flag_seen, {"$Work", "Later"}));
  ASSERT_TRUE(added.ok()) << added.error().message;
  EXPECT_EQ(added->changed.size(), 2u);
  EXPECT_EQ(added->keywords, (std::vector<std::string>{"$Work", "Later"}));
  // Names compare without case; removing one keeps the other.
  Uids first{a.uid};
  ASSERT_TRUE(store_->update_flags(root, "INBOX", first, update_of(FlagUpdate::Mode::remove, 0, {"later"})).ok());
  // set_flags replaces system flags only.
  ASSERT_TRUE(store_->set_flags(root, "INBOX", b.uid, flag_flagged).ok());

  store_ = harness_->make_store();
  auto s = status_ok(root);
  ASSERT_EQ(s.messages.size(), 2u);
  EXPECT_EQ(names_of(s, find_uid(s, a.uid)->keywords), (std::vector<std::string>{"$Work"}));
  EXPECT_EQ(find_uid(s, a.uid)->flags, flag_seen);
  EXPECT_EQ(names_of(s, find_uid(s, b.uid)->keywords), (std::vector<std::string>{"$Work", "Later"}));
  EXPECT_EQ(find_uid(s, b.uid)->flags, flag_flagged);
  // Replace sets exactly the given keywords.
  ASSERT_TRUE(store_->update_flags(root, "INBOX", first, update_of(FlagUpdate::Mode::replace, 0, {"Later"})).ok());
  s = status_ok(root);
  EXPECT_EQ(names_of(s, find_uid(s, a.uid)->keywords), (std::vector<std::string>{"Later"}));
}

TEST_P(MailStoreConformance, KeywordNamesAreCheckedAndBounded) {
  const std::string root = harness_->mailbox_root("ken");
  auto a = deliver_ok(root, "a");
  Uids one{a.uid};
  const std::vector<std::string> bad_names{"", "\\Seen", "a b", "(x", "x]", std::string(kMaxKeywordLength + 1, 'k')};
  for (const std::string& bad : bad_names) {
    auto r = store_->update_flags(root, "INBOX", one, update_of(FlagUpdate::Mode::add, 0, {bad}));
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::invalid_argument) << bad;
  }
  std::vector<std::string> many;
  for (std::size_t i = 0; i < kMaxKeywords; ++i) many.push_back("k" + std::to_string(i));
  ASSERT_TRUE(store_->update_flags(root, "INBOX", one, update_of(FlagUpdate::Mode::add, 0, many)).ok());
  auto over = store_->update_flags(root, "INBOX", one, update_of(FlagUpdate::Mode::add, flag_seen, {"one-more"}));
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.error().code, ErrorCode::limit_exceeded);
  auto s = status_ok(root);
  EXPECT_EQ(s.keywords.size(), kMaxKeywords);
  EXPECT_EQ(s.messages[0].flags, 0);  // nothing changed by the refused update
  // Known names still work.
  EXPECT_TRUE(store_->update_flags(root, "INBOX", one, update_of(FlagUpdate::Mode::remove, 0, {"K7"})).ok());
}

TEST_P(MailStoreConformance, ModseqsGrowWithEveryChangeAndSurviveARestart) {
  const std::string root = harness_->mailbox_root("mo");
  auto a = deliver_ok(root, "a");
  auto b = deliver_ok(root, "b");
  ASSERT_GT(a.modseq, 0u);
  EXPECT_GT(b.modseq, a.modseq);
  auto s = status_ok(root);
  EXPECT_EQ(s.highest_modseq, b.modseq);
  Uids first{a.uid};
  auto r = store_->update_flags(root, "INBOX", first, update_of(FlagUpdate::Mode::add, flag_seen));
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->changed.size(), 1u);
  EXPECT_GT(r->changed[0].modseq, b.modseq);
  EXPECT_EQ(r->highest_modseq, r->changed[0].modseq);
  // A change that changes nothing leaves the mod-sequences alone.
  auto again = store_->update_flags(root, "INBOX", first, update_of(FlagUpdate::Mode::add, flag_seen));
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->changed.empty());
  EXPECT_EQ(again->highest_modseq, r->highest_modseq);
  // An expunge moves the highest mod-sequence too.
  Uids second{b.uid};
  ASSERT_TRUE(store_->expunge(root, "INBOX", second).ok());
  store_ = harness_->make_store();
  s = status_ok(root);
  EXPECT_GT(s.highest_modseq, r->highest_modseq);
  EXPECT_EQ(find_uid(s, a.uid)->modseq, r->changed[0].modseq);
}

TEST_P(MailStoreConformance, UnchangedSinceLeavesNewerMessagesAlone) {
  const std::string root = harness_->mailbox_root("una");
  auto a = deliver_ok(root, "a");
  auto b = deliver_ok(root, "b");
  Uids both{a.uid, b.uid, 999};
  FlagUpdate u = update_of(FlagUpdate::Mode::add, flag_flagged);
  u.unchanged_since = a.modseq;  // b is newer
  auto r = store_->update_flags(root, "INBOX", both, u);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->changed.size(), 1u);
  EXPECT_EQ(r->changed[0].uid, a.uid);
  EXPECT_EQ(r->modified, (Uids{b.uid}));
  EXPECT_EQ(r->missing, (Uids{999}));
  auto s = status_ok(root);
  EXPECT_EQ(find_uid(s, b.uid)->flags, 0);
}

TEST_P(MailStoreConformance, RecentGoesToTheFirstClaimOnly) {
  const std::string root = harness_->mailbox_root("rita");
  auto a = deliver_ok(root, "a");
  auto s = status_ok(root);
  auto first = store_->take_recent(root, "INBOX", s.uidnext);
  ASSERT_TRUE(first.ok());
  EXPECT_LE(*first, a.uid);  // a is recent to the first claimer
  auto second = store_->take_recent(root, "INBOX", s.uidnext);
  ASSERT_TRUE(second.ok());
  EXPECT_GE(*second, s.uidnext);  // and to nobody else
  auto b = deliver_ok(root, "b");
  store_ = harness_->make_store();  // the claim is kept in the folder
  s = status_ok(root);
  EXPECT_EQ(s.first_recent_uid, b.uid);
  auto third = store_->take_recent(root, "INBOX", s.uidnext);
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(*third, b.uid);
}

TEST_P(MailStoreConformance, ExpungedSinceNamesTheExpungedUids) {
  const std::string root = harness_->mailbox_root("xena");
  auto a = deliver_ok(root, "a");
  auto b = deliver_ok(root, "b");
  auto c = deliver_ok(root, "c");
  const std::uint64_t before = status_ok(root).highest_modseq;
  Uids gone{a.uid, c.uid};
  ASSERT_TRUE(store_->expunge(root, "INBOX", gone).ok());
  auto since = store_->expunged_since(root, "INBOX", before);
  ASSERT_TRUE(since.ok());
  if (since->exact) {
    EXPECT_EQ(since->uids, (Uids{a.uid, c.uid}));
    auto later = store_->expunged_since(root, "INBOX", status_ok(root).highest_modseq);
    ASSERT_TRUE(later.ok());
    EXPECT_TRUE(later->uids.empty());
  }
  EXPECT_EQ(status_ok(root).messages.size(), 1u);
  (void)b;
}

TEST_P(MailStoreConformance, AppendAndCopyKeepKeywords) {
  const std::string root = harness_->mailbox_root("cody");
  ASSERT_TRUE(store_->create_folder(root, "Archive").ok());
  AppendOptions options;
  options.flags = flag_seen;
  options.keywords = {"$Label1", "Todo"};
  auto appended = append(root, "INBOX", "Subject: x\r\n\r\nbody\r\n", options);
  ASSERT_TRUE(appended.ok()) << appended.error().message;
  EXPECT_GT(appended->message.modseq, 0u);
  // The target has keywords of its own: the copy's bits follow the target's list.
  auto other = deliver_ok(root, "other", "Archive");
  Uids o{other.uid};
  ASSERT_TRUE(store_->update_flags(root, "Archive", o, update_of(FlagUpdate::Mode::add, 0, {"Todo"})).ok());
  Uids u{appended->message.uid};
  auto copied = store_->copy(root, "INBOX", u, "Archive");
  ASSERT_TRUE(copied.ok());
  ASSERT_EQ(copied->copied.size(), 1u);
  auto s = status_ok(root, "Archive");
  const MessageInfo* copy = find_uid(s, copied->copied[0].uid);
  ASSERT_NE(copy, nullptr);
  auto names = names_of(s, copy->keywords);
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"$Label1", "Todo"}));
  EXPECT_EQ(copy->flags, flag_seen);
  EXPECT_EQ(s.keywords, (std::vector<std::string>{"Todo", "$Label1"}));
}

}  // namespace
}  // namespace dirmail::store::testing
