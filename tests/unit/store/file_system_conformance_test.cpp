// The FileSystem contract (file_system.hpp), checked on every implementation:
// PosixFileSystem on a temporary folder, always; SmbFileSystem on the smbd fixture's
// share when DIRMAIL_SMBD_FIXTURE names its description (ctest's integration test
// store.smb_file_system sets it; without it the smb cases are skipped here).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "../common/temp_dir.hpp"
#include "dirmail/store/posix_file_system.hpp"
#include "dirmail/store/smb_file_system.hpp"
#include "smbd_fixture.hpp"

namespace dirmail::store {
namespace {

// One test's file system and its (empty, existing) working folder.
struct Workspace {
  std::unique_ptr<FileSystem> fs;
  std::string root;   // as the file system names it
  std::string local;  // the same folder on the local disk, for inspection
};

class FileSystemConformance : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    const std::string test = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    if (GetParam() == "posix") {
      ws_.fs = std::make_unique<PosixFileSystem>();
      ws_.root = ws_.local = tmp_.path();
      return;
    }
    auto fixture = testing::SmbdFixture::load();
    if (!fixture) GTEST_SKIP() << testing::SmbdFixture::kNotSet;
    auto fs = fixture->open_file_system(tmp_ / "locks");
    ASSERT_TRUE(fs.ok()) << fs.error().message;
    ws_.fs = std::move(*fs);
    const std::string folder = "conformance-" + test.substr(0, test.find('/'));
    std::filesystem::remove_all(fixture->share_folder + "/" + folder);
    ws_.root = fixture->share_url + "/" + folder;
    ws_.local = fixture->share_folder + "/" + folder;
    ASSERT_TRUE(ws_.fs->make_directory(ws_.root).ok());
  }
  void TearDown() override {
    if (GetParam() == "smb" && !ws_.local.empty()) std::filesystem::remove_all(ws_.local);
  }

  FileSystem& fs() { return *ws_.fs; }
  std::string at(const std::string& name) const { return ws_.root + "/" + name; }
  std::string local(const std::string& name) const { return ws_.local + "/" + name; }

  void write(const std::string& name, std::string_view data) {
    auto file = fs().open(at(name), OpenMode::create_new);
    ASSERT_TRUE(file.ok()) << file.error().message;
    ASSERT_TRUE((*file)->write_at(0, data).ok());
    ASSERT_TRUE((*file)->sync().ok());
  }
  std::string read(const std::string& name) {
    auto data = read_small_file(fs(), at(name), 1 << 20);
    EXPECT_TRUE(data.ok()) << data.error().message;
    EXPECT_TRUE(data && *data) << name << " is missing";
    return data && *data ? **data : std::string();
  }
  bool exists(const std::string& name) {
    auto info = fs().stat(at(name));
    EXPECT_TRUE(info.ok()) << info.error().message;
    return info && *info;
  }

  testing::TempDir tmp_;
  Workspace ws_;
};

TEST_P(FileSystemConformance, CreateNewRefusesAnExistingName) {
  write("a", "one");
  auto again = fs().open(at("a"), OpenMode::create_new);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::already_exists);
  EXPECT_EQ(read("a"), "one");
}

TEST_P(FileSystemConformance, ReadWriteTruncateAndInfo) {
  write("f", "hello world");
  auto file = fs().open(at("f"), OpenMode::read_write);
  ASSERT_TRUE(file.ok()) << file.error().message;
  ASSERT_TRUE((*file)->write_at(6, "there").ok());
  ASSERT_TRUE((*file)->write_at(11, "!").ok());
  std::string buf(64, '\0');
  auto got = (*file)->read_at(0, buf);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(buf.substr(0, *got), "hello there!");
  got = (*file)->read_at(6, std::span<char>(buf.data(), 3));
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(buf.substr(0, *got), "the");
  ASSERT_TRUE((*file)->truncate(5).ok());
  auto info = (*file)->info();
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->size, 5u);
  EXPECT_FALSE(info->directory);
  file->reset();
  EXPECT_EQ(read("f"), "hello");
  std::ifstream on_disk(local("f"));
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(on_disk), {}), "hello");
}

