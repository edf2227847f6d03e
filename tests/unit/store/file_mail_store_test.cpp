// FileMailStore over a file system with the semantics of smb (smb_like_file_system.hpp):
// the conformance suite, and what differs from posix on a share: no hard links (copies
// are bytes) and a replacing rename that is remove + rename (a compaction cut short
// between the two must not lose the index).
#include "dirmail/store/file_mail_store.hpp"

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "../common/temp_dir.hpp"
#include "dirmail/store/posix_file_system.hpp"
#include "dirmail/store/posix_mail_store.hpp"
#include "mail_store_conformance.hpp"
#include "memory_source.hpp"
#include "smb_like_file_system.hpp"

namespace dirmail::store {
namespace {

namespace fs = std::filesystem;
using dirmail::testing::TempDir;
using testing::MailStoreBackend;
using testing::MailStoreConformance;
using testing::MailStoreHarness;
using testing::SmbLikeFileSystem;

class SmbLikeHarness final : public MailStoreHarness {
 public:
  std::unique_ptr<MailStore> make_store() override {
    return std::make_unique<FileMailStore>(std::make_shared<SmbLikeFileSystem>());
  }
  std::string mailbox_root(std::string_view user) override { return dir_ / ("mail/" + std::string(user)); }

 private:
  TempDir dir_;
};

INSTANTIATE_TEST_SUITE_P(SmbLike, MailStoreConformance,
                         ::testing::Values(MailStoreBackend{"smb_like", [] { return std::make_unique<SmbLikeHarness>(); }}),
                         [](const auto& param_info) { return param_info.param.name; });

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> files_in(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

// Counts every call on the file system and its files: each is a round trip on smb.
class CountingFileSystem final : public FileSystem {
 public:
  std::string_view name() const override { return local_.name(); }
  Result<std::unique_ptr<File>> open(const std::string& path, OpenMode mode) override {
    ++calls;
    auto file = local_.open(path, mode);
    if (!file) return std::move(file).error();
    return std::unique_ptr<File>(std::make_unique<CountingFile>(std::move(*file), calls));
  }
  Result<std::optional<FileInfo>> stat(const std::string& path) override { return ++calls, local_.stat(path); }
  Result<std::vector<DirectoryEntry>> list(const std::string& path) override { return ++calls, local_.list(path); }
  Status rename(const std::string& from, const std::string& to, Rename mode) override {
    return ++calls, local_.rename(from, to, mode);
  }
  Result<bool> link(const std::string& existing, const std::string& new_name) override {
    return ++calls, local_.link(existing, new_name);
  }
  Status remove(const std::string& path) override { return ++calls, local_.remove(path); }
  Status make_directory(const std::string& path) override { return ++calls, local_.make_directory(path); }
  Status remove_directory(const std::string& path) override { return ++calls, local_.remove_directory(path); }
  Status sync_directory(const std::string& path) override { return ++calls, local_.sync_directory(path); }
  Status set_modified(const std::string& path, std::int64_t unix_seconds) override {
    return ++calls, local_.set_modified(path, unix_seconds);
  }
  Result<std::unique_ptr<FileLock>> lock(const std::string& path) override { return ++calls, local_.lock(path); }

  std::atomic<int> calls{0};

 private:
  class CountingFile final : public File {
   public:
    CountingFile(std::unique_ptr<File> file, std::atomic<int>& calls) : file_(std::move(file)), calls_(calls) {}
    Result<std::size_t> read_at(std::uint64_t offset, std::span<char> buf) override {
      return ++calls_, file_->read_at(offset, buf);
    }
    Status write_at(std::uint64_t offset, std::string_view data) override { return ++calls_, file_->write_at(offset, data); }
    Status write_from(std::uint64_t offset, int fd, std::uint64_t fd_offset, std::uint64_t length) override {
      return ++calls_, file_->write_from(offset, fd, fd_offset, length);
    }
    Status truncate(std::uint64_t size) override { return ++calls_, file_->truncate(size); }
    Status sync() override { return ++calls_, file_->sync(); }
    Result<FileInfo> info() override { return ++calls_, file_->info(); }

   private:
    std::unique_ptr<File> file_;
    std::atomic<int>& calls_;
  };

  PosixFileSystem local_;
};

class FileMailStoreTest : public ::testing::Test {
 protected:
  FileMailStoreTest() : root_(dir_ / "mail/alice"), inbox_(root_ + "/INBOX") {}

  std::unique_ptr<FileMailStore> make_store(std::shared_ptr<FileSystem> file_system, FileMailStoreOptions options = {}) {
    options.host_name = "node-a";
    return std::make_unique<FileMailStore>(std::move(file_system), options);
  }

  MessageInfo deliver(MailStore& store, std::string_view body) {
    testing::MemorySource message(body);
    auto r = store.deliver(root_, "INBOX", message.source());
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? *r : MessageInfo{};
  }

  FolderStatus status(MailStore& store, std::string_view folder = "INBOX") {
    auto s = store.status(root_, folder);
    EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
    return s.ok() ? *s : FolderStatus{};
  }

  std::string index_path() const { return inbox_ + "/dirmail.index"; }
  std::string new_index_path() const { return inbox_ + "/dirmail.index.new"; }

  TempDir dir_;
  std::string root_;
  std::string inbox_;
};

TEST_F(FileMailStoreTest, BackendIsNamedByItsFileSystem) {
  EXPECT_EQ(PosixMailStore().backend_name(), "posix");
  EXPECT_EQ(make_store(std::make_shared<SmbLikeFileSystem>())->backend_name(), "smb-like");
}

TEST_F(FileMailStoreTest, CompactionCutShortBetweenRemoveAndRenameKeepsTheIndex) {
  auto share = std::make_shared<SmbLikeFileSystem>();
  FileMailStoreOptions options;
  options.compaction_min_dead_records = 2;
  auto store = make_store(share, options);
  auto a = deliver(*store, "a");
  auto b = deliver(*store, "b");
  ASSERT_TRUE(store->set_flags(root_, "INBOX", b.uid, flag_flagged).ok());
  const auto before = status(*store);

  // Flag changes leave dead records until a compaction rewrites the log; the first one
  // loses the connection after the old log is removed.
  share->cut_next_replace();
  std::uint8_t last = 0;
  for (int i = 1; i <= 20 && share->replaces_cut() == 0; ++i) {
    last = i % 2 == 1 ? flag_seen : flag_answered;
    (void)store->set_flags(root_, "INBOX", a.uid, last);
  }
  ASSERT_EQ(share->replaces_cut(), 1);
  ASSERT_FALSE(fs::exists(index_path()));
  ASSERT_TRUE(fs::exists(new_index_path()));

  // Another process finds the rewritten log and takes it: same UIDVALIDITY, UIDs, flags.
  auto other = make_store(share, options);
  auto after = status(*other);
  EXPECT_EQ(after.uidvalidity, before.uidvalidity);
  EXPECT_EQ(after.uidnext, before.uidnext);
  ASSERT_EQ(after.messages.size(), 2u);
  EXPECT_EQ(after.messages[0].uid, a.uid);
  EXPECT_EQ(after.messages[0].flags, last);
  EXPECT_EQ(after.messages[1].uid, b.uid);
  EXPECT_EQ(after.messages[1].flags, flag_flagged);
  EXPECT_TRUE(fs::exists(index_path()));
  EXPECT_FALSE(fs::exists(new_index_path()));
  // And the store that was cut off goes on with the same log.
  auto again = status(*store);
  EXPECT_EQ(again.uidvalidity, before.uidvalidity);
  EXPECT_EQ(again.messages.size(), 2u);
}

TEST_F(FileMailStoreTest, MissingIndexIsTakenFromAWholeNewIndexOnPosixToo) {
  auto store = std::make_unique<PosixMailStore>();
  deliver(*store, "a");
  auto b = deliver(*store, "b");
  ASSERT_TRUE(store->set_flags(root_, "INBOX", b.uid, flag_seen).ok());
  const auto before = status(*store);
  fs::rename(index_path(), new_index_path());

  auto after = status(*std::make_unique<PosixMailStore>());
  EXPECT_EQ(after.uidvalidity, before.uidvalidity);
  ASSERT_EQ(after.messages.size(), 2u);
  EXPECT_EQ(after.messages[1].uid, b.uid);
  EXPECT_EQ(after.messages[1].flags, flag_seen);  // kept only by the index
  EXPECT_FALSE(fs::exists(new_index_path()));
}

TEST_F(FileMailStoreTest, UnfinishedNewIndexIsNotTaken) {
  auto store = std::make_unique<PosixMailStore>();
  deliver(*store, "a");
  deliver(*store, "b");
  const auto before = status(*store);
  // A crash while a first log was written: the header is cut short.
  std::string log = slurp(index_path());
  fs::remove(index_path());
  std::ofstream(new_index_path(), std::ios::binary) << log.substr(0, log.find('\n') / 2);

  auto after = status(*std::make_unique<PosixMailStore>());
  EXPECT_NE(after.uidvalidity, before.uidvalidity);  // a new log; the files are adopted
  EXPECT_EQ(after.messages.size(), 2u);
  EXPECT_TRUE(fs::exists(index_path()));
  EXPECT_FALSE(fs::exists(new_index_path()));  // the new log was written over it
}

TEST_F(FileMailStoreTest, CopyWithoutHardLinksCopiesTheBytesAndTheDate) {
  auto store = make_store(std::make_shared<SmbLikeFileSystem>());
  ASSERT_TRUE(store->create_folder(root_, "Copies").ok());
  testing::MemorySource body("copied, not linked");
  AppendOptions options;
  options.internal_date = 1000000000;
  auto original = store->append(root_, "INBOX", body.source(), options);
  ASSERT_TRUE(original.ok());
  std::vector<std::uint32_t> uids{original->message.uid};
  auto copied = store->copy(root_, "INBOX", uids, "Copies");
  ASSERT_TRUE(copied.ok()) << copied.error().message;
  ASSERT_EQ(copied->copied.size(), 1u);

  auto files = files_in(root_ + "/Copies/cur");
  ASSERT_EQ(files.size(), 1u);
  const std::string copy = root_ + "/Copies/cur/" + files[0];
  EXPECT_EQ(fs::hard_link_count(copy), 1u);
  EXPECT_EQ(slurp(copy), "copied, not linked");
  EXPECT_TRUE(files_in(root_ + "/Copies/tmp").empty());
  // A rebuilt index dates a file by its mtime: the copy keeps the message's date.
  auto mtime = fs::last_write_time(copy);
  auto seconds = std::chrono::duration_cast<std::chrono::seconds>(
      std::chrono::file_clock::to_sys(mtime).time_since_epoch()).count();
  EXPECT_EQ(seconds, 1000000000);
  auto in_copies = status(*store, "Copies");
  ASSERT_EQ(in_copies.messages.size(), 1u);
  EXPECT_EQ(in_copies.messages[0].uid, copied->copied[0].uid);
  EXPECT_EQ(in_copies.messages[0].size, std::string("copied, not linked").size());
  EXPECT_EQ(in_copies.messages[0].internal_date, 1000000000);
}

// On smb every call on the file system is a network round trip: the commands a client
// repeats most (STATUS/NOOP of an unchanged folder, FETCH of a message) make few.
TEST_F(FileMailStoreTest, HotPathsMakeFewFileSystemCalls) {
  auto counting = std::make_shared<CountingFileSystem>();
  auto store = make_store(counting);
  auto a = deliver(*store, "hello, world");
  // new/ old enough for its time to be trusted (file_mail_store.cpp): status() scans once.
  fs::last_write_time(inbox_ + "/new", fs::last_write_time(inbox_ + "/new") - std::chrono::seconds(10));
  status(*store);

  counting->calls = 0;
  EXPECT_EQ(status(*store).messages.size(), 1u);
  // cur/ and tmp/ there (2), the lock (1), the index: open, size, header (3), the times of
  // cur/ and new/ (2), the listing of tmp/ for stale files (1).
  EXPECT_LE(counting->calls.load(), 9);

  counting->calls = 0;
  auto reader = store->open_message(root_, "INBOX", a.uid);
  ASSERT_TRUE(reader.ok());
  std::string buf(64, '\0');
  auto n = (*reader)->read(buf);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(buf.substr(0, *n), "hello, world");
  ASSERT_TRUE((*reader)->read(buf).ok());  // the end: no call
  // The lock (1), the index: open, size, header (3), the message: open, size, one read (3).
  EXPECT_LE(counting->calls.load(), 7);
}

}  // namespace
}  // namespace dirmail::store
