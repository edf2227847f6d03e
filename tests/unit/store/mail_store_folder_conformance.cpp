// The MailStore conformance suite, folder operations (IMAP mailboxes): every backend
// passes these. The fixture and its helpers are in mail_store_conformance.hpp.
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <ctime>
#include <set>
#include <thread>
#include <vector>

#include "dirmail/store/folder_names.hpp"
#include "mail_store_conformance.hpp"

namespace dirmail::store::testing {
namespace {

using Names = std::vector<std::string>;

Names list_ok(MailStore& store, const std::string& root) {
  auto names = store.list_folders(root);
  EXPECT_TRUE(names.ok()) << (names.ok() ? "" : names.error().message);
  return names.ok() ? *names : Names{};
}

bool listed(MailStore& store, const std::string& root, std::string_view name) {
  auto names = list_ok(store, root);
  return std::find(names.begin(), names.end(), name) != names.end();
}

ErrorCode code_of(const Status& status) { return status.ok() ? ErrorCode::internal : status.error().code; }

// Names that exercise every byte the directory encoding treats specially.
const Names& awkward_names() {
  static const Names names{
      "a.b", ".hidden", "trailing.", "trailing ", " leading", "...", "100%", "%2F", "%41", "%",
      "back\\slash", "C:", "star*", "what?", "quote\"", "<angle>", "pipe|", "CON", "nul", "Com1",
      "LPT9", "aux.txt", "COM\xc2\xb9", "IMS.CTL", "AUTOREPLY.LOG", "dirmail.lock", "dirmail.subscriptions",
      "dirmail.index", "SUBSCRIPTIONS", "INBOXES", "&AC4ALgAv-", "~!@#$^&()_+={}[];',`",
      "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e/\xe3\x83\x95\xe3\x82\xa9\xe3\x83\xab\xe3\x83\x80\xe3\x83\xbc",
      "emoji \xf0\x9f\x93\xac", "a/b/c", "INBOX/child",
  };
  return names;
}

TEST_P(MailStoreConformance, FolderListStartsWithInboxThenByteOrder) {
  const std::string root = harness_->mailbox_root("lucy");
  EXPECT_EQ(list_ok(*store_, root), (Names{"INBOX"}));  // before any delivery
  for (std::string name : {"Work", "Archive/2024", "Archive", "\xc3\x9c" "bersicht", "b", "x/y"})
    ASSERT_TRUE(store_->create_folder(root, name).ok()) << name;
  // "x" was never created itself: not listed.
  EXPECT_EQ(list_ok(*store_, root), (Names{"INBOX", "Archive", "Archive/2024", "Work", "b", "x/y",
                                           "\xc3\x9c" "bersicht"}));
  store_ = harness_->make_store();  // the list is on disk, not in the store object
  EXPECT_EQ(list_ok(*store_, root).size(), 7u);
}

TEST_P(MailStoreConformance, CreateRefusesExistingFoldersAndCaseTwins) {
  const std::string root = harness_->mailbox_root("mike");
  ASSERT_TRUE(store_->create_folder(root, "Work").ok());
  for (std::string twin : {"Work", "work", "WORK", "INBOX", "inbox", "Inbox"})
    EXPECT_EQ(code_of(store_->create_folder(root, twin)), ErrorCode::already_exists) << twin;
  ASSERT_TRUE(store_->create_folder(root, "Work/Sub").ok());
  EXPECT_EQ(code_of(store_->create_folder(root, "WORK/SUB")), ErrorCode::already_exists);
  EXPECT_EQ(list_ok(*store_, root), (Names{"INBOX", "Work", "Work/Sub"}));
  // "inbox/x" is below INBOX, whatever the case.
  ASSERT_TRUE(store_->create_folder(root, "inbox/x").ok());
  EXPECT_TRUE(listed(*store_, root, "INBOX/x"));
  EXPECT_EQ(code_of(store_->create_folder(root, "INBOX/x")), ErrorCode::already_exists);
}

TEST_P(MailStoreConformance, AwkwardFolderNamesRoundTrip) {
  const std::string root = harness_->mailbox_root("nina");
  for (const auto& name : awkward_names()) {
    ASSERT_TRUE(store_->create_folder(root, name).ok()) << name;
    auto appended = append(root, name, "in " + name);
    ASSERT_TRUE(appended.ok()) << name << ": " << appended.error().message;
  }
  store_ = harness_->make_store();
  Names expected = awkward_names();
  expected.push_back("INBOX");
  std::sort(expected.begin(), expected.end());
  Names got = list_ok(*store_, root);
  ASSERT_FALSE(got.empty());
  EXPECT_EQ(got.front(), "INBOX");
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, expected);
  for (const auto& name : awkward_names()) {
    auto status = status_ok(root, name);
    ASSERT_EQ(status.messages.size(), 1u) << name;
    EXPECT_EQ(read_message(root, name, status.messages[0].uid), "in " + name);
  }
  // Folders named like the user files do not meet them.
  ASSERT_TRUE(store_->write_user_file(root, "IMS.CTL", "control").ok());
  auto control = store_->read_user_file(root, "IMS.CTL", 100);
  ASSERT_TRUE(control.ok() && control->has_value());
  EXPECT_EQ(**control, "control");
  EXPECT_EQ(status_ok(root, "IMS.CTL").messages.size(), 1u);
}

TEST_P(MailStoreConformance, InvalidFolderNamesAreRefusedByEveryFolderOperation) {
  const std::string root = harness_->mailbox_root("oscar");
  ASSERT_TRUE(store_->create_folder(root, "Good").ok());
  std::string deep;
  for (std::size_t i = 0; i <= kMaxFolderDepth; ++i) deep += (i ? "/d" : "d");
  for (std::string bad : {std::string(""), std::string("/"), std::string("a/"), std::string("/a"), std::string("a//b"),
                          std::string(".."), std::string("."), std::string("../x"), std::string("a/../../b"),
                          std::string("a/./b"), std::string("a/.."), std::string("nul\0x", 5), std::string("new\nline"),
                          std::string("del\x7f"), std::string("c1\xc2\x85"), std::string("bad\xff"),
                          std::string("overlong\xc0\xaf"), std::string(kMaxFolderNameBytes + 1, 'f'), deep,
                          std::string(kMaxFolderNameBytes, '.')}) {
    EXPECT_EQ(code_of(store_->create_folder(root, bad)), ErrorCode::invalid_argument) << bad;
    EXPECT_EQ(code_of(store_->delete_folder(root, bad)), ErrorCode::invalid_argument) << bad;
    EXPECT_EQ(code_of(store_->rename_folder(root, "Good", bad)), ErrorCode::invalid_argument) << bad;
    EXPECT_EQ(code_of(store_->rename_folder(root, bad, "Other")), ErrorCode::invalid_argument) << bad;
    auto appended = append(root, bad, "x");
    EXPECT_TRUE(!appended.ok() && appended.error().code == ErrorCode::invalid_argument) << bad;
    std::vector<std::uint32_t> uids{1};
    auto copied = store_->copy(root, "Good", uids, bad);
    EXPECT_TRUE(!copied.ok() && copied.error().code == ErrorCode::invalid_argument) << bad;
    EXPECT_EQ(code_of(store_->set_subscriptions(root, {bad})), ErrorCode::invalid_argument) << bad;
  }
  EXPECT_EQ(list_ok(*store_, root), (Names{"INBOX", "Good"}));
  // The limits themselves are fine.
  std::string deepest;
  for (std::size_t i = 0; i < kMaxFolderDepth; ++i) deepest += (i ? "/d" : "d");
  EXPECT_TRUE(store_->create_folder(root, deepest).ok());
  EXPECT_TRUE(store_->create_folder(root, std::string(kMaxFolderNameBytes, 'f')).ok());
}

TEST_P(MailStoreConformance, DeleteRemovesTheFolderAndItsMessages) {
  const std::string root = harness_->mailbox_root("paul");
  ASSERT_TRUE(store_->create_folder(root, "Old").ok());
  auto a = append(root, "Old", std::string(500, 'a'));
  ASSERT_TRUE(a.ok());
  auto kept = deliver_ok(root, "in inbox");
  ASSERT_EQ(*store_->usage(root), a->message.size + kept.size);

  ASSERT_TRUE(store_->delete_folder(root, "Old").ok());
  EXPECT_EQ(list_ok(*store_, root), (Names{"INBOX"}));
  EXPECT_TRUE(status_ok(root, "Old").messages.empty());
  auto reader = store_->open_message(root, "Old", a->message.uid);
  EXPECT_TRUE(!reader.ok() && reader.error().code == ErrorCode::not_found);
  EXPECT_EQ(*store_->usage(root), kept.size);
  EXPECT_EQ(code_of(store_->delete_folder(root, "Old")), ErrorCode::not_found);
  EXPECT_EQ(code_of(store_->delete_folder(root, "Never")), ErrorCode::not_found);
  EXPECT_EQ(code_of(store_->delete_folder(harness_->mailbox_root("nobody"), "Never")), ErrorCode::not_found);
  EXPECT_EQ(code_of(store_->delete_folder(root, "INBOX")), ErrorCode::permission_denied);
  EXPECT_EQ(code_of(store_->delete_folder(root, "inbox")), ErrorCode::permission_denied);
  EXPECT_EQ(status_ok(root).messages.size(), 1u);
}

TEST_P(MailStoreConformance, DeleteRefusesAFolderWithChildren) {
  const std::string root = harness_->mailbox_root("quinn");
  ASSERT_TRUE(store_->create_folder(root, "Parent").ok());
  ASSERT_TRUE(store_->create_folder(root, "Parent/Child").ok());
  ASSERT_TRUE(store_->create_folder(root, "Parental").ok());  // not a child
  auto refused = store_->delete_folder(root, "Parent");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::already_exists);
  EXPECT_NE(refused.error().message.find("has child folders"), std::string::npos);
  EXPECT_TRUE(listed(*store_, root, "Parent"));
  ASSERT_TRUE(store_->delete_folder(root, "Parent/Child").ok());
  ASSERT_TRUE(store_->delete_folder(root, "Parent").ok());
  EXPECT_EQ(list_ok(*store_, root), (Names{"INBOX", "Parental"}));
}

