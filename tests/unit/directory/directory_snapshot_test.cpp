// DirectorySnapshot: the last-known-good copy of the directory served during outages.
#include "dirmail/directory/directory_snapshot.hpp"

#include <sqlite3.h>
#include <sys/stat.h>

#include <atomic>
#include <cstdint>
#include <fstream>
#include <limits>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "temp_directory.hpp"

namespace dirmail::directory {
namespace {

using testing::TempFolder;

SnapshotOptions fast_options() {
  SnapshotOptions options;
  options.hash_cost = PasswordHashCost::minimum();
  return options;
}

std::unique_ptr<DirectorySnapshot> open_snapshot(const std::filesystem::path& file) {
  auto snapshot = DirectorySnapshot::open(file.string(), fast_options());
  if (!snapshot) throw std::runtime_error("open failed: " + snapshot.error().message);
  return std::move(*snapshot);
}

Account account(std::string name, std::string domain = "example.test") {
  Account a;
  a.name = std::move(name);
  a.domain = std::move(domain);
  a.display_name = a.name + " Example";
  a.groups = {"IMSUsers"};
  a.dn = "CN=" + a.name + ",CN=Users,DC=example,DC=test";
  return a;
}

// What an operator with sqlite3 would read from the file.
std::string query_text(const std::filesystem::path& file, const std::string& sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  std::string value;
  if (sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0) != nullptr)
    value = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return value;
}

std::string read_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

unsigned file_mode(const std::filesystem::path& file) {
  struct stat st {};
  EXPECT_EQ(::stat(file.c_str(), &st), 0) << file;
  return st.st_mode & 0777;
}

void expect_same_account(const Account& got, const Account& want) {
  EXPECT_EQ(got.name, want.name);
  EXPECT_EQ(got.domain, want.domain);
  EXPECT_EQ(got.display_name, want.display_name);
  EXPECT_EQ(got.home, want.home);
  EXPECT_EQ(got.mailbox_limit, want.mailbox_limit);
  EXPECT_EQ(got.state, want.state);
  EXPECT_EQ(got.require_smtp_auth, want.require_smtp_auth);
  EXPECT_EQ(got.groups, want.groups);
  EXPECT_EQ(got.addresses, want.addresses);
  EXPECT_EQ(got.may_log_in, want.may_log_in);
  EXPECT_EQ(got.may_receive, want.may_receive);
  EXPECT_EQ(got.dn, want.dn);
  EXPECT_EQ(got.source, AnswerSource::snapshot);
}

class DirectorySnapshotTest : public ::testing::Test {
 protected:
  std::filesystem::path file() const { return folder_.path() / "snapshot.db"; }
  void SetUp() override { snapshot_ = open_snapshot(file()); }

  TempFolder folder_;
  std::unique_ptr<DirectorySnapshot> snapshot_;
};

TEST_F(DirectorySnapshotTest, EveryFieldSurvivesAReopen) {
  Account alice;
  alice.name = "Alice";
  alice.domain = "example.test";
  alice.display_name = "Alice Liddell, Ph.D. (経理)";
  alice.home = R"(\\fs1\home$\alice)";
  alice.mailbox_limit = std::numeric_limits<std::uint64_t>::max();
  alice.state = AccountState::must_change_password;
  alice.require_smtp_auth = true;
  alice.groups = {"IMSUsers", "Sales, Tokyo", "MailStaff"};
  alice.addresses = {"a.liddell@example.test", "alice@sales.example.test"};
  alice.may_log_in = false;
  alice.may_receive = true;
  alice.dn = R"(CN=Liddell\, Alice,OU=Staff,DC=example,DC=test)";
  alice.source = AnswerSource::live;
  Account bob = account("bob", "sales.example.test");
  bob.state = AccountState::not_mail_user;
  bob.groups.clear();
  bob.may_receive = false;
  ASSERT_TRUE(snapshot_->replace_all({alice, bob}, {"example.test", "sales.example.test"}, 1700000000).ok());

  snapshot_.reset();
  auto reopened = open_snapshot(file());
  auto found = reopened->find_by_name("alice");
  ASSERT_TRUE(found.ok()) << found.error().message;
  ASSERT_TRUE(found->has_value());
  expect_same_account((*found)->account, alice);
  EXPECT_EQ((*found)->seen_at, 1700000000);

  found = reopened->find_by_name("bob");
  ASSERT_TRUE(found.ok() && found->has_value());
  expect_same_account((*found)->account, bob);
}

TEST_F(DirectorySnapshotTest, EveryAccountStateIsKept) {
  const AccountState states[] = {AccountState::active,          AccountState::disabled,
                                 AccountState::locked,          AccountState::expired,
                                 AccountState::password_expired, AccountState::must_change_password,
                                 AccountState::not_mail_user};
  std::vector<Account> accounts;
  for (AccountState state : states) {
    accounts.push_back(account("user" + std::to_string(accounts.size())));
    accounts.back().state = state;
  }
  ASSERT_TRUE(snapshot_->replace_all(accounts, {"example.test"}, 10).ok());
  for (const Account& want : accounts) {
    auto found = snapshot_->find_by_name(want.name);
    ASSERT_TRUE(found.ok() && found->has_value());
    EXPECT_EQ((*found)->account.state, want.state) << want.name;
  }
}

TEST_F(DirectorySnapshotTest, FindsByNameCaseInsensitively) {
  ASSERT_TRUE(snapshot_->replace_all({account("Alice")}, {"example.test"}, 5).ok());
  auto found = snapshot_->find_by_name("ALICE");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->account.name, "Alice");
  found = snapshot_->find_by_name("alicia");
  ASSERT_TRUE(found.ok());
  EXPECT_FALSE(found->has_value());
}

