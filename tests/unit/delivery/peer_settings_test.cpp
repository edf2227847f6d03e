#include "dirmail/delivery/peer_settings.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "dirmail/config/loader.hpp"

namespace dirmail::delivery {
namespace {

config::Settings settings_with(const std::string& delivery_lines) {
  auto s = config::load_string("[delivery]\n" + delivery_lines + "\n", "test.toml", "/tmp");
  EXPECT_TRUE(s.ok()) << s.error().message;
  return *s;
}

class TempFile {
 public:
  TempFile(const std::string& content, mode_t mode) {
    path_ = std::filesystem::temp_directory_path() /
            ("dirmail-peer-settings-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++) + ".txt");
    std::ofstream(path_, std::ios::binary) << content;
    ::chmod(path_.c_str(), mode);
  }
  ~TempFile() { std::filesystem::remove(path_); }
  std::string path() const { return path_.string(); }

 private:
  static inline int counter_ = 0;
  std::filesystem::path path_;
};

TEST(PeerSettings, DefaultsAreOpportunisticTlsWithoutAuth) {
  auto s = config::defaults("/tmp");
  EXPECT_TRUE(check_peer_settings(s).empty());
  auto p = make_peer_security(s);
  ASSERT_TRUE(p.ok()) << p.error().message;
  ASSERT_TRUE(p->tls_policy);
  EXPECT_EQ(p->tls_policy->mode_for("example.org"), TlsMode::opportunistic);
  EXPECT_NE(p->ca, nullptr);  // the system's CA set, loaded once here
  EXPECT_EQ(p->credentials, nullptr);
  EXPECT_EQ(p->auth_mechanism, "");
}

TEST(PeerSettings, PolicyListWithDefault) {
  auto s = settings_with(R"(tls = "required"
tls_policy = ["legacy.example off"]
auth_mechanism = "login")");
  auto p = make_peer_security(s);
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->tls_policy->mode_for("legacy.example"), TlsMode::off);
  EXPECT_EQ(p->tls_policy->mode_for("other.example"), TlsMode::required);
  EXPECT_EQ(p->auth_mechanism, "LOGIN");
}

TEST(PeerSettings, PolicyFileIsReadAndItsErrorsNameTheLine) {
  TempFile good("' partners\npartner.example,required\n", 0644);
  auto p = make_peer_security(settings_with("tls_policy_file = \"" + good.path() + "\""));
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->tls_policy->find("partner.example")->origin, good.path() + ":2");

  TempFile bad("partner.example required\nother.example maybe\n", 0644);
  auto problems = check_peer_settings(settings_with("tls_policy_file = \"" + bad.path() + "\""));
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_TRUE(problems[0].starts_with(bad.path() + ":2: \"maybe\" is not a TLS mode")) << problems[0];
}

TEST(PeerSettings, CredentialsFileMustBeOwnerOnly) {
  TempFile open_file("gw.example.net user secret\n", 0644);
  auto s = settings_with("auth_credentials_file = \"" + open_file.path() + "\"");
  auto problems = check_peer_settings(s);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_TRUE(problems[0].starts_with("delivery.auth_credentials_file: " + open_file.path() + " has mode 0644"))
      << problems[0];
  EXPECT_NE(problems[0].find("chmod 600 " + open_file.path()), std::string::npos) << problems[0];
  EXPECT_FALSE(make_peer_security(s).ok());

  TempFile private_file("gw.example.net user secret\n", 0600);
  auto p = make_peer_security(settings_with("auth_credentials_file = \"" + private_file.path() + "\""));
  ASSERT_TRUE(p.ok()) << p.error().message;
  ASSERT_NE(p->credentials, nullptr);
  EXPECT_EQ(p->credentials->find("gw.example.net", true)->user, "user");
}

TEST(PeerSettings, EveryProblemIsNamedInOneRun) {
  TempFile bad_credentials("gw.example.net:25 user secret\n", 0600);
  auto problems = check_peer_settings(settings_with(
      "tls_policy = [\"a.example sometimes\"]\ntls_ca_file = \"/nonexistent/dirmail-ca.pem\"\n"
      "auth_credentials_file = \"" + bad_credentials.path() + "\""));
  ASSERT_EQ(problems.size(), 3u);
  EXPECT_TRUE(problems[0].starts_with("delivery.tls_policy[0]: ")) << problems[0];
  EXPECT_TRUE(problems[1].starts_with("delivery.tls_ca_file: ")) << problems[1];
  EXPECT_NE(problems[1].find("/nonexistent/dirmail-ca.pem"), std::string::npos) << problems[1];
  EXPECT_TRUE(problems[2].starts_with(bad_credentials.path() + ":1: ")) << problems[2];
}

TEST(PeerSettings, BothPolicySourcesAreRefused) {
  auto problems = check_peer_settings(settings_with("tls_policy_file = \"/tmp/x\"\ntls_policy = [\"a.example off\"]"));
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_TRUE(problems[0].starts_with("delivery.tls_policy_file and delivery.tls_policy are both set")) << problems[0];
}

TEST(PeerSettings, MissingCredentialsFileIsAnError) {
  auto problems = check_peer_settings(settings_with("auth_credentials_file = \"/nonexistent/dirmail-auth.txt\""));
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_TRUE(problems[0].starts_with("delivery.auth_credentials_file: ")) << problems[0];
}

}  // namespace
}  // namespace dirmail::delivery
