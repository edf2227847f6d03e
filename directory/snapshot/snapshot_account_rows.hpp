#pragma once
// One account as rows of the snapshot file: the accounts row, its groups and further
// addresses (account_values), and its entries in address_index.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "../local/sqlite_database.hpp"
#include "dirmail/base/result.hpp"
#include "dirmail/directory/directory_snapshot.hpp"

namespace dirmail::directory {

// The key of a name or an address: lower case, so equality is case-insensitive.
std::string snapshot_key(std::string_view text);

// Writes every row of `account`; none may exist yet for its name (delete them first).
// An empty name is invalid_argument; a name already present is already_exists.
Status insert_account_rows(SqliteDatabase& db, const Account& account, std::int64_t seen_at);
// Deletes the rows of one account, not its password verifier. true: it existed.
Result<bool> delete_account_rows(SqliteDatabase& db, const std::string& name_key);
Result<std::optional<DirectorySnapshot::Found>> read_account_rows(SqliteDatabase& db, const std::string& name_key);

}  // namespace dirmail::directory