TEST_P(MailStoreConformance, RecreatedFolderGetsALargerUidvalidity) {
  const std::string root = harness_->mailbox_root("rita");
  ASSERT_TRUE(store_->create_folder(root, "Again").ok());
  auto first = status_ok(root, "Again").uidvalidity;
  EXPECT_NE(first, 0u);
  ASSERT_TRUE(append(root, "Again", "x").ok());
  ASSERT_TRUE(store_->delete_folder(root, "Again").ok());
  ASSERT_TRUE(store_->create_folder(root, "Again").ok());  // within the same second
  auto second = status_ok(root, "Again").uidvalidity;
  EXPECT_GT(second, first);
  store_ = harness_->make_store();  // another process: still larger
  ASSERT_TRUE(store_->delete_folder(root, "Again").ok());
  ASSERT_TRUE(store_->create_folder(root, "Again").ok());
  auto third = status_ok(root, "Again").uidvalidity;
  EXPECT_GT(third, second);
  // A folder renamed to the deleted name shows none of the values seen there.
  ASSERT_TRUE(store_->create_folder(root, "Other").ok());
  ASSERT_TRUE(store_->delete_folder(root, "Again").ok());
  ASSERT_TRUE(store_->rename_folder(root, "Other", "Again").ok());
  auto renamed = status_ok(root, "Again").uidvalidity;
  EXPECT_TRUE(renamed != first && renamed != second && renamed != third) << renamed;
}

