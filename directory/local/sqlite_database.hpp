#pragma once
// A thin RAII layer over the sqlite3 C API: one connection, prepared statements with
// bound parameters (never SQL built from input), and SQLite result codes mapped to
// dirmail errors once, here.
#include <cstdint>
#include <string>
#include <string_view>
#include <memory>
#include <unordered_map>
#include <vector>

#include "dirmail/base/result.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace dirmail::directory {

// busy, locked, I/O errors and a full disk are temporary: another writer holds the
// lock (dirmailctl while dirmaild reads) or the disk recovers.
Error sqlite_error(int code, std::string_view what, std::string_view detail);

class SqliteStatement {
 public:
  // `in_use` set: a statement of the database's cache, reset (not finalized) when done.
  SqliteStatement(sqlite3* db, sqlite3_stmt* stmt, bool* in_use = nullptr) : db_(db), stmt_(stmt), in_use_(in_use) {}
  SqliteStatement(SqliteStatement&& other) noexcept;
  SqliteStatement& operator=(SqliteStatement&&) = delete;
  SqliteStatement(const SqliteStatement&) = delete;
  ~SqliteStatement();

  // Parameters are numbered from 1, as in SQL "?1".
  SqliteStatement& bind(int index, std::string_view text);
  SqliteStatement& bind(int index, std::int64_t value);

  // true: a row is ready; false: done. Errors carry the statement's SQL text.
  Result<bool> step();
  // Runs a statement that returns no rows.
  Status run();

  std::string column_text(int index) const;
  std::int64_t column_int(int index) const;
  // Steps through every remaining row, collecting one text column.
  Result<std::vector<std::string>> column_texts(int index);

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
  bool* in_use_;
  int bind_error_ = 0;
};

class SqliteDatabase {
 public:
  // Opens (creating if missing) the database file with a busy timeout in milliseconds.
  static Result<SqliteDatabase> open(const std::string& path, int busy_timeout_ms);

  SqliteDatabase(SqliteDatabase&& other) noexcept : db_(other.db_), cache_(std::move(other.cache_)) {
    other.db_ = nullptr;
  }
  SqliteDatabase& operator=(SqliteDatabase&&) = delete;
  SqliteDatabase(const SqliteDatabase&) = delete;
  ~SqliteDatabase();

  // Statements are compiled once per SQL text and kept: lookups run on every RCPT TO
  // and every delivery, and compiling SQL cost more than running it.
  Result<SqliteStatement> prepare(std::string_view sql);
  // Runs one or more statements without parameters (schema, pragmas, BEGIN/COMMIT).
  Status exec(const char* sql);
  // Rows changed by the last INSERT, UPDATE or DELETE.
  int changes() const;

 private:
  struct CachedStatement {
    sqlite3_stmt* stmt = nullptr;
    bool in_use = false;  // a nested use of the same SQL compiles a one-off copy
  };
  explicit SqliteDatabase(sqlite3* db);
  sqlite3* db_;
  // Behind a pointer so that entries keep their address when the database is moved.
  std::unique_ptr<std::unordered_map<std::string, CachedStatement>> cache_;
};

// Rolls back unless committed: every early return inside a write leaves no half change.
class SqliteTransaction {
 public:
  // BEGIN IMMEDIATE takes the write lock up front, so a read-then-write sequence (a
  // count checked before an insert) cannot be overtaken by another process.
  static Result<SqliteTransaction> begin_immediate(SqliteDatabase& db);
  SqliteTransaction(SqliteTransaction&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }
  SqliteTransaction& operator=(SqliteTransaction&&) = delete;
  ~SqliteTransaction();
  Status commit();

 private:
  explicit SqliteTransaction(SqliteDatabase& db) : db_(&db) {}
  SqliteDatabase* db_;
};

}  // namespace dirmail::directory
