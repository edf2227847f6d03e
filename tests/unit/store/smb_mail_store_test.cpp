// The MailStore conformance suite on a real SMB share: FileMailStore over SmbFileSystem,
// against the smbd fixture. Runs in the integration test store.smb_file_system (skipped
// in the unit run, where DIRMAIL_SMBD_FIXTURE is not set).
#include <unistd.h>

#include <atomic>
#include <chrono>

#include <gtest/gtest.h>

#include "../common/temp_dir.hpp"
#include "dirmail/store/file_mail_store.hpp"
#include "mail_store_conformance.hpp"
#include "smbd_fixture.hpp"

namespace dirmail::store {
namespace {

using dirmail::testing::SmbdFixture;
using dirmail::testing::TempDir;
using testing::MailStoreBackend;
using testing::MailStoreConformance;
using testing::MailStoreHarness;

class SmbHarness final : public MailStoreHarness {
 public:
  explicit SmbHarness(SmbdFixture fixture) : fixture_(std::move(fixture)) {
    static std::atomic<int> counter{0};
    const auto now = std::chrono::steady_clock::now().time_since_epoch().count();
    folder_ = fixture_.share_url + "/conformance-" + std::to_string(::getpid()) + "-" + std::to_string(now) + "-" +
              std::to_string(counter.fetch_add(1));
  }

  std::unique_ptr<MailStore> make_store() override {
    auto fs = fixture_.open_file_system(locks_.path());
    if (!fs) {
      ADD_FAILURE() << fs.error().message;
      return nullptr;
    }
    return std::make_unique<FileMailStore>(std::shared_ptr<FileSystem>(std::move(*fs)));
  }
  std::string mailbox_root(std::string_view user) override { return folder_ + "/" + std::string(user); }

 private:
  SmbdFixture fixture_;
  TempDir locks_;
  std::string folder_;
};

INSTANTIATE_TEST_SUITE_P(Smb, MailStoreConformance,
                         ::testing::Values(MailStoreBackend{"smb",
                                                            []() -> std::unique_ptr<MailStoreHarness> {
                                                              auto fixture = SmbdFixture::load();
                                                              if (!fixture) return nullptr;
                                                              return std::make_unique<SmbHarness>(std::move(*fixture));
                                                            }}),
                         [](const auto& param_info) { return param_info.param.name; });

}  // namespace
}  // namespace dirmail::store
