// QUOTA (RFC 9208) and ENABLE (RFC 5161) over a real socket: the one quota root "",
// STORAGE in KiB against the account's or the server's mailbox limit, SETQUOTA
// refused, and ENABLE that has nothing to enable yet.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "memory_mail_store.hpp"
#include "session_harness.hpp"

namespace dirmail::imap {
namespace {

using testing::ImapClient;
using testing::ImapServer;
using testing::MemoryMailStore;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

enum class Backend { memory, posix };

ImapOptions with_limit(std::uint64_t limit) {
  auto o = ImapServer::default_options();
  o.mailbox_limit = limit;
  return o;
}

class QuotaSessionTest : public ::testing::TestWithParam<Backend> {
 protected:
  explicit QuotaSessionTest(std::uint64_t limit = 10 * 1024)
      : server_(with_limit(limit), true, GetParam() == Backend::memory ? &memory_ : nullptr), client_(server_.port()) {
    client_.line();
  }
  void login() { EXPECT_THAT(client_.command("l", "LOGIN alice@example.test \"secret pw\""), HasSubstr("l OK")); }
  // "* QUOTA" as the store's usage says it should read: KiB, rounded up.
  std::string expected_quota(std::uint64_t limit_kib) {
    auto usage = server_.store().usage(server_.alice_root());
    EXPECT_TRUE(usage.ok());
    const std::uint64_t used = usage.ok() ? (*usage + 1023) / 1024 : 0;
    return "* QUOTA \"\" (STORAGE " + std::to_string(used) + " " + std::to_string(limit_kib) + ")\r\n";
  }

  MemoryMailStore memory_;
  ImapServer server_;
  ImapClient client_;
};

class UnlimitedQuotaSessionTest : public QuotaSessionTest {
 protected:
  UnlimitedQuotaSessionTest() : QuotaSessionTest(0) {}
};

TEST_P(QuotaSessionTest, CapabilitiesOfferQuotaAndEnableButNotQuotaSet) {
  const std::string caps = client_.command("c", "CAPABILITY");
  EXPECT_THAT(caps, HasSubstr(" ENABLE "));
  EXPECT_THAT(caps, HasSubstr(" QUOTA QUOTA=RES-STORAGE "));
  EXPECT_THAT(caps, Not(HasSubstr("QUOTASET")));
}

TEST_P(QuotaSessionTest, QuotaCommandsNeedALogin) {
  EXPECT_THAT(client_.command("q", "GETQUOTAROOT INBOX"), StartsWith("q BAD Log in first"));
  EXPECT_THAT(client_.command("e", "ENABLE CONDSTORE"), StartsWith("e BAD Log in first"));
}

TEST_P(QuotaSessionTest, UsageInKibGrowsWithTheMailbox) {
  login();
  EXPECT_EQ(client_.command("a", "GETQUOTAROOT INBOX"),
            "* QUOTAROOT INBOX \"\"\r\n" + expected_quota(10) + "a OK GETQUOTAROOT completed\r\n");
  const auto before = server_.store().usage(server_.alice_root());
  server_.deliver("Subject: big\r\n\r\n" + std::string(3000, 'x') + "\r\n");
  const auto after = server_.store().usage(server_.alice_root());
  ASSERT_TRUE(before.ok() && after.ok());
  EXPECT_GE(*after - *before, 3000u);
  const std::string quota = expected_quota(10);
  if (GetParam() == Backend::memory) {
    EXPECT_EQ(quota, "* QUOTA \"\" (STORAGE 3 10)\r\n");  // 3018 bytes
  }
  EXPECT_EQ(client_.command("b", "GETQUOTA \"\""), quota + "b OK GETQUOTA completed\r\n");
  // Any folder has the same one root; the name comes back as the client wrote it.
  EXPECT_EQ(client_.command("c", "GETQUOTAROOT \"Sent\""),
            "* QUOTAROOT Sent \"\"\r\n" + quota + "c OK GETQUOTAROOT completed\r\n");
}

TEST_P(QuotaSessionTest, UnknownRootsAndMailboxesAndSetQuotaAreRefused) {
  login();
  EXPECT_THAT(client_.command("a", "GETQUOTA INBOX"), StartsWith("a NO [NONEXISTENT] No such quota root"));
  EXPECT_THAT(client_.command("b", "GETQUOTAROOT Nowhere"), StartsWith("b NO [NONEXISTENT]"));
  EXPECT_THAT(client_.command("c", "GETQUOTAROOT ../other"), StartsWith("c NO [CANNOT]"));
  EXPECT_THAT(client_.command("d", "SETQUOTA \"\" (STORAGE 1000000)"), StartsWith("d NO [NOPERM]"));
  // Unchanged by SETQUOTA.
  EXPECT_THAT(client_.command("e", "GETQUOTA \"\""), HasSubstr(" 10)\r\ne OK"));
}

TEST_P(UnlimitedQuotaSessionTest, NoLimitMeansNoQuotaRoot) {
  login();
  EXPECT_EQ(client_.command("a", "GETQUOTAROOT INBOX"), "* QUOTAROOT INBOX\r\na OK GETQUOTAROOT completed\r\n");
  EXPECT_THAT(client_.command("b", "GETQUOTA \"\""), StartsWith("b NO [NONEXISTENT]"));
}

TEST_P(QuotaSessionTest, EnableAnswersWithWhatItEnabled) {
  login();
  // UTF8=ACCEPT is not implemented: not enabled, and not an error.
  EXPECT_EQ(client_.command("e", "ENABLE UTF8=ACCEPT CONDSTORE X-UNKNOWN"), "* ENABLED CONDSTORE\r\ne OK ENABLE completed\r\n");
  EXPECT_EQ(client_.command("q", "ENABLE CONDSTORE QRESYNC"), "* ENABLED QRESYNC\r\nq OK ENABLE completed\r\n");
  client_.command("s", "SELECT INBOX");
  EXPECT_THAT(client_.command("f", "ENABLE CONDSTORE"), StartsWith("f BAD"));
  EXPECT_THAT(client_.command("u", "UNSELECT"), StartsWith("u OK"));
  EXPECT_THAT(client_.command("g", "ENABLE CONDSTORE"), HasSubstr("g OK"));
}

std::string backend_name(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::memory ? "Memory" : "Posix";
}

INSTANTIATE_TEST_SUITE_P(Stores, QuotaSessionTest, ::testing::Values(Backend::memory, Backend::posix), backend_name);
INSTANTIATE_TEST_SUITE_P(Stores, UnlimitedQuotaSessionTest, ::testing::Values(Backend::memory, Backend::posix),
                         backend_name);

}  // namespace
}  // namespace dirmail::imap
