// replace_file, and a store file written with it (the subscriptions), cut short by a
// crash after each of their steps: the restarted process reads the old contents or the
// new ones, never nothing, and its next replace works and leaves no pending file. On
// smb semantics (Rename::replace is remove + rename) one crash point leaves only the
// pending "<name>.new"; on posix the file is never missing.
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "../common/temp_dir.hpp"
#include "crashing_file_system.hpp"
#include "dirmail/store/file_mail_store.hpp"

namespace dirmail::store {
namespace {

namespace fs = std::filesystem;
using dirmail::testing::TempDir;
using testing::CrashingFileSystem;
using Replace = CrashingFileSystem::Replace;

constexpr int kMostSteps = 60;  // far more than one replace takes

class ReplaceCrash : public ::testing::TestWithParam<Replace> {
 protected:
  Replace semantics() const { return GetParam(); }
  bool smb() const { return GetParam() == Replace::remove_then_rename; }
};

TEST_P(ReplaceCrash, ReplaceFileLeavesOldOrNewContentsAtEveryStep) {
  bool completed = false;
  bool saw_only_pending = false;
  for (int steps = 0; steps < kMostSteps && !completed; ++steps) {
    SCOPED_TRACE("crash after " + std::to_string(steps) + " steps");
    TempDir dir;
    const std::string path = dir / "state";
    auto before = CrashingFileSystem::surviving(semantics());
    ASSERT_TRUE(replace_file(*before, path, "old contents").ok());

    CrashingFileSystem crashing(semantics(), steps);
    completed = replace_file(crashing, path, "new contents").ok();
    EXPECT_EQ(completed, !crashing.crashed());
    if (!smb()) {
      EXPECT_TRUE(fs::exists(path)) << "posix replaces atomically";
    }
    if (!fs::exists(path) && fs::exists(path + ".new")) saw_only_pending = true;

    auto restarted = CrashingFileSystem::surviving(semantics());
    auto read = read_small_file(*restarted, path, 100);
    ASSERT_TRUE(read.ok()) << read.error().message;
    ASSERT_TRUE(read->has_value()) << "nothing readable";
    if (completed) {
      EXPECT_EQ(**read, "new contents");
    } else {
      EXPECT_TRUE(**read == "old contents" || **read == "new contents") << **read;
    }

    auto again = replace_file(*restarted, path, "newer contents");
    ASSERT_TRUE(again.ok()) << again.error().message;
    EXPECT_EQ(read_small_file(*restarted, path, 100)->value_or(""), "newer contents");
    EXPECT_FALSE(fs::exists(path + ".new")) << "the next replace cleans up";
  }
  EXPECT_TRUE(completed) << "replace_file never completed within " << kMostSteps << " steps";
  EXPECT_EQ(saw_only_pending, smb());
}

TEST_P(ReplaceCrash, SubscriptionsLeaveOldOrNewListAtEveryStep) {
  const std::vector<std::string> old_list{"Archive"};
  const std::vector<std::string> new_list{"Archive", "Sent"};
  bool completed = false;
  bool saw_only_pending = false;
  for (int steps = 0; steps < kMostSteps && !completed; ++steps) {
    SCOPED_TRACE("crash after " + std::to_string(steps) + " steps");
    TempDir dir;
    const std::string root = dir / "alice";
    ASSERT_TRUE(FileMailStore(CrashingFileSystem::surviving(semantics())).set_subscriptions(root, old_list).ok());

    auto crashing = std::make_shared<CrashingFileSystem>(semantics(), steps);
    completed = FileMailStore(crashing).set_subscriptions(root, new_list).ok();
    const std::string file = root + "/dirmail.subscriptions";
    if (!fs::exists(file) && fs::exists(file + ".new")) saw_only_pending = true;

    FileMailStore restarted(CrashingFileSystem::surviving(semantics()));
    auto listed = restarted.subscriptions(root);
    ASSERT_TRUE(listed.ok()) << listed.error().message;
    if (completed) {
      EXPECT_EQ(*listed, new_list);
    } else {
      EXPECT_TRUE(*listed == old_list || *listed == new_list) << listed->size() << " subscriptions";
    }

    ASSERT_TRUE(restarted.set_subscriptions(root, {"Drafts"}).ok());
    auto now = restarted.subscriptions(root);
    ASSERT_TRUE(now.ok()) << now.error().message;
    EXPECT_EQ(*now, std::vector<std::string>{"Drafts"});
    EXPECT_FALSE(fs::exists(file + ".new"));
  }
  EXPECT_TRUE(completed);
  EXPECT_EQ(saw_only_pending, smb());
}

INSTANTIATE_TEST_SUITE_P(FileSystems, ReplaceCrash, ::testing::Values(Replace::atomic, Replace::remove_then_rename),
                         [](const auto& param_info) {
                           return std::string(param_info.param == Replace::atomic ? "posix" : "smb");
                         });

}  // namespace
}  // namespace dirmail::store
