// Parsing of ENABLE (RFC 5161) and the QUOTA commands (RFC 9208).
#include <gtest/gtest.h>

#include "dirmail/imap/command.hpp"

namespace dirmail::imap {
namespace {

ImapCommand parse_ok(std::string_view text) {
  auto c = parse_imap_command(text);
  EXPECT_TRUE(c.ok()) << text << ": " << (c.ok() ? "" : c.error().message);
  return c.ok() ? std::move(*c) : ImapCommand{};
}

TEST(ParseQuotaCommands, GetQuotaRootAndGetQuota) {
  auto c = parse_ok("q GETQUOTAROOT INBOX");
  EXPECT_EQ(c.name, CommandName::getquotaroot);
  EXPECT_EQ(c.args, std::vector<std::string>{"INBOX"});
  c = parse_ok("q getquota \"\"");
  EXPECT_EQ(c.name, CommandName::getquota);
  EXPECT_EQ(c.args, std::vector<std::string>{""});
  EXPECT_EQ(parse_ok("q GETQUOTAROOT {11}\r\nArchiv&AOQ-").args.at(0), "Archiv&AOQ-");
  EXPECT_FALSE(parse_imap_command("q GETQUOTAROOT").ok());
  EXPECT_FALSE(parse_imap_command("q GETQUOTA \"\" extra").ok());
  EXPECT_FALSE(parse_imap_command("q UID GETQUOTA \"\"").ok());
}

TEST(ParseQuotaCommands, SetQuotaGrammarIsCheckedThoughTheCommandIsRefused) {
  auto c = parse_ok("q SETQUOTA \"\" (STORAGE 512)");
  EXPECT_EQ(c.name, CommandName::setquota);
  EXPECT_EQ(c.args, std::vector<std::string>{""});
  EXPECT_TRUE(parse_imap_command("q SETQUOTA \"\" ()").ok());  // removes every limit
  EXPECT_TRUE(parse_imap_command("q SETQUOTA root (STORAGE 18446744073709551615 MESSAGE 10)").ok());
  EXPECT_FALSE(parse_imap_command("q SETQUOTA \"\"").ok());
  EXPECT_FALSE(parse_imap_command("q SETQUOTA \"\" (STORAGE)").ok());
  EXPECT_FALSE(parse_imap_command("q SETQUOTA \"\" (STORAGE -1)").ok());
  EXPECT_FALSE(parse_imap_command("q SETQUOTA \"\" (STORAGE 1 )").ok());
  std::string many = "q SETQUOTA \"\" (";
  for (std::size_t i = 0; i <= max_arguments; ++i) many += (i ? " " : "") + std::string("STORAGE 1");
  auto too_many = parse_imap_command(many + ")");
  ASSERT_FALSE(too_many.ok());
  EXPECT_EQ(too_many.error().code, ErrorCode::limit_exceeded);
}

TEST(ParseEnable, CapabilityNamesAsSent) {
  auto c = parse_ok("e ENABLE CONDSTORE utf8=accept X-Other");
  EXPECT_EQ(c.name, CommandName::enable);
  EXPECT_EQ(c.args, (std::vector<std::string>{"CONDSTORE", "utf8=accept", "X-Other"}));
  EXPECT_FALSE(parse_imap_command("e ENABLE").ok());  // at least one name
  EXPECT_FALSE(parse_imap_command("e ENABLE ").ok());
  EXPECT_FALSE(parse_imap_command("e ENABLE (CONDSTORE)").ok());
  std::string many = "e ENABLE";
  for (std::size_t i = 0; i <= max_arguments; ++i) many += " X";
  auto too_many = parse_imap_command(many);
  ASSERT_FALSE(too_many.ok());
  EXPECT_EQ(too_many.error().code, ErrorCode::limit_exceeded);
}

}  // namespace
}  // namespace dirmail::imap
