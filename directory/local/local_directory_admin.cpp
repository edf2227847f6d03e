// LocalDirectory administration: what dirmailctl calls to manage domains, users and
// aliases. Every write runs in a BEGIN IMMEDIATE transaction, so a check (account
// limit, domain exists) and the write it guards cannot be split by another process.
#include <chrono>
#include <limits>

#include "dirmail/base/strings.hpp"
#include "dirmail/directory/local_directory.hpp"
#include "dirmail/directory/mail_names.hpp"
#include "sqlite_database.hpp"
#include "user_row.hpp"

namespace dirmail::directory {
namespace {

constexpr std::size_t max_display_name_length = 256;
constexpr std::size_t max_home_length = 1024;
constexpr std::size_t max_alias_targets = 100;
constexpr auto max_sql_integer = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());

Error invalid(std::string message) { return make_error(ErrorCode::invalid_argument, std::move(message)); }

std::int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Free text shown in listings and used as a path template value: no control characters.
Status check_text(std::string_view what, std::string_view value, std::size_t max_length) {
  if (value.size() > max_length)
    return invalid(std::string(what) + " is longer than " + std::to_string(max_length) + " characters");
  for (char c : value) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return invalid(std::string(what) + " contains a control character");
  }
  return ok_status();
}

bool is_atext(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-/=?^_`{|}~.").find(c) != std::string_view::npos;
}

// An alias address: "*@domain" or a local part of account-name characters and '+'.
Result<AddressParts> canonical_alias_address(std::string_view address) {
  auto parts = split_address(address);
  if (!parts) return std::move(parts).error();
  auto domain = canonical_domain(parts->domain);
  if (!domain) return std::move(domain).error();
  parts->domain = std::move(*domain);
  if (parts->local_part == "*") return parts;
  if (parts->local_part.front() == '.') return invalid("alias local part must not start with '.': " + std::string(address));
  for (char c : parts->local_part) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-' || c == '+';
    if (!ok)
      return invalid("alias local part may contain only letters, digits, '.', '_', '-', '+' or be '*': " +
                     std::string(address));
  }
  return parts;
}

// A target is a plain dot-atom address (no quoting, no commas), any domain.
Result<std::string> canonical_alias_target(std::string_view target, bool catch_all) {
  auto parts = split_address(target);
  if (!parts) return std::move(parts).error();
  auto domain = canonical_domain(parts->domain);
  if (!domain) return std::move(domain).error();
  if (parts->local_part == "*") {
    if (!catch_all) return invalid("only a catch-all alias (*@domain) may have a '*@domain' target: " + std::string(target));
  } else {
    for (char c : parts->local_part) {
      if (!is_atext(c) || c == '*') return invalid("alias target has an unsupported character: " + std::string(target));
    }
  }
  return parts->local_part + "@" + *domain;
}

Error missing_domain(std::string_view domain) {
  return make_error(ErrorCode::not_found, "domain " + std::string(domain) + " is not a local domain");
}

}  // namespace

Status LocalDirectory::add_domain(std::string_view name, std::uint64_t account_limit) {
  auto domain = canonical_domain(name);
  if (!domain) return std::move(domain).error();
  if (account_limit > max_sql_integer) return invalid("account limit is too large");
  std::lock_guard lock(mutex_);
  auto stmt = db_->prepare("INSERT INTO domains (name, account_limit, created_at) VALUES (?1, ?2, ?3)");
  if (!stmt) return std::move(stmt).error();
  stmt->bind(1, *domain).bind(2, static_cast<std::int64_t>(account_limit)).bind(3, now_seconds());
  auto done = stmt->run();
  if (!done && done.error().code == ErrorCode::already_exists)
    return make_error(ErrorCode::already_exists, "domain " + *domain + " already exists");
  return done;
}

Status LocalDirectory::remove_domain(std::string_view name) {
  auto domain = canonical_domain(name);
  if (!domain) return std::move(domain).error();
  std::lock_guard lock(mutex_);
  auto tx = SqliteTransaction::begin_immediate(*db_);
  if (!tx) return std::move(tx).error();
  auto count = db_->prepare(
      "SELECT (SELECT COUNT(*) FROM users WHERE domain = ?1), (SELECT COUNT(*) FROM aliases WHERE domain = ?1)");
  if (!count) return std::move(count).error();
  count->bind(1, *domain);
  DIRMAIL_TRY(count->step());
  std::int64_t users = count->column_int(0);
  std::int64_t aliases = count->column_int(1);
  if (users > 0 || aliases > 0) {
    return invalid("domain " + *domain + " still has " + std::to_string(users) + " user(s) and " +
                   std::to_string(aliases) + " alias(es); remove them first");
  }
  auto stmt = db_->prepare("DELETE FROM domains WHERE name = ?1");
  if (!stmt) return std::move(stmt).error();
  stmt->bind(1, *domain);
  DIRMAIL_TRY(stmt->run());
  if (db_->changes() == 0) return missing_domain(*domain);
  return tx->commit();
}

Result<std::vector<LocalDomain>> LocalDirectory::list_domains() {
  std::lock_guard lock(mutex_);
  auto stmt = db_->prepare(
      "SELECT d.name, d.account_limit, (SELECT COUNT(*) FROM users u WHERE u.domain = d.name) "
      "FROM domains d ORDER BY d.name");
  if (!stmt) return std::move(stmt).error();
  std::vector<LocalDomain> domains;
  for (;;) {
    auto row = stmt->step();
    if (!row) return std::move(row).error();
    if (!*row) break;
    domains.push_back({stmt->column_text(0), static_cast<std::uint64_t>(stmt->column_int(1)),
                       static_cast<std::uint64_t>(stmt->column_int(2))});
  }
  return domains;
}

Status LocalDirectory::add_user(const UserSpec& spec) {
  auto name = canonical_account_name(spec.name);
  if (!name) return std::move(name).error();
  auto domain = canonical_domain(spec.domain);
  if (!domain) return std::move(domain).error();
  DIRMAIL_TRY(check_text("display name", spec.display_name, max_display_name_length));
  DIRMAIL_TRY(check_text("home", spec.home, max_home_length));
  if (spec.mailbox_limit > max_sql_integer) return invalid("mailbox limit is too large");
  // Hash before taking the lock: it is the slow part, by design.
  auto hash = hash_password(spec.password, options_.hash_cost);
  if (!hash) return std::move(hash).error();

  std::lock_guard lock(mutex_);
  auto tx = SqliteTransaction::begin_immediate(*db_);
  if (!tx) return std::move(tx).error();
  auto limit = db_->prepare(
      "SELECT account_limit, (SELECT COUNT(*) FROM users WHERE domain = ?1) FROM domains WHERE name = ?1");
  if (!limit) return std::move(limit).error();
  limit->bind(1, *domain);
  auto row = limit->step();
  if (!row) return std::move(row).error();
  if (!*row) return missing_domain(*domain);
  std::int64_t account_limit = limit->column_int(0);
  std::int64_t users = limit->column_int(1);
  if (account_limit > 0 && users >= account_limit) {
    return make_error(ErrorCode::limit_exceeded, "domain " + *domain + " has reached its account limit (" +
                                                     std::to_string(account_limit) + ")");
  }
  auto insert = db_->prepare(
      "INSERT INTO users (name, domain, password_hash, display_name, home, mailbox_limit, enabled, "
      "require_smtp_auth, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1, ?7, ?8)");
  if (!insert) return std::move(insert).error();
  insert->bind(1, *name)
      .bind(2, *domain)
      .bind(3, *hash)
      .bind(4, spec.display_name)
      .bind(5, spec.home)
      .bind(6, static_cast<std::int64_t>(spec.mailbox_limit))
      .bind(7, std::int64_t{spec.require_smtp_auth ? 1 : 0})
      .bind(8, now_seconds());
  auto done = insert->run();
  if (!done) {
    if (done.error().code == ErrorCode::already_exists)
      return make_error(ErrorCode::already_exists, "user " + *name + "@" + *domain + " already exists");
    return done;
  }
  return tx->commit();
}

Status LocalDirectory::remove_user(std::string_view login) {
  std::lock_guard lock(mutex_);
  auto tx = SqliteTransaction::begin_immediate(*db_);
  if (!tx) return std::move(tx).error();
  auto user = find_user_locked(login, nullptr);
  if (!user) return std::move(user).error();
  auto stmt = db_->prepare("DELETE FROM users WHERE name = ?1 AND domain = ?2");
  if (!stmt) return std::move(stmt).error();
  stmt->bind(1, user->account.name).bind(2, user->account.domain);
  DIRMAIL_TRY(stmt->run());
  return tx->commit();
}

Status LocalDirectory::set_password(std::string_view login, std::string_view password) {
  auto hash = hash_password(password, options_.hash_cost);
  if (!hash) return std::move(hash).error();
  std::lock_guard lock(mutex_);
  auto tx = SqliteTransaction::begin_immediate(*db_);
  if (!tx) return std::move(tx).error();
  auto user = find_user_locked(login, nullptr);
  if (!user) return std::move(user).error();
  auto stmt = db_->prepare("UPDATE users SET password_hash = ?3 WHERE name = ?1 AND domain = ?2");
  if (!stmt) return std::move(stmt).error();
  stmt->bind(1, user->account.name).bind(2, user->account.domain).bind(3, *hash);
  DIRMAIL_TRY(stmt->run());
  return tx->commit();
}

Status LocalDirectory::set_enabled(std::string_view login, bool enabled) {
  std::lock_guard lock(mutex_);
  auto tx = SqliteTransaction::begin_immediate(*db_);
  if (!tx) return std::move(tx).error();
  auto user = find_user_locked(login, nullptr);
  if (!user) return std::move(user).error();
  auto stmt = db_->prepare("UPDATE users SET enabled = ?3 WHERE name = ?1 AND domain = ?2");
  if (!stmt) return std::move(stmt).error();
  stmt->bind(1, user->account.name).bind(2, user->account.domain).bind(3, std::int64_t{enabled ? 1 : 0});
  DIRMAIL_TRY(stmt->run());
  return tx->commit();
}

Result<LocalUser> LocalDirectory::get_user(std::string_view login) {
  std::lock_guard lock(mutex_);
  return find_user_locked(login, nullptr);
}

Result<std::vector<LocalUser>> LocalDirectory::list_users(std::optional<std::string_view> domain) {
  std::string canonical;
  if (domain) {
    auto checked = canonical_domain(*domain);
    if (!checked) return std::move(checked).error();
    canonical = std::move(*checked);
  }
  std::lock_guard lock(mutex_);
  if (domain) {
    auto exists = domain_exists_locked(canonical);
    if (!exists) return std::move(exists).error();
    if (!*exists) return missing_domain(canonical);
  }
  std::string sql = std::string("SELECT ") + user_columns + " FROM users";
  if (domain) sql += " WHERE domain = ?1";
  sql += " ORDER BY domain, name";
  auto stmt = db_->prepare(sql);
  if (!stmt) return std::move(stmt).error();
  if (domain) stmt->bind(1, canonical);
  std::vector<LocalUser> users;
  for (;;) {
    auto row = stmt->step();
    if (!row) return std::move(row).error();
    if (!*row) break;
    users.push_back(read_user_row(*stmt));
  }
  return users;
}

Status LocalDirectory::add_alias(std::string_view address, const std::vector<std::string>& targets) {
  auto alias = canonical_alias_address(address);
  if (!alias) return std::move(alias).error();
  if (targets.empty()) return invalid("alias " + std::string(address) + " needs at least one target");
  if (targets.size() > max_alias_targets) return invalid("an alias may have at most 100 targets");
  std::string alias_address = alias->local_part + "@" + alias->domain;
  std::string joined;
  for (const std::string& target : targets) {
    auto canonical = canonical_alias_target(target, alias->local_part == "*");
    if (!canonical) return std::move(canonical).error();
    if (*canonical == alias_address) return invalid("alias " + alias_address + " must not point to itself");
    if (!joined.empty()) joined += ',';
    joined += *canonical;
  }

  std::lock_guard lock(mutex_);
  auto tx = SqliteTransaction::begin_immediate(*db_);
  if (!tx) return std::move(tx).error();
  auto exists = domain_exists_locked(alias->domain);
  if (!exists) return std::move(exists).error();
  if (!*exists) return missing_domain(alias->domain);
  auto stmt = db_->prepare("INSERT INTO aliases (local_part, domain, targets, created_at) VALUES (?1, ?2, ?3, ?4)");
  if (!stmt) return std::move(stmt).error();
  stmt->bind(1, alias->local_part).bind(2, alias->domain).bind(3, joined).bind(4, now_seconds());
  auto done = stmt->run();
  if (!done) {
    if (done.error().code == ErrorCode::already_exists)
      return make_error(ErrorCode::already_exists, "alias " + alias_address + " already exists");
    return done;
  }
  return tx->commit();
}

Status LocalDirectory::remove_alias(std::string_view address) {
  auto alias = canonical_alias_address(address);
  if (!alias) return std::move(alias).error();
  std::lock_guard lock(mutex_);
  auto stmt = db_->prepare("DELETE FROM aliases WHERE local_part = ?1 AND domain = ?2");
  if (!stmt) return std::move(stmt).error();
  stmt->bind(1, alias->local_part).bind(2, alias->domain);
  DIRMAIL_TRY(stmt->run());
  if (db_->changes() == 0)
    return make_error(ErrorCode::not_found, "no such alias: " + alias->local_part + "@" + alias->domain);
  return ok_status();
}

Result<std::vector<LocalAlias>> LocalDirectory::list_aliases(std::optional<std::string_view> domain) {
  std::string canonical;
  if (domain) {
    auto checked = canonical_domain(*domain);
    if (!checked) return std::move(checked).error();
    canonical = std::move(*checked);
  }
  std::lock_guard lock(mutex_);
  std::string sql = "SELECT local_part, domain, targets FROM aliases";
  if (domain) sql += " WHERE domain = ?1";
  sql += " ORDER BY domain, local_part";
  auto stmt = db_->prepare(sql);
  if (!stmt) return std::move(stmt).error();
  if (domain) stmt->bind(1, canonical);
  std::vector<LocalAlias> aliases;
  for (;;) {
    auto row = stmt->step();
    if (!row) return std::move(row).error();
    if (!*row) break;
    LocalAlias alias{stmt->column_text(0) + "@" + stmt->column_text(1), {}};
    std::string joined = stmt->column_text(2);  // split() returns views into it
    for (std::string_view target : split(joined, ','))
      if (!target.empty()) alias.targets.emplace_back(target);
    aliases.push_back(std::move(alias));
  }
  return aliases;
}

}  // namespace dirmail::directory
