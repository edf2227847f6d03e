#pragma once
// Reading users table rows into LocalUser: one column list shared by every query.
#include <string>

#include "dirmail/directory/local_directory.hpp"
#include "sqlite_database.hpp"

namespace dirmail::directory {

// Columns 0..7 of every user query; password_hash, when selected, comes last (8).
inline constexpr const char* user_columns =
    "name, domain, display_name, home, mailbox_limit, enabled, require_smtp_auth, created_at";

LocalUser read_user_row(const SqliteStatement& stmt);

}  // namespace dirmail::directory