TEST_P(FileSystemConformance, OpenModes) {
  auto missing = fs().open(at("none"), OpenMode::read);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::not_found);
  EXPECT_EQ(fs().open(at("none"), OpenMode::read_write).error().code, ErrorCode::not_found);
  EXPECT_EQ(fs().open(at("no/dir/x"), OpenMode::create_new).error().code, ErrorCode::not_found);
  auto created = fs().open(at("made"), OpenMode::read_write_create);
  ASSERT_TRUE(created.ok()) << created.error().message;
  EXPECT_EQ((*created)->info()->size, 0u);
  ASSERT_TRUE(fs().make_directory(at("d")).ok());
  auto directory = fs().open(at("d"), OpenMode::read);
  ASSERT_FALSE(directory.ok());
  EXPECT_EQ(directory.error().code, ErrorCode::invalid_argument);
}

TEST_P(FileSystemConformance, WriteFromALocalFile) {
  const std::string body = "Subject: x\r\n\r\n" + std::string(3 << 20, 'b') + "end";
  const std::string source = tmp_ / "queue-file";
  std::ofstream(source) << "HEADER" << body;
  int fd = ::open(source.c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  auto file = fs().open(at("copy"), OpenMode::create_new);
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE((*file)->write_at(0, "X").ok());
  auto written = (*file)->write_from(1, fd, 6, body.size());
  EXPECT_TRUE(written.ok()) << written.error().message;
  auto past_end = (*file)->write_from(1, fd, 6, body.size() + 10);
  EXPECT_FALSE(past_end.ok());
  ::close(fd);
  file->reset();
  auto data = read_small_file(fs(), at("copy"), 8 << 20);
  ASSERT_TRUE(data.ok() && *data);
  EXPECT_TRUE(**data == "X" + body) << "size " << (*data)->size();
}

TEST_P(FileSystemConformance, RenameReplacesAFile) {
  write("from", "new");
  write("to", "old");
  auto before = fs().stat(at("to"));
  ASSERT_TRUE(fs().rename(at("from"), at("to"), Rename::replace).ok());
  EXPECT_FALSE(exists("from"));
  EXPECT_EQ(read("to"), "new");
  auto after = fs().stat(at("to"));
  EXPECT_NE((*before)->identity, (*after)->identity);
}

TEST_P(FileSystemConformance, RenameWithoutReplaceKeepsBoth) {
  write("from", "new");
  write("to", "old");
  auto refused = fs().rename(at("from"), at("to"), Rename::no_replace);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::already_exists);
  EXPECT_EQ(read("from"), "new");
  EXPECT_EQ(read("to"), "old");
  ASSERT_TRUE(fs().make_directory(at("dir")).ok());
  EXPECT_EQ(fs().rename(at("from"), at("dir"), Rename::no_replace).error().code, ErrorCode::already_exists);
  ASSERT_TRUE(fs().rename(at("from"), at("free"), Rename::no_replace).ok());
  EXPECT_EQ(read("free"), "new");
  EXPECT_EQ(fs().rename(at("gone"), at("x"), Rename::no_replace).error().code, ErrorCode::not_found);
}

TEST_P(FileSystemConformance, RenameADirectory) {
  ASSERT_TRUE(fs().make_directory(at("old")).ok());
  write("old/msg", "m");
  ASSERT_TRUE(fs().rename(at("old"), at("new"), Rename::no_replace).ok());
  EXPECT_FALSE(exists("old"));
  EXPECT_EQ(read("new/msg"), "m");
}

TEST_P(FileSystemConformance, LinkIsAHardLinkOrFalse) {
  write("a", "body");
  auto linked = fs().link(at("a"), at("b"));
  ASSERT_TRUE(linked.ok());
  if (GetParam() == "posix") {
    EXPECT_TRUE(*linked);
    EXPECT_EQ(read("b"), "body");
    EXPECT_EQ((*fs().stat(at("a")))->identity, (*fs().stat(at("b")))->identity);
  } else {
    EXPECT_FALSE(*linked);
    EXPECT_FALSE(exists("b"));
  }
}