TEST_F(DirectorySnapshotTest, FindsByOwnAddressAndProxyAddressCaseInsensitively) {
  Account alice = account("alice");
  alice.addresses = {"a.liddell@example.test", "alice@sales.example.test"};
  ASSERT_TRUE(snapshot_->replace_all({alice, account("bob")}, {"example.test", "sales.example.test"}, 5).ok());

  for (const char* address : {"alice@example.test", "ALICE@Example.Test", "A.Liddell@EXAMPLE.test",
                              "alice@sales.example.test"}) {
    auto found = snapshot_->find_by_address(address);
    ASSERT_TRUE(found.ok()) << address;
    ASSERT_TRUE(found->has_value()) << address;
    EXPECT_EQ((*found)->account.name, "alice") << address;
  }
  auto bob = snapshot_->find_by_address("bob@example.test");
  ASSERT_TRUE(bob.ok() && bob->has_value());
  EXPECT_EQ((*bob)->account.name, "bob");

  // Not an address of anyone: the bare name, another domain, a near miss.
  for (const char* address : {"alice", "bob@sales.example.test", "a.liddell@example.tes", "carol@example.test"}) {
    auto found = snapshot_->find_by_address(address);
    ASSERT_TRUE(found.ok()) << address;
    EXPECT_FALSE(found->has_value()) << address;
  }
}

TEST_F(DirectorySnapshotTest, AnAddressOfTwoAccountsIsATemporaryFailureNotAGuess) {
  Account alice = account("alice");
  alice.addresses = {"sales@example.test"};
  Account bob = account("bob");
  bob.addresses = {"Sales@example.test"};
  ASSERT_TRUE(snapshot_->replace_all({alice, bob}, {"example.test"}, 5).ok());
  auto found = snapshot_->find_by_address("sales@example.test");
  ASSERT_FALSE(found.ok());
  EXPECT_EQ(found.error().code, ErrorCode::temporary_failure);
  EXPECT_NE(found.error().message.find("alice"), std::string::npos) << found.error().message;
  EXPECT_NE(found.error().message.find("bob"), std::string::npos) << found.error().message;
}

TEST_F(DirectorySnapshotTest, ReplaceAllReplacesAccountsAndDomains) {
  Account alice = account("alice");
  alice.addresses = {"boss@example.test"};
  ASSERT_TRUE(snapshot_->replace_all({alice, account("bob")}, {"example.test", "old.test"}, 100).ok());
  Account new_alice = account("alice");
  new_alice.display_name = "Alice Renamed";
  ASSERT_TRUE(snapshot_->replace_all({new_alice, account("carol")}, {"Example.TEST", "new.test"}, 200).ok());

  EXPECT_EQ(snapshot_->size(), 2u);
  EXPECT_EQ(snapshot_->taken_at(), 200);
  auto alice_found = snapshot_->find_by_name("alice");
  ASSERT_TRUE(alice_found.ok() && alice_found->has_value());
  EXPECT_EQ((*alice_found)->account.display_name, "Alice Renamed");
  EXPECT_EQ((*alice_found)->seen_at, 200);
  auto bob = snapshot_->find_by_name("bob");
  ASSERT_TRUE(bob.ok());
  EXPECT_FALSE(bob->has_value());
  // The old proxy address went with the old entry.
  auto boss = snapshot_->find_by_address("boss@example.test");
  ASSERT_TRUE(boss.ok());
  EXPECT_FALSE(boss->has_value());
  auto domains = snapshot_->mail_domains();
  ASSERT_TRUE(domains.ok());
  EXPECT_EQ(*domains, (std::vector<std::string>{"example.test", "new.test"}));
}

