#include "mail_store_conformance.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <ctime>
#include <set>
#include <thread>
#include <vector>

namespace dirmail::store::testing {

void MailStoreConformance::SetUp() {
  harness_ = GetParam().make();
  if (!harness_) GTEST_SKIP() << GetParam().name << " backend not available";
  store_ = harness_->make_store();
}

Result<MessageInfo> MailStoreConformance::deliver(const std::string& root, std::string_view folder,
                                                  std::string_view prefix, std::string_view body,
                                                  std::string uidl, std::string delivery_id) {
  int fd = ::memfd_create("dirmail-test-source", MFD_CLOEXEC);
  EXPECT_GE(fd, 0);
  std::string content = "QUEUE-HEADER\n\n" + std::string(body);
  EXPECT_EQ(::write(fd, content.data(), content.size()), static_cast<ssize_t>(content.size()));
  DeliverySource source;
  source.prefix = prefix;
  source.fd = fd;
  source.offset = 14;
  source.length = body.size();
  source.uidl = std::move(uidl);
  source.delivery_id = std::move(delivery_id);
  auto result = store_->deliver(root, folder, source);
  ::close(fd);
  return result;
}

MessageInfo MailStoreConformance::deliver_ok(const std::string& root, std::string_view body,
                                             std::string_view folder) {
  auto r = deliver(root, folder, "Received: test\r\n", body);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? *r : MessageInfo{};
}

std::string MailStoreConformance::read_message(const std::string& root, std::string_view folder,
                                               std::uint32_t uid) {
  auto reader = store_->open_message(root, folder, uid);
  EXPECT_TRUE(reader.ok()) << (reader.ok() ? "" : reader.error().message);
  if (!reader.ok()) return {};
  std::string out;
  char buf[1000];
  for (;;) {
    auto n = (*reader)->read(buf);
    EXPECT_TRUE(n.ok());
    if (!n.ok() || *n == 0) break;
    out.append(buf, *n);
  }
  EXPECT_EQ(out.size(), (*reader)->size());
  return out;
}

FolderStatus MailStoreConformance::status_ok(const std::string& root, std::string_view folder) {
  auto s = store_->status(root, folder);
  EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
  return s.ok() ? *s : FolderStatus{};
}

Result<AppendResult> MailStoreConformance::append(const std::string& root, std::string_view folder,
                                                  std::string_view body, AppendOptions options) {
  int fd = ::memfd_create("dirmail-test-append", MFD_CLOEXEC);
  EXPECT_GE(fd, 0);
  EXPECT_EQ(::write(fd, body.data(), body.size()), static_cast<ssize_t>(body.size()));
  DeliverySource source;
  source.fd = fd;
  source.length = body.size();
  auto result = store_->append(root, folder, source, options);
  ::close(fd);
  return result;
}

namespace {

std::vector<std::uint32_t> uids_of(const FolderStatus& status) {
  std::vector<std::uint32_t> uids;
  for (const auto& m : status.messages) uids.push_back(m.uid);
  return uids;
}

TEST_P(MailStoreConformance, MissingMailboxIsEmpty) {
  auto status = status_ok(harness_->mailbox_root("nobody"));
  EXPECT_TRUE(status.messages.empty());
  EXPECT_EQ(status.uidvalidity, 0u);
  auto reader = store_->open_message(harness_->mailbox_root("nobody"), "INBOX", 1);
  ASSERT_FALSE(reader.ok());
  EXPECT_EQ(reader.error().code, ErrorCode::not_found);
}

TEST_P(MailStoreConformance, DeliveredMessagesAreListedAndReadable) {
  std::string root = harness_->mailbox_root("alice");
  auto before = std::time(nullptr);
  auto first = deliver_ok(root, "Subject: one\r\n\r\nbody one\r\n");
  auto second = deliver_ok(root, "Subject: two\r\n\r\nbody two\r\n");
  EXPECT_LT(first.uid, second.uid);

  auto status = status_ok(root);
  EXPECT_NE(status.uidvalidity, 0u);
  ASSERT_EQ(status.messages.size(), 2u);
  EXPECT_EQ(status.messages[0].uid, first.uid);
  EXPECT_EQ(status.messages[1].uid, second.uid);
  EXPECT_EQ(status.uidnext, second.uid + 1);
  std::string expected_one = "Received: test\r\nSubject: one\r\n\r\nbody one\r\n";
  EXPECT_EQ(status.messages[0].size, expected_one.size());
  EXPECT_EQ(status.messages[0].flags, 0);
  EXPECT_GE(status.messages[0].internal_date, before);
  EXPECT_LE(status.messages[0].internal_date, std::time(nullptr));
  EXPECT_EQ(read_message(root, "INBOX", first.uid), expected_one);
  EXPECT_EQ(read_message(root, "INBOX", second.uid), "Received: test\r\nSubject: two\r\n\r\nbody two\r\n");
}

TEST_P(MailStoreConformance, RepeatedNamedDeliveryKeepsOneCopy) {
  const std::string root = harness_->mailbox_root("alice");
  auto first = deliver(root, "INBOX", "Delivered-To: a\r\n", "body\r\n", {}, "Q0123abc");
  ASSERT_TRUE(first.ok()) << first.error().message;
  auto again = deliver(root, "INBOX", "Delivered-To: a\r\n", "body\r\n", {}, "Q0123abc");
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(again->uid, first->uid);
  auto other = deliver(root, "INBOX", "", "other\r\n", {}, "Q0123abd");
  ASSERT_TRUE(other.ok());
  EXPECT_NE(other->uid, first->uid);
  auto status = store_->status(root, "INBOX");
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->messages.size(), 2u);
  EXPECT_FALSE(deliver(root, "INBOX", "", "x", {}, "../evil").ok());
}

TEST_P(MailStoreConformance, LargeMessageRoundTrips) {
  std::string root = harness_->mailbox_root("big");
  std::string body;
  for (int i = 0; body.size() < 300 * 1024; ++i) body += "line " + std::to_string(i) + " of a large message\r\n";
  auto info = deliver_ok(root, body);
  EXPECT_EQ(info.size, std::string("Received: test\r\n").size() + body.size());
  EXPECT_EQ(read_message(root, "INBOX", info.uid), "Received: test\r\n" + body);
}

TEST_P(MailStoreConformance, UidsAscendAndAreNotReusedAfterExpungeAndRestart) {
  std::string root = harness_->mailbox_root("bob");
  auto a = deliver_ok(root, "a");
  auto b = deliver_ok(root, "b");
  auto c = deliver_ok(root, "c");
  std::uint32_t uidvalidity = status_ok(root).uidvalidity;
  std::vector<std::uint32_t> gone{a.uid, c.uid};
  ASSERT_TRUE(store_->expunge(root, "INBOX", gone).ok());

  store_ = harness_->make_store();  // restart
  auto d = deliver_ok(root, "d");
  EXPECT_GT(d.uid, c.uid);
  auto status = status_ok(root);
  EXPECT_EQ(status.uidvalidity, uidvalidity);
  EXPECT_EQ(uids_of(status), (std::vector<std::uint32_t>{b.uid, d.uid}));
  EXPECT_EQ(read_message(root, "INBOX", b.uid), "Received: test\r\nb");
  EXPECT_EQ(read_message(root, "INBOX", d.uid), "Received: test\r\nd");
}

TEST_P(MailStoreConformance, ExpungedMessageCannotBeOpened) {
  std::string root = harness_->mailbox_root("carol");
  auto a = deliver_ok(root, "a");
  std::vector<std::uint32_t> uids{a.uid, 999};  // an unknown UID is ignored
  ASSERT_TRUE(store_->expunge(root, "INBOX", uids).ok());
  auto reader = store_->open_message(root, "INBOX", a.uid);
  ASSERT_FALSE(reader.ok());
  EXPECT_EQ(reader.error().code, ErrorCode::not_found);
  EXPECT_TRUE(status_ok(root).messages.empty());
}

TEST_P(MailStoreConformance, FlagsAreStoredAndSurviveRestart) {
  std::string root = harness_->mailbox_root("dave");
  auto a = deliver_ok(root, "a");
  auto b = deliver_ok(root, "b");
  ASSERT_TRUE(store_->set_flags(root, "INBOX", a.uid, flag_seen | flag_flagged).ok());
  ASSERT_TRUE(store_->set_flags(root, "INBOX", b.uid, flag_deleted).ok());
  ASSERT_TRUE(store_->set_flags(root, "INBOX", b.uid, flag_answered).ok());  // replaces
  store_ = harness_->make_store();
  auto status = status_ok(root);
  ASSERT_EQ(status.messages.size(), 2u);
  EXPECT_EQ(status.messages[0].flags, flag_seen | flag_flagged);
  EXPECT_EQ(status.messages[1].flags, flag_answered);

  auto unknown = store_->set_flags(root, "INBOX", 999, flag_seen);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, ErrorCode::not_found);
  auto bad_bits = store_->set_flags(root, "INBOX", a.uid, 0x80);
  ASSERT_FALSE(bad_bits.ok());
  EXPECT_EQ(bad_bits.error().code, ErrorCode::invalid_argument);
}

