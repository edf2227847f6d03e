// DirectorySnapshot: the file, the writes from directory syncs, offline password
// verifiers and lookups. The table layout is in snapshot_schema.cpp, one account's
// rows in snapshot_account_rows.cpp.
#include "dirmail/directory/directory_snapshot.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <system_error>
#include <unordered_set>

#include "../local/sqlite_database.hpp"
#include "dirmail/base/strings.hpp"
#include "dirmail/base/time.hpp"
#include "snapshot_account_rows.hpp"
#include "snapshot_schema.hpp"

namespace dirmail::directory {
namespace {

// Only dirmaild uses the file; a wait means another dirmaild on the same path.
constexpr int busy_timeout_ms = 5000;

Error about_file(const std::string& path, Error error) {
  error.message = "directory snapshot " + path + ": " + error.message;
  return error;
}

// The file holds password verifiers: owner only, also when an older file was made
// with wider permissions. SQLite gives -wal and -shm the database file's permissions.
Status create_private_file(const std::string& path) {
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(parent, ec);
    if (ec) return errno_error("create directory", parent.string(), ec.value());
  }
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return errno_error("open", path, errno);
  struct stat st {};
  int failed_errno = 0;
  if (::fstat(fd, &st) != 0 || ((st.st_mode & 077) != 0 && ::fchmod(fd, 0600) != 0)) failed_errno = errno;
  ::close(fd);
  if (failed_errno != 0) return errno_error("make owner-only", path, failed_errno);
  return ok_status();
}

Result<std::string> read_text(SqliteDatabase& db, const char* sql) {
  auto stmt = db.prepare(sql);
  if (!stmt) return std::move(stmt).error();
  auto row = stmt->step();
  if (!row) return std::move(row).error();
  return *row ? stmt->column_text(0) : std::string();
}

Result<std::int64_t> read_integer(SqliteDatabase& db, const char* sql) {
  auto stmt = db.prepare(sql);
  if (!stmt) return std::move(stmt).error();
  auto row = stmt->step();
  if (!row) return std::move(row).error();
  return *row ? stmt->column_int(0) : 0;
}

// In WAL mode synchronous=NORMAL cannot corrupt the file on a crash (the last
// commits may be lost, which a cache of the directory can afford). A filesystem
// without shared memory keeps the rollback journal, which needs FULL for that.
Status configure_durability(SqliteDatabase& db) {
  auto mode = read_text(db, "PRAGMA journal_mode = WAL");
  if (!mode) return std::move(mode).error();
  return db.exec(*mode == "wal" ? "PRAGMA synchronous = NORMAL" : "PRAGMA synchronous = FULL");
}

bool sodium_ready() {
  static const bool ready = sodium_init() >= 0;
  return ready;
}

std::string random_key() {
  std::string key(crypto_generichash_KEYBYTES, '\0');
  if (sodium_ready()) randombytes_buf(key.data(), key.size());
  return key;
}

// A fast keyed digest of a password, only ever compared in memory.
std::string password_digest(std::string_view password, const std::string& key) {
  std::string digest(crypto_generichash_BYTES, '\0');
  crypto_generichash(reinterpret_cast<unsigned char*>(digest.data()), digest.size(),
                     reinterpret_cast<const unsigned char*>(password.data()), password.size(),
                     reinterpret_cast<const unsigned char*>(key.data()), key.size());
  return digest;
}

bool same_digest(const std::string& a, const std::string& b) {
  return a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

Result<bool> account_exists(SqliteDatabase& db, const std::string& name_key) {
  auto stmt = db.prepare("SELECT 1 FROM accounts WHERE name_key = ?1");
  if (!stmt) return std::move(stmt).error();
  stmt->bind(1, name_key);
  return stmt->step();
}

// The verifier of an account in the snapshot; empty when there is none.
Result<std::string> stored_verifier(SqliteDatabase& db, const std::string& name_key) {
  auto stmt = db.prepare(
      "SELECT v.verifier FROM password_verifiers v JOIN accounts a ON a.name_key = v.name_key "
      "WHERE v.name_key = ?1");
  if (!stmt) return std::move(stmt).error();
  stmt->bind(1, name_key);
  auto row = stmt->step();
  if (!row) return std::move(row).error();
  return *row ? stmt->column_text(0) : std::string();
}

Error unknown_name(std::string_view name) {
  return make_error(ErrorCode::not_found, "no account '" + escape_control(name) + "' in the directory snapshot");
}

Status run_with_key(SqliteDatabase& db, const char* sql, const std::string& name_key) {
  auto stmt = db.prepare(sql);
  if (!stmt) return std::move(stmt).error();
  stmt->bind(1, name_key);
  return stmt->run();
}

}  // namespace

Result<std::unique_ptr<DirectorySnapshot>> DirectorySnapshot::open(const std::string& path, SnapshotOptions options) {
  if (path.empty()) return make_error(ErrorCode::invalid_argument, "directory snapshot path is empty");
  auto opened = [&]() -> Result<std::unique_ptr<DirectorySnapshot>> {
    DIRMAIL_TRY(create_private_file(path));
    auto db = SqliteDatabase::open(path, busy_timeout_ms);
    if (!db) return std::move(db).error();
    DIRMAIL_TRY(configure_durability(*db));
    DIRMAIL_TRY(ensure_snapshot_schema(*db));
    auto taken_at = read_integer(*db, "SELECT value FROM snapshot_info WHERE key = 'taken_at'");
    if (!taken_at) return std::move(taken_at).error();
    auto size = read_integer(*db, "SELECT count(*) FROM accounts");
    if (!size) return std::move(size).error();
    auto owned = std::make_unique<SqliteDatabase>(std::move(*db));
    return std::unique_ptr<DirectorySnapshot>(
        new DirectorySnapshot(std::move(owned), options, *taken_at, static_cast<std::size_t>(*size)));
  }();
  if (!opened) return about_file(path, std::move(opened).error());
  return opened;
}

Status DirectorySnapshot::remove_file(const std::string& path) {
  if (path.empty()) return make_error(ErrorCode::invalid_argument, "directory snapshot path is empty");
  for (const char* suffix : {"-wal", "-shm", "-journal", ""}) {
    std::string file = path + suffix;
    if (::unlink(file.c_str()) != 0 && errno != ENOENT) return errno_error("remove", file, errno);
  }
  return ok_status();
}

DirectorySnapshot::DirectorySnapshot(std::unique_ptr<SqliteDatabase> db, SnapshotOptions options,
                                     std::int64_t taken_at, std::size_t size)
    : db_(std::move(db)), options_(options), taken_at_(taken_at), size_(size), digest_key_(random_key()) {}

DirectorySnapshot::~DirectorySnapshot() = default;

Status DirectorySnapshot::replace_all(const std::vector<Account>& accounts,
                                      const std::vector<std::string>& mail_domains, std::int64_t taken_at) {
  std::lock_guard lock(mutex_);
  auto tx = SqliteTransaction::begin_immediate(*db_);
  if (!tx) return std::move(tx).error();
  DIRMAIL_TRY(db_->exec("DELETE FROM address_index; DELETE FROM account_values; DELETE FROM accounts; "
                        "DELETE FROM mail_domains"));
  std::unordered_set<std::string> names;
  names.reserve(accounts.size());
  for (const Account& account : accounts) {
    DIRMAIL_TRY(insert_account_rows(*db_, account, taken_at));
    names.insert(snapshot_key(account.name));
  }
  for (const std::string& domain : mail_domains) {
    auto stmt = db_->prepare("INSERT OR IGNORE INTO mail_domains (name) VALUES (?1)");
    if (!stmt) return std::move(stmt).error();
    stmt->bind(1, to_lower(domain));
    DIRMAIL_TRY(stmt->run());
  }
  DIRMAIL_TRY(
      db_->exec("DELETE FROM password_verifiers WHERE name_key NOT IN (SELECT name_key FROM accounts)"));
  {
    auto stmt = db_->prepare("INSERT OR REPLACE INTO snapshot_info (key, value) VALUES ('taken_at', ?1)");
    if (!stmt) return std::move(stmt).error();
    stmt->bind(1, taken_at);
    DIRMAIL_TRY(stmt->run());
  }
  DIRMAIL_TRY(tx->commit());
  taken_at_ = taken_at;
  size_ = names.size();
  std::erase_if(remembered_, [&](const auto& entry) { return !names.contains(entry.first); });
  return ok_status();
}

Status DirectorySnapshot::upsert(const Account& account, std::int64_t seen_at) {
  std::string key = snapshot_key(account.name);
  std::lock_guard lock(mutex_);
  auto tx = SqliteTransaction::begin_immediate(*db_);
  if (!tx) return std::move(tx).error();
  auto existed = delete_account_rows(*db_, key);
  if (!existed) return std::move(existed).error();
  DIRMAIL_TRY(insert_account_rows(*db_, account, seen_at));
  DIRMAIL_TRY(tx->commit());
  if (!*existed) ++size_;
  return ok_status();
}

Status DirectorySnapshot::remove(std::string_view name) {
  std::string key = snapshot_key(name);
  std::lock_guard lock(mutex_);
  auto tx = SqliteTransaction::begin_immediate(*db_);
  if (!tx) return std::move(tx).error();
  auto existed = delete_account_rows(*db_, key);
  if (!existed) return std::move(existed).error();
  DIRMAIL_TRY(run_with_key(*db_, "DELETE FROM password_verifiers WHERE name_key = ?1", key));
  DIRMAIL_TRY(tx->commit());
  if (*existed) --size_;
  remembered_.erase(key);
  return ok_status();
}

Status DirectorySnapshot::remember_password(std::string_view name, std::string_view password) {
  if (password.empty() || password.size() > max_password_length)
    return make_error(ErrorCode::invalid_argument, "password is empty or longer than 1024 bytes");
  std::string key = snapshot_key(name);
  std::string digest = password_digest(password, digest_key_);
  {
    std::lock_guard lock(mutex_);
    auto exists = account_exists(*db_, key);
    if (!exists) return std::move(exists).error();
    if (!*exists) return unknown_name(name);
    auto current = stored_verifier(*db_, key);
    if (!current) return std::move(current).error();
    auto it = remembered_.find(key);
    if (it != remembered_.end() && !current->empty() && it->second.verifier == *current &&
        same_digest(it->second.digest, digest))
      return ok_status();
  }
  auto verifier = hash_password(password, options_.hash_cost);  // slow: outside the lock
  if (!verifier) return std::move(verifier).error();
  std::lock_guard lock(mutex_);
  // The account may have been removed while the hash was being made.
  auto exists = account_exists(*db_, key);
  if (!exists) return std::move(exists).error();
  if (!*exists) return unknown_name(name);
  auto stmt = db_->prepare(
      "INSERT OR REPLACE INTO password_verifiers (name_key, verifier, stored_at) VALUES (?1, ?2, ?3)");
  if (!stmt) return std::move(stmt).error();
  stmt->bind(1, key).bind(2, *verifier).bind(3, unix_now());
  DIRMAIL_TRY(stmt->run());
  remembered_[key] = RememberedPassword{std::move(digest), std::move(*verifier)};
  return ok_status();
}

Status DirectorySnapshot::forget_password(std::string_view name) {
  std::string key = snapshot_key(name);
  std::lock_guard lock(mutex_);
  DIRMAIL_TRY(run_with_key(*db_, "DELETE FROM password_verifiers WHERE name_key = ?1", key));
  remembered_.erase(key);
  return ok_status();
}

const std::string& DirectorySnapshot::dummy_verifier() {
  std::call_once(dummy_once_, [this] {
    auto verifier = hash_password("dirmail snapshot timing equaliser", options_.hash_cost);
    if (verifier) dummy_verifier_ = std::move(*verifier);
  });
  return dummy_verifier_;
}

Result<bool> DirectorySnapshot::check_password(std::string_view name, std::string_view password) {
  if (password.empty()) return false;
  std::string key = snapshot_key(name);
  auto verifier = [&] {
    std::lock_guard lock(mutex_);
    return stored_verifier(*db_, key);
  }();
  if (!verifier) return std::move(verifier).error();
  if (verifier->empty()) {
    (void)verify_password_hash(dummy_verifier(), password);  // as slow as a real check
    return false;
  }
  return verify_password_hash(*verifier, password);
}

Result<std::optional<DirectorySnapshot::Found>> DirectorySnapshot::find_by_name(std::string_view name) {
  std::lock_guard lock(mutex_);
  return read_account_rows(*db_, snapshot_key(name));
}

Result<std::optional<DirectorySnapshot::Found>> DirectorySnapshot::find_by_address(std::string_view address) {
  std::lock_guard lock(mutex_);
  auto stmt = db_->prepare("SELECT name_key FROM address_index WHERE address_key = ?1 ORDER BY name_key LIMIT 2");
  if (!stmt) return std::move(stmt).error();
  stmt->bind(1, snapshot_key(address));
  auto row = stmt->step();
  if (!row) return std::move(row).error();
  if (!*row) return std::optional<Found>();
  std::string first = stmt->column_text(0);
  auto second = stmt->step();
  if (!second) return std::move(second).error();
  if (*second) {
    return make_error(ErrorCode::temporary_failure, "address '" + escape_control(address) +
                                                        "' belongs to two accounts in the directory snapshot (" +
                                                        first + ", " + stmt->column_text(0) + ")");
  }
  return read_account_rows(*db_, first);
}

Result<std::vector<std::string>> DirectorySnapshot::mail_domains() {
  std::lock_guard lock(mutex_);
  auto stmt = db_->prepare("SELECT name FROM mail_domains ORDER BY name");
  if (!stmt) return std::move(stmt).error();
  return stmt->column_texts(0);
}

std::int64_t DirectorySnapshot::taken_at() const {
  std::lock_guard lock(mutex_);
  return taken_at_;
}

std::size_t DirectorySnapshot::size() const {
  std::lock_guard lock(mutex_);
  return size_;
}

}  // namespace dirmail::directory
