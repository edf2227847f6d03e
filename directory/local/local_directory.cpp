// LocalDirectory: opening the database, the Directory lookups and password checks.
// The administration calls are in local_directory_admin.cpp.
#include "dirmail/directory/local_directory.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <system_error>

#include "dirmail/base/strings.hpp"
#include "dirmail/directory/mail_names.hpp"
#include "schema.hpp"
#include "sqlite_database.hpp"
#include "user_row.hpp"

namespace dirmail::directory {
namespace {

bool is_file_path(const std::string& path) { return path != ":memory:" && !path.starts_with("file:"); }

// The file holds password hashes: create it readable by its owner only. SQLite gives
// the -wal and -shm files the same permissions as the database file.
Status create_private_file(const std::string& path) {
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(parent, ec);
    if (ec) return errno_error("create directory", parent.string(), ec.value());
  }
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return errno_error("open", path, errno);
  ::close(fd);
  return ok_status();
}

Error not_found_user(std::string_view login) {
  return make_error(ErrorCode::not_found, "no such user: " + std::string(login));
}

}  // namespace

Result<std::unique_ptr<LocalDirectory>> LocalDirectory::open(const std::string& path,
                                                             const LocalDirectoryOptions& options) {
  if (path.empty()) return make_error(ErrorCode::invalid_argument, "directory database path is empty");
  if (is_file_path(path)) DIRMAIL_TRY(create_private_file(path));
  auto db = SqliteDatabase::open(path, static_cast<int>(options.busy_timeout.count()));
  if (!db) return std::move(db).error();
  // WAL lets dirmaild read while dirmailctl writes. A filesystem without shared
  // memory support keeps the rollback journal, which is slower but still correct.
  DIRMAIL_TRY(db->exec("PRAGMA journal_mode = WAL"));
  DIRMAIL_TRY(db->exec("PRAGMA foreign_keys = ON"));
  DIRMAIL_TRY(ensure_local_schema(*db));
  auto owned = std::make_unique<SqliteDatabase>(std::move(*db));
  return std::unique_ptr<LocalDirectory>(new LocalDirectory(std::move(owned), options));
}

LocalDirectory::LocalDirectory(std::unique_ptr<SqliteDatabase> db, const LocalDirectoryOptions& options)
    : db_(std::move(db)), options_(options), verified_(options.verified_password_ttl) {}

LocalDirectory::~LocalDirectory() = default;

Result<std::vector<std::string>> LocalDirectory::local_domains() {
  std::lock_guard lock(mutex_);
  auto stmt = db_->prepare("SELECT name FROM domains ORDER BY name");
  if (!stmt) return std::move(stmt).error();
  return stmt->column_texts(0);
}

Result<bool> LocalDirectory::is_local_domain(std::string_view domain) {
  std::lock_guard lock(mutex_);
  return domain_exists_locked(to_lower(domain));
}

Result<bool> LocalDirectory::domain_exists_locked(std::string_view canonical_domain) {
  auto stmt = db_->prepare("SELECT 1 FROM domains WHERE name = ?1");
  if (!stmt) return std::move(stmt).error();
  stmt->bind(1, canonical_domain);
  return stmt->step();
}

Result<LocalUser> LocalDirectory::find_user_locked(std::string_view login, std::string* password_hash) {
  auto parsed = parse_login(login);
  if (!parsed) return std::move(parsed).error();
  std::string sql = std::string("SELECT ") + user_columns + ", password_hash FROM users WHERE name = ?1";
  if (!parsed->domain.empty()) sql += " AND domain = ?2";
  sql += " LIMIT 2";
  auto stmt = db_->prepare(sql);
  if (!stmt) return std::move(stmt).error();
  stmt->bind(1, parsed->name);
  if (!parsed->domain.empty()) stmt->bind(2, parsed->domain);
  auto row = stmt->step();
  if (!row) return std::move(row).error();
  if (!*row) return not_found_user(login);
  LocalUser user = read_user_row(*stmt);
  if (password_hash != nullptr) *password_hash = stmt->column_text(8);
  auto second = stmt->step();
  if (!second) return std::move(second).error();
  if (*second) {
    return make_error(ErrorCode::invalid_argument, "login '" + parsed->name +
                                                       "' is ambiguous: it exists in several domains; use " +
                                                       parsed->name + "@DOMAIN");
  }
  return user;
}

