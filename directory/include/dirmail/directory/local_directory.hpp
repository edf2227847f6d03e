#pragma once
// The embedded directory: soft accounts, mail domains and aliases in one SQLite file.
// dirmailctl edits it while dirmaild reads it (WAL mode, busy timeout). Calls block:
// make them from the blocking pool. One connection, guarded by a mutex; password
// hashing runs outside the mutex so logins do not queue behind each other.
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dirmail/base/result.hpp"
#include "dirmail/directory/directory.hpp"
#include "dirmail/directory/password_hash.hpp"
#include "dirmail/directory/verified_password_cache.hpp"

namespace dirmail::directory {

class SqliteDatabase;

struct LocalDirectoryOptions {
  // Cost of new password hashes. Tests lower it; real databases keep the default.
  PasswordHashCost hash_cost = PasswordHashCost::interactive();
  // How long a call waits for another process's write lock before temporary_failure.
  std::chrono::milliseconds busy_timeout{5000};
  // How long a password that matched is taken again without hashing it (Argon2id costs
  // tens of milliseconds per login, and mail clients log in every few minutes). The
  // account's stored hash is part of the key: a changed password ends it at once.
  std::chrono::seconds verified_password_ttl{0};
};

struct LocalDomain {
  std::string name;
  std::uint64_t account_limit = 0;  // 0 = unlimited
  std::uint64_t user_count = 0;
};

struct UserSpec {
  std::string name;  // account name, without the domain
  std::string domain;
  std::string password;
  std::string display_name;
  std::string home;
  std::uint64_t mailbox_limit = 0;  // bytes; 0 = unlimited
  bool require_smtp_auth = false;
};

struct LocalUser {
  Account account;  // state is disabled when !enabled
  bool enabled = true;
  std::int64_t created_at = 0;  // seconds since the epoch (UTC)
};

struct LocalAlias {
  std::string address;  // "local@domain"; local may be "*" (catch-all)
  std::vector<std::string> targets;
};

class LocalDirectory final : public Directory, public PasswordStore {
 public:
  // Creates the file (and missing parent folders) and the schema if they do not exist.
  static Result<std::unique_ptr<LocalDirectory>> open(const std::string& path,
                                                      const LocalDirectoryOptions& options = {});
  ~LocalDirectory() override;
  LocalDirectory(const LocalDirectory&) = delete;
  LocalDirectory& operator=(const LocalDirectory&) = delete;

  // Directory
  std::string_view backend_name() const override { return "local"; }
  Result<std::vector<std::string>> local_domains() override;
  Result<bool> is_local_domain(std::string_view domain) override;
  // "alice" must name one account across all domains; if several domains have an
  // "alice" the answer is invalid_argument (ambiguous), and "alice@domain" is needed.
  Result<Account> find_account(std::string_view login) override;
  // Order: domain not ours → not_local; exact alias; account; "*@domain" alias; unknown.
  Result<Recipient> resolve_recipient(std::string_view address) override;

  // PasswordStore: false for a wrong password, an unknown, ambiguous or disabled login.
  Result<bool> verify_password(std::string_view login, std::string_view password) override;

  // Administration (dirmailctl). Errors carry messages meant for the administrator.
  Status add_domain(std::string_view name, std::uint64_t account_limit = 0);
  // Refused while users or aliases of the domain exist.
  Status remove_domain(std::string_view name);
  Result<std::vector<LocalDomain>> list_domains();

  // The domain must exist (not_found otherwise); its account_limit is enforced
  // (limit_exceeded); an existing name@domain is already_exists.
  Status add_user(const UserSpec& spec);
  Status remove_user(std::string_view login);
  Status set_password(std::string_view login, std::string_view password);
  Status set_enabled(std::string_view login, bool enabled);
  Result<LocalUser> get_user(std::string_view login);
  // All users, or those of one domain, ordered by domain then name.
  Result<std::vector<LocalUser>> list_users(std::optional<std::string_view> domain = std::nullopt);

  // `address` is "local@domain" or "*@domain" with a local domain; each target is an
  // address, "*@domain" only for a catch-all (the local part is carried over).
  Status add_alias(std::string_view address, const std::vector<std::string>& targets);
  Status remove_alias(std::string_view address);
  Result<std::vector<LocalAlias>> list_aliases(std::optional<std::string_view> domain = std::nullopt);

 private:
  LocalDirectory(std::unique_ptr<SqliteDatabase> db, const LocalDirectoryOptions& options);
  Result<LocalUser> find_user_locked(std::string_view login, std::string* password_hash);
  Result<bool> domain_exists_locked(std::string_view canonical_domain);
  Result<std::optional<std::vector<std::string>>> alias_targets_locked(std::string_view local_part,
                                                                       std::string_view domain);
  const std::string& dummy_hash();

  std::unique_ptr<SqliteDatabase> db_;
  std::mutex mutex_;
  LocalDirectoryOptions options_;
  std::once_flag dummy_hash_once_;
  std::string dummy_hash_;
  VerifiedPasswordCache verified_;
};

}  // namespace dirmail::directory