TEST_F(DirectorySnapshotTest, ReplaceAllKeepsVerifiersOfRemainingNamesAndDropsOthers) {
  ASSERT_TRUE(snapshot_->replace_all({account("alice"), account("bob")}, {"example.test"}, 100).ok());
  ASSERT_TRUE(snapshot_->remember_password("alice", "alice-pw").ok());
  ASSERT_TRUE(snapshot_->remember_password("bob", "bob-pw").ok());

  // alice stays (the directory now spells her name differently), bob is gone.
  ASSERT_TRUE(snapshot_->replace_all({account("ALICE"), account("carol")}, {"example.test"}, 200).ok());
  EXPECT_EQ(snapshot_->check_password("alice", "alice-pw").value(), true);
  EXPECT_EQ(snapshot_->check_password("bob", "bob-pw").value(), false);

  // bob back in the directory does not bring his old verifier back.
  ASSERT_TRUE(snapshot_->upsert(account("bob"), 300).ok());
  EXPECT_EQ(snapshot_->check_password("bob", "bob-pw").value(), false);
  EXPECT_EQ(query_text(file(), "SELECT group_concat(name_key) FROM password_verifiers"), "alice");
}

TEST_F(DirectorySnapshotTest, ADuplicateNameFailsTheSyncAndKeepsThePreviousSnapshot) {
  ASSERT_TRUE(snapshot_->replace_all({account("alice")}, {"example.test"}, 100).ok());
  ASSERT_TRUE(snapshot_->remember_password("alice", "alice-pw").ok());
  Status status = snapshot_->replace_all({account("bob"), account("carol"), account("Bob", "other.test")},
                                         {"example.test", "other.test"}, 200);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::already_exists);
  EXPECT_NE(status.error().message.find("Bob"), std::string::npos) << status.error().message;

  EXPECT_EQ(snapshot_->taken_at(), 100);
  EXPECT_EQ(snapshot_->size(), 1u);
  auto alice = snapshot_->find_by_name("alice");
  ASSERT_TRUE(alice.ok() && alice->has_value());
  auto carol = snapshot_->find_by_name("carol");
  ASSERT_TRUE(carol.ok());
  EXPECT_FALSE(carol->has_value());
  EXPECT_EQ(snapshot_->check_password("alice", "alice-pw").value(), true);
  EXPECT_EQ(*snapshot_->mail_domains(), std::vector<std::string>{"example.test"});
}

TEST_F(DirectorySnapshotTest, AnAccountWithoutANameIsRefused) {
  Status status = snapshot_->replace_all({account("")}, {"example.test"}, 100);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::invalid_argument);
  EXPECT_EQ(snapshot_->taken_at(), 0);
}

TEST_F(DirectorySnapshotTest, UpsertInsertsAndUpdatesKeepingTheVerifier) {
  ASSERT_TRUE(snapshot_->replace_all({account("alice")}, {"example.test"}, 100).ok());
  ASSERT_TRUE(snapshot_->remember_password("alice", "alice-pw").ok());

  Account changed = account("Alice");
  changed.state = AccountState::disabled;
  changed.may_log_in = false;
  changed.addresses = {"al@example.test"};
  ASSERT_TRUE(snapshot_->upsert(changed, 150).ok());
  ASSERT_TRUE(snapshot_->upsert(account("dave"), 160).ok());
  EXPECT_EQ(snapshot_->size(), 2u);
  EXPECT_EQ(snapshot_->taken_at(), 100);  // only a full sync moves it

  auto alice = snapshot_->find_by_address("al@example.test");
  ASSERT_TRUE(alice.ok() && alice->has_value());
  expect_same_account((*alice)->account, changed);
  EXPECT_EQ((*alice)->seen_at, 150);
  EXPECT_EQ(snapshot_->check_password("alice", "alice-pw").value(), true);
  auto dave = snapshot_->find_by_address("dave@example.test");
  ASSERT_TRUE(dave.ok() && dave->has_value());
  EXPECT_EQ((*dave)->seen_at, 160);
}

