// Folder operations where only the layout can show the outcome: directory names,
// nothing outside the mailbox root, leftovers of crashes; on the local file system and
// on the local one with smb's semantics (layout_file_systems.hpp).
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "dirmail/store/folder_names.hpp"
#include "dirmail/store/posix_mail_store.hpp"
#include "../common/temp_dir.hpp"
#include "layout_file_systems.hpp"
#include "memory_source.hpp"

namespace dirmail::store {
namespace {

namespace fs = std::filesystem;
using dirmail::testing::TempDir;
using Names = std::vector<std::string>;

std::vector<std::string> entries_of(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

// Every path below `top` (relative), with file contents, to compare before and after.
std::map<std::string, std::string> tree_of(const fs::path& top) {
  std::map<std::string, std::string> tree;
  for (const auto& e : fs::recursive_directory_iterator(top)) {
    std::string content;
    if (e.is_regular_file()) {
      std::ifstream in(e.path(), std::ios::binary);
      content.assign(std::istreambuf_iterator<char>(in), {});
    }
    tree[fs::relative(e.path(), top).string()] = content;
  }
  return tree;
}

class StoreFoldersTest : public ::testing::TestWithParam<std::string> {
 protected:
  StoreFoldersTest() : root_(dir_ / "mail/alice") {}

  std::unique_ptr<FileMailStore> make_store() {
    FileMailStoreOptions options;
    options.host_name = "node-a";
    return std::make_unique<FileMailStore>(testing::make_layout_file_system(GetParam()), options);
  }

  Result<AppendResult> append(MailStore& store, std::string_view folder, std::string_view body) {
    testing::MemorySource message(body);
    return store.append(root_, folder, message.source(), {});
  }

  TempDir dir_;
  std::string root_;
};

TEST_P(StoreFoldersTest, EachFolderIsOneMaildirBelowTheRoot) {
  auto store = make_store();
  ASSERT_TRUE(store->create_folder(root_, "Archive/2024").ok());
  ASSERT_TRUE(store->create_folder(root_, "IMS.CTL").ok());
  ASSERT_TRUE(store->write_user_file(root_, "IMS.CTL", "x").ok());
  ASSERT_TRUE(store->set_subscriptions(root_, {"Archive/2024"}).ok());
  ASSERT_TRUE(append(*store, "INBOX", "m").ok());
  EXPECT_EQ(entries_of(root_), (Names{"Archive%2F2024", "IMS%2ECTL", "IMS.CTL", "INBOX", "dirmail.lock",
                                      "dirmail.subscriptions", "dirmail.uidvalidity"}));
  EXPECT_EQ(entries_of(root_ + "/Archive%2F2024"), (Names{"cur", "dirmail.index", "new", "tmp"}));
  EXPECT_TRUE(fs::is_regular_file(root_ + "/IMS.CTL"));
}

TEST_P(StoreFoldersTest, HostileNamesNeverReachOutsideTheRoot) {
  // A neighbour's mailbox and files above the root, which must stay as they are.
  fs::create_directories(dir_ / "mail/bob/INBOX/cur");
  std::ofstream(dir_ / "mail/bob/INBOX/cur/1.M1P1Q1.x") << "bob's mail";
  std::ofstream(dir_ / "mail/secret") << "secret";
  auto store = make_store();
  ASSERT_TRUE(store->create_folder(root_, "Base").ok());
  ASSERT_TRUE(append(*store, "Base", "base").ok());
  const auto outside_before = tree_of(dir_ / "mail/bob");

  const std::string hostile[] = {
      "..", "../x", "a/../../b", "\\", "..\\..\\x", std::string("x\0y", 3), "%2F", "%2E%2E", "%2e%2e%2f",
      "../../bob/INBOX", "../bob", "/etc/passwd", "CON", "NUL", "COM1", "LPT1", "aux", "a:b", "...", "....",
      ". .", " ", "a/..", "&AC4ALgAv-", "..%2F..%2Fbob", "\xc0\xae\xc0\xae/x", "\xef\xbc\x8e\xef\xbc\x8e",
      "INBOX/../../bob", std::string(300, '.'), "dirmail.new-folder", "dirmail.deleted-x", "~", "$HOME",
  };
  std::set<std::string> created;
  for (const auto& name : hostile) {
    if (store->create_folder(root_, name).ok()) created.insert(name);
    (void)append(*store, name, "hostile");
    std::vector<std::uint32_t> uids{1};
    (void)store->copy(root_, "Base", uids, name);
    (void)store->rename_folder(root_, "Base", name);
    (void)store->rename_folder(root_, name, "Base");
    (void)store->status(root_, name);
    (void)store->delete_folder(root_, name);
    (void)store->create_folder(root_, name);
  }
  EXPECT_FALSE(created.empty());  // the harmless ones are folders like any other
  EXPECT_EQ(tree_of(dir_ / "mail/bob"), outside_before);
  EXPECT_EQ(entries_of(dir_ / "mail"), (Names{"alice", "bob", "secret"}));
  // At the root: the store's files and folders whose names decode, each a plain maildir.
  for (const auto& entry : entries_of(root_)) {
    if (entry.starts_with("dirmail.")) {
      EXPECT_TRUE(fs::is_regular_file(root_ + "/" + entry)) << entry;
      continue;
    }
    auto name = folder_from_directory_name(entry);
    ASSERT_TRUE(name.has_value()) << entry;
    EXPECT_EQ(entry.find('.'), std::string::npos) << entry;
    auto inside = entries_of(root_ + "/" + entry);
    std::erase(inside, "dirmail.lock");  // there once the folder was used
    EXPECT_EQ(inside, (Names{"cur", "dirmail.index", "new", "tmp"})) << entry;
  }
}

TEST_P(StoreFoldersTest, DirectoriesThatAreNotOursAreNotFolders) {
  auto store = make_store();
  ASSERT_TRUE(store->create_folder(root_, "Good").ok());
  for (std::string other : {"a%2fb", "%41", "inbox", "a.b", "CON", "trail ", "Plain"})
    fs::create_directories(root_ + "/" + other + (other == "Plain" ? "" : "/cur"));
  EXPECT_EQ(*store->list_folders(root_), (Names{"INBOX", "Good"}));
  EXPECT_TRUE(store->create_folder(root_, "A").ok());  // "%41" is not "A"
  // "Plain" decodes but has no cur/: in the way, not a folder.
  auto in_the_way = store->create_folder(root_, "Plain");
  ASSERT_FALSE(in_the_way.ok());
  EXPECT_EQ(in_the_way.error().code, ErrorCode::already_exists);
}

TEST_P(StoreFoldersTest, LeftoversOfACrashAreClearedAndNeverListed) {
  auto store = make_store();
  ASSERT_TRUE(store->create_folder(root_, "Keep").ok());
  // A crash during create (before the rename) and during delete (after it).
  fs::create_directories(root_ + "/dirmail.new-folder/cur");
  fs::create_directories(root_ + "/dirmail.deleted-1.M1P1Q1.node-b/cur");
  std::ofstream(root_ + "/dirmail.deleted-1.M1P1Q1.node-b/cur/1.M1P1Q1.x") << std::string(1000, 'x');
  EXPECT_EQ(*store->list_folders(root_), (Names{"INBOX", "Keep"}));
  EXPECT_EQ(*store->usage(root_), 0u);
  ASSERT_TRUE(store->create_folder(root_, "New").ok());
  EXPECT_FALSE(fs::exists(root_ + "/dirmail.new-folder"));
  ASSERT_TRUE(store->delete_folder(root_, "New").ok());
  for (const auto& entry : entries_of(root_)) EXPECT_FALSE(entry.starts_with("dirmail.deleted-")) << entry;
}

TEST_P(StoreFoldersTest, CopyIsAHardLinkWhereTheFileSystemHasThem) {
  auto store = make_store();
  ASSERT_TRUE(store->create_folder(root_, "Copies").ok());
  auto original = append(*store, "INBOX", "linked");
  ASSERT_TRUE(original.ok());
  std::vector<std::uint32_t> uids{original->message.uid};
  ASSERT_TRUE(store->copy(root_, "INBOX", uids, "Copies").ok());
  auto files = entries_of(root_ + "/Copies/cur");
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(fs::hard_link_count(root_ + "/Copies/cur/" + files[0]), GetParam() == "posix" ? 2u : 1u);
  auto reader = store->open_message(root_, "Copies", 1);
  ASSERT_TRUE(reader.ok());
  std::string text(64, '\0');
  auto n = (*reader)->read(text);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(text.substr(0, *n), "linked");
  EXPECT_TRUE(entries_of(root_ + "/Copies/tmp").empty());
}

TEST_P(StoreFoldersTest, TwoStoresCreatingOneFolderAtOnce) {
  std::atomic<int> made{0};
  std::atomic<int> refused{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&, t] {
      auto store = make_store();  // like separate processes
      std::string name = t % 2 ? "Shared" : "SHARED";
      auto r = store->create_folder(root_, name);
      if (r.ok()) {
        ++made;
      } else if (r.error().code == ErrorCode::already_exists) {
        ++refused;
      } else {
        ADD_FAILURE() << r.error().message;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(made.load(), 1);
  EXPECT_EQ(refused.load(), 5);
  EXPECT_EQ(make_store()->list_folders(root_)->size(), 2u);
}

// A process killed at any point of creating, copying, renaming and deleting folders
// leaves a mailbox whose folders are whole: every listed message reads back.
TEST_P(StoreFoldersTest, KilledDuringFolderOperationsLeavesWholeFolders) {
  {
    auto store = make_store();
    for (int i = 0; i < 20; ++i) ASSERT_TRUE(append(*store, "INBOX", "message " + std::to_string(i)).ok());
  }
  for (int round = 0; round < 5; ++round) {
    pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      FileMailStore store(testing::make_layout_file_system(GetParam()));
      std::vector<std::uint32_t> all;
      for (std::uint32_t uid = 1; uid <= 20; ++uid) all.push_back(uid);
      for (int i = 0;; ++i) {
        std::string name = "F" + std::to_string(i % 3);
        (void)store.create_folder(root_, name);
        (void)store.create_folder(root_, name + "/sub");
        (void)store.copy(root_, "INBOX", all, name);
        (void)store.copy(root_, name, all, name + "/sub");
        (void)store.rename_folder(root_, name, name + "x");
        (void)store.rename_folder(root_, name + "x", name);
        (void)store.delete_folder(root_, name + "/sub");
        (void)store.delete_folder(root_, name);
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20 + 15 * round));
    ::kill(child, SIGKILL);
    int wstatus = 0;
    ASSERT_EQ(::waitpid(child, &wstatus, 0), child);

    auto store = make_store();
    auto names = store->list_folders(root_);
    ASSERT_TRUE(names.ok());
    for (const auto& name : *names) {
      auto status = store->status(root_, name);
      ASSERT_TRUE(status.ok()) << name << ": " << status.error().message;
      std::set<std::uint32_t> uids;
      for (const auto& m : status->messages) {
        uids.insert(m.uid);
        auto reader = store->open_message(root_, name, m.uid);
        ASSERT_TRUE(reader.ok()) << name << " " << m.uid;
        std::string text(100, '\0');
        auto n = (*reader)->read(text);
        ASSERT_TRUE(n.ok());
        EXPECT_TRUE(std::string_view(text.data(), *n).starts_with("message ")) << name;
      }
      EXPECT_EQ(uids.size(), status->messages.size());
    }
    EXPECT_EQ(store->status(root_, "INBOX")->messages.size(), 20u);
    // The next operations work as ever.
    ASSERT_TRUE(store->create_folder(root_, "After" + std::to_string(round)).ok());
    // Children first.
    std::sort(names->begin(), names->end(), [](const std::string& a, const std::string& b) {
      return std::count(a.begin(), a.end(), '/') > std::count(b.begin(), b.end(), '/');
    });
    for (const auto& name : *names) {
      if (name == "INBOX") continue;
      ASSERT_TRUE(store->delete_folder(root_, name).ok()) << name;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(FileSystems, StoreFoldersTest, testing::kLayoutFileSystems, testing::layout_file_system_name);

}  // namespace
}  // namespace dirmail::store
