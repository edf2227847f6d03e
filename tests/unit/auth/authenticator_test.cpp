#include "dirmail/auth/authenticator.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "dirmail/base/strings.hpp"
#include "secrets_file_fixture.hpp"

namespace dirmail::auth {
namespace {

using directory::Account;
using directory::AccountState;

Account mail_user(std::string name, AccountState state = AccountState::active) {
  Account a;
  a.name = std::move(name);
  a.domain = "example.test";
  a.state = state;
  a.may_log_in = state == AccountState::active;
  a.may_receive = state == AccountState::active;
  return a;
}

// Finds accounts by "name@domain", or by a bare "name" when one domain has it (two
// soft accounts of the same name in two domains make the bare name ambiguous); `down`
// makes every lookup a temporary failure, as an unreachable DC would.
class FakeDirectory : public directory::Directory {
 public:
  void add(Account a) { accounts_[a.address()] = std::move(a); }
  bool down = false;
  int lookups = 0;

  std::string_view backend_name() const override { return "fake"; }
  Result<std::vector<std::string>> local_domains() override { return std::vector<std::string>{"example.test"}; }
  Result<bool> is_local_domain(std::string_view d) override { return iequals(d, "example.test"); }
  Result<Account> find_account(std::string_view login) override {
    ++lookups;
    if (down) return make_error(ErrorCode::temporary_failure, "DC unreachable");
    std::string key = to_lower(login);
    if (key.find('@') != std::string::npos) {
      auto it = accounts_.find(key);
      if (it == accounts_.end()) return make_error(ErrorCode::not_found, "no such user");
      return it->second;
    }
    std::optional<Account> found;
    for (const auto& [address, a] : accounts_) {
      if (a.name != key) continue;
      if (found) return make_error(ErrorCode::invalid_argument, "ambiguous login");
      found = a;
    }
    if (!found) return make_error(ErrorCode::not_found, "no such user");
    return *found;
  }
  Result<directory::Recipient> resolve_recipient(std::string_view) override { return directory::Recipient{}; }

 private:
  std::map<std::string, Account> accounts_;
};

// The directory's own password check (Kerberos, a bind): a password per login.
class FakeVerifier : public PasswordVerifier {
 public:
  explicit FakeVerifier(FakeDirectory& dir) : dir_(dir) {}
  void set(std::string login, std::string password) { passwords_[std::move(login)] = std::move(password); }
  bool down = false;
  int calls = 0;

  Result<std::optional<Account>> verify(std::string_view login, std::string_view password) override {
    ++calls;
    if (down) return make_error(ErrorCode::temporary_failure, "KDC unreachable");
    auto it = passwords_.find(to_lower(login));
    if (it == passwords_.end() || it->second != password) return std::optional<Account>();
    auto account = dir_.find_account(login);
    if (!account) return std::move(account).error();
    if (!account->may_log_in) return std::optional<Account>();
    return std::optional<Account>(std::move(*account));
  }

 private:
  FakeDirectory& dir_;
  std::map<std::string, std::string> passwords_;
};

PasswordCredentials creds(std::string authzid, std::string authcid, std::string password) {
  return {std::move(authzid), std::move(authcid), std::move(password)};
}

class AuthenticatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_.add(mail_user("alice"));
    dir_.add(mail_user("bob"));
    dir_.add(mail_user("tim"));
    dir_.add(mail_user("olga", AccountState::not_mail_user));
    verifier_.set("alice", "alice-dir-pw");
    verifier_.set("alice@example.test", "alice-dir-pw");
    verifier_.set("bob", "bob-dir-pw");
    verifier_.set("admin", "admin-dir-pw");
    secrets_folder_.write({
        secrets_folder_.sealed_line("alice", "alice-file-pw"),
        testing::SecretsFolder::hashed_line("bob", "bob-file-pw"),
        secrets_folder_.sealed_line("tim", "tanstaaftanstaaf"),
        testing::SecretsFolder::hashed_line("admin", "admin-file-pw"),
        secrets_folder_.sealed_line("olga", "olga-file-pw"),
    });
    auto file = SecretsFile::open(secrets_folder_.file_path(), secrets_folder_.key_path());
    ASSERT_TRUE(file.ok()) << file.error().message;
    secrets_ = *file;
  }