Result<Account> LocalDirectory::find_account(std::string_view login) {
  std::lock_guard lock(mutex_);
  auto user = find_user_locked(login, nullptr);
  if (!user) return std::move(user).error();
  return std::move(user->account);
}

Result<std::optional<std::vector<std::string>>> LocalDirectory::alias_targets_locked(std::string_view local_part,
                                                                                     std::string_view domain) {
  auto stmt = db_->prepare("SELECT targets FROM aliases WHERE local_part = ?1 AND domain = ?2");
  if (!stmt) return std::move(stmt).error();
  stmt->bind(1, local_part).bind(2, domain);
  auto row = stmt->step();
  if (!row) return std::move(row).error();
  if (!*row) return std::optional<std::vector<std::string>>();
  std::vector<std::string> targets;
  std::string joined = stmt->column_text(0);  // split() returns views into it
  for (std::string_view target : split(joined, ',')) {
    if (!target.empty()) targets.emplace_back(target);
  }
  return std::optional<std::vector<std::string>>(std::move(targets));
}

Result<Recipient> LocalDirectory::resolve_recipient(std::string_view address) {
  auto parts = split_address(address);
  if (!parts) return std::move(parts).error();
  std::lock_guard lock(mutex_);

  auto local = domain_exists_locked(parts->domain);
  if (!local) return std::move(local).error();
  if (!*local) return Recipient{RecipientKind::not_local, std::nullopt, {}};

  auto alias = alias_targets_locked(parts->local_part, parts->domain);
  if (!alias) return std::move(alias).error();
  if (*alias) return Recipient{RecipientKind::alias, std::nullopt, std::move(**alias)};

  // A local part that is not a valid account name (say "a+b") cannot be a user, but a
  // catch-all alias still takes it.
  if (canonical_account_name(parts->local_part)) {
    auto stmt = db_->prepare(std::string("SELECT ") + user_columns + " FROM users WHERE name = ?1 AND domain = ?2");
    if (!stmt) return std::move(stmt).error();
    stmt->bind(1, parts->local_part).bind(2, parts->domain);
    auto row = stmt->step();
    if (!row) return std::move(row).error();
    if (*row) return Recipient{RecipientKind::account, read_user_row(*stmt).account, {}};
  }

  auto catch_all = alias_targets_locked("*", parts->domain);
  if (!catch_all) return std::move(catch_all).error();
  if (*catch_all) {
    // "*@other.test" as a target carries the local part over: info@a → info@other.test.
    std::vector<std::string> targets;
    for (const std::string& target : **catch_all)
      targets.push_back(target.starts_with("*@") ? parts->local_part + target.substr(1) : target);
    return Recipient{RecipientKind::alias, std::nullopt, std::move(targets)};
  }
  return Recipient{RecipientKind::unknown, std::nullopt, {}};
}

const std::string& LocalDirectory::dummy_hash() {
  std::call_once(dummy_hash_once_, [this] {
    auto hash = hash_password("dirmail timing equaliser", options_.hash_cost);
    if (hash) dummy_hash_ = std::move(*hash);
  });
  return dummy_hash_;
}

Result<bool> LocalDirectory::verify_password(std::string_view login, std::string_view password) {
  std::string hash;
  auto user = [&] {
    std::lock_guard lock(mutex_);
    return find_user_locked(login, &hash);
  }();
  // Hashing runs outside the lock: it takes tens of milliseconds by design.
  if (!user) {
    const Error& error = user.error();
    if (error.code != ErrorCode::not_found && error.code != ErrorCode::invalid_argument) return error;
    // Spend the same time as for a real account, so response time does not tell
    // which logins exist.
    (void)verify_password_hash(dummy_hash(), password);
    return false;
  }
  if (!user->enabled) return false;
  // Keyed by the stored hash as well: a password changed by dirmailctl (another process)
  // is not taken from the cache.
  const std::string cache_key = user->account.name + "@" + user->account.domain + "\n" + hash;
  if (options_.verified_password_ttl.count() > 0 && verified_.contains(cache_key, password)) return true;
  bool matches = verify_password_hash(hash, password);
  if (!matches) {
    verified_.forget(cache_key);
    return false;
  }
  if (options_.verified_password_ttl.count() > 0) verified_.remember(cache_key, password);
  return true;
}

}  // namespace dirmail::directory
