#include "dirmail/base/log_record.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

#include "dirmail/base/log.hpp"

namespace dirmail::log {
namespace {

TEST(LogRecord, ReadsFieldsQuotedValuesAndMsg) {
  auto r = parse_log_record(
      "2026-11-28T05:56:25.123Z info service=smtp type=receive queue_id=0A1B from=a@x.test size=120 "
      "to=b@y.test to=c@y.test message_id=\"<id with \\\"quote\\\" and \\\\ slash>\" msg=\"queued\"");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->date(), "2026-11-28");
  EXPECT_EQ(r->level, "info");
  EXPECT_EQ(r->service, "smtp");
  EXPECT_EQ(r->type, "receive");
  ASSERT_NE(r->find("from"), nullptr);
  EXPECT_EQ(*r->find("from"), "a@x.test");
  EXPECT_EQ(r->all("to"), (std::vector<std::string_view>{"b@y.test", "c@y.test"}));
  EXPECT_EQ(*r->find("message_id"), "<id with \"quote\" and \\ slash>");
  EXPECT_EQ(r->msg, "queued");
  EXPECT_EQ(r->find("msg"), nullptr);
}

TEST(LogRecord, MsgIsRawToTheEndOfTheLine) {
  // log.cpp writes msg unescaped: a quote inside it must not end it.
  auto r = parse_log_record("2026-11-28T00:00:00.000Z warning service=smtp type=auth user=\"\" "
                            "msg=\"AUTH failed: said \"no\" twice\"\r");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->msg, "AUTH failed: said \"no\" twice");
  EXPECT_EQ(*r->find("user"), "");
  EXPECT_EQ(r->level, "warning");
}

TEST(LogRecord, LineWithoutMsg) {
  auto r = parse_log_record("2026-11-28T00:00:00Z info service=daemon type=daemon pid=12");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->msg, "");
  EXPECT_EQ(*r->find("pid"), "12");
}

TEST(LogRecord, DamagedLinesSayWhy) {
  const char* bad[] = {
      "",
      "not a log line",
      "2026-11-28 05:56:25 info service=smtp type=receive",   // not the UTC form
      "2026-11-28T05:56:25.123 info service=smtp type=receive",  // no Z
      "2026-11-28T05:56:25.123Z INFO service=smtp type=receive",
      "2026-11-28T05:56:25.123Z info type=receive",           // no service
      "2026-11-28T05:56:25.123Z info service=smtp",           // no type
      "2026-11-28T05:56:25.123Z info service=smtp type=receive from=\"open",
      "2026-11-28T05:56:25.123Z info service=smtp type=receive from=\"bad \\x escape\"",
      "2026-11-28T05:56:25.123Z info service=smtp type=receive from=\"a\"b",
      "2026-11-28T05:56:25.123Z info service=smtp type=receive lonely",
      "2026-11-28T05:56:25.123Z info service=smtp type=receive =value",
      "2026-11-28T05:56:25.123Z info service=smtp type=receive a=b\"c",
      "2026-11-28T05:56:25.123Z info service=smtp type=receive msg=\"unterminated",
      "2026-11-28T05:56:25.123Z info service=smtp type=receive msg=\"",
  };
  for (const char* line : bad) {
    auto r = parse_log_record(line);
    ASSERT_FALSE(r.ok()) << line;
    EXPECT_EQ(r.error().code, ErrorCode::invalid_argument) << line;
    EXPECT_FALSE(r.error().message.empty());
  }
}

TEST(LogRecord, Limits) {
  std::string head = "2026-11-28T05:56:25.123Z info service=smtp type=receive";
  std::string line = head;
  for (std::size_t i = 0; i < kMaxRecordFields - 2; ++i) line += " to=x";
  EXPECT_TRUE(parse_log_record(line).ok());
  line += " to=x to=x";
  auto many = parse_log_record(line);
  ASSERT_FALSE(many.ok());
  EXPECT_EQ(many.error().code, ErrorCode::limit_exceeded);

  std::string longest = head + " v=" + std::string(kMaxRecordLineBytes - head.size() - 3, 'a');
  EXPECT_TRUE(parse_log_record(longest).ok());
  auto too_long = parse_log_record(longest + "a");
  ASSERT_FALSE(too_long.ok());
  EXPECT_EQ(too_long.error().code, ErrorCode::limit_exceeded);
}

// What LogLine writes to a log file reads back the same.
TEST(LogRecord, ReadsWhatLogLineWrites) {
  auto dir = std::filesystem::temp_directory_path() / ("log_record_test." + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  init({dir.string(), "n1", Level::info, false});
  LogLine(service("smtp"), Record::receive)
      .with("from", "")
      .with("to", "b@y.test")
      .with("message_id", "<a b=\"c\\d\">")
      .with("subject", std::string_view("tab\there"))
      .with("size", std::uint64_t{4096})
      .info("queued");
  flush_all();
  std::ifstream in(dir / "smtp" / "n1.log");
  std::string line;
  ASSERT_TRUE(std::getline(in, line));
  init({});
  std::filesystem::remove_all(dir);

  auto r = parse_log_record(line);
  ASSERT_TRUE(r.ok()) << r.error().message << ": " << line;
  EXPECT_EQ(r->service, "smtp");
  EXPECT_EQ(r->type, "receive");
  EXPECT_EQ(r->level, "info");
  EXPECT_EQ(*r->find("from"), "");
  EXPECT_EQ(*r->find("to"), "b@y.test");
  EXPECT_EQ(*r->find("message_id"), "<a b=\"c\\d\">");
  EXPECT_EQ(*r->find("subject"), "tab?here");  // control characters are written as '?'
  EXPECT_EQ(*r->find("size"), "4096");
  EXPECT_EQ(r->msg, "queued");
}

}  // namespace
}  // namespace dirmail::log