TEST_P(FileSystemConformance, Remove) {
  write("a", "x");
  ASSERT_TRUE(fs().remove(at("a")).ok());
  EXPECT_FALSE(exists("a"));
  EXPECT_FALSE(std::filesystem::exists(local("a")));
  EXPECT_EQ(fs().remove(at("a")).error().code, ErrorCode::not_found);
}

TEST_P(FileSystemConformance, Directories) {
  ASSERT_TRUE(fs().make_directory(at("d")).ok());
  EXPECT_EQ(fs().make_directory(at("d")).error().code, ErrorCode::already_exists);
  EXPECT_EQ(fs().make_directory(at("missing/d")).error().code, ErrorCode::not_found);
  write("d/f", "x");
  EXPECT_EQ(fs().remove_directory(at("d")).error().code, ErrorCode::already_exists);
  ASSERT_TRUE(fs().remove(at("d/f")).ok());
  ASSERT_TRUE(fs().sync_directory(at("d")).ok());
  ASSERT_TRUE(fs().remove_directory(at("d")).ok());
  EXPECT_FALSE(exists("d"));
  EXPECT_EQ(fs().remove_directory(at("d")).error().code, ErrorCode::not_found);
}

TEST_P(FileSystemConformance, ListTellsDirectoriesFromFiles) {
  ASSERT_TRUE(fs().make_directory(at("cur")).ok());
  ASSERT_TRUE(fs().make_directory(at("new")).ok());
  write("index", "i");
  auto entries = fs().list(ws_.root);
  ASSERT_TRUE(entries.ok()) << entries.error().message;
  std::sort(entries->begin(), entries->end(), [](auto& a, auto& b) { return a.name < b.name; });
  ASSERT_EQ(entries->size(), 3u);
  EXPECT_EQ((*entries)[0].name, "cur");
  EXPECT_TRUE((*entries)[0].directory);
  EXPECT_EQ((*entries)[1].name, "index");
  EXPECT_FALSE((*entries)[1].directory);
  EXPECT_EQ((*entries)[2].name, "new");
  EXPECT_TRUE((*entries)[2].directory);
  EXPECT_EQ(fs().list(at("none")).error().code, ErrorCode::not_found);
}

TEST_P(FileSystemConformance, StatOfNothingIsNullopt) {
  auto none = fs().stat(at("none"));
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(*none);
  auto under = fs().stat(at("none/deeper"));
  ASSERT_TRUE(under.ok());
  EXPECT_FALSE(*under);
  auto dir = fs().stat(ws_.root);
  ASSERT_TRUE(dir.ok() && *dir);
  EXPECT_TRUE((*dir)->directory);
}

