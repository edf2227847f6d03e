#pragma once
// The local directory's tables, versioned with PRAGMA user_version so a later dirmail
// can migrate a database made by an earlier one.
#include "dirmail/base/result.hpp"
#include "sqlite_database.hpp"

namespace dirmail::directory {

inline constexpr int local_schema_version = 1;

// Creates the schema in an empty database, accepts the current version, and refuses a
// database made by a newer dirmail (it may hold data this version would damage).
Status ensure_local_schema(SqliteDatabase& db);

}  // namespace dirmail::directory