TEST_P(MailStoreConformance, RenameMovesTheFolderAndEveryFolderBelowIt) {
  const std::string root = harness_->mailbox_root("sam");
  for (std::string name : {"A", "A/B", "A/B/C", "Ab", "Z/other"}) {
    ASSERT_TRUE(store_->create_folder(root, name).ok()) << name;
    ASSERT_TRUE(append(root, name, "in " + name).ok()) << name;
  }
  auto before = status_ok(root, "A/B");
  ASSERT_TRUE(store_->rename_folder(root, "A", "Z").ok());
  EXPECT_EQ(list_ok(*store_, root), (Names{"INBOX", "Ab", "Z", "Z/B", "Z/B/C", "Z/other"}));
  auto after = status_ok(root, "Z/B");
  EXPECT_EQ(after.uidvalidity, before.uidvalidity);  // the same folder, under a new name
  ASSERT_EQ(after.messages.size(), 1u);
  EXPECT_EQ(after.messages[0].uid, before.messages[0].uid);
  EXPECT_EQ(read_message(root, "Z/B/C", status_ok(root, "Z/B/C").messages[0].uid), "in A/B/C");
  EXPECT_TRUE(status_ok(root, "A/B").messages.empty());

  // A case-only rename is a rename.
  ASSERT_TRUE(store_->rename_folder(root, "Ab", "AB").ok());
  EXPECT_TRUE(listed(*store_, root, "AB"));
  EXPECT_FALSE(listed(*store_, root, "Ab"));
}

