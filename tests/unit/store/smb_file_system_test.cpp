// SmbFileSystem beyond the common contract (file_system_conformance_test.cpp): logon
// options, an unreachable server, a wrong password, a server restarted under it.
#include "dirmail/store/smb_file_system.hpp"

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "../common/temp_dir.hpp"
#include "dirmail/store/unc_path.hpp"
#include "smbd_fixture.hpp"

namespace dirmail::store {
namespace {

std::string private_credentials(const testing::TempDir& dir, const std::string& text) {
  const std::string path = dir / "credentials";
  std::ofstream(path) << text;
  EXPECT_EQ(::chmod(path.c_str(), 0600), 0);
  return path;
}

TEST(SmbFileSystemOptions, ExactlyOneLogon) {
  testing::TempDir dir;
  SmbFileSystemOptions neither;
  neither.lock_directory = dir / "locks";
  EXPECT_EQ(SmbFileSystem::open(neither).error().code, ErrorCode::invalid_argument);
  SmbFileSystemOptions both = neither;
  both.credentials_file = private_credentials(dir, "username = a\npassword = b\n");
  both.kerberos_cache = dir / "ccache";
  both.kerberos_principal = "mail@EXAMPLE.COM";
  EXPECT_EQ(SmbFileSystem::open(both).error().code, ErrorCode::invalid_argument);
  SmbFileSystemOptions bad_principal = neither;
  bad_principal.kerberos_cache = dir / "ccache";
  bad_principal.kerberos_principal = "mail";
  EXPECT_EQ(SmbFileSystem::open(bad_principal).error().code, ErrorCode::invalid_argument);
}

TEST(SmbFileSystemOptions, CredentialsReadableByOthersAreRefused) {
  testing::TempDir dir;
  SmbFileSystemOptions options;
  options.lock_directory = dir / "locks";
  options.credentials_file = private_credentials(dir, "username = a\npassword = b\n");
  ASSERT_EQ(::chmod(options.credentials_file.c_str(), 0640), 0);
  auto refused = SmbFileSystem::open(options);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::permission_denied);
  EXPECT_NE(refused.error().message.find(options.credentials_file + " has mode 0640"), std::string::npos)
      << refused.error().message;
}

// Nothing listens on port 1: the answer is "try later", naming the share.
TEST(SmbFileSystem, UnreachableServerIsATemporaryFailure) {
  testing::TempDir dir;
  SmbFileSystemOptions options;
  options.lock_directory = dir / "locks";
  options.credentials_file = private_credentials(dir, "username = a\npassword = secret-word\n");
  auto fs = SmbFileSystem::open(options);
  ASSERT_TRUE(fs.ok()) << fs.error().message;
  auto info = (*fs)->stat("smb://127.0.0.1:1/mail/store/x");
  ASSERT_FALSE(info.ok());
  EXPECT_EQ(info.error().code, ErrorCode::temporary_failure);
  EXPECT_NE(info.error().message.find("share \\\\127.0.0.1:1\\mail unreachable"), std::string::npos)
      << info.error().message;
  EXPECT_EQ(info.error().message.find("secret-word"), std::string::npos);
  auto made = (*fs)->make_directory("smb://127.0.0.1:1/mail/store");
  ASSERT_FALSE(made.ok());
  EXPECT_EQ(made.error().code, ErrorCode::temporary_failure);
}

class SmbFileSystemOnFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    auto loaded = testing::SmbdFixture::load();
    if (!loaded) GTEST_SKIP() << testing::SmbdFixture::kNotSet;
    fixture_ = *loaded;
  }
  testing::TempDir tmp_;
  testing::SmbdFixture fixture_;
};

// No guest or anonymous fallback: a wrong password is refused, not served.
TEST_F(SmbFileSystemOnFixture, WrongPasswordIsRefused) {
  SmbFileSystemOptions options;
  options.lock_directory = tmp_ / "locks";
  options.credentials_file = private_credentials(tmp_, "username = " + fixture_.user + "\npassword = wrong\n");
  auto fs = SmbFileSystem::open(options);
  ASSERT_TRUE(fs.ok()) << fs.error().message;
  auto listed = (*fs)->list(fixture_.share_url);
  ASSERT_FALSE(listed.ok());
  EXPECT_EQ(listed.error().code, ErrorCode::permission_denied) << listed.error().message;
  EXPECT_NE(listed.error().message.find(unc_of(fixture_.share_url)), std::string::npos) << listed.error().message;
}

// smbd restarted between two calls: the next call reconnects; a file opened before
// answers temporary_failure, and opening it again works.
TEST_F(SmbFileSystemOnFixture, ServerRestartIsSurvived) {
  auto fs = fixture_.open_file_system(tmp_ / "locks");
  ASSERT_TRUE(fs.ok()) << fs.error().message;
  const std::string dir = fixture_.share_url + "/restart";
  (void)(*fs)->make_directory(dir);
  ASSERT_TRUE(replace_file(**fs, dir + "/f", "before").ok());
  auto old_file = (*fs)->open(dir + "/f", OpenMode::read);
  ASSERT_TRUE(old_file.ok()) << old_file.error().message;

  ASSERT_EQ(std::system(fixture_.restart_command.c_str()), 0) << fixture_.restart_command;

  auto info = (*fs)->stat(dir + "/f");
  ASSERT_TRUE(info.ok()) << info.error().message;
  ASSERT_TRUE(*info);
  EXPECT_EQ((*info)->size, 6u);
  std::string buf(16, '\0');
  auto stale = (*old_file)->read_at(0, buf);
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.error().code, ErrorCode::temporary_failure);
  EXPECT_NE(stale.error().message.find("connection to the share was lost"), std::string::npos) << stale.error().message;
  auto again = read_small_file(**fs, dir + "/f", 100);
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(again->value_or(""), "before");
}

