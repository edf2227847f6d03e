// import_soft_accounts: what each row of an export becomes in a target, with a target
// that records what it was asked (the real targets have integration tests against the
// Samba AD DC and the local directory).
#include "dirmail/migration/soft_account_import.hpp"

#include <unistd.h>

#include <filesystem>
#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>

#include <gtest/gtest.h>

namespace dirmail::migration {
namespace {

std::string row(std::string_view account, std::string_view password, std::string_view domain,
                std::string_view flags = "0\t0", std::string_view name = "Full Name") {
  return fmt::format("{}\t{}\t{}\t{}\t\t{}\t0\r\n", account, password, name, domain, flags);
}

SoftAccountFile read(const std::string& content) {
  auto file = read_soft_accounts(content);
  EXPECT_TRUE(file.ok());
  return file.ok() ? std::move(*file) : SoftAccountFile{};
}

class RecordingTarget final : public AccountTarget {
 public:
  explicit RecordingTarget(bool one_namespace) : one_namespace_(one_namespace) {}

  std::string description() const override { return "recording target"; }
  bool one_namespace() const override { return one_namespace_; }

  Result<std::optional<TargetAccount>> find(std::string_view account, std::string_view domain) override {
    auto it = accounts.find(key(account, domain));
    if (it == accounts.end()) return std::optional<TargetAccount>{};
    return std::optional<TargetAccount>(it->second);
  }
  Result<bool> has_domain(std::string_view domain) override {  // without case, as AD and the local directory
    return std::any_of(domains.begin(), domains.end(), [&](const std::string& d) { return domain_key(d) == domain_key(domain); });
  }
  Result<void> create_domain(std::string_view domain) override {
    domains.insert(std::string(domain));
    created_domains.push_back(std::string(domain));
    return ok_status();
  }
  std::optional<TargetFailure> check_row(const SoftAccount& row) const override {
    if (row.account.size() > 20) return TargetFailure{TargetFailureKind::refused, "longer than 20 characters"};
    return std::nullopt;
  }
  std::optional<TargetFailure> create(const NewAccount& account) override {
    created.push_back(account);
    created_after_keeping.push_back(kept_before_create);
    if (refuse_password == account.password)
      return TargetFailure{TargetFailureKind::password_policy, "constraint violation 0000052D"};
    TargetAccount t;
    t.account = account.row.account;
    t.display_name = account.row.full_name;
    t.home_folder = account.row.home_folder;
    if (!account.row.domain.empty()) t.domains = {account.row.domain};
    t.mail_user = true;
    t.imported = true;
    accounts[key(account.row.account, account.row.domain)] = t;
    return std::nullopt;
  }
  std::optional<TargetFailure> complete(const NewAccount& account, const TargetAccount&) override {
    completed.push_back(account);
    auto& t = accounts[key(account.row.account, account.row.domain)];
    t.mail_user = true;
    t.domains = {account.row.domain};
    return std::nullopt;
  }
  Result<std::optional<std::string>> check_password(std::string_view, std::string_view password) override {
    if (password == refuse_password) return std::optional<std::string>(std::string(password_policy_message));
    return std::optional<std::string>{};
  }
  Result<std::vector<SoftAccount>> list() override { return std::vector<SoftAccount>{}; }

  std::string key(std::string_view account, std::string_view domain) const {
    return account_key(account) + (one_namespace_ ? "" : "@" + domain_key(domain));
  }