  Authenticator with_secrets(std::vector<std::string> masters = {"Admin"}) {
    return Authenticator(dir_, verifier_, secrets_, std::move(masters));
  }
  Authenticator without_secrets() { return Authenticator(dir_, verifier_, nullptr, {"admin"}); }

  // The account name of a yes, "" for a no; fails the test on an error.
  static std::string who(const LoginAnswer& answer) {
    EXPECT_TRUE(answer.ok()) << answer.error().message;
    if (!answer.ok() || !answer->has_value()) return "";
    return (*answer)->name;
  }

  FakeDirectory dir_;
  FakeVerifier verifier_{dir_};
  testing::SecretsFolder secrets_folder_;
  std::shared_ptr<SecretsFile> secrets_;
};

TEST(PasswordSource, Parses) {
  EXPECT_EQ(parse_password_source("directory"), PasswordSource::directory);
  EXPECT_EQ(parse_password_source("secrets_file"), PasswordSource::secrets_file);
  EXPECT_FALSE(parse_password_source("file").has_value());
  EXPECT_FALSE(parse_password_source("").has_value());
}

TEST_F(AuthenticatorTest, DirectorySourceUsesTheDirectoryPassword) {
  auto auth = with_secrets();
  EXPECT_EQ(who(auth.password(creds("", "alice", "alice-dir-pw"), PasswordSource::directory)), "alice");
  EXPECT_EQ(who(auth.password(creds("", "alice", "alice-file-pw"), PasswordSource::directory)), "");
  EXPECT_EQ(who(auth.password(creds("", "alice", "wrong"), PasswordSource::directory)), "");
  EXPECT_EQ(who(auth.password(creds("", "mallory", "alice-dir-pw"), PasswordSource::directory)), "");
}

TEST_F(AuthenticatorTest, SecretsFileSourceUsesTheFilePassword) {
  auto auth = with_secrets();
  EXPECT_EQ(who(auth.password(creds("", "alice", "alice-file-pw"), PasswordSource::secrets_file)), "alice");
  EXPECT_EQ(who(auth.password(creds("", "alice@example.test", "alice-file-pw"), PasswordSource::secrets_file)),
            "alice");
  EXPECT_EQ(who(auth.password(creds("", "bob", "bob-file-pw"), PasswordSource::secrets_file)), "bob");
  EXPECT_EQ(who(auth.password(creds("", "alice", "alice-dir-pw"), PasswordSource::secrets_file)), "");
  EXPECT_EQ(verifier_.calls, 0) << "the directory's password check was asked";
  // In the file, but not a mail user: no.
  EXPECT_EQ(who(auth.password(creds("", "olga", "olga-file-pw"), PasswordSource::secrets_file)), "");
  // No secrets file at all: every password is a no.
  auto bare = without_secrets();
  EXPECT_EQ(who(bare.password(creds("", "alice", "alice-file-pw"), PasswordSource::secrets_file)), "");
}

TEST_F(AuthenticatorTest, AuthzidMayNameTheUserOnly) {
  auto auth = with_secrets();
  for (auto source : {PasswordSource::directory, PasswordSource::secrets_file}) {
    std::string pw = source == PasswordSource::directory ? "alice-dir-pw" : "alice-file-pw";
    EXPECT_EQ(who(auth.password(creds("alice", "alice", pw), source)), "alice");
    EXPECT_EQ(who(auth.password(creds("ALICE", "alice", pw), source)), "alice");
    EXPECT_EQ(who(auth.password(creds("alice@example.test", "alice", pw), source)), "alice");
    EXPECT_EQ(who(auth.password(creds("Alice@Example.Test", "alice", pw), source)), "alice");
    EXPECT_EQ(who(auth.password(creds("bob", "alice", pw), source)), "");
    EXPECT_EQ(who(auth.password(creds("bob@example.test", "alice", pw), source)), "");
    EXPECT_EQ(who(auth.password(creds("alice@other.test", "alice", pw), source)), "");
  }
}