TEST_P(MailStoreConformance, DefaultUidlsAreValidUniqueAndStable) {
  std::string root = harness_->mailbox_root("erin");
  std::set<std::string> uidls;
  for (int i = 0; i < 5; ++i) {
    auto info = deliver_ok(root, "m");
    ASSERT_FALSE(info.uidl.empty());
    EXPECT_LE(info.uidl.size(), 70u);
    for (char c : info.uidl) EXPECT_TRUE(c >= 0x21 && c <= 0x7e) << info.uidl;
    uidls.insert(info.uidl);
  }
  EXPECT_EQ(uidls.size(), 5u);
  store_ = harness_->make_store();
  std::set<std::string> again;
  for (const auto& m : status_ok(root).messages) again.insert(m.uidl);
  EXPECT_EQ(again, uidls);
}

TEST_P(MailStoreConformance, UidlFromTheSourceIsKept) {
  std::string root = harness_->mailbox_root("frank");
  auto info = deliver(root, "INBOX", "", "imported", "legacy-uidl-0001");
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->uidl, "legacy-uidl-0001");
  store_ = harness_->make_store();
  auto status = status_ok(root);
  ASSERT_EQ(status.messages.size(), 1u);
  EXPECT_EQ(status.messages[0].uidl, "legacy-uidl-0001");

  for (std::string bad : {std::string("has space"), std::string(71, 'x'), std::string("tab\there")}) {
    auto r = deliver(root, "INBOX", "", "x", bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::invalid_argument);
  }
  EXPECT_EQ(status_ok(root).messages.size(), 1u);
}

