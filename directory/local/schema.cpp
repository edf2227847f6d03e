#include "schema.hpp"

#include <string>

namespace dirmail::directory {
namespace {

// Names are stored lower case (the code canonicalises them), so plain equality is the
// case-insensitive comparison. Targets of an alias are kept in order, comma-joined:
// a valid address never contains a comma.
constexpr const char* schema_v1 = R"sql(
CREATE TABLE domains (
  name          TEXT PRIMARY KEY NOT NULL,
  account_limit INTEGER NOT NULL DEFAULT 0 CHECK (account_limit >= 0),
  created_at    INTEGER NOT NULL
);
CREATE TABLE users (
  id                INTEGER PRIMARY KEY,
  name              TEXT NOT NULL,
  domain            TEXT NOT NULL REFERENCES domains (name),
  password_hash     TEXT NOT NULL,
  display_name      TEXT NOT NULL DEFAULT '',
  home              TEXT NOT NULL DEFAULT '',
  mailbox_limit     INTEGER NOT NULL DEFAULT 0 CHECK (mailbox_limit >= 0),
  enabled           INTEGER NOT NULL DEFAULT 1,
  require_smtp_auth INTEGER NOT NULL DEFAULT 0,
  created_at        INTEGER NOT NULL,
  UNIQUE (name, domain)
);
CREATE INDEX users_by_name ON users (name);
CREATE TABLE aliases (
  local_part TEXT NOT NULL,
  domain     TEXT NOT NULL REFERENCES domains (name),
  targets    TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (local_part, domain)
);
PRAGMA user_version = 1;
)sql";

Result<int> read_user_version(SqliteDatabase& db) {
  auto stmt = db.prepare("PRAGMA user_version");
  if (!stmt) return std::move(stmt).error();
  auto row = stmt->step();
  if (!row) return std::move(row).error();
  if (!*row) return make_error(ErrorCode::internal, "PRAGMA user_version returned no row");
  return static_cast<int>(stmt->column_int(0));
}

}  // namespace

Status ensure_local_schema(SqliteDatabase& db) {
  auto version = read_user_version(db);
  if (!version) return std::move(version).error();
  if (*version == local_schema_version) return ok_status();
  if (*version > local_schema_version) {
    return make_error(ErrorCode::io_error, "directory database has schema version " + std::to_string(*version) +
                                               ", newer than this dirmail understands (" +
                                               std::to_string(local_schema_version) + ")");
  }
  // Version 0 is a new file. Check again inside the write lock: dirmailctl and
  // dirmaild may both be creating it at this moment.
  auto tx = SqliteTransaction::begin_immediate(db);
  if (!tx) return std::move(tx).error();
  version = read_user_version(db);
  if (!version) return std::move(version).error();
  if (*version == 0) DIRMAIL_TRY(db.exec(schema_v1));
  return tx->commit();
}

}  // namespace dirmail::directory
