#include "dirmail/delivery/route_settings.hpp"

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
  explicit TempFile(const std::string& content) {
    path_ = std::filesystem::temp_directory_path() /
            ("dirmail-gateway-table-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++) + ".txt");
    std::ofstream(path_, std::ios::binary) << content;
  }
  ~TempFile() { std::filesystem::remove(path_); }
  std::string path() const { return path_.string(); }

 private:
  static inline int counter_ = 0;
  std::filesystem::path path_;
};

TEST(RouteSettings, DefaultsAreTheOriginals) {
  auto s = config::defaults("/tmp");
  EXPECT_TRUE(check_route_settings(s).empty());
  auto policy = make_route_policy(s);
  ASSERT_TRUE(policy.ok());
  EXPECT_FALSE(policy->smart_host());
  EXPECT_FALSE(policy->all_to_gateway());
  EXPECT_EQ(policy->route("example.org", false).kind, RouteDecision::Kind::mx);
  auto retry = make_retry_policy(s);
  ASSERT_TRUE(retry.ok());
  EXPECT_EQ(retry->interval.count(), 120);
  EXPECT_EQ(retry->refusal_retries, 9u);
  EXPECT_EQ(retry->line_fault_period.count(), 8 * 3600);
  EXPECT_EQ(retry->unreachable_period.count(), 24 * 3600);
  EXPECT_EQ(retry->backoff, RetryBackoff::fixed);
}

TEST(RouteSettings, SmartHostAndTableList) {
  auto s = settings_with(R"(smtp_gateway = "192.168.0.4"
gateway_table = ["*.branch.example,gw.example.net,465*"])");
  EXPECT_TRUE(check_route_settings(s).empty());
  auto policy = make_route_policy(s);
  ASSERT_TRUE(policy.ok()) << policy.error().message;
  EXPECT_EQ(policy->route("example.org", false).gateway, (GatewayHost{"192.168.0.4", 25, false}));
  auto branch = policy->route("a.branch.example", false);
  EXPECT_EQ(branch.gateway, (GatewayHost{"gw.example.net", 465, true}));
  EXPECT_EQ(branch.reason, "gateway table delivery.gateway_table[0]");
}

TEST(RouteSettings, TableFileErrorsNameFileAndLine) {
  TempFile file("' gateways\r\nexample.org,gw.example.net,25\r\nexample.net,gw.example.net,port\r\n");
  auto s = settings_with("gateway_table_file = \"" + file.path() + "\"");
  auto problems = check_route_settings(s);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].substr(0, file.path().size() + 3), file.path() + ":3:") << problems[0];
}

TEST(RouteSettings, TableFileIsRead) {
  TempFile file("*.xxxx01.co.jp,mailgateway01.xxxx.co.jp,25\nxxxxxx.co.jp,mailgateway.xxxxxx.co.jp,465*\n");
  auto s = settings_with("gateway_table_file = \"" + file.path() + "\"");
  auto policy = make_route_policy(s);
  ASSERT_TRUE(policy.ok()) << policy.error().message;
  auto d = policy->route("xxxxxx.co.jp", false);
  EXPECT_EQ(d.kind, RouteDecision::Kind::gateway);
  EXPECT_TRUE(d.gateway.implicit_tls);
  EXPECT_EQ(d.reason, "gateway table " + file.path() + ":2");
}

TEST(RouteSettings, MissingTableFileIsAnError) {
  auto s = settings_with("gateway_table_file = \"/nonexistent/dirmail-gateways.txt\"");
  auto problems = check_route_settings(s);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_TRUE(problems[0].starts_with("delivery.gateway_table_file: ")) << problems[0];
}

TEST(RouteSettings, ProblemsNameTheirSetting) {
  struct Case {
    std::string lines;
    std::string problem;
  };
  const Case cases[] = {
      {"all_to_gateway = true", "delivery.all_to_gateway: needs the SMTP gateway"},
      {"smtp_gateway = \"relay.example.net:0\"", "delivery.smtp_gateway: \"0\" is not a port"},
      {"gateway_table_file = \"/tmp/x\"\ngateway_table = [\"a.example,gw,25\"]",
       "delivery.gateway_table_file and delivery.gateway_table are both set"},
      {"gateway_table = [\"a.example gw 25\"]", "delivery.gateway_table[0]: expected DOMAIN,GATEWAY,PORT[*]"},
      {"retry_backoff = \"exponential\"\nretry_interval = 600\nretry_max_interval = 300",
       "delivery.retry_max_interval: 300 s is below delivery.retry_interval (600 s)"},
  };
  for (const auto& c : cases) {
    auto problems = check_route_settings(settings_with(c.lines));
    ASSERT_EQ(problems.size(), 1u) << c.lines;
    EXPECT_TRUE(problems[0].starts_with(c.problem)) << problems[0];
  }
}

TEST(RouteSettings, EveryProblemIsNamedInOneRun) {
  auto problems = check_route_settings(settings_with(R"(all_to_gateway = true
gateway_table = ["example.org,gw.example.net,http"]
retry_backoff = "exponential"
retry_max_interval = 60)"));
  ASSERT_EQ(problems.size(), 3u);
  EXPECT_TRUE(problems[0].starts_with("delivery.all_to_gateway: ")) << problems[0];
  EXPECT_TRUE(problems[1].starts_with("delivery.gateway_table[0]: ")) << problems[1];
  EXPECT_TRUE(problems[2].starts_with("delivery.retry_max_interval: ")) << problems[2];
}

TEST(RouteSettings, AllToGatewayWithGateway) {
  auto s = settings_with("smtp_gateway = \"[2001:db8::4]:465*\"\nall_to_gateway = true");
  EXPECT_TRUE(check_route_settings(s).empty());
  auto policy = make_route_policy(s);
  ASSERT_TRUE(policy.ok());
  auto d = policy->route("example.test", true);
  EXPECT_EQ(d.kind, RouteDecision::Kind::gateway);
  EXPECT_EQ(d.gateway, (GatewayHost{"2001:db8::4", 465, true}));
}

TEST(RouteSettings, RetrySettings) {
  auto s = settings_with(R"(retry_interval = 30
retry_backoff = "exponential"
retry_max_interval = 900
retry_count_refused = 3
retry_period_line_fault = 3600
retry_period_unreachable = 7200)");
  auto p = make_retry_policy(s);
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->interval.count(), 30);
  EXPECT_EQ(p->backoff, RetryBackoff::exponential);
  EXPECT_EQ(p->max_interval.count(), 900);
  EXPECT_EQ(p->refusal_retries, 3u);
  EXPECT_EQ(p->line_fault_period.count(), 3600);
  EXPECT_EQ(p->unreachable_period.count(), 7200);
}

}  // namespace
}  // namespace dirmail::delivery