TEST_P(MailStoreConformance, RenameRefusesWhatWouldCollideOrIsNotThere) {
  const std::string root = harness_->mailbox_root("tina");
  for (std::string name : {"A", "A/B", "X/B", "Taken"}) ASSERT_TRUE(store_->create_folder(root, name).ok()) << name;
  const Names all{"INBOX", "A", "A/B", "Taken", "X/B"};
  EXPECT_EQ(code_of(store_->rename_folder(root, "A", "Taken")), ErrorCode::already_exists);
  EXPECT_EQ(code_of(store_->rename_folder(root, "A", "taken")), ErrorCode::already_exists);
  EXPECT_EQ(code_of(store_->rename_folder(root, "A", "A")), ErrorCode::already_exists);
  EXPECT_EQ(code_of(store_->rename_folder(root, "A", "X")), ErrorCode::already_exists);  // X/B is there
  EXPECT_EQ(code_of(store_->rename_folder(root, "A", "INBOX")), ErrorCode::already_exists);
  EXPECT_EQ(code_of(store_->rename_folder(root, "Missing", "New")), ErrorCode::not_found);
  EXPECT_EQ(code_of(store_->rename_folder(root, "X", "New")), ErrorCode::not_found);  // never created itself
  EXPECT_EQ(code_of(store_->rename_folder(root, "A", "A/B/C")), ErrorCode::invalid_argument);
  // A child whose new name would be too long: nothing moves.
  EXPECT_EQ(code_of(store_->rename_folder(root, "A", std::string(kMaxFolderNameBytes - 1, 'n'))),
            ErrorCode::invalid_argument);
  EXPECT_EQ(list_ok(*store_, root), all);
}

TEST_P(MailStoreConformance, RenamingInboxMovesItsMessagesAndLeavesItEmpty) {
  const std::string root = harness_->mailbox_root("uma");
  auto a = deliver_ok(root, "first");
  auto b = deliver_ok(root, "second");
  ASSERT_TRUE(store_->set_flags(root, "INBOX", b.uid, flag_seen | flag_flagged).ok());
  ASSERT_TRUE(store_->create_folder(root, "INBOX/kept").ok());
  const auto inbox_before = status_ok(root);

  ASSERT_TRUE(store_->rename_folder(root, "inbox", "Old Mail").ok());
  auto inbox = status_ok(root);
  EXPECT_TRUE(inbox.messages.empty());
  EXPECT_EQ(inbox.uidvalidity, inbox_before.uidvalidity);
  auto old = status_ok(root, "Old Mail");
  ASSERT_EQ(old.messages.size(), 2u);
  EXPECT_EQ(read_message(root, "Old Mail", old.messages[0].uid), "Received: test\r\nfirst");
  EXPECT_EQ(read_message(root, "Old Mail", old.messages[1].uid), "Received: test\r\nsecond");
  EXPECT_EQ(old.messages[0].flags, 0);
  EXPECT_EQ(old.messages[1].flags, flag_seen | flag_flagged);
  EXPECT_EQ(old.messages[0].internal_date, inbox_before.messages[0].internal_date);
  EXPECT_EQ(list_ok(*store_, root), (Names{"INBOX", "INBOX/kept", "Old Mail"}));

  // UIDs of INBOX are not used again.
  auto c = deliver_ok(root, "third");
  EXPECT_GT(c.uid, b.uid);
  EXPECT_GT(b.uid, a.uid);
  EXPECT_EQ(code_of(store_->rename_folder(root, "INBOX", "Old Mail")), ErrorCode::already_exists);
  // An INBOX that never had mail renames to an empty folder.
  const std::string fresh = harness_->mailbox_root("fresh");
  ASSERT_TRUE(store_->rename_folder(fresh, "INBOX", "Nothing").ok());
  EXPECT_EQ(list_ok(*store_, fresh), (Names{"INBOX", "Nothing"}));
}