TEST_P(FileSystemConformance, SetModified) {
  write("a", "x");
  ASSERT_TRUE(fs().set_modified(at("a"), 1'000'000'000).ok());
  auto info = fs().stat(at("a"));
  ASSERT_TRUE(info.ok() && *info);
  EXPECT_EQ((*info)->modified.tv_sec, 1'000'000'000);
  struct stat st;
  ASSERT_EQ(::stat(local("a").c_str(), &st), 0);
  EXPECT_EQ(st.st_mtime, 1'000'000'000);
  EXPECT_EQ(fs().set_modified(at("none"), 1).error().code, ErrorCode::not_found);
}

// Read-modify-write of a counter under the lock: an update is lost only when two
// holders overlap.
TEST_P(FileSystemConformance, LockExcludesOtherThreads) {
  write("counter", "0");
  constexpr int kRounds = 15;
  std::atomic<int> inside{0};
  std::atomic<bool> overlapped{false};
  auto worker = [&] {
    for (int i = 0; i < kRounds; ++i) {
      auto lock = fs().lock(at("folder.lock"));
      ASSERT_TRUE(lock.ok()) << lock.error().message;
      if (inside.fetch_add(1) != 0) overlapped = true;
      const int value = std::stoi(read("counter"));
      ASSERT_TRUE(replace_file(fs(), at("counter"), std::to_string(value + 1)).ok());
      inside.fetch_sub(1);
    }
  };
  std::thread a(worker);
  std::thread b(worker);
  a.join();
  b.join();
  EXPECT_FALSE(overlapped);
  EXPECT_EQ(read("counter"), std::to_string(2 * kRounds));
  EXPECT_TRUE(exists("folder.lock"));  // created by lock()
}

TEST_P(FileSystemConformance, LockInAMissingDirectoryIsNotFound) {
  auto lock = fs().lock(at("missing/folder.lock"));
  ASSERT_FALSE(lock.ok());
  EXPECT_EQ(lock.error().code, ErrorCode::not_found);
}

TEST_P(FileSystemConformance, MakeDirectoriesReplaceFileReadSmallFile) {
  ASSERT_TRUE(make_directories(fs(), at("a/b/c")).ok());
  ASSERT_TRUE(make_directories(fs(), at("a/b/c")).ok());
  EXPECT_TRUE((*fs().stat(at("a/b/c")))->directory);
  ASSERT_TRUE(replace_file(fs(), at("a/b/c/state"), "first").ok());
  ASSERT_TRUE(replace_file(fs(), at("a/b/c/state"), "second").ok());
  auto names = fs().list(at("a/b/c"));
  ASSERT_TRUE(names.ok());
  ASSERT_EQ(names->size(), 1u);  // no temporary left beside it
  auto exact = read_small_file(fs(), at("a/b/c/state"), 6);
  ASSERT_TRUE(exact.ok() && *exact);
  EXPECT_EQ(**exact, "second");
  auto over = read_small_file(fs(), at("a/b/c/state"), 5);
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.error().code, ErrorCode::limit_exceeded);
  auto none = read_small_file(fs(), at("a/b/c/none"), 5);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(*none);
  write("plain", "x");
  EXPECT_EQ(make_directories(fs(), at("plain")).error().code, ErrorCode::already_exists);
}

// What a crash between the remove and the rename of an smb replace leaves (the file
// gone, its new contents in "<name>.new"): read_small_file takes the pending file, and
// the next replace puts its own contents in place and leaves nothing beside them.
TEST_P(FileSystemConformance, ReplaceCutShortIsReadAndFinished) {
  ASSERT_TRUE(replace_file(fs(), at("state"), "old").ok());
  ASSERT_TRUE(fs().remove(at("state")).ok());
  write("state.new", "new");
  EXPECT_EQ(read("state"), "new");
  ASSERT_TRUE(replace_file(fs(), at("state"), "newer").ok());
  EXPECT_EQ(read("state"), "newer");
  auto names = fs().list(ws_.root);
  ASSERT_TRUE(names.ok()) << names.error().message;
  ASSERT_EQ(names->size(), 1u);
  EXPECT_EQ((*names)[0].name, "state");
}

TEST_P(FileSystemConformance, NonAsciiNamesRoundTrip) {
  ASSERT_TRUE(fs().make_directory(at("日本語")).ok());
  write("日本語/メール", "本文");
  EXPECT_EQ(read("日本語/メール"), "本文");
  auto entries = fs().list(at("日本語"));
  ASSERT_TRUE(entries.ok());
  ASSERT_EQ(entries->size(), 1u);
  EXPECT_EQ((*entries)[0].name, "メール");
  EXPECT_TRUE(std::filesystem::exists(local("日本語/メール")));  // UTF-8 on the server's disk
}

TEST_P(FileSystemConformance, IdentityIsStableAcrossOpens) {
  write("a", "x");
  auto first = fs().stat(at("a"));
  auto file = fs().open(at("a"), OpenMode::read);
  ASSERT_TRUE(file.ok());
  EXPECT_EQ((*first)->identity, (*file)->info()->identity);
  write("b", "y");
  EXPECT_NE((*first)->identity, (*fs().stat(at("b")))->identity);
}

INSTANTIATE_TEST_SUITE_P(Posix, FileSystemConformance, ::testing::Values("posix"),
                         [](const auto& param_info) { return param_info.param; });
INSTANTIATE_TEST_SUITE_P(Smb, FileSystemConformance, ::testing::Values("smb"),
                         [](const auto& param_info) { return param_info.param; });

}  // namespace
}  // namespace dirmail::store
