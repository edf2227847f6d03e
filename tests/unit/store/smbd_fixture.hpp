#pragma once
// The smbd fixture's description (tests/integration/fixtures/smbd.py writes it; ctest
// names it in DIRMAIL_SMBD_FIXTURE for the integration test store.smb_file_system).
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "dirmail/store/smb_file_system.hpp"

namespace dirmail::testing {

struct SmbdFixture {
  static constexpr const char* kNotSet =
      "DIRMAIL_SMBD_FIXTURE is not set: the SMB cases run in the integration test store.smb_file_system";

  std::string address, share_url, share_folder, user, password, credentials_file, smbd_log, restart_command;
  // Shell commands: the share taken out of smb.conf (smbd reloaded), and put back.
  std::string withdraw_share_command, offer_share_command;

  // nullopt when DIRMAIL_SMBD_FIXTURE is not set; a test failure when it names a file
  // that cannot be read.
  static std::optional<SmbdFixture> load() {
    const char* path = std::getenv("DIRMAIL_SMBD_FIXTURE");
    if (path == nullptr || *path == '\0') return std::nullopt;
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    SmbdFixture f;
    const std::string json = text.str();
    f.address = field(json, "address");
    f.share_url = field(json, "share_url");
    f.share_folder = field(json, "share_folder");
    f.user = field(json, "user");
    f.password = field(json, "password");
    f.credentials_file = field(json, "credentials_file");
    f.smbd_log = field(json, "smbd_log");
    f.restart_command = field(json, "restart_command");
    f.withdraw_share_command = field(json, "withdraw_share_command");
    f.offer_share_command = field(json, "offer_share_command");
    if (f.share_url.empty() || f.credentials_file.empty()) {
      ADD_FAILURE() << "cannot read the smbd fixture description " << path;
      return std::nullopt;
    }
    return f;
  }

  Result<std::unique_ptr<store::SmbFileSystem>> open_file_system(const std::string& lock_directory) const {
    store::SmbFileSystemOptions options;
    options.credentials_file = credentials_file;
    options.lock_directory = lock_directory;
    options.timeout = std::chrono::milliseconds(10000);
    return store::SmbFileSystem::open(options);
  }

 private:
  // A top-level string field of the flat JSON object the fixture writes.
  static std::string field(const std::string& json, const std::string& name) {
    const std::string key = "\"" + name + "\": \"";
    auto at = json.find(key);
    if (at == std::string::npos) return {};
    std::string value;
    for (auto i = at + key.size(); i < json.size() && json[i] != '"'; ++i) {
      if (json[i] == '\\' && i + 1 < json.size()) ++i;  // \" and \\ (no \uXXXX in ours)
      value += json[i];
    }
    return value;
  }
};

}  // namespace dirmail::testing