// The fixture's share out of smb.conf (smbd restarted) while it lives.
class WithdrawnShare {
 public:
  explicit WithdrawnShare(const testing::SmbdFixture& fixture) : offer_command_(fixture.offer_share_command) {
    withdrawn_ = !fixture.withdraw_share_command.empty() && std::system(fixture.withdraw_share_command.c_str()) == 0;
  }
  ~WithdrawnShare() { EXPECT_TRUE(offer()) << offer_command_; }
  WithdrawnShare(const WithdrawnShare&) = delete;
  WithdrawnShare& operator=(const WithdrawnShare&) = delete;
  bool withdrawn() const { return withdrawn_; }
  bool offer() {
    if (withdrawn_) withdrawn_ = std::system(offer_command_.c_str()) != 0;
    return !withdrawn_;
  }

 private:
  std::string offer_command_;
  bool withdrawn_ = false;
};

template <typename R>
void expect_unavailable(const R& result, const std::string& share, const std::string& call) {
  SCOPED_TRACE(call);
  ASSERT_FALSE(result.ok()) << "a share that is not there must not answer";
  EXPECT_EQ(result.error().code, ErrorCode::temporary_failure) << result.error().message;
  EXPECT_NE(result.error().message.find("share " + share + " is not available"), std::string::npos)
      << result.error().message;
}

// libsmbclient says "no such file" (ENOENT) for everything on a share the server does
// not offer: that must not read as a missing file (an empty mailbox, a folder to make).
class SmbShareGone : public SmbFileSystemOnFixture {
 protected:
  void SetUp() override {
    SmbFileSystemOnFixture::SetUp();
    if (IsSkipped()) return;
    options_.credentials_file = fixture_.credentials_file;
    options_.lock_directory = tmp_ / "locks";
    options_.timeout = std::chrono::milliseconds(10000);
    options_.share_seen_for = std::chrono::milliseconds(0);  // no time in the test
    dir_ = fixture_.share_url + "/gone";
    auto fs = SmbFileSystem::open(options_);
    ASSERT_TRUE(fs.ok()) << fs.error().message;
    connected_ = std::move(*fs);
    std::filesystem::remove_all(fixture_.share_folder + "/gone");
    ASSERT_TRUE(connected_->make_directory(dir_).ok());
    ASSERT_TRUE(replace_file(*connected_, dir_ + "/kept", "kept").ok());
  }

  // Every call answers temporary_failure naming the share, on the connection made
  // before and on a new one.
  void expect_every_call_unavailable() {
    auto fresh = SmbFileSystem::open(options_);
    ASSERT_TRUE(fresh.ok()) << fresh.error().message;
    const std::string share = unc_of(fixture_.share_url);
    for (SmbFileSystem* fs : {connected_.get(), fresh->get()}) {
      SCOPED_TRACE(fs == connected_.get() ? "connected before" : "connected after");
      expect_unavailable(fs->stat(dir_ + "/kept"), share, "stat of a file");
      expect_unavailable(fs->stat(dir_ + "/none"), share, "stat of nothing");
      expect_unavailable(fs->open(dir_ + "/kept", OpenMode::read), share, "open");
      expect_unavailable(fs->list(dir_), share, "list");
      expect_unavailable(read_small_file(*fs, dir_ + "/none", 100), share, "read_small_file");
      expect_unavailable(make_directories(*fs, dir_ + "/INBOX/cur"), share, "make_directories");
      expect_unavailable(fs->open(dir_ + "/new", OpenMode::create_new), share, "create");
      expect_unavailable(fs->remove(dir_ + "/none"), share, "remove");
    }
  }

  // Back: the connection made before finds the files, and nothing was made meanwhile.
  void expect_all_there() {
    auto again = read_small_file(*connected_, dir_ + "/kept", 100);
    ASSERT_TRUE(again.ok()) << again.error().message;
    EXPECT_EQ(again->value_or(""), "kept");
    EXPECT_FALSE(std::filesystem::exists(fixture_.share_folder + "/gone/INBOX"));
    EXPECT_FALSE(std::filesystem::exists(fixture_.share_folder + "/gone/new"));
  }

  SmbFileSystemOptions options_;
  std::unique_ptr<SmbFileSystem> connected_;
  std::string dir_;  // on the share
};

// The share taken out of smb.conf and smbd restarted (a reload alone leaves connected
// clients on it).
TEST_F(SmbShareGone, WithdrawnShareIsUnavailableNotEmpty) {
  {
    WithdrawnShare withdrawn(fixture_);
    ASSERT_TRUE(withdrawn.withdrawn()) << fixture_.withdraw_share_command;
    expect_every_call_unavailable();
    ASSERT_TRUE(withdrawn.offer());
  }
  expect_all_there();
}

}  // namespace
}  // namespace dirmail::store