// Migrations (dirmail-import) append with the original's UIDL, flags and date, as a
// named delivery: a repeat after a crash finds the first copy.
TEST_P(MailStoreConformance, AppendKeepsTheSourceUidlAndNamesTheDelivery) {
  const std::string root = harness_->mailbox_root("wanda");
  ASSERT_TRUE(store_->create_folder(root, "Old").ok());
  const std::string body = "Subject: old\r\n\r\nkept\r\n";
  int fd = ::memfd_create("dirmail-test-import", MFD_CLOEXEC);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::write(fd, body.data(), body.size()), static_cast<ssize_t>(body.size()));
  DeliverySource source;
  source.fd = fd;
  source.length = body.size();
  source.uidl = "0123456789ABCDEF";
  source.delivery_id = "Mimport-1";
  AppendOptions options;
  options.flags = flag_seen | flag_answered;
  options.internal_date = 1100000000;
  auto first = store_->append(root, "Old", source, options);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(first->message.uidl, "0123456789ABCDEF");
  auto again = store_->append(root, "Old", source, options);
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(again->message.uid, first->message.uid);
  source.delivery_id = "bad/id";
  auto refused = store_->append(root, "Old", source, options);
  EXPECT_TRUE(!refused.ok() && refused.error().code == ErrorCode::invalid_argument);
  ::close(fd);

  store_ = harness_->make_store();
  auto status = status_ok(root, "Old");
  ASSERT_EQ(status.messages.size(), 1u);
  EXPECT_EQ(status.messages[0].uidl, "0123456789ABCDEF");
  EXPECT_EQ(status.messages[0].flags, flag_seen | flag_answered);
  EXPECT_EQ(status.messages[0].internal_date, 1100000000);
  EXPECT_EQ(status.messages[0].size, body.size());
}

TEST_P(MailStoreConformance, AppendStoresTheGivenFlagsAndDate) {
  const std::string root = harness_->mailbox_root("vera");
  ASSERT_TRUE(store_->create_folder(root, "Drafts").ok());
  AppendOptions options;
  options.flags = flag_seen | flag_draft;
  options.internal_date = 1000000000;  // 2001-09-09
  auto appended = append(root, "Drafts", "Subject: draft\r\n\r\nbody\r\n", options);
  ASSERT_TRUE(appended.ok()) << appended.error().message;
  store_ = harness_->make_store();
  auto status = status_ok(root, "Drafts");
  EXPECT_EQ(appended->uidvalidity, status.uidvalidity);
  ASSERT_EQ(status.messages.size(), 1u);
  EXPECT_EQ(status.messages[0].uid, appended->message.uid);
  EXPECT_EQ(status.messages[0].flags, flag_seen | flag_draft);
  EXPECT_EQ(status.messages[0].internal_date, 1000000000);
  EXPECT_EQ(status.messages[0].size, std::string_view("Subject: draft\r\n\r\nbody\r\n").size());
  EXPECT_EQ(read_message(root, "Drafts", appended->message.uid), "Subject: draft\r\n\r\nbody\r\n");

  auto now = std::time(nullptr);
  auto undated = append(root, "Drafts", "x");
  ASSERT_TRUE(undated.ok());
  EXPECT_GE(undated->message.internal_date, now);
  EXPECT_GT(undated->message.uid, appended->message.uid);

  auto missing = append(root, "Missing", "x");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::not_found);
  EXPECT_FALSE(listed(*store_, root, "Missing"));
  AppendOptions bad;
  bad.flags = 0x80;
  auto refused = append(root, "Drafts", "x", bad);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::invalid_argument);
  // INBOX always exists, even before its first delivery.
  const std::string fresh = harness_->mailbox_root("fresh");
  auto to_inbox = append(fresh, "inbox", "first");
  ASSERT_TRUE(to_inbox.ok()) << to_inbox.error().message;
  EXPECT_EQ(status_ok(fresh).uidvalidity, to_inbox->uidvalidity);
}