TEST_F(DirectorySnapshotTest, RemoveDropsTheAccountItsAddressesAndItsVerifier) {
  Account alice = account("alice");
  alice.addresses = {"boss@example.test"};
  ASSERT_TRUE(snapshot_->replace_all({alice, account("bob")}, {"example.test"}, 100).ok());
  ASSERT_TRUE(snapshot_->remember_password("alice", "alice-pw").ok());

  ASSERT_TRUE(snapshot_->remove("ALICE").ok());
  EXPECT_EQ(snapshot_->size(), 1u);
  EXPECT_FALSE(snapshot_->find_by_name("alice")->has_value());
  EXPECT_FALSE(snapshot_->find_by_address("boss@example.test")->has_value());
  EXPECT_FALSE(snapshot_->find_by_address("alice@example.test")->has_value());
  EXPECT_EQ(snapshot_->check_password("alice", "alice-pw").value(), false);
  // Removing a name that is not there changes nothing.
  ASSERT_TRUE(snapshot_->remove("nobody").ok());
  EXPECT_EQ(snapshot_->size(), 1u);
  // Back through a live lookup, without the old verifier.
  ASSERT_TRUE(snapshot_->upsert(alice, 200).ok());
  EXPECT_EQ(snapshot_->check_password("alice", "alice-pw").value(), false);
}

TEST_F(DirectorySnapshotTest, CheckPasswordNeedsARememberedMatchingPassword) {
  ASSERT_TRUE(snapshot_->replace_all({account("alice"), account("bob")}, {"example.test"}, 100).ok());
  ASSERT_TRUE(snapshot_->remember_password("Alice", "correct horse").ok());

  EXPECT_EQ(snapshot_->check_password("alice", "correct horse").value(), true);
  EXPECT_EQ(snapshot_->check_password("ALICE", "correct horse").value(), true);
  EXPECT_EQ(snapshot_->check_password("alice", "Correct horse").value(), false);
  EXPECT_EQ(snapshot_->check_password("alice", "").value(), false);
  EXPECT_EQ(snapshot_->check_password("alice", std::string(2000, 'x')).value(), false);
  // bob never logged in live: no verifier, so no offline login.
  EXPECT_EQ(snapshot_->check_password("bob", "correct horse").value(), false);
  EXPECT_EQ(snapshot_->check_password("nobody", "correct horse").value(), false);

  // The verifier is an Argon2id hash, never the password.
  std::string stored = query_text(file(), "SELECT verifier FROM password_verifiers WHERE name_key = 'alice'");
  EXPECT_TRUE(stored.starts_with("$argon2id$")) << stored;
  EXPECT_EQ(stored.find("correct horse"), std::string::npos);
}

TEST_F(DirectorySnapshotTest, RememberPasswordRefusesUnknownNamesAndBadPasswords) {
  ASSERT_TRUE(snapshot_->replace_all({account("alice")}, {"example.test"}, 100).ok());
  Status unknown = snapshot_->remember_password("nobody", "pw");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, ErrorCode::not_found);
  for (const std::string& password : {std::string(), std::string(1025, 'x')}) {
    Status bad = snapshot_->remember_password("alice", password);
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().code, ErrorCode::invalid_argument);
  }
  EXPECT_EQ(query_text(file(), "SELECT count(*) FROM password_verifiers"), "0");
}

TEST_F(DirectorySnapshotTest, ANewPasswordReplacesTheVerifierAndTheSameOneKeepsIt) {
  ASSERT_TRUE(snapshot_->replace_all({account("alice")}, {"example.test"}, 100).ok());
  const std::string sql = "SELECT verifier FROM password_verifiers WHERE name_key = 'alice'";
  ASSERT_TRUE(snapshot_->remember_password("alice", "first-pw").ok());
  std::string first = query_text(file(), sql);
  ASSERT_FALSE(first.empty());

  // The same password again (a client polling every minute): nothing rehashed.
  ASSERT_TRUE(snapshot_->remember_password("alice", "first-pw").ok());
  EXPECT_EQ(query_text(file(), sql), first);

  // Changed in AD: the old password stops working offline.
  ASSERT_TRUE(snapshot_->remember_password("alice", "second-pw").ok());
  EXPECT_NE(query_text(file(), sql), first);
  EXPECT_EQ(snapshot_->check_password("alice", "second-pw").value(), true);
  EXPECT_EQ(snapshot_->check_password("alice", "first-pw").value(), false);

  // Back to the first one: stored again, not skipped because it was seen before.
  ASSERT_TRUE(snapshot_->remember_password("alice", "first-pw").ok());
  EXPECT_EQ(snapshot_->check_password("alice", "first-pw").value(), true);

  // A live check said the password is wrong: the verifier goes.
  ASSERT_TRUE(snapshot_->forget_password("ALICE").ok());
  EXPECT_EQ(snapshot_->check_password("alice", "first-pw").value(), false);
  // And remembering the same password after that stores it again.
  ASSERT_TRUE(snapshot_->remember_password("alice", "first-pw").ok());
  EXPECT_EQ(snapshot_->check_password("alice", "first-pw").value(), true);
}

