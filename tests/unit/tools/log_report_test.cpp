// dirmailctl log report: the figures from known records, and the command over a folder.
#include "log_report.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include "commands.hpp"
#include "log_report_formats.hpp"

namespace dirmail::ctl {
namespace {

constexpr const char* day_log[] = {
    "2026-11-27T23:59:59.999Z info service=smtp type=receive queue_id=Q0 from=old@x.test size=10 nrcpt=1 to=a@local.test msg=\"queued\"",
    "2026-11-28T08:00:00.000Z info service=smtp type=accept client=127.0.0.1 helo=h from=a@x.test msg=\"MAIL FROM\"",
    "2026-11-28T08:00:01.000Z info service=smtp type=receive queue_id=Q1 from=a@X.test size=100 nrcpt=2 user=a@x.test to=b@local.test to=c@remote.test msg=\"queued\"",
    "2026-11-28T08:00:02.000Z info service=smtp type=receive queue_id=Q2 from=\"\" size=50 nrcpt=1 to=b@local.test msg=\"queued\"",
    "2026-11-28T08:00:03.000Z info service=delivery type=sender queue_id=Q1 to=b@local.test user=b@local.test uid=1 size=100 msg=\"delivered\"",
    "2026-11-28T08:00:03.000Z info service=delivery type=sender queue_id=Q2 to=b@local.test user=b@local.test uid=2 size=50 msg=\"delivered\"",
    "2026-11-28T08:00:04.000Z info service=delivery type=send queue_id=Q1 to=c@remote.test host=mx address=1.2.3.4 reused=no tls=yes outcome=delivered reply=\"250 ok\" msg=\"sent\"",
    "2026-11-28T08:00:05.000Z warning service=delivery type=sender queue_id=Q1 to=c@remote.test outcome=deferred reason=\"451 later\" attempts=1 next=60 msg=\"deferred\"",
    "2026-11-28T08:00:06.000Z warning service=delivery type=failure queue_id=Q3 to=x@local.test reason=\"no such user\" msg=\"undeliverable\"",
    "2026-11-28T08:00:07.000Z warning service=delivery type=failure queue_id=Q4 to=y@local.test reason=\"no such user\" msg=\"undeliverable\"",
    "2026-11-28T08:00:08.000Z warning service=delivery type=failure queue_id=Q5 to=z@r.test reason=\"The message could not be delivered within 5 days\" msg=\"undeliverable: queue lifetime exceeded\"",
    "2026-11-28T08:00:09.000Z info service=delivery type=failure queue_id=Q5 to=z@r.test report_id=R1 action=failed msg=\"delivery report queued\"",
    "2026-11-28T08:00:10.000Z error service=delivery type=failure error=\"disk\" msg=\"cannot list the queue\"",
    "2026-11-28T08:00:11.000Z info service=smtp type=auth user=a@x.test mechanism=PLAIN msg=\"AUTH ok\"",
    "2026-11-28T08:00:12.000Z info service=pop3 type=auth messages=3 msg=\"login\"",
    "2026-11-28T08:00:13.000Z warning service=smtp type=auth user=a@x.test mechanism=PLAIN msg=\"AUTH failed: wrong credentials\"",
    "2026-11-28T08:00:14.000Z warning service=imap type=auth login=b mechanism=PLAIN msg=\"login failed: wrong credentials\"",
    "2026-11-28T08:00:15.000Z warning service=pop3 type=auth limit=account msg=\"login refused: too many failed or pending checks for this account or address\"",
    "2026-11-28T08:00:16.000Z warning service=pop3 type=auth error=busy msg=\"mailbox in use\"",
};

LogReport tallied() {
  LogReport report;
  for (const char* line : day_log) {
    auto r = log::parse_log_record(line);
    EXPECT_TRUE(r.ok()) << line;
    if (r) tally_record(report, *r);
  }
  return report;
}

TEST(LogReport, CountsOneDay) {
  LogReport report = tallied();
  ASSERT_EQ(report.days.size(), 2u);
  const DayFigures& d = report.days.at("2026-11-28");
  EXPECT_EQ(d.received, 2u);
  EXPECT_EQ(d.received_bytes, 150u);
  EXPECT_EQ(d.received_recipients, 3u);
  EXPECT_EQ(d.delivered_local, 2u);
  EXPECT_EQ(d.delivered_remote, 1u);
  EXPECT_EQ(d.failed, 3u);
  EXPECT_EQ(d.failures_by_reason, (NameCounts{{"no such user", 2}, {"queue lifetime exceeded", 1}}));
  EXPECT_EQ(d.auth_ok, 2u);
  EXPECT_EQ(d.auth_failed, 3u);
  EXPECT_EQ(d.auth_failures_by_reason,
            (NameCounts{{"wrong credentials", 2}, {"too many failed or pending checks for this account or address", 1}}));
  EXPECT_EQ(d.senders, (NameCounts{{"a@X.test", 1}, {"<>", 1}}));
  EXPECT_EQ(d.sender_domains, (NameCounts{{"x.test", 1}}));  // domains in lower case; "<>" has none
  EXPECT_EQ(d.recipients, (NameCounts{{"b@local.test", 2}, {"c@remote.test", 1}}));
  EXPECT_EQ(d.recipient_domains, (NameCounts{{"local.test", 2}, {"remote.test", 1}}));
  EXPECT_EQ(d.users_sent, (NameCounts{{"a@x.test", 1}}));
  EXPECT_EQ(d.users_delivered, (NameCounts{{"b@local.test", 2}}));
  EXPECT_EQ(report.days.at("2026-11-27").received, 1u);
}

TEST(LogReport, TopCountsLargestFirstTiesByName) {
  NameCounts c{{"d", 1}, {"b", 5}, {"a", 5}, {"c", 7}};
  auto top = top_counts(c, 3);
  ASSERT_EQ(top.size(), 3u);
  EXPECT_EQ(top[0].first, "c");
  EXPECT_EQ(top[1].first, "a");
  EXPECT_EQ(top[2].first, "b");
}

TEST(LogReport, HtmlEscapesLogValuesAndFetchesNothing) {
  LogReport report;
  auto r = log::parse_log_record(
      "2026-11-28T08:00:01.000Z info service=smtp type=receive from=\"<script>x</script>@evil.test\" size=1 to=a@b.test msg=\"queued\"");
  ASSERT_TRUE(r.ok());
  tally_record(report, *r);
  std::ostringstream html;
  write_report_html(report, 10, html);
  EXPECT_EQ(html.str().find("<script"), std::string::npos);
  EXPECT_NE(html.str().find("&lt;script&gt;x&lt;/script&gt;@evil.test"), std::string::npos);
  EXPECT_EQ(html.str().find("src="), std::string::npos);
  EXPECT_EQ(html.str().find("href="), std::string::npos);
  EXPECT_NE(html.str().find("<svg"), std::string::npos);
}

TEST(LogReport, CsvQuotesNames) {
  LogReport report;
  auto r = log::parse_log_record(
      "2026-11-28T08:00:01.000Z warning service=delivery type=failure to=a@b.test reason=\"full, \\\"really\\\"\" msg=\"undeliverable\"");
  ASSERT_TRUE(r.ok());
  tally_record(report, *r);
  std::ostringstream csv;
  write_report_csv(report, 10, csv);
  EXPECT_NE(csv.str().find("2026-11-28,failure_reason,\"full, \"\"really\"\"\",1\r\n"), std::string::npos) << csv.str();
  EXPECT_NE(csv.str().find("2026-11-28,failed,,1\r\n"), std::string::npos);
}

class LogCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("log_command_test." + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_ / "smtp");
    std::filesystem::create_directories(dir_ / "delivery");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  int run(const Args& args) { return log_command(dir_.string(), args, out_, err_); }
  std::filesystem::path dir_;
  std::ostringstream out_, err_;
};

TEST_F(LogCommand, ReadsEveryNodeAndRotatedFileSkipsDamage) {
  {
    std::ofstream a(dir_ / "smtp" / "node1.log");
    for (int i = 0; i < 4; ++i) a << day_log[2] << "\n";
    a << "garbage line\n" << std::string(log::kMaxRecordLineBytes + 10, 'x') << "\n" << day_log[3];  // no final newline
    std::ofstream b(dir_ / "smtp" / "node1.1.log");
    b << day_log[2] << "\n";
    std::ofstream c(dir_ / "smtp" / "node2.log.1");
    c << day_log[2] << "\n";
    std::ofstream dated(dir_ / "smtp" / "node3.log-20261127");
    dated << day_log[2] << "\n";
    std::ofstream ignored(dir_ / "smtp" / "node2.log.bak");
    ignored << day_log[2] << "\n";
    std::ofstream d(dir_ / "delivery" / "node1.log");
    d << day_log[4] << "\n" << day_log[0] << "\n";
  }
  {  // logrotate's compressed copy
    std::string text = std::string(day_log[2]) + "\n" + day_log[2] + "\n";
    gzFile gz = gzopen((dir_ / "smtp" / "node2.log.2.gz").c_str(), "wb");
    ASSERT_NE(gz, nullptr);
    ASSERT_EQ(gzwrite(gz, text.data(), static_cast<unsigned>(text.size())), static_cast<int>(text.size()));
    gzclose(gz);
    std::ofstream broken(dir_ / "smtp" / "node4.log.3.gz", std::ios::binary);
    broken << "\x1f\x8b\x08\x00garbage";
  }
  ASSERT_EQ(run({"report", "--format", "csv"}), 0) << err_.str();
  const std::string csv = out_.str();
  // 7 in the plain files, 1 in the dated copy, 2 in the compressed one.
  EXPECT_NE(csv.find("2026-11-28,received,,10\r\n"), std::string::npos) << csv;
  EXPECT_NE(csv.find("2026-11-28,delivered_local,,1\r\n"), std::string::npos) << csv;
  EXPECT_NE(csv.find("2026-11-27,received,,1\r\n"), std::string::npos) << csv;
  EXPECT_NE(err_.str().find("2 damaged lines skipped"), std::string::npos) << err_.str();
  EXPECT_NE(err_.str().find("warning: skipped " + (dir_ / "smtp" / "node4.log.3.gz").string()), std::string::npos)
      << err_.str();

  out_.str("");
  ASSERT_EQ(run({"report", "--from", "2026-11-28", "--to", "2026-11-28"}), 0);
  EXPECT_EQ(out_.str().find("2026-11-27"), std::string::npos) << out_.str();
  EXPECT_NE(out_.str().find("received: 10 messages, 950 bytes"), std::string::npos) << out_.str();
  EXPECT_NE(out_.str().find("skipped 1: line too long"), std::string::npos) << out_.str();
}

TEST_F(LogCommand, BadWordsAreUsageErrors) {
  EXPECT_EQ(run({"report", "--format", "pdf"}), 2);
  EXPECT_EQ(run({"report", "--from", "28.11.2026"}), 2);
  EXPECT_EQ(run({"report", "--top", "0"}), 2);
  EXPECT_EQ(run({"report", "--top", "ten"}), 2);
  EXPECT_EQ(run({"report", "extra"}), 2);
  EXPECT_EQ(run({"summary"}), 2);
  EXPECT_EQ(run({"report", "--dir", (dir_ / "missing").string()}), 1);
  EXPECT_NE(err_.str().find("not a folder"), std::string::npos);
}

}  // namespace
}  // namespace dirmail::ctl
