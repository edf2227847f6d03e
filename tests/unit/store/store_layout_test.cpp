// The posix backend's conformance suite, and what only the layout can show (crash
// leftovers, a torn index, compaction, two processes sharing a folder) on the local file
// system and on the local one with smb's semantics (layout_file_systems.hpp).
#include "dirmail/store/posix_mail_store.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "dirmail/store/index_record.hpp"
#include "mail_store_conformance.hpp"
#include "../common/temp_dir.hpp"
#include "layout_file_systems.hpp"
#include "memory_source.hpp"

namespace dirmail::store {
namespace {

namespace fs = std::filesystem;
using dirmail::testing::TempDir;
using testing::MailStoreBackend;
using testing::MailStoreConformance;
using testing::MailStoreHarness;

class PosixHarness final : public MailStoreHarness {
 public:
  explicit PosixHarness(PosixMailStoreOptions options = {}) : options_(std::move(options)) {}
  std::unique_ptr<MailStore> make_store() override { return std::make_unique<PosixMailStore>(options_); }
  std::string mailbox_root(std::string_view user) override { return dir_ / ("mail/" + std::string(user)); }

 private:
  TempDir dir_;
  PosixMailStoreOptions options_;
};

INSTANTIATE_TEST_SUITE_P(Posix, MailStoreConformance,
                         ::testing::Values(MailStoreBackend{"posix", [] { return std::make_unique<PosixHarness>(); }}),
                         [](const auto& param_info) { return param_info.param.name; });

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void append_raw(const std::string& path, std::string_view data) {
  std::ofstream out(path, std::ios::binary | std::ios::app);
  out << data;
}

std::vector<std::string> files_in(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

class StoreLayoutTest : public ::testing::TestWithParam<std::string> {
 protected:
  StoreLayoutTest() : root_(dir_ / "mail/alice"), inbox_(root_ + "/INBOX") {}

  std::unique_ptr<FileMailStore> make_store(FileMailStoreOptions options = {}) {
    options.host_name = "node-a";
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

  std::string read(MailStore& store, std::uint32_t uid) {
    auto reader = store.open_message(root_, "INBOX", uid);
    EXPECT_TRUE(reader.ok());
    if (!reader.ok()) return {};
    std::string out(1 << 16, '\0');
    auto n = (*reader)->read(out);
    EXPECT_TRUE(n.ok());
    out.resize(n.ok() ? *n : 0);
    return out;
  }

  std::string index_path() const { return inbox_ + "/dirmail.index"; }

  TempDir dir_;
  std::string root_;
  std::string inbox_;
};

TEST_P(StoreLayoutTest, DeliveryUsesMaildirLayout) {
  auto store = make_store();
  auto info = deliver(*store, "hello");
  auto cur = files_in(inbox_ + "/cur");
  ASSERT_EQ(cur.size(), 1u);
  EXPECT_NE(cur[0].find(".node-a"), std::string::npos) << cur[0];
  EXPECT_EQ(info.uidl, cur[0]);  // the default UIDL is the file name
  EXPECT_EQ(slurp(inbox_ + "/cur/" + cur[0]), "hello");
  EXPECT_TRUE(files_in(inbox_ + "/tmp").empty());
  EXPECT_TRUE(fs::is_directory(inbox_ + "/new"));
  // The index is whole lines that all parse: a header and one add.
  std::string index = slurp(index_path());
  ASSERT_FALSE(index.empty());
  EXPECT_EQ(index.back(), '\n');
  std::istringstream lines(index);
  std::string line;
  int count = 0;
  while (std::getline(lines, line)) {
    EXPECT_TRUE(parse_index_record(line).ok()) << line;
    ++count;
  }
  EXPECT_EQ(count, 2);
}

TEST_P(StoreLayoutTest, TornLastIndexRecordIsIgnoredAndOverwritten) {
  auto store = make_store();
  auto a = deliver(*store, "a");
  auto b = deliver(*store, "b");
  // A crash in the middle of an append leaves half a record without its newline.
  append_raw(index_path(), "1234abcd A 3 10 1700000000 0 half");

  auto restarted = make_store();
  auto s = status(*restarted);
  ASSERT_EQ(s.messages.size(), 2u);
  EXPECT_EQ(s.messages[0].uid, a.uid);
  EXPECT_EQ(s.messages[1].uid, b.uid);
  auto c = deliver(*restarted, "c");
  EXPECT_EQ(c.uid, b.uid + 1);

  // The torn bytes are gone; a third store object reads every record.
  std::string index = slurp(index_path());
  EXPECT_EQ(index.find("half"), std::string::npos);
  auto third = make_store();
  auto s3 = status(*third);
  ASSERT_EQ(s3.messages.size(), 3u);
  EXPECT_EQ(read(*third, c.uid), "c");
}

TEST_P(StoreLayoutTest, DamagedRecordInTheMiddleIsSkipped) {
  auto store = make_store();
  auto a = deliver(*store, "a");
  ASSERT_TRUE(store->set_flags(root_, "INBOX", a.uid, flag_seen).ok());
  auto b = deliver(*store, "b");
  // Damage the flags record (third line) by changing one digit of its payload.
  std::string index = slurp(index_path());
  auto f = index.find(" F ");
  ASSERT_NE(f, std::string::npos);
  index[f + 3] = '7';
  std::ofstream(index_path(), std::ios::binary | std::ios::trunc) << index;

  auto restarted = make_store();
  auto s = status(*restarted);
  ASSERT_EQ(s.messages.size(), 2u);
  EXPECT_EQ(s.messages[0].flags, 0);  // the damaged flag change is lost, nothing else
  EXPECT_EQ(s.messages[1].uid, b.uid);
}

TEST_P(StoreLayoutTest, UnindexedFileIsAdopted) {
  auto store = make_store();
  auto a = deliver(*store, "indexed");
  // A crash between the rename into cur/ and the index append leaves this.
  std::ofstream(inbox_ + "/cur/1700000000.M1P1Q1.crashed", std::ios::binary) << "crashed delivery";
  // Another tool dropped a message into new/.
  std::ofstream(inbox_ + "/new/1700000001.M1P1Q1.other", std::ios::binary) << "from new";

  auto restarted = make_store();
  auto s = status(*restarted);
  ASSERT_EQ(s.messages.size(), 3u);
  EXPECT_EQ(s.messages[0].uid, a.uid);
  EXPECT_GT(s.messages[1].uid, a.uid);
  EXPECT_GT(s.messages[2].uid, s.messages[1].uid);
  EXPECT_EQ(s.messages[1].uidl, "1700000000.M1P1Q1.crashed");
  EXPECT_EQ(s.messages[1].size, std::string("crashed delivery").size());
  EXPECT_EQ(s.messages[1].internal_date > 0, true);
  EXPECT_EQ(read(*restarted, s.messages[1].uid), "crashed delivery");
  EXPECT_EQ(read(*restarted, s.messages[2].uid), "from new");
  EXPECT_TRUE(files_in(inbox_ + "/new").empty());

  // Adopted once: the next status (another store) does not adopt again.
  auto again = make_store();
  auto s2 = status(*again);
  EXPECT_EQ(s2.messages.size(), 3u);
  EXPECT_EQ(s2.uidnext, s.uidnext);
}

TEST_P(StoreLayoutTest, IndexEntryWithoutFileIsDropped) {
  auto store = make_store();
  auto a = deliver(*store, "a");
  auto b = deliver(*store, "b");
  ASSERT_EQ(files_in(inbox_ + "/cur").size(), 2u);
  // The default UIDL is the file name (names do not sort by age: the microseconds vary in width).
  fs::remove(inbox_ + "/cur/" + a.uidl);  // deleted behind the store's back

  auto s = status(*store);
  ASSERT_EQ(s.messages.size(), 1u);
  EXPECT_EQ(s.messages[0].uid, b.uid);
  auto reader = store->open_message(root_, "INBOX", a.uid);
  EXPECT_FALSE(reader.ok());
  EXPECT_EQ(deliver(*store, "c").uid, b.uid + 1);
}

TEST_P(StoreLayoutTest, LostIndexIsRebuiltFromFiles) {
  auto store = make_store();
  deliver(*store, "a");
  deliver(*store, "b");
  fs::remove(index_path());
  auto restarted = make_store();
  auto s = status(*restarted);
  ASSERT_EQ(s.messages.size(), 2u);
  std::set<std::string> bodies{read(*restarted, s.messages[0].uid), read(*restarted, s.messages[1].uid)};
  EXPECT_EQ(bodies, (std::set<std::string>{"a", "b"}));
}

TEST_P(StoreLayoutTest, DamagedIndexHeaderStartsANewIndex) {
  auto store = make_store();
  deliver(*store, "a");
  std::ofstream(index_path(), std::ios::binary | std::ios::trunc) << "garbage without a header\n";
  auto restarted = make_store();
  auto s = status(*restarted);
  ASSERT_EQ(s.messages.size(), 1u);
  EXPECT_NE(s.uidvalidity, 0u);
  EXPECT_EQ(read(*restarted, s.messages[0].uid), "a");
}

TEST_P(StoreLayoutTest, CompactionKeepsLiveMessagesAndUidnext) {
  PosixMailStoreOptions options;
  options.compaction_min_dead_records = 4;
  auto store = make_store(options);
  std::vector<std::uint32_t> uids;
  for (int i = 0; i < 6; ++i) uids.push_back(deliver(*store, "m" + std::to_string(i)).uid);
  ASSERT_TRUE(store->set_flags(root_, "INBOX", uids[5], flag_seen | flag_answered).ok());
  std::vector<std::uint32_t> gone(uids.begin(), uids.begin() + 4);
  ASSERT_TRUE(store->expunge(root_, "INBOX", gone).ok());

  // Compacted: a header and the two live messages (flags folded in).
  std::string index = slurp(index_path());
  EXPECT_EQ(std::count(index.begin(), index.end(), '\n'), 3) << index;

  auto restarted = make_store(options);
  auto s = status(*restarted);
  ASSERT_EQ(s.messages.size(), 2u);
  EXPECT_EQ(s.messages[0].uid, uids[4]);
  EXPECT_EQ(s.messages[1].flags, flag_seen | flag_answered);
  EXPECT_EQ(s.uidnext, uids[5] + 1);
  EXPECT_EQ(deliver(*restarted, "after").uid, uids[5] + 1);
}

TEST_P(StoreLayoutTest, SecondStoreSeesAppendsAndCompactionOfTheFirst) {
  PosixMailStoreOptions options;
  options.compaction_min_dead_records = 2;
  auto writer = make_store(options);
  auto reader = make_store(options);
  auto a = deliver(*writer, "a");
  EXPECT_EQ(status(*reader).messages.size(), 1u);  // reader caches the replayed index
  auto b = deliver(*writer, "b");
  auto c = deliver(*writer, "c");
  EXPECT_EQ(status(*reader).messages.size(), 3u);  // reads only the new records
  std::vector<std::uint32_t> gone{a.uid, b.uid};
  ASSERT_TRUE(writer->expunge(root_, "INBOX", gone).ok());  // compacts: a new log file
  auto d = deliver(*writer, "d");
  auto s = status(*reader);
  ASSERT_EQ(s.messages.size(), 2u);
  EXPECT_EQ(s.messages[0].uid, c.uid);
  EXPECT_EQ(s.messages[1].uid, d.uid);
  EXPECT_EQ(read(*reader, d.uid), "d");
}

TEST_P(StoreLayoutTest, ReaderKeepsWorkingAfterExpunge) {
  auto store = make_store();
  auto a = deliver(*store, "still readable");
  auto reader = store->open_message(root_, "INBOX", a.uid);
  ASSERT_TRUE(reader.ok());
  std::vector<std::uint32_t> uids{a.uid};
  ASSERT_TRUE(store->expunge(root_, "INBOX", uids).ok());
  EXPECT_TRUE(files_in(inbox_ + "/cur").empty());
  char buf[100];
  auto n = (*reader)->read(buf);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(std::string(buf, *n), "still readable");
}

TEST_P(StoreLayoutTest, MailboxRootThatIsAFileGivesAnIoError) {
  std::ofstream(dir_ / "mail") << "not a folder";
  auto store = make_store();
  int fd = ::memfd_create("src", MFD_CLOEXEC);
  DeliverySource source;
  source.fd = fd;
  source.prefix = "x";
  auto r = store->deliver(root_, "INBOX", source);
  ::close(fd);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::io_error);
}

TEST_P(StoreLayoutTest, UsageSeesWhatAnotherStoreDeliveredAndExpunged) {
  PosixMailStoreOptions options;
  options.compaction_min_dead_records = 2;
  auto writer = make_store(options);  // another process or node sharing the mailboxes
  auto reader = make_store(options);
  auto a = deliver(*writer, "aaaa");
  ASSERT_TRUE(reader->usage(root_).ok());
  EXPECT_EQ(*reader->usage(root_), a.size);
  auto b = deliver(*writer, "bb");
  EXPECT_EQ(*reader->usage(root_), a.size + b.size);
  std::vector<std::uint32_t> gone{a.uid};
  ASSERT_TRUE(writer->expunge(root_, "INBOX", gone).ok());  // compacts: a new log file
  EXPECT_EQ(*reader->usage(root_), b.size);
}

TEST_P(StoreLayoutTest, UsageSkipsWhatIsNotAFolderAndLeavesItAlone) {
  auto store = make_store();
  auto a = deliver(*store, "message");
  fs::create_directories(root_ + "/.hidden/cur");
  fs::create_directories(root_ + "/unrelated");
  std::ofstream(root_ + "/notes.txt") << "a file beside the folders";
  auto usage = store->usage(root_);
  ASSERT_TRUE(usage.ok()) << usage.error().message;
  EXPECT_EQ(*usage, a.size);
  EXPECT_TRUE(files_in(root_ + "/unrelated").empty());  // no lock file left behind
}

TEST_P(StoreLayoutTest, UsageOfAMailboxRootThatIsAFileIsZeroAndOfABadRootAnError) {
  std::ofstream(dir_ / "mail") << "not a folder";
  auto store = make_store();
  auto usage = store->usage(root_);
  ASSERT_TRUE(usage.ok());
  EXPECT_EQ(*usage, 0u);
  auto empty = store->usage("");
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().code, ErrorCode::invalid_argument);
}

TEST_P(StoreLayoutTest, StaleTmpFilesAreRemovedByStatus) {
  auto store = make_store();
  deliver(*store, "a");
  std::string stale = inbox_ + "/tmp/1600000000.M1P1Q1.dead";
  std::string fresh = inbox_ + "/tmp/1700000000.M1P1Q1.busy";
  std::ofstream(stale) << "x";
  std::ofstream(fresh) << "y";
  fs::last_write_time(stale, fs::file_time_type::clock::now() - std::chrono::hours(48));
  status(*store);
  EXPECT_FALSE(fs::exists(stale));
  EXPECT_TRUE(fs::exists(fresh));
}

// ---- Message summaries (dirmail.summary) ----

std::vector<std::optional<std::string>> summaries_of(MailStore& store, const std::string& root,
                                                     std::vector<std::uint32_t> uids) {
  auto r = store.summaries(root, "INBOX", uids);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? *r : std::vector<std::optional<std::string>>(uids.size());
}

TEST_P(StoreLayoutTest, SummariesAreKeptForLiveMessagesAcrossProcesses) {
  auto store = make_store();
  auto a = deliver(*store, "a");
  auto b = deliver(*store, "b");
  std::vector<MessageSummaryBytes> kept{{a.uid, "summary of a"}, {b.uid, std::string("b\n\0b", 4)}, {99, "none"}};
  ASSERT_TRUE(store->store_summaries(root_, "INBOX", kept).ok());
  auto got = summaries_of(*store, root_, {a.uid, b.uid, 99});
  EXPECT_EQ(got[0], "summary of a");
  EXPECT_EQ(got[1], std::string("b\n\0b", 4));
  EXPECT_FALSE(got[2]);  // not a message of the folder: not kept
  auto other = make_store();  // another process reads the file
  EXPECT_EQ(summaries_of(*other, root_, {b.uid, a.uid})[1], "summary of a");
  // A summary given again replaces the first; an expunged message's goes.
  std::vector<MessageSummaryBytes> again{{a.uid, "second"}};
  ASSERT_TRUE(other->store_summaries(root_, "INBOX", again).ok());
  EXPECT_EQ(summaries_of(*store, root_, {a.uid})[0], "second");
  std::vector<std::uint32_t> gone{a.uid};
  ASSERT_TRUE(store->expunge(root_, "INBOX", gone).ok());
  EXPECT_FALSE(summaries_of(*other, root_, {a.uid})[0]);
  EXPECT_EQ(summaries_of(*other, root_, {b.uid})[0], std::string("b\n\0b", 4));
}

TEST_P(StoreLayoutTest, DamagedSummaryTailIsCutOffByTheNextWriter) {
  auto store = make_store();
  auto a = deliver(*store, "a");
  auto b = deliver(*store, "b");
  std::vector<MessageSummaryBytes> first{{a.uid, "sa"}};
  ASSERT_TRUE(store->store_summaries(root_, "INBOX", first).ok());
  std::string path = inbox_ + "/dirmail.summary";
  append_raw(path, "0badc0de 2 5\nhel");  // a record cut short by a crash
  auto restarted = make_store();
  auto got = summaries_of(*restarted, root_, {a.uid, b.uid});
  EXPECT_EQ(got[0], "sa");
  EXPECT_FALSE(got[1]);
  std::vector<MessageSummaryBytes> second{{b.uid, "sb"}};
  ASSERT_TRUE(restarted->store_summaries(root_, "INBOX", second).ok());
  EXPECT_EQ(slurp(path).find("hel"), std::string::npos);
  auto third = make_store();
  got = summaries_of(*third, root_, {a.uid, b.uid});
  EXPECT_EQ(got[0], "sa");
  EXPECT_EQ(got[1], "sb");
  // A record whose checksum does not match is not believed.
  std::string text = slurp(path);
  text[text.find("sb")] = 'X';
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
  auto fourth = make_store();
  got = summaries_of(*fourth, root_, {a.uid, b.uid});
  EXPECT_EQ(got[0], "sa");
  EXPECT_FALSE(got[1]);
}

TEST_P(StoreLayoutTest, SummaryFileIsRewrittenWhenMostOfItIsDead) {
  auto store = make_store();
  auto a = deliver(*store, "a");
  auto b = deliver(*store, "b");
  std::string big(300 * 1024, 'x');
  std::vector<MessageSummaryBytes> first{{a.uid, big}, {b.uid, "small"}};
  ASSERT_TRUE(store->store_summaries(root_, "INBOX", first).ok());
  std::string path = inbox_ + "/dirmail.summary";
  EXPECT_GT(fs::file_size(path), big.size());
  std::vector<MessageSummaryBytes> replaced{{a.uid, "now small"}};
  ASSERT_TRUE(store->store_summaries(root_, "INBOX", replaced).ok());
  EXPECT_LT(fs::file_size(path), 1024u);
  auto other = make_store();
  auto got = summaries_of(*other, root_, {a.uid, b.uid});
  EXPECT_EQ(got[0], "now small");
  EXPECT_EQ(got[1], "small");
}

// ---- status() and the directory scan ----

void age_directory(const std::string& dir, std::int64_t seconds) {
  struct timespec times[2];
  times[0].tv_sec = times[1].tv_sec = ::time(nullptr) - seconds;
  times[0].tv_nsec = times[1].tv_nsec = 0;
  ASSERT_EQ(::utimensat(AT_FDCWD, dir.c_str(), times, 0), 0);
}

TEST_P(StoreLayoutTest, StatusScansTheFolderOnlyWhenItsFilesChanged) {
  auto store = make_store();
  deliver(*store, "a");
  auto b = deliver(*store, "b");
  age_directory(inbox_ + "/cur", 60);
  age_directory(inbox_ + "/new", 60);
  EXPECT_EQ(status(*store).messages.size(), 2u);  // scanned; the folder is now known to be in line
  // A file removed behind the store's back while the directory's time stays the same
  // (what the scan would find) is not looked for: the answer comes from the index.
  struct stat aged;
  ASSERT_EQ(::stat((inbox_ + "/cur").c_str(), &aged), 0);
  auto cur = files_in(inbox_ + "/cur");
  fs::rename(inbox_ + "/cur/" + cur[0], inbox_ + "/" + cur[0]);
  struct timespec same[2] = {aged.st_atim, aged.st_mtim};
  ASSERT_EQ(::utimensat(AT_FDCWD, (inbox_ + "/cur").c_str(), same, 0), 0);
  EXPECT_EQ(status(*store).messages.size(), 2u);
  // Any change to cur/ or new/ brings the scan back: a file dropped into new/ is adopted
  // and the missing one is dropped. While new/ is younger than two seconds (a writer
  // outside the folder lock may have changed it within the same clock tick) every
  // status() scans again.
  fs::rename(inbox_ + "/" + cur[0], inbox_ + "/new/dropped-by-hand");
  auto after = status(*store);
  ASSERT_EQ(after.messages.size(), 2u);
  EXPECT_LE(after.messages[0].uid, b.uid);  // the one whose file stayed
  EXPECT_GT(after.messages[1].uid, b.uid);  // the dropped file, adopted with a new UID
}

TEST_P(StoreLayoutTest, WatchersHearOfEachChangeUntilTheyLetGo) {
  auto store = make_store();
  deliver(*store, "first");  // the folder exists
  std::atomic<int> told{0};
  auto handle = store->watch(root_, "INBOX", [&told] { ++told; });
  ASSERT_NE(handle, nullptr);
  auto b = deliver(*store, "second");
  EXPECT_EQ(told.load(), 1);
  ASSERT_TRUE(store->set_flags(root_, "INBOX", b.uid, flag_seen).ok());
  EXPECT_EQ(told.load(), 2);
  auto other = make_store();  // another process: its changes are found by polling, not told
  deliver(*other, "third");
  EXPECT_EQ(told.load(), 2);
  handle.reset();
  deliver(*store, "fourth");
  EXPECT_EQ(told.load(), 2);
}

INSTANTIATE_TEST_SUITE_P(FileSystems, StoreLayoutTest, testing::kLayoutFileSystems, testing::layout_file_system_name);

}  // namespace
}  // namespace dirmail::store