TEST_P(MailStoreConformance, FoldersAreSeparate) {
  std::string root = harness_->mailbox_root("gina");
  auto inbox = deliver_ok(root, "in inbox");
  auto sent = deliver_ok(root, "in sent", "Sent Items");
  auto inbox_status = status_ok(root);
  auto sent_status = status_ok(root, "Sent Items");
  ASSERT_EQ(inbox_status.messages.size(), 1u);
  ASSERT_EQ(sent_status.messages.size(), 1u);
  EXPECT_EQ(read_message(root, "Sent Items", sent.uid), "Received: test\r\nin sent");
  EXPECT_EQ(read_message(root, "INBOX", inbox.uid), "Received: test\r\nin inbox");
}

TEST_P(MailStoreConformance, MailboxesAreSeparate) {
  std::string one = harness_->mailbox_root("henry");
  std::string two = harness_->mailbox_root("iris");
  deliver_ok(one, "for henry");
  EXPECT_EQ(status_ok(one).messages.size(), 1u);
  EXPECT_TRUE(status_ok(two).messages.empty());
}

std::uint64_t usage_ok(MailStore& store, const std::string& root) {
  auto usage = store.usage(root);
  EXPECT_TRUE(usage.ok()) << (usage.ok() ? "" : usage.error().message);
  return usage.ok() ? *usage : ~std::uint64_t{0};
}

TEST_P(MailStoreConformance, UsageOfAMissingMailboxIsZero) {
  EXPECT_EQ(usage_ok(*store_, harness_->mailbox_root("nobody")), 0u);
}

