// LocalDirectory: the database file, lookups, recipient resolution, password checks.
#include "dirmail/directory/local_directory.hpp"

#include <sqlite3.h>
#include <sys/stat.h>

#include <atomic>
#include <thread>

#include <gtest/gtest.h>

#include "temp_directory.hpp"

namespace dirmail::directory {
namespace {

using testing::LocalDirectoryTest;
using testing::TempFolder;
using testing::open_directory;
using testing::user;

// Reads one value straight from the file, the way an operator with sqlite3 would.
std::string query_text(const std::filesystem::path& file, const std::string& sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  std::string value;
  if (sqlite3_step(stmt) == SQLITE_ROW) value = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return value;
}

TEST(LocalDirectoryOpen, CreatesFileParentFoldersAndSchema) {
  TempFolder folder;
  auto file = folder.path() / "var" / "lib" / "directory.db";
  auto dir = open_directory(file);
  ASSERT_TRUE(std::filesystem::exists(file));
  EXPECT_EQ(query_text(file, "PRAGMA user_version"), "1");
  EXPECT_EQ(query_text(file, "PRAGMA journal_mode"), "wal");
  EXPECT_EQ(query_text(file, "SELECT group_concat(name, ',') FROM (SELECT name FROM sqlite_master "
                             "WHERE type = 'table' ORDER BY name)"),
            "aliases,domains,users");
  // It holds password hashes: owner only.
  struct stat st{};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(dir->backend_name(), "local");
}

TEST(LocalDirectoryOpen, ReopenKeepsData) {
  TempFolder folder;
  auto file = folder.path() / "directory.db";
  {
    auto dir = open_directory(file);
    ASSERT_TRUE(dir->add_domain("example.test").ok());
    ASSERT_TRUE(dir->add_user(user("alice", "example.test")).ok());
  }
  auto dir = open_directory(file);
  auto account = dir->find_account("alice@example.test");
  ASSERT_TRUE(account.ok()) << account.error().message;
  EXPECT_EQ(account->address(), "alice@example.test");
  auto domains = dir->local_domains();
  ASSERT_TRUE(domains.ok());
  EXPECT_EQ(*domains, std::vector<std::string>{"example.test"});
}

TEST(LocalDirectoryOpen, RefusesNewerSchemaAndNonDatabaseFiles) {
  TempFolder folder;
  auto file = folder.path() / "directory.db";
  { auto dir = open_directory(file); }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "PRAGMA user_version = 99", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  auto newer = LocalDirectory::open(file.string(), testing::fast_options());
  ASSERT_FALSE(newer.ok());
  EXPECT_NE(newer.error().message.find("schema version 99"), std::string::npos) << newer.error().message;

  auto garbage = folder.path() / "garbage.db";
  {
    std::FILE* f = std::fopen(garbage.c_str(), "w");
    std::fputs("this is not an sqlite database, not at all, it is just text......\n", f);
    std::fclose(f);
  }
  auto not_db = LocalDirectory::open(garbage.string(), testing::fast_options());
  ASSERT_FALSE(not_db.ok());
  EXPECT_EQ(not_db.error().code, ErrorCode::io_error);
}

TEST_F(LocalDirectoryTest, LocalDomainsAreCaseInsensitive) {
  EXPECT_TRUE(*dir_->is_local_domain("EXAMPLE.Test"));
  EXPECT_FALSE(*dir_->is_local_domain("other.test"));
  EXPECT_FALSE(*dir_->is_local_domain("../example.test"));
}

TEST_F(LocalDirectoryTest, FindAccountByNameOrAddressAnyCase) {
  UserSpec spec = user("Alice", "Example.TEST");
  spec.display_name = "Alice Example";
  spec.home = "/home/alice";
  spec.mailbox_limit = 1000;
  spec.require_smtp_auth = true;
  ASSERT_TRUE(dir_->add_user(spec).ok());

  for (std::string login : {"alice", "ALICE", "alice@example.test", "Alice@EXAMPLE.test"}) {
    auto account = dir_->find_account(login);
    ASSERT_TRUE(account.ok()) << login << ": " << account.error().message;
    EXPECT_EQ(account->name, "alice");
    EXPECT_EQ(account->domain, "example.test");
    EXPECT_EQ(account->display_name, "Alice Example");
    EXPECT_EQ(account->home, "/home/alice");
    EXPECT_EQ(account->mailbox_limit, 1000u);
    EXPECT_TRUE(account->require_smtp_auth);
    EXPECT_EQ(account->state, AccountState::active);
  }
  auto missing = dir_->find_account("bob");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::not_found);
  auto wrong_domain = dir_->find_account("alice@other.test");
  ASSERT_FALSE(wrong_domain.ok());
  EXPECT_EQ(wrong_domain.error().code, ErrorCode::not_found);
}

TEST_F(LocalDirectoryTest, BareLoginInTwoDomainsIsAmbiguous) {
  ASSERT_TRUE(dir_->add_domain("second.test").ok());
  ASSERT_TRUE(dir_->add_user(user("alice", "example.test")).ok());
  ASSERT_TRUE(dir_->add_user(user("alice", "second.test", "other-password")).ok());
  auto bare = dir_->find_account("alice");
  ASSERT_FALSE(bare.ok());
  EXPECT_EQ(bare.error().code, ErrorCode::invalid_argument);
  EXPECT_NE(bare.error().message.find("ambiguous"), std::string::npos);
  EXPECT_EQ(dir_->find_account("alice@second.test")->domain, "second.test");
  EXPECT_FALSE(*dir_->verify_password("alice", "secret-1"));
  EXPECT_TRUE(*dir_->verify_password("alice@example.test", "secret-1"));
  EXPECT_TRUE(*dir_->verify_password("alice@second.test", "other-password"));
}

TEST_F(LocalDirectoryTest, ResolveAccountAliasCatchAllNotLocalAndUnknown) {
  ASSERT_TRUE(dir_->add_user(user("alice", "example.test")).ok());
  ASSERT_TRUE(dir_->add_user(user("bob", "example.test")).ok());
  ASSERT_TRUE(dir_->set_enabled("bob", false).ok());
  ASSERT_TRUE(dir_->add_alias("info@example.test", {"alice@example.test", "Carol@Remote.Test"}).ok());

  auto account = dir_->resolve_recipient("Alice@Example.Test");
  ASSERT_TRUE(account.ok());
  EXPECT_EQ(account->kind, RecipientKind::account);
  ASSERT_TRUE(account->account.has_value());
  EXPECT_EQ(account->account->address(), "alice@example.test");
  EXPECT_EQ(account->account->state, AccountState::active);

  auto disabled = dir_->resolve_recipient("bob@example.test");
  ASSERT_TRUE(disabled.ok());
  EXPECT_EQ(disabled->kind, RecipientKind::account);
  EXPECT_EQ(disabled->account->state, AccountState::disabled);

  auto alias = dir_->resolve_recipient("INFO@example.test");
  ASSERT_TRUE(alias.ok());
  EXPECT_EQ(alias->kind, RecipientKind::alias);
  EXPECT_EQ(alias->targets, (std::vector<std::string>{"alice@example.test", "carol@remote.test"}));

  auto not_local = dir_->resolve_recipient("alice@remote.test");
  ASSERT_TRUE(not_local.ok());
  EXPECT_EQ(not_local->kind, RecipientKind::not_local);

  auto unknown = dir_->resolve_recipient("nobody@example.test");
  ASSERT_TRUE(unknown.ok());
  EXPECT_EQ(unknown->kind, RecipientKind::unknown);

  auto odd = dir_->resolve_recipient("a+b@example.test");
  ASSERT_TRUE(odd.ok());
  EXPECT_EQ(odd->kind, RecipientKind::unknown);

  auto garbage = dir_->resolve_recipient("no-at-sign");
  ASSERT_FALSE(garbage.ok());
  EXPECT_EQ(garbage.error().code, ErrorCode::invalid_argument);
}

TEST_F(LocalDirectoryTest, CatchAllTakesOnlyAddressesThatAreNotUsersOrAliases) {
  ASSERT_TRUE(dir_->add_user(user("alice", "example.test")).ok());
  ASSERT_TRUE(dir_->add_alias("info@example.test", {"alice@example.test"}).ok());
  ASSERT_TRUE(dir_->add_alias("*@example.test", {"postmaster@example.test"}).ok());

  EXPECT_EQ(dir_->resolve_recipient("alice@example.test")->kind, RecipientKind::account);
  EXPECT_EQ(dir_->resolve_recipient("info@example.test")->targets, std::vector<std::string>{"alice@example.test"});
  auto caught = dir_->resolve_recipient("Anything+Else@example.test");
  ASSERT_TRUE(caught.ok());
  EXPECT_EQ(caught->kind, RecipientKind::alias);
  EXPECT_EQ(caught->targets, std::vector<std::string>{"postmaster@example.test"});
}

TEST_F(LocalDirectoryTest, CatchAllWithWildcardTargetCarriesTheLocalPart) {
  ASSERT_TRUE(dir_->add_domain("old.test").ok());
  ASSERT_TRUE(dir_->add_alias("*@old.test", {"*@example.test"}).ok());
  auto moved = dir_->resolve_recipient("sales@old.test");
  ASSERT_TRUE(moved.ok());
  EXPECT_EQ(moved->kind, RecipientKind::alias);
  EXPECT_EQ(moved->targets, std::vector<std::string>{"sales@example.test"});
}

TEST_F(LocalDirectoryTest, VerifyPasswordRightWrongDisabledUnknown) {
  ASSERT_TRUE(dir_->add_user(user("alice", "example.test", "right password")).ok());
  EXPECT_TRUE(*dir_->verify_password("alice", "right password"));
  EXPECT_TRUE(*dir_->verify_password("ALICE@example.TEST", "right password"));
  EXPECT_FALSE(*dir_->verify_password("alice", "wrong password"));
  EXPECT_FALSE(*dir_->verify_password("alice", "Right password"));
  EXPECT_FALSE(*dir_->verify_password("alice", ""));
  EXPECT_FALSE(*dir_->verify_password("nobody", "right password"));
  EXPECT_FALSE(*dir_->verify_password("../alice", "right password"));
  EXPECT_FALSE(*dir_->verify_password("alice", std::string(5000, 'x')));

  ASSERT_TRUE(dir_->set_enabled("alice", false).ok());
  EXPECT_FALSE(*dir_->verify_password("alice", "right password"));
  ASSERT_TRUE(dir_->set_enabled("alice", true).ok());
  EXPECT_TRUE(*dir_->verify_password("alice", "right password"));
}

TEST(LocalDirectoryVerifiedPasswords, ChangedPasswordOrStateEndsTheCachedAnswerAtOnce) {
  TempFolder folder;
  auto options = testing::fast_options();
  options.verified_password_ttl = std::chrono::seconds(300);
  auto file = folder.path() / "accounts.sqlite";
  auto server = LocalDirectory::open(file.string(), options);  // dirmaild's, with the cache
  ASSERT_TRUE(server.ok());
  auto admin = LocalDirectory::open(file.string(), testing::fast_options());  // dirmailctl's
  ASSERT_TRUE(admin.ok());
  ASSERT_TRUE((*admin)->add_domain("example.test").ok());
  ASSERT_TRUE((*admin)->add_user(user("alice", "example.test", "first password")).ok());
  EXPECT_TRUE(*(*server)->verify_password("alice", "first password"));
  EXPECT_TRUE(*(*server)->verify_password("alice", "first password"));  // from the cache
  EXPECT_FALSE(*(*server)->verify_password("alice", "wrong password"));
  EXPECT_TRUE(*(*server)->verify_password("alice", "first password"));
  // Another process changes the password: the old one is refused straight away.
  ASSERT_TRUE((*admin)->set_password("alice", "second password").ok());
  EXPECT_FALSE(*(*server)->verify_password("alice", "first password"));
  EXPECT_TRUE(*(*server)->verify_password("alice", "second password"));
  // A disabled account is refused although its password was just accepted.
  ASSERT_TRUE((*admin)->set_enabled("alice", false).ok());
  EXPECT_FALSE(*(*server)->verify_password("alice", "second password"));
}

TEST_F(LocalDirectoryTest, StoresOnlyAnArgon2idHash) {
  ASSERT_TRUE(dir_->add_user(user("alice", "example.test", "hunter2-secret")).ok());
  dir_.reset();  // flush and close, then read the file as an attacker would
  std::string stored = query_text(db_path(), "SELECT password_hash FROM users WHERE name = 'alice'");
  EXPECT_TRUE(stored.starts_with("$argon2id$")) << stored;
  EXPECT_EQ(stored.find("hunter2-secret"), std::string::npos);
}

TEST_F(LocalDirectoryTest, ConcurrentReadersFromThreadsAgree) {
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(dir_->add_user(user("user" + std::to_string(i), "example.test")).ok());
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([this, t, &wrong] {
      for (int i = 0; i < 100; ++i) {
        std::string name = "user" + std::to_string((i + t) % 20);
        auto recipient = dir_->resolve_recipient(name + "@example.test");
        if (!recipient.ok() || recipient->kind != RecipientKind::account || recipient->account->name != name) ++wrong;
        auto account = dir_->find_account(name);
        if (!account.ok() || account->name != name) ++wrong;
        if (i % 25 == 0) {
          auto verified = dir_->verify_password(name, "secret-1");
          if (!verified.ok() || !*verified) ++wrong;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(wrong.load(), 0);
}

TEST_F(LocalDirectoryTest, SecondConnectionSeesWritesWhileReading) {
  // dirmailctl and dirmaild: two processes, two connections on one file.
  auto reader = open_directory(db_path());
  std::atomic<bool> done{false};
  std::atomic<int> errors{0};
  std::thread reading([&] {
    while (!done) {
      auto recipient = reader->resolve_recipient("someone@example.test");
      if (!recipient.ok()) ++errors;
    }
  });
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(dir_->add_user(user("writer" + std::to_string(i), "example.test")).ok());
  done = true;
  reading.join();
  EXPECT_EQ(errors.load(), 0);
  auto seen = reader->find_account("writer19");
  ASSERT_TRUE(seen.ok());
  EXPECT_EQ(seen->domain, "example.test");
}

}  // namespace
}  // namespace dirmail::directory