TEST_P(MailStoreConformance, CopyKeepsFlagsAndDatesAndMapsUids) {
  const std::string root = harness_->mailbox_root("walt");
  auto a = deliver_ok(root, "a");
  auto b = deliver_ok(root, "b");
  auto c = deliver_ok(root, "c");
  ASSERT_TRUE(store_->set_flags(root, "INBOX", b.uid, flag_answered | flag_deleted).ok());
  ASSERT_TRUE(store_->create_folder(root, "Copies").ok());
  ASSERT_TRUE(append(root, "Copies", "already there").ok());

  std::vector<std::uint32_t> uids{c.uid, a.uid, 999, b.uid, a.uid};  // any order, unknown and repeated UIDs
  auto copied = store_->copy(root, "INBOX", uids, "Copies");
  ASSERT_TRUE(copied.ok()) << copied.error().message;
  auto target = status_ok(root, "Copies");
  EXPECT_EQ(copied->uidvalidity, target.uidvalidity);
  ASSERT_EQ(copied->copied.size(), 3u);
  EXPECT_EQ(copied->copied[0].source_uid, a.uid);
  EXPECT_EQ(copied->copied[1].source_uid, b.uid);
  EXPECT_EQ(copied->copied[2].source_uid, c.uid);
  ASSERT_EQ(target.messages.size(), 4u);
  for (std::size_t i = 0; i < 3; ++i) EXPECT_EQ(copied->copied[i].uid, target.messages[i + 1].uid);
  EXPECT_LT(copied->copied[0].uid, copied->copied[1].uid);
  auto source = status_ok(root);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(target.messages[i + 1].flags, source.messages[i].flags);
    EXPECT_EQ(target.messages[i + 1].internal_date, source.messages[i].internal_date);
    EXPECT_EQ(target.messages[i + 1].size, source.messages[i].size);
    EXPECT_NE(target.messages[i + 1].uidl, source.messages[i].uidl);
  }
  EXPECT_EQ(read_message(root, "Copies", copied->copied[1].uid), "Received: test\r\nb");

  // The copy outlives its source.
  std::vector<std::uint32_t> gone{b.uid};
  ASSERT_TRUE(store_->expunge(root, "INBOX", gone).ok());
  EXPECT_EQ(read_message(root, "Copies", copied->copied[1].uid), "Received: test\r\nb");
  // Copied expunged UIDs are skipped; a copy within one folder is a new message.
  std::vector<std::uint32_t> again{a.uid, b.uid};
  auto within = store_->copy(root, "INBOX", again, "inbox");
  ASSERT_TRUE(within.ok());
  ASSERT_EQ(within->copied.size(), 1u);
  EXPECT_GT(within->copied[0].uid, c.uid);
  std::set<std::string> uidls;
  for (const auto& m : status_ok(root).messages) uidls.insert(m.uidl);
  EXPECT_EQ(uidls.size(), 3u);  // POP3 needs them unique

  auto to_missing = store_->copy(root, "INBOX", uids, "Missing");
  EXPECT_TRUE(!to_missing.ok() && to_missing.error().code == ErrorCode::not_found);
  auto from_missing = store_->copy(root, "Missing", uids, "Copies");
  EXPECT_TRUE(!from_missing.ok() && from_missing.error().code == ErrorCode::not_found);
  EXPECT_EQ(status_ok(root, "Copies").messages.size(), 4u);
}

TEST_P(MailStoreConformance, SubscriptionsRoundTrip) {
  const std::string root = harness_->mailbox_root("xena");
  auto none = store_->subscriptions(root);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  const Names names{"Work", "Archive/2024", "Not created", "\xe6\x97\xa5\xe6\x9c\xac", "inbox"};
  ASSERT_TRUE(store_->set_subscriptions(root, names).ok());
  store_ = harness_->make_store();
  auto read = store_->subscriptions(root);
  ASSERT_TRUE(read.ok()) << read.error().message;
  EXPECT_EQ(*read, names);
  EXPECT_EQ(list_ok(*store_, root), (Names{"INBOX"}));  // subscribing creates nothing

  EXPECT_EQ(code_of(store_->set_subscriptions(root, {"ok", "two\nlines"})), ErrorCode::invalid_argument);
  EXPECT_EQ(code_of(store_->set_subscriptions(root, Names(2000, std::string(200, 's')))), ErrorCode::limit_exceeded);
  EXPECT_EQ(*store_->subscriptions(root), names);  // a refused write changes nothing
  ASSERT_TRUE(store_->set_subscriptions(root, {}).ok());
  EXPECT_TRUE(store_->subscriptions(root)->empty());
}