TEST(DirectorySnapshotFile, TakenAtSizeAndDomainsSurviveAReopen) {
  TempFolder folder;
  auto file = folder.path() / "state" / "snapshot.db";
  {
    auto snapshot = open_snapshot(file);
    EXPECT_EQ(snapshot->taken_at(), 0);
    EXPECT_EQ(snapshot->size(), 0u);
    ASSERT_TRUE(snapshot->replace_all({account("alice"), account("bob")}, {"example.test"}, 1712345678).ok());
    ASSERT_TRUE(snapshot->remember_password("bob", "bob-pw").ok());
  }
  auto snapshot = open_snapshot(file);
  EXPECT_EQ(snapshot->taken_at(), 1712345678);
  EXPECT_EQ(snapshot->size(), 2u);
  EXPECT_EQ(*snapshot->mail_domains(), std::vector<std::string>{"example.test"});
  EXPECT_EQ(snapshot->check_password("bob", "bob-pw").value(), true);
}

TEST(DirectorySnapshotFile, IsOwnerOnlyVersionedAndInWalMode) {
  TempFolder folder;
  auto file = folder.path() / "snapshot.db";
  auto snapshot = open_snapshot(file);
  ASSERT_TRUE(snapshot->replace_all({account("alice")}, {"example.test"}, 1).ok());
  EXPECT_EQ(file_mode(file), 0600u);
  auto wal = std::filesystem::path(file.string() + "-wal");
  ASSERT_TRUE(std::filesystem::exists(wal));
  EXPECT_EQ(file_mode(wal), 0600u);
  EXPECT_EQ(query_text(file, "PRAGMA journal_mode"), "wal");
  EXPECT_EQ(query_text(file, "PRAGMA user_version"), "1");
}

TEST(DirectorySnapshotFile, AnExistingFileReadableByOthersIsMadeOwnerOnly) {
  TempFolder folder;
  auto file = folder.path() / "snapshot.db";
  { std::ofstream create(file); }
  ASSERT_EQ(::chmod(file.c_str(), 0644), 0);
  auto snapshot = open_snapshot(file);
  EXPECT_EQ(file_mode(file), 0600u);
}

TEST(DirectorySnapshotFile, AGarbageFileIsRefusedUntouchedAndCanBeRemovedAndRecreated) {
  TempFolder folder;
  auto file = folder.path() / "snapshot.db";
  std::string garbage;
  for (int i = 0; i < 4096; ++i) garbage.push_back(static_cast<char>((i * 7919) % 251));
  { std::ofstream(file, std::ios::binary) << garbage; }

  auto refused = DirectorySnapshot::open(file.string(), fast_options());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::io_error);
  EXPECT_NE(refused.error().message.find(file.string()), std::string::npos) << refused.error().message;
  EXPECT_EQ(read_file(file), garbage);

  ASSERT_TRUE(DirectorySnapshot::remove_file(file.string()).ok());
  EXPECT_FALSE(std::filesystem::exists(file));
  auto snapshot = open_snapshot(file);
  EXPECT_EQ(snapshot->size(), 0u);
  EXPECT_EQ(snapshot->taken_at(), 0);
  ASSERT_TRUE(snapshot->replace_all({account("alice")}, {"example.test"}, 7).ok());
  EXPECT_TRUE(snapshot->find_by_name("alice")->has_value());
}

