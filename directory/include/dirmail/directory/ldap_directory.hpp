#pragma once
// The ad and ldap backends: accounts, the mail-users gate (IMSUsers), mail domains,
// addresses and homes read live from the directory through DcPool; answers cached
// for a short TTL; a last-known-good snapshot that answers for known users when no
// server does (bounded staleness, logged loudly). Passwords are checked with a bind
// as the user; a successful live check leaves an offline verifier in the snapshot.
//
// Every call blocks (LDAP round trips): call from the blocking pool. Outages are
// temporary_failure, never "no such user".
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "dirmail/directory/account_password_check.hpp"
#include "dirmail/directory/account_policy.hpp"
#include "dirmail/directory/answer_cache.hpp"
#include "dirmail/directory/dc_pool.hpp"
#include "dirmail/directory/directory.hpp"
#include "dirmail/directory/directory_schema.hpp"
#include "dirmail/directory/directory_snapshot.hpp"
#include "dirmail/directory/domain_lockout_policy.hpp"
#include "dirmail/directory/verified_password_cache.hpp"

namespace dirmail::directory {

struct LdapDirectoryOptions {
  DirectorySchema schema = DirectorySchema::active_directory();
  DcPoolOptions servers;
  std::string base_dn;                    // empty: the root DSE's default naming context
  std::vector<std::string> mail_domains;  // canonical, in order
  std::string mail_users_group = "IMSUsers";  // empty: nobody is a mail user
  bool nested_groups = true;
  bool strict_domain_membership = false;
  bool with_home = true;                  // ask for the home attribute (%HOME% in the template)
  AccountStatePolicies policies;
  std::chrono::seconds cache_ttl{30};
  std::chrono::seconds negative_cache_ttl{10};
  std::chrono::seconds verified_password_ttl{300};  // 0: every login asks the KDC/DC
  std::chrono::seconds snapshot_refresh{300};
  std::chrono::seconds snapshot_max_staleness{86400};
  std::string status_file;                // written every few seconds for dirmailctl; empty: none
  // ad: called with the domain's lockout policy at each snapshot refresh (the login
  // limiter keeps failed binds below the lockout threshold).
  std::function<void(const DomainLockoutPolicy&)> on_lockout_policy;
};

struct DirectoryCounters {
  std::uint64_t live_answers = 0;
  std::uint64_t cache_hits = 0;
  std::uint64_t stale_answers = 0;     // served from the snapshot during an outage
  std::uint64_t failed_lookups = 0;    // temporary failures returned
  std::uint64_t offline_logins = 0;    // passwords checked against the snapshot
  std::uint64_t cached_logins = 0;     // passwords recently verified, not asked again
};

class LdapDirectory final : public Directory, public PasswordStore {
 public:
  // snapshot may be null (no last-known-good copy).
  LdapDirectory(LdapDirectoryOptions options, std::unique_ptr<DirectorySnapshot> snapshot);
  ~LdapDirectory() override;

  // Checks passwords with `check` (e.g. Kerberos) instead of an LDAP bind as the user;
  // with bind_fallback, a temporary failure of `check` falls back to the bind. Call
  // before start().
  void set_password_check(std::unique_ptr<AccountPasswordCheck> check, bool bind_fallback);

  // ad: `listener` gets the domain's lockout policy at each snapshot refresh. Call
  // before start().
  void set_lockout_policy_listener(std::function<void(const DomainLockoutPolicy&)> listener) {
    options_.on_lockout_policy = std::move(listener);
  }

  // Starts the DC probe and the snapshot refresh (and status file) thread.
  void start();
  void stop();

  std::string_view backend_name() const override;
  Result<std::vector<std::string>> local_domains() override;
  Result<bool> is_local_domain(std::string_view domain) override;
  Result<Account> find_account(std::string_view login) override;
  Result<Recipient> resolve_recipient(std::string_view address) override;
  Result<bool> verify_password(std::string_view login, std::string_view password) override;

  // Live only: no cache, no snapshot (dirmailctl user show --live, tests).
  Result<Account> find_account_live(std::string_view login);
  // Every mail user, read live (paged); what the snapshot refresh stores.
  Result<std::vector<Account>> list_mail_users();
  // One refresh of the snapshot now.
  Status refresh_snapshot();
  // `op` on a connection to the best DC, failing over as lookups do (Group Policy).
  Status run_on_dc(const DcPool::Operation& op) { return pool_.run(op); }
  // The DC's base DN as the lookups use it (directory.base_dn or the default naming
  // context); "" to let the caller ask the root DSE.
  const std::string& configured_base_dn() const { return options_.base_dn; }

  std::vector<DcStatus> servers() const { return pool_.status(); }
  DirectoryCounters counters() const;
  // The text of the status file (DCs, counters, snapshot age).
  std::string status_report() const;

 private:
  struct Lookup;  // one user search + membership decision on one connection
  Result<std::optional<Account>> search_user_live(const std::string& filter, const std::string& what);
  // directory.base_dn, or the server's default naming context, learnt once.
  Result<std::string> base_dn(LdapConnection& connection);
  Result<std::optional<std::string>> mail_group_dn(LdapConnection& connection, const std::string& base);
  Result<bool> is_member(LdapConnection& connection, const std::string& base, const std::string& group_dn,
                         const LdapEntry& user);
  Result<Account> from_snapshot_by_name(const std::string& name, const Error& outage);
  Result<Recipient> from_snapshot_by_address(const std::string& address, const Error& outage);
  void finish(Account& account) const;
  // The LDAP bind as the user: accepted, wrong_password or refused; temporary when no
  // DC could be asked.
  PasswordCheckAnswer bind_as_user(const Account& account, std::string_view password);
  void remember(const Account& account);
  void refresh_loop();
  void write_status_file() const;
  std::int64_t now_unix() const;

  LdapDirectoryOptions options_;
  std::unique_ptr<DirectorySnapshot> snapshot_;
  std::unique_ptr<AccountPasswordCheck> password_check_;
  bool bind_fallback_ = false;
  DcPool pool_;
  AnswerCache<Account> logins_;
  AnswerCache<Recipient> recipients_;
  VerifiedPasswordCache verified_;

  mutable std::mutex base_mu_;
  std::string base_dn_;
  std::optional<std::string> group_dn_;
  std::chrono::steady_clock::time_point group_dn_expires_{};

  std::atomic<std::uint64_t> live_answers_{0}, stale_answers_{0}, failed_lookups_{0}, offline_logins_{0},
      cached_logins_{0};

  std::mutex refresh_mu_;
  std::condition_variable refresh_cv_;
  bool stopping_ = false;
  std::thread refresher_;
};

}  // namespace dirmail::directory