TEST_F(AuthenticatorTest, MasterUserActsAsAnotherUserWithItsFilePassword) {
  auto auth = with_secrets();
  for (auto source : {PasswordSource::directory, PasswordSource::secrets_file}) {
    EXPECT_EQ(who(auth.password(creds("bob", "admin", "admin-file-pw"), source)), "bob");
    EXPECT_EQ(who(auth.password(creds("alice@example.test", "ADMIN", "admin-file-pw"), source)), "alice");
    // Its directory password does not serve, nor a wrong one.
    EXPECT_EQ(who(auth.password(creds("bob", "admin", "admin-dir-pw"), source)), "");
    EXPECT_EQ(who(auth.password(creds("bob", "admin", "wrong"), source)), "");
    // Only as a mail user who may log in.
    EXPECT_EQ(who(auth.password(creds("mallory", "admin", "admin-file-pw"), source)), "");
    EXPECT_EQ(who(auth.password(creds("olga", "admin", "admin-file-pw"), source)), "");
  }
  // A master user's password is the file's, whatever the service's source.
  EXPECT_EQ(verifier_.calls, 0);
}

TEST_F(AuthenticatorTest, OnlyListedMasterUsersMayTakeAnotherIdentity) {
  auto auth = with_secrets({});
  EXPECT_EQ(who(auth.password(creds("bob", "admin", "admin-file-pw"), PasswordSource::directory)), "");
  EXPECT_EQ(who(auth.password(creds("bob", "admin", "admin-file-pw"), PasswordSource::secrets_file)), "");
  // A mail user with a file password is not a master user either.
  auto listed = with_secrets();
  EXPECT_EQ(who(listed.password(creds("bob", "alice", "alice-file-pw"), PasswordSource::secrets_file)), "");
  // Without a secrets file there are no master users.
  auto bare = without_secrets();
  EXPECT_EQ(who(bare.password(creds("bob", "admin", "admin-file-pw"), PasswordSource::directory)), "");
}

TEST_F(AuthenticatorTest, MasterUserWithoutAuthzidIsOnlyItself) {
  auto auth = with_secrets();
  // admin is not a mail user: logging in as itself gives nothing.
  EXPECT_EQ(who(auth.password(creds("", "admin", "admin-file-pw"), PasswordSource::secrets_file)), "");
  EXPECT_EQ(who(auth.password(creds("", "admin", "admin-file-pw"), PasswordSource::directory)), "");
  EXPECT_EQ(who(auth.password(creds("admin", "admin", "admin-file-pw"), PasswordSource::secrets_file)), "");
  // Once it is a mail user, it logs in as one, with the password of the source.
  dir_.add(mail_user("admin"));
  EXPECT_EQ(who(auth.password(creds("", "admin", "admin-file-pw"), PasswordSource::secrets_file)), "admin");
  EXPECT_EQ(who(auth.password(creds("", "admin", "admin-dir-pw"), PasswordSource::directory)), "admin");
  EXPECT_EQ(who(auth.password(creds("", "admin", "admin-file-pw"), PasswordSource::directory)), "");
}

TEST_F(AuthenticatorTest, SharedSecretProvesTheSealedPassword) {
  auto auth = with_secrets();
  EXPECT_TRUE(auth.shared_secrets_available());
  EXPECT_TRUE(auth.has_secret(mail_user("alice")));
  EXPECT_FALSE(auth.has_secret(mail_user("mallory")));
  std::string seen;
  auto yes = auth.shared_secret("alice", [&](std::string_view secret) {
    seen = secret;
    return true;
  });
  EXPECT_EQ(seen, "alice-file-pw");
  EXPECT_EQ(who(yes), "alice");
  EXPECT_EQ(who(auth.shared_secret("alice", [](std::string_view) { return false; })), "");
  // A hashed entry has no shared secret: the proof is not even attempted.
  bool asked = false;
  EXPECT_EQ(who(auth.shared_secret("bob", [&](std::string_view) { return asked = true; })), "");
  EXPECT_FALSE(asked);
  EXPECT_EQ(who(auth.shared_secret("mallory", [](std::string_view) { return true; })), "");
  // In the file, but not a mail user.
  EXPECT_EQ(who(auth.shared_secret("olga", [](std::string_view) { return true; })), "");
}

TEST_F(AuthenticatorTest, WithoutASecretsFileSharedSecretRefuses) {
  auto auth = without_secrets();
  EXPECT_FALSE(auth.shared_secrets_available());
  EXPECT_FALSE(auth.has_secret(mail_user("alice")));
  bool asked = false;
  EXPECT_EQ(who(auth.shared_secret("alice", [&](std::string_view) { return asked = true; })), "");
  EXPECT_FALSE(asked);
}

