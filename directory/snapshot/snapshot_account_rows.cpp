#include "snapshot_account_rows.hpp"

#include <array>
#include <utility>

#include "dirmail/base/strings.hpp"

namespace dirmail::directory {
namespace {

// account_values.kind
constexpr std::int64_t group_value = 0;
constexpr std::int64_t address_value = 1;

// The stored spelling of each state. It is part of the file format, so it is kept
// here, apart from to_string (log text that may change).
constexpr std::array<std::pair<AccountState, std::string_view>, 7> state_names{{
    {AccountState::active, "active"},
    {AccountState::disabled, "disabled"},
    {AccountState::locked, "locked"},
    {AccountState::expired, "expired"},
    {AccountState::password_expired, "password_expired"},
    {AccountState::must_change_password, "must_change_password"},
    {AccountState::not_mail_user, "not_mail_user"},
}};

std::string_view stored_state(AccountState state) {
  for (const auto& [value, name] : state_names)
    if (value == state) return name;
  return "disabled";  // unreachable for a valid enum value; refusing is the safe side
}

Result<AccountState> parse_stored_state(std::string_view text) {
  for (const auto& [value, name] : state_names)
    if (name == text) return value;
  return make_error(ErrorCode::io_error, "snapshot holds an unknown account state '" + escape_control(text) + "'");
}

Status insert_value(SqliteDatabase& db, const std::string& name_key, std::int64_t kind, std::int64_t position,
                    std::string_view value) {
  auto stmt = db.prepare("INSERT INTO account_values (name_key, kind, position, value) VALUES (?1, ?2, ?3, ?4)");
  if (!stmt) return std::move(stmt).error();
  stmt->bind(1, name_key).bind(2, kind).bind(3, position).bind(4, value);
  return stmt->run();
}

Status index_address(SqliteDatabase& db, std::string_view address, const std::string& name_key) {
  // The same address listed twice for one account (say name@domain also among the
  // proxy addresses) is one entry.
  auto stmt = db.prepare("INSERT OR IGNORE INTO address_index (address_key, name_key) VALUES (?1, ?2)");
  if (!stmt) return std::move(stmt).error();
  stmt->bind(1, snapshot_key(address)).bind(2, name_key);
  return stmt->run();
}

Status delete_by_name(SqliteDatabase& db, std::string_view sql, const std::string& name_key) {
  auto stmt = db.prepare(sql);
  if (!stmt) return std::move(stmt).error();
  stmt->bind(1, name_key);
  return stmt->run();
}

}  // namespace

std::string snapshot_key(std::string_view text) { return to_lower(text); }

Status insert_account_rows(SqliteDatabase& db, const Account& account, std::int64_t seen_at) {
  if (account.name.empty()) return make_error(ErrorCode::invalid_argument, "snapshot account without a name");
  std::string key = snapshot_key(account.name);
  {
    auto stmt = db.prepare(
        "INSERT INTO accounts (name_key, name, domain, display_name, home, mailbox_limit, state, "
        "require_smtp_auth, may_log_in, may_receive, dn, seen_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)");
    if (!stmt) return std::move(stmt).error();
    // A limit above 2^63-1 wraps to a negative integer and back again on reading.
    stmt->bind(1, key)
        .bind(2, account.name)
        .bind(3, account.domain)
        .bind(4, account.display_name)
        .bind(5, account.home)
        .bind(6, static_cast<std::int64_t>(account.mailbox_limit))
        .bind(7, stored_state(account.state))
        .bind(8, std::int64_t{account.require_smtp_auth})
        .bind(9, std::int64_t{account.may_log_in})
        .bind(10, std::int64_t{account.may_receive})
        .bind(11, account.dn)
        .bind(12, seen_at);
    auto done = stmt->run();
    if (!done) {
      Error error = std::move(done).error();
      if (error.code == ErrorCode::already_exists)
        error.message = "two directory accounts are named '" + escape_control(account.name) + "'";
      return error;
    }
  }
  for (std::size_t i = 0; i < account.groups.size(); ++i)
    DIRMAIL_TRY(insert_value(db, key, group_value, static_cast<std::int64_t>(i), account.groups[i]));
  for (std::size_t i = 0; i < account.addresses.size(); ++i) {
    DIRMAIL_TRY(insert_value(db, key, address_value, static_cast<std::int64_t>(i), account.addresses[i]));
    DIRMAIL_TRY(index_address(db, account.addresses[i], key));
  }
  if (!account.domain.empty()) DIRMAIL_TRY(index_address(db, account.name + "@" + account.domain, key));
  return ok_status();
}

Result<bool> delete_account_rows(SqliteDatabase& db, const std::string& name_key) {
  DIRMAIL_TRY(delete_by_name(db, "DELETE FROM address_index WHERE name_key = ?1", name_key));
  DIRMAIL_TRY(delete_by_name(db, "DELETE FROM account_values WHERE name_key = ?1", name_key));
  DIRMAIL_TRY(delete_by_name(db, "DELETE FROM accounts WHERE name_key = ?1", name_key));
  return db.changes() > 0;
}

Result<std::optional<DirectorySnapshot::Found>> read_account_rows(SqliteDatabase& db, const std::string& name_key) {
  using Found = DirectorySnapshot::Found;
  Found found;
  Account& account = found.account;
  {
    auto stmt = db.prepare(
        "SELECT name, domain, display_name, home, mailbox_limit, state, require_smtp_auth, may_log_in, "
        "may_receive, dn, seen_at FROM accounts WHERE name_key = ?1");
    if (!stmt) return std::move(stmt).error();
    stmt->bind(1, name_key);
    auto row = stmt->step();
    if (!row) return std::move(row).error();
    if (!*row) return std::optional<Found>();
    account.name = stmt->column_text(0);
    account.domain = stmt->column_text(1);
    account.display_name = stmt->column_text(2);
    account.home = stmt->column_text(3);
    account.mailbox_limit = static_cast<std::uint64_t>(stmt->column_int(4));
    auto state = parse_stored_state(stmt->column_text(5));
    if (!state) return std::move(state).error();
    account.state = *state;
    account.require_smtp_auth = stmt->column_int(6) != 0;
    account.may_log_in = stmt->column_int(7) != 0;
    account.may_receive = stmt->column_int(8) != 0;
    account.dn = stmt->column_text(9);
    found.seen_at = stmt->column_int(10);
  }
  auto stmt = db.prepare("SELECT kind, value FROM account_values WHERE name_key = ?1 ORDER BY kind, position");
  if (!stmt) return std::move(stmt).error();
  stmt->bind(1, name_key);
  for (;;) {
    auto row = stmt->step();
    if (!row) return std::move(row).error();
    if (!*row) break;
    (stmt->column_int(0) == group_value ? account.groups : account.addresses).push_back(stmt->column_text(1));
  }
  account.source = AnswerSource::snapshot;
  return std::optional<Found>(std::move(found));
}

}  // namespace dirmail::directory
