#pragma once
// The last-known-good snapshot of the directory: what AD (or LDAP) said, kept in a
// local SQLite file so that known users still receive mail and log in while no
// domain controller answers.
//
// The snapshot only stores and answers; the caller decides what an answer is worth:
// - Found::seen_at is when the account was last confirmed live; past the configured
//   maximum staleness the caller must not use it (temporary failure for everyone).
// - A name or address the snapshot does not know is NOT "user unknown": the
//   directory may have gained it since. The caller answers with a temporary failure.
// - Like SSSD's cached credentials, a successful live login leaves an Argon2id
//   verifier of the password (remember_password), so the same password works offline.
//
// It is a cache of the directory, never the source of truth. An unusable file (not a
// snapshot, damaged, from a newer dirmail) makes open() return io_error and is left
// untouched; the caller logs that, calls remove_file() and opens again to start from
// an empty snapshot, which the next full sync fills.
//
// File: mode 0600 (it holds password verifiers), WAL with synchronous=NORMAL (a crash
// may lose the last writes, never the file). Calls block: make them from the blocking
// pool. Thread-safe: one connection behind a mutex; password hashing runs outside it.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "dirmail/base/result.hpp"
#include "dirmail/directory/directory.hpp"
#include "dirmail/directory/password_hash.hpp"

namespace dirmail::directory {

class SqliteDatabase;

struct SnapshotOptions {
  // Cost of new password verifiers. Tests lower it; real snapshots keep the default.
  PasswordHashCost hash_cost = PasswordHashCost::interactive();
};

class DirectorySnapshot {
 public:
  struct Found {
    Account account;          // source = AnswerSource::snapshot
    std::int64_t seen_at = 0;  // when the directory last confirmed it (seconds, UTC)
  };

  // Creates the file (mode 0600, missing parent folders) and the schema if needed.
  static Result<std::unique_ptr<DirectorySnapshot>> open(const std::string& path, SnapshotOptions options = {});
  // Deletes the snapshot file and its -wal, -shm and -journal companions (missing
  // ones are fine). For a file open() refused; never while a DirectorySnapshot has it open.
  static Status remove_file(const std::string& path);

  ~DirectorySnapshot();
  DirectorySnapshot(const DirectorySnapshot&) = delete;
  DirectorySnapshot& operator=(const DirectorySnapshot&) = delete;

  // A full enumeration of the directory: replaces every account and the mail domains
  // in one transaction, all seen at `taken_at`, and records taken_at. Verifiers of
  // names that remain are kept, those of names that are gone are dropped. Two
  // accounts with the same name (case-insensitively) are already_exists and change
  // nothing: the previous snapshot stays. Lookups wait while it runs (under a second
  // for 10 000 accounts): call it from a background sync, not per request.
  Status replace_all(const std::vector<Account>& accounts, const std::vector<std::string>& mail_domains,
                     std::int64_t taken_at);
  // One account confirmed live between full syncs: inserted or replaced (same name,
  // case-insensitively), its verifier kept.
  Status upsert(const Account& account, std::int64_t seen_at);
  // The directory says this name no longer exists or is no mail user: drop it and its
  // verifier. Removing an unknown name is not an error.
  Status remove(std::string_view name);

  // After a successful LIVE password check of an account in the snapshot (upsert it
  // first): keeps an Argon2id verifier of the password. not_found when the name is
  // not in the snapshot; invalid_argument for an empty or over-long password. A
  // repeat of the password this process last stored skips the hashing.
  Status remember_password(std::string_view name, std::string_view password);
  // After a LIVE check said the password is wrong: an old verifier must not keep
  // working offline.
  Status forget_password(std::string_view name);
  // Offline check: true only when the name has a verifier and the password matches
  // it. An unknown name costs the same hashing work as a known one.
  Result<bool> check_password(std::string_view name, std::string_view password);

  // Case-insensitive. find_by_address takes "local@domain": the account's own
  // name@domain or any of its further addresses. An address two accounts claim is
  // temporary_failure (the live directory must settle it), never a guess.
  Result<std::optional<Found>> find_by_name(std::string_view name);
  Result<std::optional<Found>> find_by_address(std::string_view address);
  Result<std::vector<std::string>> mail_domains();

  std::int64_t taken_at() const;  // the last full sync; 0 if there was none
  std::size_t size() const;       // accounts held

 private:
  DirectorySnapshot(std::unique_ptr<SqliteDatabase> db, SnapshotOptions options, std::int64_t taken_at,
                    std::size_t size);
  Result<std::optional<Found>> find_by_key_locked(const std::string& name_key);
  const std::string& dummy_verifier();

  std::unique_ptr<SqliteDatabase> db_;
  SnapshotOptions options_;
  mutable std::mutex mutex_;
  std::int64_t taken_at_ = 0;
  std::size_t size_ = 0;
  // Per name: a keyed digest of the password last remembered and the verifier stored
  // for it, so a client logging in every minute does not cost an Argon2id hash each
  // time. The key is random per process; nothing of this is written to disk.
  struct RememberedPassword {
    std::string digest;
    std::string verifier;
  };
  std::unordered_map<std::string, RememberedPassword> remembered_;
  std::string digest_key_;
  std::once_flag dummy_once_;
  std::string dummy_verifier_;
};

}  // namespace dirmail::directory