  bool one_namespace_;
  std::map<std::string, TargetAccount> accounts;
  std::set<std::string> domains;
  std::vector<std::string> created_domains;
  std::vector<NewAccount> created, completed;
  std::vector<std::size_t> created_after_keeping;  // passwords kept when each create() came
  std::size_t kept_before_create = 0;
  std::string refuse_password = "pass1234";
};

const AccountImport& at_line(const ImportSummary& s, std::size_t line) {
  for (const auto& a : s.accounts)
    if (a.line == line) return a;
  throw std::runtime_error("no row at that line");
}

TEST(SoftAccountImport, CreatesEachAccountWithItsPasswordAndDomain) {
  RecordingTarget target(true);
  target.domains = {"abc.jp"};
  auto file = read(row("yamada", "Pw-Yamada-1", "abc.jp") + row("suzuki", "Pw-Suzuki-2", "abc.jp"));
  auto summary = import_soft_accounts(file, target, ImportOptions{});
  ASSERT_EQ(target.created.size(), 2u);
  EXPECT_EQ(target.created[0].row.account, "yamada");
  EXPECT_EQ(target.created[0].password, "Pw-Yamada-1");
  EXPECT_FALSE(target.created[0].must_change);
  EXPECT_EQ(at_line(summary, 2).outcome, ImportOutcome::created);
  EXPECT_EQ(summary.count(ImportOutcome::created), 2u);
  EXPECT_EQ(summary.exit_code(), 0);
}

TEST(SoftAccountImport, MissingDomainIsCreatedOnlyWhenAllowed) {
  RecordingTarget target(true);
  auto file = read(row("yamada", "Pw-Yamada-1", "abc.jp") + row("sato", "Pw-Sato-3", "abc.jp"));
  auto refused = import_soft_accounts(file, target, ImportOptions{});
  EXPECT_EQ(refused.count(ImportOutcome::failed), 2u);
  EXPECT_NE(at_line(refused, 1).reason.find("--create-domains"), std::string::npos);
  EXPECT_TRUE(target.created.empty());

  ImportOptions options;
  options.create_domains = true;
  auto made = import_soft_accounts(file, target, options);
  EXPECT_EQ(made.count(ImportOutcome::created), 2u);
  EXPECT_EQ(target.created_domains, std::vector<std::string>{"abc.jp"});
  EXPECT_EQ(made.domains_created, std::vector<std::string>{"abc.jp"});
}

TEST(SoftAccountImport, SameNameInTwoDomainsIsAConflictInOneNamespace) {
  RecordingTarget target(true);
  target.domains = {"abc.jp", "def.jp"};
  auto file = read(row("yamada", "Pw-Yamada-1", "abc.jp") + row("YAMADA", "Pw-Yamada-2", "def.jp") +
                   row("sato", "Pw-Sato-3", "abc.jp"));
  auto summary = import_soft_accounts(file, target, ImportOptions{});
  EXPECT_EQ(at_line(summary, 1).outcome, ImportOutcome::conflict);
  EXPECT_EQ(at_line(summary, 2).outcome, ImportOutcome::conflict);
  EXPECT_NE(at_line(summary, 1).reason.find("1 (abc.jp)"), std::string::npos) << at_line(summary, 1).reason;
  EXPECT_NE(at_line(summary, 1).reason.find("2 (def.jp)"), std::string::npos) << at_line(summary, 1).reason;
  EXPECT_EQ(at_line(summary, 3).outcome, ImportOutcome::created);
  ASSERT_EQ(target.created.size(), 1u);
  EXPECT_EQ(summary.exit_code(), 1);
}

TEST(SoftAccountImport, SameNameInTwoDomainsIsTwoAccountsInTheLocalDirectory) {
  RecordingTarget target(false);
  target.domains = {"abc.jp", "def.jp"};
  auto file = read(row("yamada", "Pw-Yamada-1", "abc.jp") + row("yamada", "Pw-Yamada-2", "def.jp") +
                   row("sato", "Pw-Sato-3", "abc.jp") + row("Sato", "Pw-Sato-4", "abc.jp"));
  auto summary = import_soft_accounts(file, target, ImportOptions{});
  EXPECT_EQ(at_line(summary, 1).outcome, ImportOutcome::created);
  EXPECT_EQ(at_line(summary, 2).outcome, ImportOutcome::created);
  // The same name twice in one domain is a conflict for every target.
  EXPECT_EQ(at_line(summary, 3).outcome, ImportOutcome::conflict);
  EXPECT_EQ(at_line(summary, 4).outcome, ImportOutcome::conflict);
}

TEST(SoftAccountImport, PasswordRefusedByThePolicyIsReportedWithTheOriginalsMessage) {
  RecordingTarget target(true);
  target.domains = {"abc.jp"};
  auto file = read(row("weak", "pass1234", "abc.jp"));
  auto summary = import_soft_accounts(file, target, ImportOptions{});
  const auto& a = at_line(summary, 1);
  EXPECT_EQ(a.outcome, ImportOutcome::failed);
  EXPECT_NE(a.reason.find(password_policy_message), std::string::npos);
  EXPECT_NE(a.reason.find(password_policy_message_ja), std::string::npos);
  EXPECT_EQ(a.reason.find("pass1234"), std::string::npos) << "a password is never quoted";
}

TEST(SoftAccountImport, DryRunAsksButChangesNothing) {
  RecordingTarget target(true);
  auto file = read(row("yamada", "Pw-Yamada-1", "abc.jp") + row("weak", "pass1234", "abc.jp"));
  ImportOptions options;
  options.dry_run = true;
  options.create_domains = true;
  auto summary = import_soft_accounts(file, target, options);
  EXPECT_TRUE(summary.dry_run);
  EXPECT_TRUE(target.created.empty());
  EXPECT_TRUE(target.created_domains.empty());
  EXPECT_EQ(summary.domains_created, std::vector<std::string>{"abc.jp"});
  EXPECT_EQ(at_line(summary, 1).outcome, ImportOutcome::created);
  EXPECT_EQ(at_line(summary, 2).outcome, ImportOutcome::failed);
  EXPECT_NE(at_line(summary, 2).reason.find(password_policy_message), std::string::npos);
}

TEST(SoftAccountImport, AccountWithoutPasswordGetsAGeneratedOneKeptBeforeTheAccountIsMade) {
  RecordingTarget target(true);
  target.domains = {"abc.jp"};
  auto file = read(row("nopw", "", "abc.jp"));
  ImportOptions options;
  options.generate_password = [] { return std::string("Generated-Pw-9"); };
  std::vector<std::string> kept;
  options.keep_generated_password = [&](const SoftAccount& r, const std::string& password) {
    kept.push_back(r.account + " " + password);
    ++target.kept_before_create;
    return ok_status();
  };
  auto summary = import_soft_accounts(file, target, options);
  ASSERT_EQ(target.created.size(), 1u);
  EXPECT_EQ(target.created[0].password, "Generated-Pw-9");
  EXPECT_TRUE(target.created[0].must_change);
  EXPECT_EQ(kept, std::vector<std::string>{"nopw Generated-Pw-9"});
  EXPECT_EQ(target.created_after_keeping, std::vector<std::size_t>{1}) << "kept before create()";
  EXPECT_EQ(at_line(summary, 1).generated_password, std::optional<std::string>("Generated-Pw-9"));
}

TEST(SoftAccountImport, AGeneratedPasswordThatCannotBeKeptMakesNoAccount) {
  RecordingTarget target(true);
  target.domains = {"abc.jp"};
  ImportOptions options;
  options.generate_password = [] { return std::string("Generated-Pw-9"); };
  options.keep_generated_password = [](const SoftAccount&, const std::string&) {
    return Status(make_error(ErrorCode::io_error, "disk full"));
  };
  auto summary = import_soft_accounts(read(row("nopw", "", "abc.jp")), target, options);
  EXPECT_TRUE(target.created.empty());
  EXPECT_EQ(at_line(summary, 1).outcome, ImportOutcome::failed);
  EXPECT_NE(at_line(summary, 1).reason.find("disk full"), std::string::npos);
  // Without a place to keep it at all, no account is made either.
  auto without = import_soft_accounts(read(row("nopw", "", "abc.jp")), target, ImportOptions{});
  EXPECT_TRUE(target.created.empty());
  EXPECT_EQ(at_line(without, 1).outcome, ImportOutcome::failed);
}

TEST(SoftAccountImport, DomainOutsideTheMailDomainsIsRefused) {
  // The domain field names the group a user joins in AD: only the configured mail
  // domains may be named (never "Administrators").
  RecordingTarget target(true);
  target.domains = {"abc.jp", "Administrators"};
  ImportOptions options;
  options.mail_domains = {"abc.jp"};
  auto summary = import_soft_accounts(
      read(row("yamada", "Pw-Yamada-1", "Administrators") + row("sato", "Pw-Sato-3", "other.jp") +
           row("suzuki", "Pw-Suzuki-2", "ABC.jp")),
      target, options);
  EXPECT_EQ(at_line(summary, 1).outcome, ImportOutcome::failed);
  EXPECT_EQ(at_line(summary, 2).outcome, ImportOutcome::failed);
  EXPECT_NE(at_line(summary, 2).reason.find("directory.mail_domains"), std::string::npos) << at_line(summary, 2).reason;
  EXPECT_EQ(at_line(summary, 3).outcome, ImportOutcome::created);
  ASSERT_EQ(target.created.size(), 1u);
  EXPECT_EQ(target.created[0].row.account, "suzuki");
}

TEST(SoftAccountImport, NamesDirmailCannotServeAndRowsTheTargetRefusesFailBeforeAnythingIsMade) {
  RecordingTarget target(true);
  target.domains = {"abc.jp"};
  ImportOptions options;
  options.dry_run = true;
  auto summary = import_soft_accounts(read(row("山田", "Pw-Yamada-1", "abc.jp") + row("o'brien", "Pw-Obrien-1", "abc.jp") +
                                           row("averyveryverylongname21", "Pw-Long-1", "abc.jp")),
                                      target, options);
  EXPECT_EQ(at_line(summary, 1).outcome, ImportOutcome::failed);
  EXPECT_NE(at_line(summary, 1).reason.find("dirmail cannot serve"), std::string::npos);
  EXPECT_EQ(at_line(summary, 2).outcome, ImportOutcome::failed);
  EXPECT_EQ(at_line(summary, 3).outcome, ImportOutcome::failed) << "the target's own rule, even in a dry run";
  EXPECT_NE(at_line(summary, 3).reason.find("20 characters"), std::string::npos);
}

TEST(SoftAccountImport, ExistingAccountAsTheFileSaysIsUnchangedOtherwiseAConflict) {
  RecordingTarget target(true);
  target.domains = {"abc.jp"};
  TargetAccount same{"yamada", "Full Name", "", {"abc.jp"}, true, false, 0, true};
  TargetAccount other{"suzuki", "Somebody Else", "", {}, false, false, 0, true};
  target.accounts["yamada"] = same;
  target.accounts["suzuki"] = other;
  auto file = read(row("yamada", "Pw-Yamada-1", "abc.jp") + row("suzuki", "Pw-Suzuki-2", "abc.jp"));
  auto summary = import_soft_accounts(file, target, ImportOptions{});
  EXPECT_EQ(at_line(summary, 1).outcome, ImportOutcome::unchanged);
  EXPECT_EQ(at_line(summary, 2).outcome, ImportOutcome::conflict);
  EXPECT_NE(at_line(summary, 2).reason.find("Somebody Else"), std::string::npos) << at_line(summary, 2).reason;
  EXPECT_TRUE(target.created.empty());
  EXPECT_TRUE(target.completed.empty());
}

TEST(SoftAccountImport, AccountLeftHalfMadeByAnEarlierRunIsCompleted) {
  RecordingTarget target(true);
  target.domains = {"abc.jp"};
  target.accounts["yamada"] = TargetAccount{"yamada", "Full Name", "", {}, false, true, 0, true};
  auto file = read(row("yamada", "Pw-Yamada-1", "abc.jp"));
  auto summary = import_soft_accounts(file, target, ImportOptions{});
  EXPECT_EQ(at_line(summary, 1).outcome, ImportOutcome::completed);
  ASSERT_EQ(target.completed.size(), 1u);
  auto again = import_soft_accounts(file, target, ImportOptions{});
  EXPECT_EQ(at_line(again, 1).outcome, ImportOutcome::unchanged);
  EXPECT_EQ(target.completed.size(), 1u);
}

TEST(SoftAccountImport, ImportedAccountChangedSinceIsAConflictNotCompleted) {
  RecordingTarget target(true);
  target.domains = {"abc.jp"};
  target.accounts["yamada"] = TargetAccount{"yamada", "Renamed Since", "", {}, false, true, 0, true};
  auto summary = import_soft_accounts(read(row("yamada", "Pw-Yamada-1", "abc.jp")), target, ImportOptions{});
  EXPECT_EQ(at_line(summary, 1).outcome, ImportOutcome::conflict);
  EXPECT_TRUE(target.completed.empty());
}

TEST(SoftAccountImport, ImportedAccountLeftBeforeItsPasswordIsFinishedWithIt) {
  RecordingTarget target(true);
  target.domains = {"abc.jp"};
  target.accounts["yamada"] = TargetAccount{"yamada", "Full Name", "", {}, false, true, 0, false};
  auto summary = import_soft_accounts(read(row("yamada", "Pw-Yamada-1", "abc.jp")), target, ImportOptions{});
  EXPECT_EQ(at_line(summary, 1).outcome, ImportOutcome::completed);
  ASSERT_EQ(target.completed.size(), 1u);
  EXPECT_EQ(target.completed[0].password, "Pw-Yamada-1");
  EXPECT_TRUE(target.created.empty());
}

TEST(SoftAccountImport, ImportedAccountMovedToAnotherDomainOrOutOfTheMailGroupIsAConflict) {
  RecordingTarget target(true);
  target.domains = {"abc.jp", "def.jp"};
  target.accounts["yamada"] = TargetAccount{"yamada", "Full Name", "", {"abc.jp"}, true, true, 0, true};
  target.accounts["sato"] = TargetAccount{"sato", "Full Name", "", {"def.jp"}, false, true, 0, true};
  auto summary = import_soft_accounts(read(row("yamada", "Pw-Yamada-1", "def.jp") + row("sato", "Pw-Sato-3", "def.jp")),
                                      target, ImportOptions{});
  EXPECT_EQ(at_line(summary, 1).outcome, ImportOutcome::conflict);
  EXPECT_EQ(at_line(summary, 2).outcome, ImportOutcome::conflict);
  EXPECT_TRUE(target.completed.empty());
}

TEST(SoftAccountImport, OneCommonBoxForTwoDomainsAccountsIsAConflictInTheLocalDirectoryToo) {
  RecordingTarget target(false);
  target.domains = {"abc.jp", "def.jp"};
  ImportOptions options;
  options.mail_source = OriginalMailboxPlace{OriginalLayout::common, "/nonexistent"};
  auto summary = import_soft_accounts(read(row("yamada", "Pw-Yamada-1", "abc.jp") + row("yamada", "Pw-Yamada-2", "def.jp")),
                                      target, options);
  EXPECT_EQ(at_line(summary, 1).outcome, ImportOutcome::conflict);
  EXPECT_NE(at_line(summary, 1).reason.find("common box"), std::string::npos) << at_line(summary, 1).reason;
  options.mail_source->layout = OriginalLayout::per_domain;
  auto per_domain = import_soft_accounts(
      read(row("yamada", "Pw-Yamada-1", "abc.jp") + row("yamada", "Pw-Yamada-2", "def.jp")), target, options);
  EXPECT_EQ(at_line(per_domain, 1).outcome, ImportOutcome::created);
  EXPECT_EQ(at_line(per_domain, 2).outcome, ImportOutcome::created);
}

class SoftAccountImportSecrets : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("import-secrets-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    auto key = auth::SealingKey::create((dir_ / "key").string());
    ASSERT_TRUE(key.ok());
    key_ = *key;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::filesystem::path dir_;
  std::optional<auth::SealingKey> key_;
};

TEST_F(SoftAccountImportSecrets, FlaggedAccountsPasswordGoesToTheSecretsFileOnce) {
  RecordingTarget target(true);
  target.domains = {"abc.jp"};
  auto file = read(row("yamada", "Pw-Yamada-1", "abc.jp", "1\t0") + row("sato", "Pw-Sato-3", "abc.jp", "0\t1") +
                   row("plain", "Pw-Plain-5", "abc.jp"));
  auto secrets = auth::SecretsFileEdit::load((dir_ / "secrets").string());
  ASSERT_TRUE(secrets.ok());
  ImportOptions options;
  options.secrets = &*secrets;
  options.sealing_key = &*key_;
  auto summary = import_soft_accounts(file, target, options);
  EXPECT_TRUE(at_line(summary, 1).secret_written);
  EXPECT_TRUE(at_line(summary, 2).secret_written);
  EXPECT_FALSE(at_line(summary, 3).secret_written);

  auto reread = auth::SecretsFileEdit::load((dir_ / "secrets").string());
  ASSERT_TRUE(reread.ok());
  ASSERT_EQ(reread->entries().size(), 2u);
  EXPECT_EQ(reread->entries()[0].login, "yamada");
  auto opened = key_->open("yamada", reread->entries()[0].value);
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(*opened, "Pw-Yamada-1");

  // A second run finds the entries and leaves the file as it is.
  auto before = auth::SecretsFileEdit::load((dir_ / "secrets").string());
  ASSERT_TRUE(before.ok());
  options.secrets = &*before;
  auto again = import_soft_accounts(file, target, options);
  EXPECT_FALSE(at_line(again, 1).secret_written);
  auto after = auth::SecretsFileEdit::load((dir_ / "secrets").string());
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->entries()[0].value, reread->entries()[0].value);
}

TEST_F(SoftAccountImportSecrets, DryRunSaysTheSecretWouldBeWrittenWithoutAKey) {
  RecordingTarget target(true);
  target.domains = {"abc.jp"};
  auto secrets = auth::SecretsFileEdit::load((dir_ / "secrets").string());
  ASSERT_TRUE(secrets.ok());
  ImportOptions options;
  options.dry_run = true;
  options.secrets = &*secrets;  // no sealing key: a dry run does not load or make one
  auto summary = import_soft_accounts(read(row("yamada", "Pw-Yamada-1", "abc.jp", "1\t0")), target, options);
  EXPECT_TRUE(at_line(summary, 1).secret_written);
  EXPECT_TRUE(at_line(summary, 1).notes.empty());
  EXPECT_FALSE(std::filesystem::exists(dir_ / "secrets"));
}

TEST_F(SoftAccountImportSecrets, LocalDirectoryKeysSecretsByAddress) {
  RecordingTarget target(false);
  target.domains = {"abc.jp"};
  auto file = read(row("yamada", "Pw-Yamada-1", "abc.jp", "1\t1"));
  auto secrets = auth::SecretsFileEdit::load((dir_ / "secrets").string());
  ASSERT_TRUE(secrets.ok());
  ImportOptions options;
  options.secrets = &*secrets;
  options.sealing_key = &*key_;
  (void)import_soft_accounts(file, target, options);
  ASSERT_EQ(secrets->entries().size(), 1u);
  EXPECT_EQ(secrets->entries()[0].login, "yamada@abc.jp");
}

TEST(SoftAccountImport, UnreadableRowsAreCountedAsSkippedAndMakeTheExitStatusOne) {
  RecordingTarget target(true);
  target.domains = {"abc.jp"};
  auto file = read(row("yamada", "Pw-Yamada-1", "abc.jp") + "broken\trow\r\n");
  auto summary = import_soft_accounts(file, target, ImportOptions{});
  EXPECT_EQ(summary.count(ImportOutcome::created), 1u);
  EXPECT_EQ(summary.count(ImportOutcome::skipped), 1u);
  ASSERT_EQ(summary.problems.size(), 1u);
  EXPECT_EQ(summary.problems[0].line, 2u);
  EXPECT_EQ(summary.exit_code(), 1);
}

}  // namespace
}  // namespace dirmail::migration
