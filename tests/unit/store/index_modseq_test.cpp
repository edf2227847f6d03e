// The index log and RFC 7162 state (on each layout file system): logs of earlier versions (no mod-sequences)
// are read and continued, and compaction keeps the highest mod-sequence, keywords and
// the \Recent claim while dropping the expunge records QRESYNC would have used.
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "dirmail/store/index_record.hpp"
#include "dirmail/store/posix_mail_store.hpp"
#include "../common/temp_dir.hpp"
#include "layout_file_systems.hpp"
#include "memory_source.hpp"

namespace dirmail::store {
namespace {

using Uids = std::vector<std::uint32_t>;

class IndexModseqTest : public ::testing::TestWithParam<std::string> {
 protected:
  IndexModseqTest() : root_(dir_ / "mail/alice"), index_(root_ + "/INBOX/dirmail.index") {}

  std::unique_ptr<FileMailStore> make_store(std::size_t min_dead = 1000) {
    FileMailStoreOptions options;
    options.host_name = "node-a";
    options.compaction_min_dead_records = min_dead;
    return std::make_unique<FileMailStore>(testing::make_layout_file_system(GetParam()), options);
  }

  MessageInfo deliver(MailStore& store, std::string_view body) {
    testing::MemorySource message(body);
    auto r = store.deliver(root_, "INBOX", message.source());
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? *r : MessageInfo{};
  }

  FolderStatus status(MailStore& store) {
    auto s = store.status(root_, "INBOX");
    EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
    return s.ok() ? *s : FolderStatus{};
  }

  std::vector<std::string> index_lines() {
    std::ifstream in(index_);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
  }

  dirmail::testing::TempDir dir_;
  std::string root_;
  std::string index_;
};

TEST_P(IndexModseqTest, LogOfAnEarlierVersionIsReadAndContinued) {
  {
    auto store = make_store();
    auto a = deliver(*store, "a");
    deliver(*store, "b");
    ASSERT_TRUE(store->set_flags(root_, "INBOX", a.uid, flag_seen).ok());
  }
  // The same log as an earlier version wrote it: no mod-sequences, keywords or R records.
  std::string old_log;
  for (const auto& line : index_lines()) {
    auto record = parse_index_record(line);
    ASSERT_TRUE(record.ok()) << line;
    record->info.modseq = 0;
    record->header.has_modseq = false;
    if (record->kind == IndexRecord::Kind::flags) record->keeps_keywords = true;
    old_log += format_index_record(*record);
  }
  ASSERT_EQ(old_log.find(" 0 1 0\n"), std::string::npos);
  std::ofstream(index_, std::ios::trunc) << old_log;

  auto store = make_store();
  auto s = status(*store);
  ASSERT_EQ(s.messages.size(), 2u);
  EXPECT_EQ(s.messages[0].flags, flag_seen);
  EXPECT_GT(s.messages[0].modseq, 0u);
  EXPECT_GT(s.messages[1].modseq, 0u);
  EXPECT_EQ(s.highest_modseq, 3u);  // two adds and a flag change, in log order
  EXPECT_GE(s.first_recent_uid, s.uidnext);  // messages of before are not \Recent
  // Expunges of the old log carry no mod-sequence: not exact until new records come.
  auto unknown = store->expunged_since(root_, "INBOX", 0);
  ASSERT_TRUE(unknown.ok());
  EXPECT_FALSE(unknown->exact);

  Uids gone{s.messages[1].uid};
  ASSERT_TRUE(store->expunge(root_, "INBOX", gone).ok());
  auto since = make_store()->expunged_since(root_, "INBOX", s.highest_modseq);
  ASSERT_TRUE(since.ok());
  EXPECT_TRUE(since->exact);
  EXPECT_EQ(since->uids, gone);
  EXPECT_GT(status(*make_store()).highest_modseq, s.highest_modseq);
}

TEST_P(IndexModseqTest, CompactionKeepsHighestModseqKeywordsAndRecent) {
  auto store = make_store(2);
  Uids uids;
  for (int i = 0; i < 4; ++i) uids.push_back(deliver(*store, "m" + std::to_string(i)).uid);
  FlagUpdate label;
  label.mode = FlagUpdate::Mode::add;
  label.keywords = {"$Work"};
  Uids last{uids[3]};
  ASSERT_TRUE(store->update_flags(root_, "INBOX", last, label).ok());
  auto before = status(*store);
  ASSERT_TRUE(store->take_recent(root_, "INBOX", before.uidnext).ok());
  Uids gone{uids[0], uids[1]};
  ASSERT_TRUE(store->expunge(root_, "INBOX", gone).ok());  // compacts

  EXPECT_EQ(index_lines().size(), 4u);  // header, keyword, two messages
  auto restarted = make_store();
  auto s = status(*restarted);
  EXPECT_EQ(s.highest_modseq, before.highest_modseq + 2);  // the two expunges
  EXPECT_EQ(s.keywords, (std::vector<std::string>{"$Work"}));
  ASSERT_EQ(s.messages.size(), 2u);
  EXPECT_EQ(s.messages[1].keywords, 1u);
  EXPECT_EQ(s.first_recent_uid, before.uidnext);
  // The expunge records are gone: an older mod-sequence gets the honest answer.
  auto old = restarted->expunged_since(root_, "INBOX", before.highest_modseq);
  ASSERT_TRUE(old.ok());
  EXPECT_FALSE(old->exact);
  auto current = restarted->expunged_since(root_, "INBOX", s.highest_modseq);
  ASSERT_TRUE(current.ok());
  EXPECT_TRUE(current->exact);
  EXPECT_TRUE(current->uids.empty());
  // New changes go on from the kept highest mod-sequence.
  EXPECT_GT(deliver(*restarted, "after").modseq, s.highest_modseq);
}

TEST_P(IndexModseqTest, SecondStoreSeesModseqsOfTheFirst) {
  auto writer = make_store();
  auto reader = make_store();
  auto a = deliver(*writer, "a");
  EXPECT_EQ(status(*reader).highest_modseq, a.modseq);
  FlagUpdate seen;
  seen.mode = FlagUpdate::Mode::add;
  seen.flags = flag_seen;
  Uids one{a.uid};
  auto changed = writer->update_flags(root_, "INBOX", one, seen);
  ASSERT_TRUE(changed.ok());
  auto s = status(*reader);
  EXPECT_EQ(s.highest_modseq, changed->highest_modseq);
  EXPECT_EQ(s.messages[0].modseq, changed->highest_modseq);
}

INSTANTIATE_TEST_SUITE_P(FileSystems, IndexModseqTest, testing::kLayoutFileSystems, testing::layout_file_system_name);

}  // namespace
}  // namespace dirmail::store
