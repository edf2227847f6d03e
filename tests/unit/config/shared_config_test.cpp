// A node's own file over the file both nodes of the pair share: the shared values apply,
// the local file wins where both set a setting (and says so), node-local settings are
// refused in the shared file, and problems name the file and line they are on.
#include "dirmail/config/shared_config.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "dirmail/config/loader.hpp"

namespace dirmail::config {
namespace {

namespace fs = std::filesystem;

// The local file as load_local_file() gives it, from text.
LocalConfig local_config(const std::string& text, const std::string& path = "/etc/dirmail/dirmail.toml") {
  LocalConfig local{path, text, fs::path(path).parent_path().string(), {}};
  auto settings = load_string(text, path, local.folder);
  EXPECT_TRUE(settings.ok()) << settings.error().message;
  if (settings) local.settings = std::move(*settings);
  return local;
}

constexpr std::string_view kShared = R"(\\nas\mail\dirmail\dirmail.toml)";

TEST(SharedConfig, ASettingOnlyInTheSharedFileApplies) {
  const LocalConfig local = local_config("[server]\nnode_name = \"node1\"\n[cluster]\nrole = \"primary\"\n");
  auto layered = add_shared_config(local, "[server]\nhostname = \"mail.corp.example\"\n[smtp]\nmax_recipients = 7\n",
                                   kShared);
  ASSERT_TRUE(layered.ok()) << layered.error().message;
  EXPECT_EQ(layered->settings.server_hostname, "mail.corp.example");
  EXPECT_EQ(layered->settings.smtp_max_recipients, 7);
  EXPECT_EQ(layered->settings.server_node_name, "node1");
  EXPECT_EQ(layered->settings.cluster_role, "primary");
  EXPECT_TRUE(layered->warnings.empty());
}

TEST(SharedConfig, WithoutSharedSettingsTheLocalFileAlone) {
  const LocalConfig local = local_config("[smtp]\nmax_recipients = 9\n[server]\ndata_dir = \"var\"\n");
  auto layered = add_shared_config(local, "# nothing shared yet\n", kShared);
  ASSERT_TRUE(layered.ok()) << layered.error().message;
  EXPECT_EQ(layered->settings, local.settings);
}

TEST(SharedConfig, TheLocalValueWinsAndIsReportedInLocalFileOrder) {
  const LocalConfig local = local_config("[smtp]\nmax_recipients = 9\n[server]\nhostname = \"node1.corp.example\"\n");
  auto layered = add_shared_config(local,
                                   "[server]\nhostname = \"mail.corp.example\"\n"
                                   "[smtp]\nmax_message_size = 1000\nmax_recipients = 50\n",
                                   kShared);
  ASSERT_TRUE(layered.ok()) << layered.error().message;
  EXPECT_EQ(layered->settings.smtp_max_recipients, 9);
  EXPECT_EQ(layered->settings.server_hostname, "node1.corp.example");
  EXPECT_EQ(layered->settings.smtp_max_message_size, 1000);  // only shared
  EXPECT_EQ(layered->warnings,
            (std::vector<std::string>{
                "smtp.max_recipients is set in both /etc/dirmail/dirmail.toml:2 and "
                R"(\\nas\mail\dirmail\dirmail.toml:5; the local value is used)",
                "server.hostname is set in both /etc/dirmail/dirmail.toml:4 and "
                R"(\\nas\mail\dirmail\dirmail.toml:2; the local value is used)"}));
}

TEST(SharedConfig, ALocalValueEqualToTheSharedOneIsStillReported) {
  // Two places for one setting drift apart later: say so now.
  const LocalConfig local = local_config("[log]\nlevel = \"warn\"\n");
  auto layered = add_shared_config(local, "[log]\nlevel = \"warn\"\n", "shared.toml");
  ASSERT_TRUE(layered.ok()) << layered.error().message;
  ASSERT_EQ(layered->warnings.size(), 1u);
  EXPECT_EQ(layered->warnings[0],
            "log.level is set in both /etc/dirmail/dirmail.toml:2 and shared.toml:2; the local value is used");
}

TEST(SharedConfig, ANodeLocalSettingInTheSharedFileIsAnError) {
  const LocalConfig local = local_config("[cluster]\nrole = \"primary\"\n");
  auto layered = add_shared_config(local, "[smtp]\nmax_recipients = 7\n\n[cluster]\nrole = \"secondary\"\n", kShared);
  ASSERT_FALSE(layered.ok());
  EXPECT_EQ(layered.error().code, ErrorCode::invalid_argument);
  EXPECT_EQ(layered.error().message,
            R"(\\nas\mail\dirmail\dirmail.toml:5: cluster.role is node-local: set it in each node's own file)");
}

TEST(SharedConfig, EveryProblemOfTheSharedFileIsReportedInLineOrder) {
  const LocalConfig local = local_config("");
  auto layered = add_shared_config(local,
                                   "[store]\nbackend = \"smb\"\n[smtp]\nmax_recipients = 0\nno_such = 1\n"
                                   "[server]\ndata_dir = \"/srv\"\nnode_name = \"x\"\n",
                                   "shared.toml");
  ASSERT_FALSE(layered.ok());
  EXPECT_EQ(layered.error().message,
            "shared.toml:2: store.backend is node-local: set it in each node's own file\n"
            "shared.toml:4: smtp.max_recipients: 0 is out of range 1..100000\n"
            "shared.toml:5: unknown setting \"smtp.no_such\"\n"
            "shared.toml:7: server.data_dir is node-local: set it in each node's own file\n"
            "shared.toml:8: server.node_name is node-local: set it in each node's own file");
}

TEST(SharedConfig, ASharedFileThatIsNotTomlStopsWithFileAndLine) {
  const LocalConfig local = local_config("");
  auto layered = add_shared_config(local, "[smtp]\nmax_recipients = 7\nlisten = [\"0.0.0.0 25\"\n", "shared.toml");
  ASSERT_FALSE(layered.ok());
  EXPECT_EQ(layered.error().code, ErrorCode::invalid_argument);
  EXPECT_EQ(layered.error().message.rfind("shared.toml:3: TOML syntax error at column ", 0), 0u)
      << layered.error().message;
}

TEST(SharedConfig, ASharedFileOverTheLimitIsRefused) {
  const LocalConfig local = local_config("");
  const std::string big = "# " + std::string(kMaxConfigBytes, 'x') + "\n";
  auto layered = add_shared_config(local, big, "shared.toml");
  ASSERT_FALSE(layered.ok());
  EXPECT_EQ(layered.error().code, ErrorCode::limit_exceeded);
  EXPECT_EQ(layered.error().message, "shared.toml: configuration is larger than 1 MiB");
}

TEST(SharedConfig, SharedRelativePathsAreUnderThisNodesDataDir) {
  const LocalConfig local = local_config("[server]\ndata_dir = \"/srv/node1\"\n");
  auto layered = add_shared_config(local,
                                   "[queue]\ndir = \"spool\"\n[tls]\ncertificate_file = \"/etc/ssl/mail.pem\"\n"
                                   "[store]\nroot = '\\\\nas\\mail'\n",
                                   "shared.toml");
  ASSERT_TRUE(layered.ok()) << layered.error().message;
  EXPECT_EQ(layered->settings.queue_dir, "/srv/node1/spool");
  EXPECT_EQ(layered->settings.tls_certificate_file, "/etc/ssl/mail.pem");
  EXPECT_EQ(layered->settings.store_root, R"(\\nas\mail)");
  EXPECT_EQ(layered->settings.log_dir, "/srv/node1/log");
}

class LocalFile : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "dirmail-shared-config-XXXXXX").string();
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

TEST_F(LocalFile, IsLoadedAsLoadFileLoadsIt) {
  const std::string text = "[server]\ndata_dir = \"var\"\n[cluster]\nshared_config = \"shared/dirmail.toml\"\n";
  const std::string path = write("dirmail.toml", text);
  auto local = load_local_file(path);
  ASSERT_TRUE(local.ok()) << local.error().message;
  auto plain = load_file(path);
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(local->settings, *plain);
  EXPECT_EQ(local->text, text);
  EXPECT_EQ(local->folder, dir_.string());
  EXPECT_EQ(local->settings.cluster_shared_config, (dir_ / "var" / "shared" / "dirmail.toml").string());
}

TEST_F(LocalFile, ErrorsAreLoadFilesErrors) {
  const std::string absent = (dir_ / "absent.toml").string();
  auto missing = load_local_file(absent);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::not_found);
  EXPECT_EQ(missing.error().message, absent + ": cannot open: No such file or directory");
  const std::string bad = write("bad.toml", "[smtp]\nmax_recipients = 0\n");
  auto invalid = load_local_file(bad);
  ASSERT_FALSE(invalid.ok());
  EXPECT_EQ(invalid.error().message, bad + ":2: smtp.max_recipients: 0 is out of range 1..100000");
}

}  // namespace
}  // namespace dirmail::config