TEST_P(MailStoreConformance, UsageCountsEveryFolderAndFollowsDeliveryAndExpunge) {
  const std::string root = harness_->mailbox_root("quota");
  auto a = deliver_ok(root, std::string(1000, 'a'));
  EXPECT_EQ(usage_ok(*store_, root), a.size);
  auto b = deliver_ok(root, std::string(300, 'b'), "Archive");
  auto c = deliver_ok(root, std::string(20, 'c'));
  EXPECT_EQ(a.size, std::string_view("Received: test\r\n").size() + 1000);
  EXPECT_EQ(usage_ok(*store_, root), a.size + b.size + c.size);
  deliver_ok(harness_->mailbox_root("other"), "not counted for quota");
  EXPECT_EQ(usage_ok(*store_, root), a.size + b.size + c.size);

  std::vector<std::uint32_t> gone{a.uid};
  ASSERT_TRUE(store_->expunge(root, "INBOX", gone).ok());
  EXPECT_EQ(usage_ok(*store_, root), b.size + c.size);
  std::vector<std::uint32_t> archived{b.uid};
  ASSERT_TRUE(store_->expunge(root, "Archive", archived).ok());
  EXPECT_EQ(usage_ok(*store_, root), c.size);
}

TEST_P(MailStoreConformance, UsageSurvivesRestartAndIgnoresFlags) {
  const std::string root = harness_->mailbox_root("quota2");
  auto a = deliver_ok(root, "first");
  auto b = deliver_ok(root, "second", "Sent Items");
  ASSERT_TRUE(store_->set_flags(root, "INBOX", a.uid, flag_seen | flag_deleted).ok());
  store_ = harness_->make_store();  // restart: nothing cached
  EXPECT_EQ(usage_ok(*store_, root), a.size + b.size);
  auto c = deliver_ok(root, "third");
  EXPECT_EQ(usage_ok(*store_, root), a.size + b.size + c.size);
}

TEST_P(MailStoreConformance, InvalidFolderNamesAreRefused) {
  std::string root = harness_->mailbox_root("jack");
  for (std::string bad : {std::string(""), std::string(".."), std::string("."), std::string("a//b"),
                          std::string("../INBOX"), std::string("/abs"), std::string("a/../b"),
                          std::string("new\nline"), std::string(256, 'f'), std::string("nul\0x", 5)}) {
    auto r = deliver(root, bad, "", "x");
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::invalid_argument) << bad;
    auto s = store_->status(root, bad);
    ASSERT_FALSE(s.ok()) << bad;
    EXPECT_EQ(s.error().code, ErrorCode::invalid_argument);
  }
  EXPECT_TRUE(deliver(root, std::string(255, 'f'), "", "x").ok());
}

TEST_P(MailStoreConformance, ConcurrentDeliveriesGetDistinctUids) {
  std::string root = harness_->mailbox_root("kate");
  constexpr int kThreads = 8;
  constexpr int kEach = 8;
  std::vector<std::vector<MessageInfo>> delivered(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      // Half the threads share the test's store object, half bring their own (like
      // separate processes).
      std::unique_ptr<MailStore> own = t % 2 ? harness_->make_store() : nullptr;
      MailStore& store = own ? *own : *store_;
      for (int i = 0; i < kEach; ++i) {
        std::string body = "thread " + std::to_string(t) + " message " + std::to_string(i);
        int fd = ::memfd_create("src", MFD_CLOEXEC);
        ASSERT_EQ(::write(fd, body.data(), body.size()), static_cast<ssize_t>(body.size()));
        DeliverySource source;
        source.fd = fd;
        source.length = body.size();
        auto r = store.deliver(root, "INBOX", source);
        ::close(fd);
        ASSERT_TRUE(r.ok()) << r.error().message;
        delivered[t].push_back(*r);
      }
    });
  }
  for (auto& th : threads) th.join();

  std::set<std::uint32_t> uids;
  for (const auto& list : delivered) {
    for (std::size_t i = 1; i < list.size(); ++i) EXPECT_LT(list[i - 1].uid, list[i].uid);
    for (const auto& m : list) uids.insert(m.uid);
  }
  EXPECT_EQ(uids.size(), static_cast<std::size_t>(kThreads * kEach));
  auto status = status_ok(root);
  ASSERT_EQ(status.messages.size(), static_cast<std::size_t>(kThreads * kEach));
  for (int t = 0; t < kThreads; ++t)
    for (int i = 0; i < kEach; ++i)
      EXPECT_EQ(read_message(root, "INBOX", delivered[t][i].uid),
                "thread " + std::to_string(t) + " message " + std::to_string(i));
}

}  // namespace
}  // namespace dirmail::store::testing
