#pragma once
// The Directory: where accounts, the mail-users gate, mail domains, aliases and home
// folders come from. Backends: local (SQLite soft accounts), ad, ldap. Protocol code
// sees only this interface. Calls may block (LDAP, SQLite): call them from the
// blocking pool, never from an I/O thread.
//
// Answers are three-way: a value, a permanent "no" (not_found), or temporary_failure
// when the directory could not answer. Callers map temporary_failure to 4xx /
// [UNAVAILABLE], never to "user unknown".
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dirmail/base/result.hpp"

namespace dirmail::directory {

enum class AccountState {
  active,
  disabled,              // AD userAccountControl ACCOUNTDISABLE, a disabled soft account
  locked,                // locked out after failed logons
  expired,               // accountExpires has passed
  password_expired,      // the password is older than the domain allows
  must_change_password,  // pwdLastSet = 0: "User must change password at next logon"
  not_mail_user,         // exists, but is not in the mail-users group (IMSUsers)
};
std::string_view to_string(AccountState state);

// Where an answer came from: the directory itself, the short-lived cache, or the
// last-known-good snapshot kept for directory outages.
enum class AnswerSource { live, cache, snapshot };
std::string_view to_string(AnswerSource source);

struct Account {
  std::string name;          // login name: sAMAccountName in AD, the soft account name
  std::string domain;        // the mail domain the account belongs to (lower case)
  std::string display_name;
  std::string home;          // home folder for %HOME%; may be empty or a UNC path
  std::uint64_t mailbox_limit = 0;  // bytes; 0 = unlimited
  AccountState state = AccountState::active;
  bool require_smtp_auth = false;   // soft account "SMTP-AUTH & APOP" flag
  std::vector<std::string> groups;  // group names (AD: nested membership resolved)
  // Further addresses that reach this account ("local@domain", lower case): AD
  // proxyAddresses "smtp:" entries, LDAP mail values. name@domain is implied.
  std::vector<std::string> addresses;
  // What the per-state policy allows; the backend sets both from `state`.
  bool may_log_in = true;
  bool may_receive = true;
  std::string dn;  // the directory entry (AD/LDAP); empty for soft accounts
  AnswerSource source = AnswerSource::live;

  std::string address() const { return name + "@" + domain; }
};

enum class RecipientKind {
  account,    // a local mail user
  alias,      // expands to other addresses
  not_local,  // the domain is not ours: relay rules decide
  unknown,    // our domain, no such user: 550 5.1.1
};

struct Recipient {
  RecipientKind kind = RecipientKind::unknown;
  std::optional<Account> account;    // kind == account
  std::vector<std::string> targets;  // kind == alias
  // kind == alias: whether a delivery shows the target (true) or the alias (false) as
  // its recipient (Delivered-To). Unset: the target only when it is in another domain.
  std::optional<bool> shows_target;
};

class Directory {
 public:
  virtual ~Directory() = default;
  virtual std::string_view backend_name() const = 0;

  // Mail domains for which this server is the final destination (lower case).
  virtual Result<std::vector<std::string>> local_domains() = 0;
  virtual Result<bool> is_local_domain(std::string_view domain) = 0;

  // The account for a login: "alice" or "alice@example.test". not_found is permanent.
  virtual Result<Account> find_account(std::string_view login) = 0;

  // What an envelope recipient address ("local@domain") is.
  virtual Result<Recipient> resolve_recipient(std::string_view address) = 0;
};

// A directory that keeps passwords itself (soft accounts, the auth file) checks them.
// AD and LDAP backends verify through Kerberos or a bind instead (see auth/).
class PasswordStore {
 public:
  virtual ~PasswordStore() = default;
  // true: the password is right; false: wrong password or unknown login;
  // temporary_failure: could not check; permission_denied: the password is right but
  // has expired or must be changed (IMAP says [EXPIRED]).
  virtual Result<bool> verify_password(std::string_view login, std::string_view password) = 0;
};

}  // namespace dirmail::directory