TEST_F(AuthenticatorTest, CheckTakesACramMd5Claim) {
  auto auth = with_secrets();
  SaslClaim claim;
  claim.mechanism = SaslPasswordMechanism::cram_md5;
  claim.challenge = "<1896.697170952@postoffice.reston.mci.net>";  // RFC 2195's example
  claim.cram = {"tim", "b913a602c7eda7a495b4e6e7334d3890"};
  EXPECT_EQ(who(auth.check(claim, PasswordSource::directory)), "tim");
  claim.cram.digest = "b913a602c7eda7a495b4e6e7334d3891";
  EXPECT_EQ(who(auth.check(claim, PasswordSource::directory)), "");
  claim.cram = {"alice", "b913a602c7eda7a495b4e6e7334d3890"};
  EXPECT_EQ(who(auth.check(claim, PasswordSource::directory)), "");
  EXPECT_EQ(who(without_secrets().check(claim, PasswordSource::directory)), "");
}

TEST_F(AuthenticatorTest, CheckTakesAPasswordClaim) {
  auto auth = with_secrets();
  SaslClaim claim;
  claim.mechanism = SaslPasswordMechanism::login;
  claim.credentials = creds("", "alice", "alice-dir-pw");
  EXPECT_EQ(who(auth.check(claim, PasswordSource::directory)), "alice");
  EXPECT_EQ(who(auth.check(claim, PasswordSource::secrets_file)), "");
  claim.mechanism = SaslPasswordMechanism::plain;
  claim.credentials = creds("bob", "admin", "admin-file-pw");
  EXPECT_EQ(who(auth.check(claim, PasswordSource::directory)), "bob");
}

TEST_F(AuthenticatorTest, DirectoryOutageIsAnErrorNotANo) {
  auto auth = with_secrets();
  auto expect_outage = [](const LoginAnswer& answer, const char* what) {
    ASSERT_FALSE(answer.ok()) << what << ": a directory outage became a yes or a no";
    EXPECT_EQ(answer.error().code, ErrorCode::temporary_failure) << what;
  };
  verifier_.down = true;
  expect_outage(auth.password(creds("", "alice", "alice-dir-pw"), PasswordSource::directory), "directory source");
  expect_outage(auth.password(creds("alice@example.test", "alice", "alice-dir-pw"), PasswordSource::directory),
                "directory source with authzid");
  verifier_.down = false;
  dir_.down = true;
  expect_outage(auth.password(creds("", "alice", "alice-dir-pw"), PasswordSource::directory), "account lookup");
  expect_outage(auth.password(creds("", "alice", "alice-file-pw"), PasswordSource::secrets_file),
                "secrets_file source");
  expect_outage(auth.password(creds("bob", "admin", "admin-file-pw"), PasswordSource::directory), "master user");
  expect_outage(auth.shared_secret("alice", [](std::string_view) { return true; }), "shared secret");
  // The account comes first, so a wrong password is an outage too, never a "no" that
  // counts against the user.
  expect_outage(auth.password(creds("", "alice", "wrong"), PasswordSource::secrets_file), "wrong file password");
}

TEST_F(AuthenticatorTest, ABareNameEntryServesOnlyTheAccountThatNameFinds) {
  auto auth = with_secrets();
  // "alice" finds alice@example.test: the entry "alice" serves her, by either login.
  EXPECT_EQ(who(auth.password(creds("", "alice@example.test", "alice-file-pw"), PasswordSource::secrets_file)),
            "alice");
  // Another soft account alice@other.test: the bare name is now ambiguous, so the entry
  // "alice" serves neither (an entry per address would).
  Account other = mail_user("alice");
  other.domain = "other.test";
  dir_.add(other);
  EXPECT_EQ(who(auth.password(creds("", "alice@other.test", "alice-file-pw"), PasswordSource::secrets_file)), "");
  EXPECT_EQ(who(auth.shared_secret("alice@other.test", [](std::string_view) { return true; })), "");
  EXPECT_FALSE(auth.has_secret(other));
}

}  // namespace
}  // namespace dirmail::auth
