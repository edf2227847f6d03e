#include "sqlite_database.hpp"

#include <sqlite3.h>

namespace dirmail::directory {

Error sqlite_error(int code, std::string_view what, std::string_view detail) {
  std::string message = "sqlite: " + std::string(what) + ": " + std::string(detail);
  // Only a duplicate key means "already exists"; NOT NULL or CHECK failures are bugs.
  if (code == SQLITE_CONSTRAINT_UNIQUE || code == SQLITE_CONSTRAINT_PRIMARYKEY)
    return make_error(ErrorCode::already_exists, std::move(message));
  switch (code & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_NOMEM:
      return make_error(ErrorCode::temporary_failure, std::move(message));
    case SQLITE_CANTOPEN:
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
    case SQLITE_READONLY:
    case SQLITE_PERM:
      return make_error(ErrorCode::io_error, std::move(message));
    default:
      return make_error(ErrorCode::internal, std::move(message));
  }
}

SqliteStatement::SqliteStatement(SqliteStatement&& other) noexcept
    : db_(other.db_), stmt_(other.stmt_), in_use_(other.in_use_), bind_error_(other.bind_error_) {
  other.stmt_ = nullptr;
  other.in_use_ = nullptr;
}

SqliteStatement::~SqliteStatement() {
  if (stmt_ == nullptr) return;
  if (in_use_ == nullptr) {
    sqlite3_finalize(stmt_);
    return;
  }
  sqlite3_reset(stmt_);  // back to the cache, ready for the next caller
  sqlite3_clear_bindings(stmt_);
  *in_use_ = false;
}

SqliteStatement& SqliteStatement::bind(int index, std::string_view text) {
  // A null pointer would bind SQL NULL; an empty view must stay an empty string.
  const char* data = text.data() != nullptr ? text.data() : "";
  int rc = sqlite3_bind_text64(stmt_, index, data, text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  if (rc != SQLITE_OK && bind_error_ == 0) bind_error_ = rc;
  return *this;
}

SqliteStatement& SqliteStatement::bind(int index, std::int64_t value) {
  int rc = sqlite3_bind_int64(stmt_, index, value);
  if (rc != SQLITE_OK && bind_error_ == 0) bind_error_ = rc;
  return *this;
}

Result<bool> SqliteStatement::step() {
  if (bind_error_ != 0) return sqlite_error(bind_error_, "bind", sqlite3_errstr(bind_error_));
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return sqlite_error(rc, sqlite3_sql(stmt_), sqlite3_errmsg(db_));
}

Status SqliteStatement::run() {
  auto row = step();
  if (!row) return std::move(row).error();
  return ok_status();
}

Result<std::vector<std::string>> SqliteStatement::column_texts(int index) {
  std::vector<std::string> values;
  for (;;) {
    auto row = step();
    if (!row) return std::move(row).error();
    if (!*row) return values;
    values.push_back(column_text(index));
  }
}

std::string SqliteStatement::column_text(int index) const {
  const unsigned char* text = sqlite3_column_text(stmt_, index);
  int size = sqlite3_column_bytes(stmt_, index);
  if (text == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(text), static_cast<std::size_t>(size));
}

std::int64_t SqliteStatement::column_int(int index) const { return sqlite3_column_int64(stmt_, index); }

Result<SqliteDatabase> SqliteDatabase::open(const std::string& path, int busy_timeout_ms) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                           nullptr);
  if (rc != SQLITE_OK) {
    std::string detail = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    return sqlite_error(rc, "open " + path, detail);
  }
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, busy_timeout_ms);
  return SqliteDatabase(db);
}

SqliteDatabase::SqliteDatabase(sqlite3* db)
    : db_(db), cache_(std::make_unique<std::unordered_map<std::string, CachedStatement>>()) {}

SqliteDatabase::~SqliteDatabase() {
  if (cache_)
    for (auto& [sql, cached] : *cache_) sqlite3_finalize(cached.stmt);
  sqlite3_close(db_);
}

Result<SqliteStatement> SqliteDatabase::prepare(std::string_view sql) {
  auto [it, inserted] = cache_->try_emplace(std::string(sql));
  CachedStatement& cached = it->second;
  if (!inserted && !cached.in_use) {
    cached.in_use = true;
    return SqliteStatement(db_, cached.stmt, &cached.in_use);
  }
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) {
    if (inserted) cache_->erase(it);
    return sqlite_error(rc, sql, sqlite3_errmsg(db_));
  }
  if (!inserted) return SqliteStatement(db_, stmt);  // the cached one is busy: a one-off
  cached.stmt = stmt;
  cached.in_use = true;
  return SqliteStatement(db_, stmt, &cached.in_use);
}

Status SqliteDatabase::exec(const char* sql) {
  char* message = nullptr;
  int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &message);
  if (rc == SQLITE_OK) return ok_status();
  std::string detail = message != nullptr ? message : sqlite3_errstr(rc);
  sqlite3_free(message);
  return sqlite_error(rc, sql, detail);
}

int SqliteDatabase::changes() const { return sqlite3_changes(db_); }

Result<SqliteTransaction> SqliteTransaction::begin_immediate(SqliteDatabase& db) {
  DIRMAIL_TRY(db.exec("BEGIN IMMEDIATE"));
  return SqliteTransaction(db);
}

SqliteTransaction::~SqliteTransaction() {
  if (db_ != nullptr) (void)db_->exec("ROLLBACK");
}

Status SqliteTransaction::commit() {
  DIRMAIL_TRY(db_->exec("COMMIT"));
  db_ = nullptr;
  return ok_status();
}

}  // namespace dirmail::directory
