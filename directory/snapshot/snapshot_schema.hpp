#pragma once
// The snapshot file's tables. The file is marked with its own application_id, so a
// path pointing at another SQLite file (the local directory's, say) is refused
// instead of being written into, and versioned with PRAGMA user_version so a later
// dirmail can migrate a snapshot made by an earlier one.
#include "../local/sqlite_database.hpp"
#include "dirmail/base/result.hpp"

namespace dirmail::directory {

inline constexpr int snapshot_schema_version = 1;
// "DMSS": dirmail snapshot.
inline constexpr int snapshot_application_id = 0x444d5353;

// Checks the whole file (quick_check), then creates the schema in an empty file or
// accepts the current version. A file that is not a snapshot, is damaged, or comes
// from a newer dirmail is io_error; nothing is changed in it.
Status ensure_snapshot_schema(SqliteDatabase& db);

}  // namespace dirmail::directory
