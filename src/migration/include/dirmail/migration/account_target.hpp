#pragma once
// Where `dirmail-import` puts the accounts it reads: Active Directory (over LDAPS or
// StartTLS, ad_account_target.hpp) or the embedded local directory
// (local_account_target.hpp). The importer decides what to do with each row
// (import_plan.hpp); a target only answers what it holds and carries out one step.
//
// Names: `account` is the soft account's name (AD: sAMAccountName, compared without
// case); `domain` the mail domain (AD: the group named after it; local: the domain row).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dirmail/base/result.hpp"
#include "dirmail/migration/soft_account.hpp"

namespace dirmail::migration {

// An account the target already has, as far as the importer compares it with a row.
struct TargetAccount {
  std::string account;                // as the target spells it
  std::string display_name;
  std::string home_folder;
  std::vector<std::string> domains;   // the mail domains it belongs to (AD: domain groups it is a direct member of)
  bool mail_user = false;             // AD: a direct member of the mail-users group; local: always
  // Carries the importer's mark (AD: the `info` attribute written at creation), so a
  // run cut short can be completed instead of reported as a conflict.
  bool imported = false;
  std::uint64_t mailbox_limit = 0;    // bytes; 0 when none or not kept by the target
  bool enabled = true;
};

// One account to create.
struct NewAccount {
  SoftAccount row;                    // as read from the file (row.password is not used)
  std::string password;               // the one to set: the file's, or a generated one
  // The password was generated: the user must choose one at the next logon (AD:
  // pwdLastSet 0). The local directory has no such state: the importer lists the
  // generated passwords for the administrator instead.
  bool must_change = false;
  std::string origin;                 // "accounts.tsv line 7": for the importer's mark
};

// Why a target refused an account, as the report groups it.
enum class TargetFailureKind {
  password_policy,   // the domain's password policy refused the password (spec §11)
  already_exists,    // someone created it meanwhile
  refused,           // the target refused the values (a name AD cannot take, ...)
  permission,        // the importer's credentials may not do this
  unavailable,       // the target cannot be reached (temporary)
  other,
};

struct TargetFailure {
  TargetFailureKind kind = TargetFailureKind::other;
  std::string message;  // for the report; never quotes a password
};

std::string_view to_string(TargetFailureKind kind);

// The original product's message for a password the policy refuses (spec §11, the
// Account Manager's dialog), in English and in the Japanese of the original.
inline constexpr std::string_view password_policy_message =
    "The password is too short or does not meet complexity requirements. You must enter a complex password.";
inline constexpr std::string_view password_policy_message_ja =
    "パスワードが短いか、既定と一致しません。複雑なパスワードを入力する必要があります。";

class AccountTarget {
 public:
  virtual ~AccountTarget() = default;

  // "Active Directory ldaps://127.0.0.10 (CN=Users,DC=corp,...)", "local directory /var/lib/dirmail/accounts.sqlite"
  virtual std::string description() const = 0;
  // True when one account name is one user across all mail domains (AD: virtual
  // domains, spec §13), so that the same name in two domains of the file is a conflict.
  // False for the local directory (name@domain is the account).
  virtual bool one_namespace() const = 0;

  // The account, or nullopt when the target has none of that name (in `domain` for a
  // target without one namespace).
  virtual Result<std::optional<TargetAccount>> find(std::string_view account, std::string_view domain) = 0;
  // Whether the mail domain exists (AD: a group of that name; local: the domain).
  virtual Result<bool> has_domain(std::string_view domain) = 0;
  // Creates the mail domain (AD: the security group, spec §22.7; local: the domain).
  virtual Result<void> create_domain(std::string_view domain) = 0;

  // What create() would refuse in the row itself, without asking the directory (AD: a
  // name sAMAccountName cannot hold, a domain that cannot name a mail domain group; the
  // local directory: no domain): for --dry-run, and checked again by create().
  virtual std::optional<TargetFailure> check_row(const SoftAccount& row) const = 0;

  // Creates the account with its password, its mail domain and (AD) the mail-users
  // group, and its mailbox limit where the target keeps one: all or nothing (AD
  // deletes a half-made user again). An empty row.domain: no domain group.
  virtual std::optional<TargetFailure> create(const NewAccount& account) = 0;
  // Finishes an account this importer created before and a run cut short: one left
  // disabled before its password was set gets `account.password` (and must_change) and
  // is enabled; then the groups it lacks are added. Never changes the password of an
  // enabled account or an attribute that is set.
  virtual std::optional<TargetFailure> complete(const NewAccount& account, const TargetAccount& existing) = 0;

  // Whether a password would pass the target's policy, as far as the target can tell
  // without trying (AD: the domain's minPwdLength and complexity rule; spec §11); for
  // --dry-run. nullopt: no objection (the target stays the judge at create()).
  virtual Result<std::optional<std::string>> check_password(std::string_view account, std::string_view password) = 0;

  // Every mail user as a row of the export (dirmail-import export): passwords empty
  // (neither AD nor the local directory can give them back), the flags false (the
  // importer fills them from the secrets file).
  virtual Result<std::vector<SoftAccount>> list() = 0;
};

// Whether `existing` already is what `row` asks for (same full name, home folder, mail
// domain membership, mail user): a re-run leaves it alone.
bool target_matches(const TargetAccount& existing, const SoftAccount& row);
// What differs, for the report of a conflict: "full name 'X' in the directory, 'Y' in
// the file; ..."; empty when nothing does.
std::string describe_differences(const TargetAccount& existing, const SoftAccount& row);

}  // namespace dirmail::migration