TEST_P(MailStoreConformance, UsageCountsEveryFolderWhateverItsName) {
  const std::string root = harness_->mailbox_root("yuri");
  auto inbox = deliver_ok(root, std::string(100, 'i'));
  ASSERT_TRUE(store_->create_folder(root, "Archive/2024.old").ok());
  auto archived = append(root, "Archive/2024.old", std::string(1000, 'a'));
  ASSERT_TRUE(archived.ok());
  ASSERT_TRUE(store_->create_folder(root, "CON").ok());
  auto device = append(root, "CON", std::string(10, 'c'));
  ASSERT_TRUE(device.ok());
  std::vector<std::uint32_t> uids{inbox.uid};
  ASSERT_TRUE(store_->copy(root, "INBOX", uids, "CON").ok());
  store_ = harness_->make_store();
  EXPECT_EQ(*store_->usage(root), inbox.size * 2 + archived->message.size + device->message.size);
  ASSERT_TRUE(store_->rename_folder(root, "Archive/2024.old", "Attic/2024").ok());
  EXPECT_EQ(*store_->usage(root), inbox.size * 2 + archived->message.size + device->message.size);
  ASSERT_TRUE(store_->delete_folder(root, "CON").ok());
  EXPECT_EQ(*store_->usage(root), inbox.size + archived->message.size);
}

TEST_P(MailStoreConformance, FolderDeletedWhileInUseGivesErrors) {
  const std::string root = harness_->mailbox_root("zoe");
  ASSERT_TRUE(store_->create_folder(root, "Busy").ok());
  auto a = append(root, "Busy", "still readable");
  ASSERT_TRUE(a.ok());
  auto reader = store_->open_message(root, "Busy", a->message.uid);
  ASSERT_TRUE(reader.ok());
  auto other = harness_->make_store();  // another session's process
  ASSERT_TRUE(other->delete_folder(root, "Busy").ok());

  auto flags = store_->set_flags(root, "Busy", a->message.uid, flag_seen);
  EXPECT_TRUE(!flags.ok() && flags.error().code == ErrorCode::not_found);
  auto opened = store_->open_message(root, "Busy", a->message.uid);
  EXPECT_TRUE(!opened.ok() && opened.error().code == ErrorCode::not_found);
  auto appended = append(root, "Busy", "x");
  EXPECT_TRUE(!appended.ok() && appended.error().code == ErrorCode::not_found);
  std::vector<std::uint32_t> uids{a->message.uid};
  auto copied = store_->copy(root, "Busy", uids, "INBOX");
  EXPECT_TRUE(!copied.ok() && copied.error().code == ErrorCode::not_found);
  EXPECT_TRUE(status_ok(root, "Busy").messages.empty());
  EXPECT_FALSE(listed(*store_, root, "Busy"));  // and nothing brought it back
}

TEST_P(MailStoreConformance, ConcurrentAppendsAndDeletesNeverCorruptAFolder) {
  const std::string root = harness_->mailbox_root("amy");
  ASSERT_TRUE(store_->create_folder(root, "Churn").ok());
  std::atomic<bool> stop{false};
  std::atomic<int> stored{0};
  std::vector<std::thread> writers;
  for (int t = 0; t < 4; ++t) {
    writers.emplace_back([&, t] {
      std::unique_ptr<MailStore> own = t % 2 ? harness_->make_store() : nullptr;
      MailStore& store = own ? *own : *store_;
      int fd = ::memfd_create("src", MFD_CLOEXEC);
      ASSERT_EQ(::write(fd, "churn", 5), 5);
      DeliverySource source;
      source.fd = fd;
      source.length = 5;
      while (!stop) {
        auto r = store.append(root, "Churn", source, {});
        if (r.ok()) {
          ++stored;
        } else {
          EXPECT_EQ(r.error().code, ErrorCode::not_found) << r.error().message;
        }
        auto s = store.status(root, "Churn");
        if (!s.ok()) {
          EXPECT_EQ(s.error().code, ErrorCode::not_found) << s.error().message;
        }
      }
      ::close(fd);
    });
  }
  auto other = harness_->make_store();
  // At least 20 rounds, and on until the writers got some messages in between.
  for (int round = 0; round < 20 || (stored < 10 && round < 5000); ++round) {
    auto deleted = other->delete_folder(root, "Churn");
    EXPECT_TRUE(deleted.ok()) << deleted.error().message;
    auto created = other->create_folder(root, "Churn");
    EXPECT_TRUE(created.ok()) << created.error().message;
  }
  stop = true;
  for (auto& w : writers) w.join();
  EXPECT_GE(stored.load(), 10);
  // Whatever survived is whole, and the folder works as ever.
  EXPECT_EQ(list_ok(*store_, root), (Names{"INBOX", "Churn"}));
  ASSERT_TRUE(append(root, "Churn", "churn").ok());
  for (const auto& m : status_ok(root, "Churn").messages) EXPECT_EQ(read_message(root, "Churn", m.uid), "churn");
}

}  // namespace
}  // namespace dirmail::store::testing
