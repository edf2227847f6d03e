// The Group Policy dirmaild keeps between runs: written, read back, worked out into the
// same settings; a damaged file or Registry.pol is refused.
#include "dirmail/config/policy_state.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "dirmail/config/registry_pol.hpp"

namespace dirmail::config {
namespace {

namespace fs = std::filesystem;

class PolicyState : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "dirmail-policy-state-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path() const { return (dir_ / "group-policy.state").string(); }

  static std::string max_recipients(std::uint64_t n) {
    const RegistryPolEntry entry{"Software\\Policies\\dirmail\\smtp", "SmtpMaxRecipients", RegistryType::Dword, n};
    return write_registry_pol(std::span(&entry, 1)).value();
  }

  fs::path dir_;
};

TEST_F(PolicyState, KeepsEachGpoInOrderAndGivesTheSameSettings) {
  const std::vector<FetchedGpo> gpos{{"Mail servers", max_recipients(5)}, {"Empty", ""}, {"Enforced", max_recipients(7)}};
  ASSERT_TRUE(save_policy_state(path(), gpos).ok());
  auto loaded = load_policy_state(path());
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  EXPECT_EQ(*loaded, gpos);
  auto policy = policy_of(*loaded);
  ASSERT_TRUE(policy.ok());
  const PolicyOverride* o = policy->find("smtp.max_recipients");
  ASSERT_NE(o, nullptr);
  EXPECT_EQ(o->gpo_name, "Enforced");
  EXPECT_EQ(std::get<std::int64_t>(o->value), 7);
}

TEST_F(PolicyState, NoFileIsNotFoundAndADamagedOneIsRefused) {
  EXPECT_EQ(load_policy_state(path()).error().code, ErrorCode::not_found);
  ASSERT_TRUE(save_policy_state(path(), std::vector<FetchedGpo>{{"Mail servers", max_recipients(5)}}).ok());
  std::string text;
  {
    std::ifstream in(path(), std::ios::binary);
    text.assign(std::istreambuf_iterator<char>(in), {});
  }
  std::ofstream(path(), std::ios::binary | std::ios::trunc) << text.substr(0, text.size() - 2);
  auto loaded = load_policy_state(path());
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().code, ErrorCode::invalid_argument);
  EXPECT_NE(loaded.error().message.find("damaged"), std::string::npos) << loaded.error().message;
}

TEST_F(PolicyState, ADamagedRegistryPolNamesTheGpo) {
  const std::vector<FetchedGpo> gpos{{"Mail servers", max_recipients(5).substr(0, 20)}};
  auto policy = policy_of(gpos);
  ASSERT_FALSE(policy.ok());
  EXPECT_NE(policy.error().message.find("GPO \"Mail servers\": Machine\\Registry.pol: byte"), std::string::npos)
      << policy.error().message;
}

}  // namespace
}  // namespace dirmail::config