TEST(DirectorySnapshotFile, ADamagedPageIsFoundAtOpen) {
  TempFolder folder;
  auto file = folder.path() / "snapshot.db";
  {
    auto snapshot = open_snapshot(file);
    std::vector<Account> accounts;
    for (int i = 0; i < 500; ++i) accounts.push_back(account("user" + std::to_string(i)));
    ASSERT_TRUE(snapshot->replace_all(accounts, {"example.test"}, 1).ok());
  }
  // Closing checkpointed the WAL into the file; overwrite pages past the header.
  {
    std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
    ASSERT_TRUE(f.good());
    f.seekp(4096 * 2);
    std::string junk(4096 * 4, '\xA5');
    f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
  }
  auto refused = DirectorySnapshot::open(file.string(), fast_options());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::io_error);
  EXPECT_NE(refused.error().message.find("damaged"), std::string::npos) << refused.error().message;
  ASSERT_TRUE(DirectorySnapshot::remove_file(file.string()).ok());
  EXPECT_EQ(open_snapshot(file)->size(), 0u);
}

TEST(DirectorySnapshotFile, AnotherSqliteDatabaseIsNotTakenForASnapshot) {
  TempFolder folder;
  auto file = folder.path() / "directory.db";
  {
    auto local = testing::open_directory(file);
    ASSERT_TRUE(local->add_domain("example.test").ok());
  }
  std::string before = query_text(file, "SELECT group_concat(name) FROM sqlite_master WHERE type = 'table'");
  auto refused = DirectorySnapshot::open(file.string(), fast_options());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::io_error);
  EXPECT_NE(refused.error().message.find("not a dirmail directory snapshot"), std::string::npos)
      << refused.error().message;
  EXPECT_EQ(query_text(file, "SELECT group_concat(name) FROM sqlite_master WHERE type = 'table'"), before);
}

TEST(DirectorySnapshotFile, ASnapshotFromANewerDirmailIsRefused) {
  TempFolder folder;
  auto file = folder.path() / "snapshot.db";
  open_snapshot(file).reset();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "PRAGMA user_version = 2", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);

  auto refused = DirectorySnapshot::open(file.string(), fast_options());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::io_error);
  EXPECT_NE(refused.error().message.find("newer"), std::string::npos) << refused.error().message;
}

TEST(DirectorySnapshotFile, TenThousandAccountsSyncAndResync) {
  TempFolder folder;
  auto snapshot = open_snapshot(folder.path() / "snapshot.db");
  std::vector<Account> accounts;
  for (int i = 0; i < 10000; ++i) {
    Account a = account("user" + std::to_string(i));
    a.addresses = {"u" + std::to_string(i) + "@example.test"};
    a.groups = {"IMSUsers", "Group" + std::to_string(i % 50)};
    accounts.push_back(std::move(a));
  }
  ASSERT_TRUE(snapshot->replace_all(accounts, {"example.test"}, 1000).ok());
  EXPECT_EQ(snapshot->size(), 10000u);
  accounts.erase(accounts.begin(), accounts.begin() + 5000);
  for (int i = 10000; i < 12000; ++i) accounts.push_back(account("user" + std::to_string(i)));
  ASSERT_TRUE(snapshot->replace_all(accounts, {"example.test"}, 2000).ok());
  EXPECT_EQ(snapshot->size(), 7000u);

  auto kept = snapshot->find_by_address("U9999@example.test");
  ASSERT_TRUE(kept.ok() && kept->has_value());
  EXPECT_EQ((*kept)->account.name, "user9999");
  EXPECT_EQ((*kept)->account.groups, (std::vector<std::string>{"IMSUsers", "Group49"}));
  EXPECT_EQ((*kept)->seen_at, 2000);
  EXPECT_FALSE(snapshot->find_by_name("user4999")->has_value());
  EXPECT_TRUE(snapshot->find_by_address("user11999@example.test")->has_value());
}

TEST(DirectorySnapshotFile, LookupsAndWritesFromSeveralThreads) {
  TempFolder folder;
  auto snapshot = open_snapshot(folder.path() / "snapshot.db");
  ASSERT_TRUE(snapshot->replace_all({account("alice")}, {"example.test"}, 1).ok());
  ASSERT_TRUE(snapshot->remember_password("alice", "alice-pw").ok());

  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        std::string name = "t" + std::to_string(t) + "u" + std::to_string(i);
        if (!snapshot->upsert(account(name), i).ok()) ++failures;
        auto found = snapshot->find_by_address(name + "@example.test");
        if (!found.ok() || !found->has_value()) ++failures;
        auto alice = snapshot->find_by_name("alice");
        if (!alice.ok() || !alice->has_value()) ++failures;
        if (i % 5 == 0) {
          auto checked = snapshot->check_password("alice", "alice-pw");
          if (!checked.ok() || !*checked) ++failures;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(snapshot->size(), 101u);
}

}  // namespace
}  // namespace dirmail::directory
