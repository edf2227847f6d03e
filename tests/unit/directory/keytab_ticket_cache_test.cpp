#include "dirmail/directory/keytab_ticket_cache.hpp"

#include <filesystem>

#include <gtest/gtest.h>

#include "temp_directory.hpp"

namespace dirmail::directory {
namespace {

using std::chrono::hours;
using Clock = std::chrono::system_clock;

TEST(KeytabTicketCache, RenewsAtHalfTheTicketLifetime) {
  const Clock::time_point issued(std::chrono::seconds(1'800'000'000));
  EXPECT_EQ(ticket_refresh_time(issued, issued + hours(10)), issued + hours(5));
  EXPECT_EQ(ticket_refresh_time(issued, issued + std::chrono::minutes(10)), issued + std::chrono::minutes(5));
  // A ticket that is already over (or a clock gone wrong): renew now.
  EXPECT_EQ(ticket_refresh_time(issued, issued), issued);
  EXPECT_EQ(ticket_refresh_time(issued, issued - hours(1)), issued);
}

TEST(KeytabTicketCache, MissingKeytabIsNamedWithoutAskingTheKdc) {
  testing::TempFolder folder;
  const std::string keytab = (folder.path() / "missing.keytab").string();
  auto got = KeytabTicketCache::acquire({keytab, "mail$@CORP.EXAMPLE.TEST", (folder.path() / "ccache").string(),
                                         "store.smb_logon = kerberos"});
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().code, ErrorCode::invalid_argument);
  EXPECT_EQ(got.error().message,
            "store.smb_logon = kerberos: cannot read the keytab " + keytab + ": No such file or directory");
  EXPECT_FALSE(std::filesystem::exists(folder.path() / "ccache"));
}

}  // namespace
}  // namespace dirmail::directory
