// Relative paths: server.data_dir against the configuration file's folder, every other
// path setting against server.data_dir. Also load_file's own failures.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "dirmail/config/loader.hpp"

namespace dirmail::config {
namespace {

namespace fs = std::filesystem;

TEST(Paths, RelativeDataDirIsUnderTheConfigFolder) {
  auto loaded = load_string("[server]\ndata_dir = \"data\"\n", "c.toml", "/etc/dirmail");
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  EXPECT_EQ(loaded->server_data_dir, "/etc/dirmail/data");
  EXPECT_EQ(loaded->log_dir, "/etc/dirmail/data/log");
  EXPECT_EQ(loaded->queue_dir, "/etc/dirmail/data/queue");
  EXPECT_EQ(loaded->directory_local_database, "/etc/dirmail/data/accounts.sqlite");
}

TEST(Paths, OtherRelativePathsAreUnderDataDirAndNormalised) {
  auto loaded = load_string(R"([server]
data_dir = "./srv/../mail/"
[log]
dir = "/var/log/dirmail"
[queue]
dir = "../spool/queue/"
[directory]
local_database = "db/./accounts.sqlite"
)",
                            "c.toml", "/etc/dirmail");
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  EXPECT_EQ(loaded->server_data_dir, "/etc/dirmail/mail");
  EXPECT_EQ(loaded->log_dir, "/var/log/dirmail");
  EXPECT_EQ(loaded->queue_dir, "/etc/dirmail/spool/queue");
  EXPECT_EQ(loaded->directory_local_database, "/etc/dirmail/mail/db/accounts.sqlite");
}

TEST(Paths, AnEmptyPathStaysEmpty) {
  auto loaded = load_string("[log]\ndir = \"\"\n", "c.toml", "/etc/dirmail");
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  EXPECT_EQ(loaded->log_dir, "");
}

TEST(Paths, MailboxTemplateIsNotAPathAndStaysAsWritten) {
  auto loaded = load_string("[store]\nmailbox_path = \"%HOME%/Maildir\"\n", "c.toml", "/etc/dirmail");
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  EXPECT_EQ(loaded->store_mailbox_path, "%HOME%/Maildir");
}

TEST(Paths, RelativeBaseDirIsMadeAbsolute) {
  const Settings s = defaults("conf");
  EXPECT_EQ(s.server_data_dir, "/var/lib/dirmail");
  auto loaded = load_string("[server]\ndata_dir = \"d\"\n", "c.toml", "conf");
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->server_data_dir, (fs::current_path() / "conf" / "d").string());
}

class LoadFile : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "dirmail-config-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string write(const std::string& name, const std::string& text) {
    const fs::path path = dir_ / name;
    std::ofstream(path, std::ios::binary) << text;
    return path.string();
  }

  fs::path dir_;
};

TEST_F(LoadFile, ResolvesAgainstTheFilesFolder) {
  const std::string path = write("dirmail.toml", "[server]\ndata_dir = \"var\"\n[smtp]\nmax_recipients = 7\n");
  auto loaded = load_file(path);
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  EXPECT_EQ(loaded->server_data_dir, (dir_ / "var").string());
  EXPECT_EQ(loaded->queue_dir, (dir_ / "var" / "queue").string());
  EXPECT_EQ(loaded->smtp_max_recipients, 7);
}

TEST_F(LoadFile, ErrorsNameTheFileAsGiven) {
  const std::string path = write("bad.toml", "[smtp]\n\nmax_recipients = 0\n");
  auto loaded = load_file(path);
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().message, path + ":3: smtp.max_recipients: 0 is out of range 1..100000");
}

TEST_F(LoadFile, MissingFileIsNotFound) {
  const std::string path = (dir_ / "absent.toml").string();
  auto loaded = load_file(path);
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().code, ErrorCode::not_found);
  EXPECT_EQ(loaded.error().message, path + ": cannot open: No such file or directory");
}

TEST_F(LoadFile, AFolderIsNotAConfigFile) {
  auto loaded = load_file(dir_.string());
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().code, ErrorCode::io_error);
  EXPECT_EQ(loaded.error().message, dir_.string() + ": cannot read: Is a directory");
}

TEST_F(LoadFile, FileOverTheLimitIsRefusedAndAtTheLimitIsRead) {
  std::string at_limit = "# " + std::string(kMaxConfigBytes - 3, 'x') + "\n";
  ASSERT_EQ(at_limit.size(), kMaxConfigBytes);
  EXPECT_TRUE(load_file(write("limit.toml", at_limit)).ok());

  const std::string path = write("big.toml", at_limit + "\n");
  auto loaded = load_file(path);
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().code, ErrorCode::limit_exceeded);
  EXPECT_EQ(loaded.error().message, path + ": configuration is larger than 1 MiB");
}

}  // namespace
}  // namespace dirmail::config
