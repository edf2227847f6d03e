#include "snapshot_schema.hpp"

#include <string>

namespace dirmail::directory {
namespace {

// name_key is the lower-cased name: lookups are case-insensitive while `name` keeps
// the spelling the directory gave. Lists (groups, further addresses) are rows of
// account_values in their original order: a group name may contain any character,
// so no separator could join them safely. address_index answers "whose address is
// this", including the implied name@domain; one address may (wrongly) belong to two
// accounts, and the lookup reports that instead of choosing.
constexpr const char* schema_v1 = R"sql(
CREATE TABLE snapshot_info (
  key   TEXT PRIMARY KEY NOT NULL,
  value INTEGER NOT NULL
);
CREATE TABLE accounts (
  name_key          TEXT PRIMARY KEY NOT NULL,
  name              TEXT NOT NULL,
  domain            TEXT NOT NULL,
  display_name      TEXT NOT NULL,
  home              TEXT NOT NULL,
  mailbox_limit     INTEGER NOT NULL,
  state             TEXT NOT NULL,
  require_smtp_auth INTEGER NOT NULL,
  may_log_in        INTEGER NOT NULL,
  may_receive       INTEGER NOT NULL,
  dn                TEXT NOT NULL,
  seen_at           INTEGER NOT NULL
);
CREATE TABLE account_values (
  name_key TEXT NOT NULL,
  kind     INTEGER NOT NULL,
  position INTEGER NOT NULL,
  value    TEXT NOT NULL,
  PRIMARY KEY (name_key, kind, position)
) WITHOUT ROWID;
CREATE TABLE address_index (
  address_key TEXT NOT NULL,
  name_key    TEXT NOT NULL,
  PRIMARY KEY (address_key, name_key)
) WITHOUT ROWID;
CREATE INDEX address_index_by_name ON address_index (name_key);
CREATE TABLE mail_domains (
  name TEXT PRIMARY KEY NOT NULL
);
CREATE TABLE password_verifiers (
  name_key  TEXT PRIMARY KEY NOT NULL,
  verifier  TEXT NOT NULL,
  stored_at INTEGER NOT NULL
);
PRAGMA user_version = 1;
)sql";

Result<std::int64_t> read_integer(SqliteDatabase& db, const char* sql) {
  auto stmt = db.prepare(sql);
  if (!stmt) return std::move(stmt).error();
  auto row = stmt->step();
  if (!row) return std::move(row).error();
  if (!*row) return make_error(ErrorCode::internal, std::string(sql) + " returned no row");
  return stmt->column_int(0);
}

// quick_check finds damaged pages and indexes in O(size of the file): cheap for a
// snapshot, and far better at start-up than a lookup failing during an outage.
Status check_integrity(SqliteDatabase& db) {
  auto stmt = db.prepare("PRAGMA quick_check(1)");
  if (!stmt) return std::move(stmt).error();
  auto row = stmt->step();
  if (!row) return std::move(row).error();
  std::string verdict = *row ? stmt->column_text(0) : "no answer";
  if (verdict != "ok") return make_error(ErrorCode::io_error, "snapshot file is damaged: " + verdict);
  return ok_status();
}

Error not_a_snapshot(const std::string& why) {
  return make_error(ErrorCode::io_error, "not a dirmail directory snapshot: " + why);
}

}  // namespace

Status ensure_snapshot_schema(SqliteDatabase& db) {
  DIRMAIL_TRY(check_integrity(db));
  auto tx = SqliteTransaction::begin_immediate(db);
  if (!tx) return std::move(tx).error();
  auto application_id = read_integer(db, "PRAGMA application_id");
  if (!application_id) return std::move(application_id).error();
  auto version = read_integer(db, "PRAGMA user_version");
  if (!version) return std::move(version).error();
  auto tables = read_integer(db, "SELECT count(*) FROM sqlite_master");
  if (!tables) return std::move(tables).error();

  if (*application_id == 0 && *version == 0 && *tables == 0) {
    DIRMAIL_TRY(db.exec(schema_v1));
    std::string mark = "PRAGMA application_id = " + std::to_string(snapshot_application_id);
    DIRMAIL_TRY(db.exec(mark.c_str()));
    return tx->commit();
  }
  if (*application_id != snapshot_application_id)
    return not_a_snapshot("the file holds other data (application_id " + std::to_string(*application_id) + ")");
  if (*version > snapshot_schema_version) {
    return make_error(ErrorCode::io_error, "snapshot has schema version " + std::to_string(*version) +
                                               ", newer than this dirmail understands (" +
                                               std::to_string(snapshot_schema_version) + ")");
  }
  if (*version < 1) return not_a_snapshot("schema version " + std::to_string(*version));
  return tx->commit();  // version 1: current, nothing to migrate yet
}

}  // namespace dirmail::directory
